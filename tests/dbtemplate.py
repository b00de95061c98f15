"""Each test worker's database cloned from a migrated template instead of migrated again.

Migrating an empty database (Django's, allauth's and our 31 migrations, then the post-migrate
signals) took about 4 s of each worker's start. The first worker to need a database migrates its
own as before, then copies it into a template named by a hash of every migration file of every
installed app (and Django's version); every later worker, and every later run on the same
PostgreSQL server while the migrations stay byte for byte the same, gets `CREATE DATABASE ...
TEMPLATE` (well under a second) instead. A changed, added or removed migration file gives another
hash, hence a fresh migrate and a new template; older templates are dropped (the newest few are
kept for other checkouts on the same server). `OBSERVATORY_TEST_DB_TEMPLATE=0` turns it off.
"""

import contextlib
import hashlib
import os
from importlib import import_module
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections

PREFIX = "observatory_migrated_"
KEEP = 2  # other commits' templates kept beside the current one (another checkout may be cloning one)
LOCK = 0x0B5E_7E57  # pg_advisory_lock key: one worker builds a template, the others wait for it


def enabled() -> bool:
    return os.environ.get("OBSERVATORY_TEST_DB_TEMPLATE", "1") != "0"


def migrations_hash() -> str:
    """Every migration file's bytes (path within its app, content) of every installed app."""
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(f"django {django.__version__}".encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        name, _ = MigrationLoader.migrations_module(config.label)  # MIGRATION_MODULES honoured
        try:
            module = import_module(name) if name else None
        except ImportError:
            module = None
        if module is None or not hasattr(module, "__path__"):
            continue
        folder = Path(next(iter(module.__path__)))
        for path in sorted(folder.rglob("*.py")):
            digest.update(f"{config.label}/{path.relative_to(folder)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def template_name() -> str:
    return PREFIX + migrations_hash()


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def prepare(verbosity: int, migrate) -> list:
    """The default test database made ready, cloned from the template; when there is none yet,
    MIGRATE (Django's own setup_databases) builds it first and the template is copied from it.
    Returns what django.test.utils.teardown_databases takes."""
    connection = connections["default"]
    test_name = connection.creation._get_test_db_name()
    template = template_name()
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            if not _exists(cursor, template):
                old_config = migrate()
                connection.close()  # nobody may be connected to the source of a copy
                cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{test_name}"')
                _drop_old_templates(cursor, template)
                if verbosity >= 1:
                    print(f"test database {test_name} migrated; template {template} kept")
                return old_config
            cursor.execute(f'DROP DATABASE IF EXISTS "{test_name}"')
            cursor.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
    old_name = connection.settings_dict["NAME"]
    connection.close()
    settings.DATABASES["default"]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()
    if verbosity >= 1:
        print(f"test database {test_name} cloned from {template}")
    return [(connection, old_name, True)]


def _drop_old_templates(cursor, current: str) -> None:
    cursor.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s ORDER BY oid DESC",
        [PREFIX.replace("_", r"\_") + "%", current],
    )
    for (name,) in cursor.fetchall()[KEEP:]:
        with contextlib.suppress(DatabaseError):  # another checkout is cloning it now: next time
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
