"""``manage.py import_invoices FILE [--tracking] [--policy all-or-nothing|valid-rows]
[--dry-run]``: the admin's invoice (or tracking) import for cron jobs and ERP drop folders.
The file format is the admin's (README, "Bulk invoices and tracking")."""

from typing import Any

from django.core.management.base import CommandParser

from imports.management.base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import NF-e invoices (or, with --tracking, tracking numbers) from a CSV or XLSX file; "
        "exit status 1 when a row was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--tracking",
            action="store_true",
            help="the file holds tracking numbers (order_id, invoice_number, courier, "
            "tracking_number, tracking_url)",
        )

    def kind_name_for(self, options: dict[str, Any]) -> str:
        return "tracking" if options["tracking"] else "invoices"
