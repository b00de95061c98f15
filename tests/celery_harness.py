"""A real `celery worker` process on the test database and a real Redis, for the tests that
exercise background work end to end (tests/indicators/test_celery_worker.py,
tests/community/test_digest_worker.py).

Redis: CELERY_TEST_REDIS_URL (default redis://127.0.0.1:6379/15, as on CI); the tests are skipped,
saying why, where none answers.
"""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

REDIS_URL = os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_skip() -> str:
    """CELERY_TEST_REDIS_URL, flushed, or skip the test saying why (the `redis_url` fixture)."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}); set CELERY_TEST_REDIS_URL")
    return REDIS_URL


def database_url() -> str:
    """The test database as a DATABASE_URL the worker process can use."""
    s = connection.settings_dict
    host = s["HOST"] or s["OPTIONS"].get("host", "")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{s['USER']}@{quote(host, safe='')}{port}/{s['NAME']}"


def start_worker(redis: str, **env_extra: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis, **env_extra}
    quiet = ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    command = [sys.executable, "-m", "celery", "-A", "observatory", "worker", "--pool", "solo", *quiet]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:  # it died: show why (pytest prints captured output on failure)
        print(proc.stdout.read())
        return
    # Killed: the test is over and has seen its tasks finish. Celery's warm (SIGTERM) and cold
    # (SIGQUIT) shutdowns both took about 1.5 s of every such test's teardown; a message a warm
    # shutdown would give back to the queue (reserved, not started) could reach the next test's
    # worker, where a killed worker's stays unacknowledged for the visibility timeout (an hour).
    proc.kill()
    proc.wait(timeout=20)


@contextmanager
def broker(redis: str):
    """Send tasks over an explicit Redis connection: this test process runs eager (no REDIS_URL)
    and the app may have cached a broker pool already."""
    from kombu import Connection

    from observatory.celery import app

    app.conf.update(task_always_eager=False)
    conn = Connection(redis)
    try:
        yield conn
    finally:
        conn.release()
        app.conf.update(task_always_eager=True)


def wait_for(predicate, timeout=60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False
