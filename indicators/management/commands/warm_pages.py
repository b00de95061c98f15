from django.core.management.base import BaseCommand

from indicators import warming

from ._output import print_runs


class Command(BaseCommand):
    help = "Pre-build every page's payload at the current data generation, then serve it."

    def handle(self, *args, **options):
        print_runs(self, [warming.warm()])
