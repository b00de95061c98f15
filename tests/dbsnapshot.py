"""Build a database state once per test session, restore it per test in milliseconds.

An expensive fixture (ingest + recompute of a test universe) runs once, in the first test that
needs it (which then works on the state it left); every table it changed is kept as
`COPY ... TO STDOUT` bytes. A later test that needs the state gets exactly those tables back
(DELETE, then `COPY ... FROM STDIN`, then the id sequences moved past the restored rows), inside
its own transaction (rolled back after the test) or committed for `transactional_db`/live-server
tests (flushed after the test, as before).
The state is the one the build left, byte for byte: nothing is computed differently.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from psycopg import sql


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, bytes]  # table -> COPY text of every row, for the tables the build changed


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _copy_out(cursor, table: str) -> bytes:
    # ORDER BY nothing: COPY keeps the physical order, which is all a restore needs.
    with cursor.copy(sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(table))) as copy:
        return b"".join(bytes(chunk) for chunk in copy)


def take(build: Callable[[], None], keep: bool = False) -> Snapshot:
    """Run BUILD in a transaction that is rolled back (KEEP: that stays, e.g. the first test's
    own state); keep the tables it changed."""
    with transaction.atomic(), connection.cursor() as cursor:
        tables = _tables()
        before = {table: _copy_out(cursor, table) for table in tables}
        build()
        after = {table: _copy_out(cursor, table) for table in _tables()}
        transaction.set_rollback(not keep)
    changed = {table: rows for table, rows in after.items() if before.get(table) != rows}
    return Snapshot(tables=changed)


def restore(snapshot: Snapshot) -> None:
    """Make the snapshot's tables hold exactly its rows (foreign keys are checked at commit, or
    by pytest-django's constraint check at the end of a rolled-back test)."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table in snapshot.tables
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot.tables:
            cursor.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
        for table, rows in snapshot.tables.items():
            with cursor.copy(sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))) as copy:
                copy.write(rows)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


_BUILT: dict[str, Snapshot] = {}


def restore_or_take(key: str, build: Callable[[], None]) -> None:
    """Restore the state KEY names, building it (BUILD, once per session: per xdist worker) on first
    use. For a function-scoped fixture whose build is expensive and deterministic: the first test
    runs BUILD and keeps a copy of the tables it changed, and works on the state BUILD left; every
    later test gets exactly those rows back. The tables the fixtures before it fill (reference data) are
    theirs: the same in every test, so only what BUILD adds is kept. Files BUILD writes (raw release
    files) stay where the first test put them, as the restored releases point there."""
    snapshot = _BUILT.get(key)
    if snapshot is None:  # the first test keeps the state BUILD left: the same rows, no restore
        _BUILT[key] = take(build, keep=True)
        return
    restore(snapshot)
