import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatory import backup


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the database of DATABASE_URL (its tables are replaced) "
        "and put the raw release files back. Checks every sha256 first."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a folder written by `manage.py backup`")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, folder, interactive=True, **options):
        try:
            manifest = backup.verify(folder)
            target = backup.database()["NAME"]
            if interactive and sys.stdin.isatty():
                answer = input(
                    f"Replace the tables of database {target!r} with the backup of {manifest['database']!r} "
                    f"taken {manifest['created_at']}? Type 'yes' to continue: "
                )
                if answer.strip() != "yes":
                    raise CommandError("Restore cancelled; nothing was changed.")
            summary = backup.restore(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Restored {folder} into {summary['database']}")
            + f"  ({summary['releases']} current releases, {summary['raw_files']} raw files, "
            f"{summary['media_files']} media files; "
            f"{summary['seconds']:.1f}s with {summary['pg_restore_version']})"
        )
