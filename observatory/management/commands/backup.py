from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from observatory.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the raw release files into a timestamped folder."

    def add_arguments(self, parser):
        parser.add_argument("--dest", type=Path, default=Path(settings.BASE_DIR) / "var" / "backups")

    def handle(self, *args, dest, **options):
        try:
            folder = backup(dest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written to {folder}")
