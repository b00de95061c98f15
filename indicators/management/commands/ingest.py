from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators import refresh
from indicators.registry import SOURCES

from ._output import print_runs


class Command(BaseCommand):
    help = "Ingest one source (from the mirror, the publisher, or --file) as a new release."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Source code, one of: " + ", ".join(sorted(SOURCES)))
        parser.add_argument("--file", type=Path, help="Load this file instead of fetching.")

    def handle(self, *args, source, file=None, **options):
        if source not in SOURCES:
            raise CommandError(f"Unknown source {source!r}. Known: {', '.join(sorted(SOURCES))}")
        print_runs(self, [refresh.ingest(source, path=file)])
