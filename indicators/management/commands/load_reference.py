from django.core.management.base import BaseCommand

from indicators import reference
from indicators.refresh import sync_registry


class Command(BaseCommand):
    help = "Load reference data: countries, ecosystems + mapping, Eurostat code lists, NACE, NUTS."

    def handle(self, *args, **options):
        self.stdout.write(f"Reference data from fixtures/ and {reference.mirror_description()}")
        for line in reference.load_all():
            self.stdout.write(f"  {line}")
        sync_registry()
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
