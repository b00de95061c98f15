"""Backup and restore drill: pg_dump of the test database plus the raw files, restored into a
fresh database on the same server, gives identical checksums of the tables that matter.

transaction=True: pg_dump reads committed data through its own connection.
"""

import hashlib
import shutil
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from psycopg import sql

from community.models import Post
from indicators.models import IndicatorValue, Observation, Release
from observatory import backup

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = [m._meta.db_table for m in (Release, Observation, IndicatorValue, Post)]


def checksums(db: dict) -> dict:
    """Row count and md5 over the ordered rows of each table, read with plain SQL."""
    query = "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM {} t"
    with backup.connect(db) as conn:
        return {
            table: conn.execute(sql.SQL(query).format(sql.Identifier(table))).fetchone() for table in TABLES
        }


def tables(db: dict) -> list[str]:
    with backup.connect(db) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def file_digests(folder) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def fresh_db():
    """An empty database on the same server (dropped at the end)."""
    source = backup.database()
    target = backup.database(f"{source['NAME']}_restore")
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target["NAME"]))
    with backup.connect(backup.database("postgres"), autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
    yield target
    with backup.connect(backup.database("postgres"), autocommit=True) as conn:
        conn.execute(drop)


def forum_post():
    from tests.community.factories import make_space, make_thread, make_user

    thread = make_thread(
        make_space(), make_user(), title="Backups", body="A post that must survive a restore."
    )
    assert Post.objects.filter(thread=thread).exists()


def test_restore_into_a_fresh_database_gives_identical_checksums(
    reference, raw_dir, tmp_path, fresh_db, settings
):
    from tests.universe import load_profiles_universe

    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "publications").mkdir(parents=True)
    (settings.MEDIA_ROOT / "publications" / "report.pdf").write_bytes(b"%PDF-1.7 uploaded bytes")

    load_profiles_universe(tmp_path)
    forum_post()
    source = checksums(backup.database())
    assert all(count > 0 for count, _ in source.values()), source
    raw_before = file_digests(raw_dir)
    assert len(raw_before) >= 3  # one raw file per ingested release
    media_before = file_digests(settings.MEDIA_ROOT)

    started = time.monotonic()
    folder = backup.backup(tmp_path / "backup")
    backup_seconds = time.monotonic() - started
    manifest = backup.verify(folder)
    assert manifest["database"] == backup.database()["NAME"]
    assert {r["source"] for r in manifest["releases"]} == set(
        Release.objects.filter(status="current").values_list("source_id", flat=True)
    )
    assert "pg_dump (PostgreSQL)" in manifest["pg_dump_version"]

    shutil.rmtree(raw_dir)  # the raw and media files are lost with the machine
    shutil.rmtree(settings.MEDIA_ROOT)
    summary = backup.restore(folder, db=fresh_db)

    assert checksums(fresh_db) == source
    assert file_digests(raw_dir) == raw_before
    assert summary["raw_files"] == len(raw_before)
    assert file_digests(settings.MEDIA_ROOT) == media_before
    print(f"backup {backup_seconds:.2f}s, restore {summary['seconds']:.2f}s; checksums {source}")


def test_a_damaged_backup_is_refused_and_changes_nothing(reference, raw_dir, tmp_path, fresh_db, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    forum_post()
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / "kept").write_bytes(b"raw bytes of a release")
    folder = backup.backup(tmp_path / "backup")
    dump = folder / backup.DUMP
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte changed
    dump.write_bytes(bytes(data))

    with backup.connect(fresh_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE marker (id int); INSERT INTO marker VALUES (1)")
    (raw_dir / "kept").write_bytes(b"newer bytes")
    source = checksums(backup.database())

    with pytest.raises(backup.BackupError, match=r"database\.dump is damaged .* nothing was restored"):
        backup.restore(folder, db=fresh_db)
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(folder), "--noinput")

    assert tables(fresh_db) == ["marker"]
    assert checksums(backup.database()) == source
    assert (raw_dir / "kept").read_bytes() == b"newer bytes"


def test_no_client_of_the_servers_version_is_a_clear_error():
    with pytest.raises(backup.BackupError, match="no pg_dump for PostgreSQL 99"):
        backup.find_tool("pg_dump", 99)


def test_server_version_picks_a_matching_pg_dump():
    major = backup.server_major(backup.database())
    path, version = backup.find_tool("pg_dump", major)
    assert backup.client_major(version) == major
