from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.services.demo import catalog_demo_load


class Command(BaseCommand):
    help = (
        "Load the demo catalog (a few SKUs the sandbox marketplace knows, and shipping rules) "
        "when the back office talks to the sandbox store; only what is missing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load it even though VTEX credentials are configured.",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.VTEX_USES_SANDBOX and not force:
            self.stdout.write("VTEX credentials are configured: no demo catalog loaded.")
            return
        loaded = catalog_demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog: {loaded.skus} SKUs and {loaded.shipping_rules} shipping rules "
                "created (the rest was there already)."
            )
        )
