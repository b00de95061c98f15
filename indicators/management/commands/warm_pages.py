from django.core.management.base import BaseCommand

from indicators import loading, warming

from ._output import print_runs


class Command(BaseCommand):
    help = "Pre-build every page's payload at the current data generation, then serve it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help=(
                "Build every page again at a new generation (after a deploy that changes page "
                "templates or builders: payloads, blocks and stored pages do not follow code by "
                "themselves). Visitors keep the current pages until the new ones are warm."
            ),
        )

    def handle(self, *args, **options):
        if options["rebuild"]:
            loading.hold_pages()
            loading.bump_generation()
        print_runs(self, [warming.warm()])
