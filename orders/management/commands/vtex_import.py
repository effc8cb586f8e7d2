"""Import orders from VTEX: drain the feed once, or backfill a creation-date range."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from orders.models import Actor
from orders.services.backfill import order_backfill
from orders.services.feed import feed_drain, feed_drain_budget
from orders.services.locks import task_lock
from orders.tasks import FEED_DRAIN
from vtex import VtexError


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Drain the VTEX orders feed once into the mirror; with --backfill --since YYYY-MM-DD "
        "[--until YYYY-MM-DD] [--status S ...], read every order created in that range instead."
    )

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
                    raise CommandError("--since, --until and --status go with --backfill")
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

    def _backfill(self, options: dict[str, Any]) -> None:
        if options["since"] is None:
            raise CommandError("--backfill needs --since YYYY-MM-DD")
        zone = timezone.get_current_timezone()
        since = datetime.combine(options["since"], time.min, tzinfo=zone)
        until = (
            datetime.combine(options["until"] + timedelta(days=1), time.min, tzinfo=zone)
            if options["until"]
            else timezone.now()
        )
        if since >= until:
            raise CommandError("--since must come before --until")
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
