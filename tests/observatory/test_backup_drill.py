"""Drill: back up a small universe (manage.py backup), restore it into a fresh database
(manage.py restore, as `make backup` / `make restore` do) and compare checksums of releases,
observations, indicator values and forum posts, and the raw release files."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from community.models import Post
from indicators.models import IndicatorValue, Observation, Release
from tests.celery_harness import ROOT, database_url
from tests.community.factories import make_post, make_space, make_thread, make_user

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = {
    "releases": Release._meta.db_table,
    "observations": Observation._meta.db_table,
    "indicator values": IndicatorValue._meta.db_table,
    "forum posts": Post._meta.db_table,
}


def checksums(url: str) -> dict[str, tuple[int, str]]:
    """(rows, md5 over every column of every row in id order) per table."""
    out = {}
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        for label, table in TABLES.items():
            rows = "md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), ''))"
            # table names come from the models above, never from input
            out[label] = conn.execute(f"SELECT count(*), {rows} FROM {table} t").fetchone()  # noqa: S608
    return out


def tree_sums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_identically_into_a_fresh_database(
    loaded_profiles, raw_dir, tmp_path, fresh_database
):
    author = make_user()
    thread = make_thread(make_space(), author, title="Backups", body="Posts survive a restore.")
    make_post(thread, author, "And replies too.")
    source_url = database_url()
    before = checksums(source_url)
    assert all(rows for rows, _ in before.values()), before
    raw_before = tree_sums(Path(raw_dir))
    assert raw_before

    env = {**os.environ, "DATABASE_URL": source_url, "OBSERVATORY_RAW_DIR": str(raw_dir)}
    done = manage("backup", "--dest", str(tmp_path / "backups"), env=env)
    assert done.returncode == 0, done.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in folder.iterdir()} == {"database.dump", "raw.tar.gz", "manifest.json"}

    restored_raw = tmp_path / "restored-raw"
    env = {**os.environ, "DATABASE_URL": fresh_database, "OBSERVATORY_RAW_DIR": str(restored_raw)}
    done = manage("restore", str(folder), env=env)
    assert done.returncode == 0, done.stderr
    after = checksums(fresh_database)
    print("checksums (rows, md5):", after)
    assert after == before
    assert tree_sums(restored_raw) == raw_before

    again = manage("restore", str(folder), env=env)  # not fresh any more: refused, nothing changed
    assert again.returncode != 0 and "not empty" in again.stderr
    assert checksums(fresh_database) == before


def test_a_corrupt_backup_is_refused_before_touching_the_database(reference, tmp_path, fresh_database):
    env = {**os.environ, "DATABASE_URL": database_url()}
    assert manage("backup", "--dest", str(tmp_path / "b"), env=env).returncode == 0
    (folder,) = (tmp_path / "b").iterdir()
    with (folder / "database.dump").open("ab") as handle:
        handle.write(b"x")
    env = {**os.environ, "DATABASE_URL": fresh_database, "OBSERVATORY_RAW_DIR": str(tmp_path / "r")}
    done = manage("restore", str(folder), env=env)
    assert done.returncode != 0 and "sha256" in done.stderr
    with psycopg.connect(fresh_database.replace("postgres://", "postgresql://")) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
