from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatory.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder (manage.py backup) into the fresh database of DATABASE_URL."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)

    def handle(self, *args, backup, **options):
        try:
            manifest = restore(backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {backup} (made {manifest['created']})")
