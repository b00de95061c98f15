from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatory import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and the raw release files into a timestamped folder."

    def add_arguments(self, parser):
        parser.add_argument("--dest", type=Path, help="folder to write (default var/backups/<UTC stamp>/)")

    def handle(self, *args, dest=None, **options):
        try:
            folder = backup.backup(dest)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = backup.verify(folder)
        sizes = ", ".join(f"{f['name']} {f['size'] / 1e6:.1f} MB" for f in manifest["files"])
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {folder}")
            + f"  ({sizes}; {len(manifest['releases'])} current releases; {manifest['seconds']:.1f}s)"
        )
