"""Import orders from VTEX: drain the feed once, or backfill a creation-date range."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.actor import Actor
from core.locks import task_lock
from orders.services.backfill import order_backfill
from orders.services.feed import feed_drain, feed_drain_budget
from orders.tasks import FEED_DRAIN
from vtex import VtexError

# VTEX serves no order older than this (GetOrder and ListOrders: "orders older than 2 years").
VTEX_RETENTION_YEARS = 2
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: str) -> date:
    """An argparse ``type=``: a YYYY-MM-DD calendar day, else argparse's usage error (exit 2)."""
    if not _ISO_DAY.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD): {error}") from None


def retention_floor(today: date) -> date:
    """The first day VTEX still serves orders of: two years before ``today`` (29 Feb -> 28)."""
    year = today.year - VTEX_RETENTION_YEARS
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


class Command(BaseCommand):
    help = (
        "Drain the VTEX orders feed once into the mirror; with --backfill --since YYYY-MM-DD "
        "[--until YYYY-MM-DD] [--status S ...], read every order created in that range instead "
        "(days within the last two years, which is how long VTEX keeps orders, up to today)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Kept so that checks across arguments end as argparse's own errors do: one line and
        # exit status 2 from the command line, a CommandError from call_command().
        self._parser = super().create_parser(prog_name, subcommand, **kwargs)
        return self._parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backfill", action="store_true", help="walk the list endpoint")
        parser.add_argument("--since", type=_day, help="first creation day (local time)")
        parser.add_argument("--until", type=_day, help="last creation day, inclusive (today)")
        parser.add_argument(
            "--status", action="append", dest="statuses", help="only these statuses (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["backfill"]:
                self._backfill(options)
            else:
                if options["since"] or options["until"] or options["statuses"]:
                    self._parser.error("--since, --until and --status go with --backfill")
                self._drain()
        except VtexError as error:
            raise CommandError(f"VTEX answered: {error}") from error

    def _drain(self) -> None:
        # The same lock as the periodic task: a manual run never overlaps beat's.
        ttl = timedelta(seconds=feed_drain_budget() + 60)
        with task_lock(name=FEED_DRAIN, ttl=ttl) as acquired:
            if not acquired:
                raise CommandError("another feed drain is running; try again in a minute")
            result = feed_drain()
        self.stdout.write(
            f"feed: {result.batches} batches, {result.items} items, "
            f"{result.orders_synced} orders synced ({result.orders_created} new, "
            f"{result.status_changes} status changes), {result.handles_committed} handles "
            f"committed, {result.orders_failed} failed"
        )
        if result.commit_failures:
            self.stdout.write(
                f"{result.commit_failures} feed commits failed; {result.handles_uncommitted} "
                "handles left uncommitted come back after the feed's visibility timeout"
            )
        if result.stopped_by_budget:
            self.stdout.write("stopped at the time budget: the feed may still hold items")
        if result.rate_limited:
            self.stdout.write("stopped by VTEX's rate limit: run again later")

    def _backfill_window(self, options: dict[str, Any]) -> tuple[date, date | None]:
        """--since and --until, checked against each other, today and VTEX's retention."""
        first, last = options["since"], options["until"]
        if first is None:
            self._parser.error("--backfill needs --since YYYY-MM-DD")
        if last is not None and first > last:
            self._parser.error(
                f"--since must come before --until, or be the same day ({first} is after {last})"
            )
        today = timezone.localdate()
        for name, day in (("--since", first), ("--until", last)):
            if day is not None and day > today:
                self._parser.error(f"{name} {day} is in the future (today is {today})")
        floor = retention_floor(today)
        if first < floor:
            self._parser.error(
                f"--since {first} is more than {VTEX_RETENTION_YEARS} years ago: VTEX keeps "
                f"orders that long, so the earliest day is {floor}"
            )
        return first, last

    def _backfill(self, options: dict[str, Any]) -> None:
        first, last = self._backfill_window(options)
        zone = timezone.get_current_timezone()
        since = datetime.combine(first, time.min, tzinfo=zone)
        until = (
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
            if last is not None and last < timezone.localdate()
            else timezone.now()
        )
        result = order_backfill(
            since=since, until=until, statuses=options["statuses"], source=Actor.BACKFILL
        )
        self.stdout.write(
            f"backfill: {result.windows} windows, {result.pages} pages, "
            f"{result.orders_listed} orders listed, {result.orders_synced} synced "
            f"({result.orders_created} new, {result.status_changes} status changes), "
            f"{result.orders_failed} failed"
        )
        if result.rate_limited:
            self.stdout.write("stopped by VTEX's rate limit: run again later")
