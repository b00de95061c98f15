from django.core.management.base import BaseCommand, CommandError

from indicators import refresh
from indicators.registry import SOURCES
from observatory.priority import lower_priority

from ._output import print_runs


class Command(BaseCommand):
    help = "Ingest sources (all with --all), then recompute the indicators reading what changed."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", help="Source codes (default: none; use --all).")
        parser.add_argument("--all", action="store_true", help="Every registered source.")

    def handle(self, *args, sources, all=False, **options):
        if not sources and not all:
            raise CommandError("Name sources or pass --all.")
        unknown = [code for code in sources if code not in SOURCES]
        if unknown:
            raise CommandError(f"Unknown source(s): {', '.join(unknown)}")
        lower_priority()  # as the Celery worker does: visitors' requests get the CPU first
        print_runs(self, refresh.refresh_sources(None if all else sources, inline=True))
