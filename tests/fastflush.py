"""Empty the database after a transactional test by truncating only the tables that hold rows.

Django's TransactionTestCase (pytest-django's `transactional_db`, `live_server`) flushes after
every test with one TRUNCATE of all ~76 tables and then re-runs post_migrate, which recreates the
content types and permissions it has just deleted: 0.6-1 s a test here, 52 s of the suite's worker
time over 66 tests. Most tables are empty at that point; TRUNCATE's cost is per table (new files).

Here: one query finds the tables that hold rows; those are truncated in one statement (CASCADE:
PostgreSQL truncates every table that references one of them, all empty or just as disposable);
the content types and permissions (what post_migrate creates) are kept, so post_migrate has nothing
to do and is not run. When those two tables no longer hold what post_migrate left them holding
(a test changed them), Django's own flush runs instead. Sequences are not reset, as in Django's.
"""

from django.core.management import call_command
from django.db import connections
from django.test import testcases

# What post_migrate fills (django.contrib.contenttypes and django.contrib.auth).
KEPT = ("django_content_type", "auth_permission")
_kept_rows: dict[str, tuple] = {}  # database alias -> the KEPT tables' rows after Django's own flush
teardowns = 0  # how many teardowns came here: tests/test_fastflush.py checks Django still calls us


def _rows(cursor, table: str) -> tuple:
    cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 -- our own table names
    return tuple(cursor.fetchall())


def _kept(cursor) -> tuple:
    return tuple(_rows(cursor, table) for table in KEPT)


def flush(alias: str) -> None:
    global teardowns
    teardowns += 1
    connection = connections[alias]
    with connection.cursor() as cursor:
        if _kept_rows.get(alias) != _kept(cursor):
            _django_flush(alias)
            _kept_rows[alias] = _kept(cursor)
            return
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        probe = " UNION ALL ".join(
            f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")"  # noqa: S608 -- Django's own table names
            for t in tables
            if t not in KEPT
        )
        cursor.execute(probe)
        filled = [row[0] for row in cursor.fetchall()]
        if filled:
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in filled) + " CASCADE")


def _django_flush(alias: str) -> None:
    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        database=alias,
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )


def _fixture_teardown(self):
    if self.available_apps is not None or self.serialized_rollback:
        return _django_fixture_teardown(self)  # the cases Django treats specially: its own flush
    for alias in self._databases_names(include_mirrors=False):
        flush(alias)


_django_fixture_teardown = testcases.TransactionTestCase._fixture_teardown


def install() -> None:
    """Replace TransactionTestCase's teardown flush (TestCase, which rolls back, is unchanged)."""
    testcases.TransactionTestCase._fixture_teardown = _fixture_teardown
