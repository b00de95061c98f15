from django.core.management.base import BaseCommand

from indicators import refresh

from ._output import print_runs


class Command(BaseCommand):
    help = "Recompute every registered indicator from the current releases (atomic swap)."

    def handle(self, *args, **options):
        print_runs(self, [refresh.recompute()])
