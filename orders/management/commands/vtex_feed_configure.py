"""Configure this appKey's VTEX orders feed (FromWorkflow) from the settings."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orders.services.feed import feed_configure
from vtex import VtexError


class Command(BaseCommand):
    help = (
        "Set the VTEX orders feed to report the workflow statuses in ORDERS_FEED_STATUSES "
        "(every known status when empty), with the configured visibility timeout and retention."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            statuses = feed_configure()
        except VtexError as error:
            raise CommandError(f"VTEX refused the feed configuration: {error}") from error
        self.stdout.write(
            f"feed configured: FromWorkflow, {len(statuses)} statuses, visibility timeout "
            f"{settings.ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS}s, retention "
            f"{settings.ORDERS_FEED_RETENTION_SECONDS}s"
        )
        self.stdout.write(", ".join(statuses))
