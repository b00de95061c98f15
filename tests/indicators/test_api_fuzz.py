"""Schemathesis against our own /api/v1/openapi.json, every check on, a fixed small budget (issue 17).

Run in-process through the WSGI app (no server), with a fixed seed so every run sends the same
requests. The engine is the one `schemathesis run --checks all` drives: the examples, coverage
(boundary values, schema-invalid values, undeclared methods) and fuzzing phases, each response
checked for a 5xx, schema conformance, schema-valid input refused, schema-invalid input accepted,
a wrong answer to an undeclared method, and the rest. Its threads open their own database
connections, so the test universe is committed (transactional_db) and flushed afterwards. They
keep them from one request to the next, as gunicorn's workers do (docker-compose sets
DJANGO_CONN_MAX_AGE): a new PostgreSQL connection per request was a fifth of the run's time.
"""

import time
from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connections
from schemathesis.engine import Status, events, from_schema

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 17
MAX_EXAMPLES = 5  # per operation and phase: the whole run stays well under 30 s on 2 cores


def closing(app, opened: list):
    """The WSGI app, each response read and closed in the calling thread (closing it sends
    request_finished). Each thread's database connection is listed in OPENED, to be closed when
    the run is over (the engine's threads would otherwise keep theirs open and block the test
    database's teardown)."""

    def wrapped(environ, start_response):
        if not any(conn is connections["default"] for conn in opened):
            opened.append(connections["default"])  # this thread's
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()

    return wrapped


def run_schemathesis() -> tuple[Counter, list[str]]:
    """(counts of operations, cases, failures; one line per failure) for one full run."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
            "checks": {"enabled": True},
            "phases": {"stateful": {"enabled": False}},
        }
    )
    opened = []
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", closing(get_wsgi_application(), opened), config=config
    )
    counts, failures, operations = Counter(), [], set()
    try:
        events_ = list(from_schema(schema).execute())
    finally:
        for conn in opened:
            if conn is not connections["default"]:  # not the test's own
                conn.inc_thread_sharing()  # closed from this thread, its own being done
                conn.close()
    for event in events_:
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            operations.add(recorder.label)
            counts["cases"] += len(recorder.cases)
            counts[str(event.phase)] += len(recorder.cases)
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE:
                        case = recorder.cases[case_id].value
                        failures.append(
                            f"{check.name}: {case.method} {case.formatted_path} {case.query} -> "
                            f"{check.failure_info.failure.title if check.failure_info else ''}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"engine error: {getattr(event, 'info', None) or event.exception}")
    counts["operations"] = len(operations)
    counts["failures"] = len(failures)
    return counts, sorted(set(failures))


def test_schemathesis_with_every_check_finds_nothing(loaded_profiles, settings, monkeypatch):
    settings.DEBUG = False
    # Persistent connections for the threads' new connection wrappers (built from this dict).
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", None)
    started, cpu = time.monotonic(), time.process_time()
    counts, failures = run_schemathesis()
    counts["seconds"] = round(time.monotonic() - started)
    counts["cpu_seconds"] = round(time.process_time() - cpu)
    print(dict(counts), *failures, sep="\n")  # noqa: T201 - the figures the report quotes (pytest -s)
    assert counts["operations"] == 4 and counts["cases"] > 40
    assert failures == []
