"""``manage.py import_skus FILE [--policy all-or-nothing|valid-rows] [--dry-run]``: the
admin's SKU import (SKUs, prices and stock) for cron jobs and ERP drop folders. The file
format is the admin's (README, "SKUs, prices and stock from a file")."""

from imports.management.base import ImportCommand


class Command(ImportCommand):
    kind_name = "skus"
    help = (
        "Create or update SKUs, prices and stock from a CSV or XLSX file; exit status 1 when "
        "a row was refused, 2 when the file cannot be read."
    )
