"""End to end with a real Celery worker on a real Redis: enqueue a refresh, watch the Run rows.

Runs wherever a Redis answers at CELERY_TEST_REDIS_URL (default redis://127.0.0.1:6379/15, as on
CI); skipped with the reason otherwise.
"""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from indicators.models import IndicatorValue, Run, Source
from tests.conftest import ROOT
from tests.indicators.factories import load_codelists, sbs_tsv

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}); set CELERY_TEST_REDIS_URL")
    return REDIS_URL


def _database_url() -> str:
    s = connection.settings_dict
    host = s["HOST"] or s["OPTIONS"].get("host", "")
    from urllib.parse import quote

    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{s['USER']}@{quote(host, safe='')}{port}/{s['NAME']}"


@pytest.fixture
def worker(redis_url, tmp_path, reference):
    """A real `celery worker` process on the test database, with a mirror holding a sample."""
    load_codelists()
    mirror = tmp_path / "mirror" / "eurostat"
    mirror.mkdir(parents=True)
    (mirror / "sbs_na_sca_r2.tsv.gz").write_bytes(sbs_tsv())
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "OBSERVATORY_DATA_MIRROR": str(tmp_path / "mirror"),
        "OBSERVATORY_RAW_DIR": str(tmp_path / "raw"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "observatory",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_refresh_runs_end_to_end_on_a_real_worker(worker, redis_url, settings):
    from kombu import Connection

    from indicators import tasks
    from observatory.celery import app

    # This process was configured eager (no REDIS_URL); send over an explicit Redis connection
    # (the app may have cached a broker pool already).
    app.conf.update(task_always_eager=False)
    broker = Connection(redis_url)
    try:
        run = Run.objects.create(kind=Run.Kind.INGEST, source_id="sbs_na_sca_r2")
        tasks.ingest_source.apply_async(("sbs_na_sca_r2", run.pk), connection=broker)
        done = _wait_for(lambda: Run.objects.get(pk=run.pk).status not in Run.ACTIVE)
        run.refresh_from_db()
        assert done, "the worker did not finish the ingest in time"
        assert run.status == Run.Status.SUCCEEDED, run.error
        assert run.started_at and run.heartbeat_at and run.progress == 100
        assert Source.objects.get(code="sbs_na_sca_r2").current_release_id == run.release_id

        recompute = Run.objects.create(kind=Run.Kind.RECOMPUTE)
        tasks.recompute_indicators.apply_async((recompute.pk,), connection=broker)
        assert _wait_for(lambda: Run.objects.get(pk=recompute.pk).status == Run.Status.SUCCEEDED)
        assert IndicatorValue.objects.exists()
    finally:
        broker.release()
        app.conf.update(task_always_eager=True)
        if worker.poll() is not None:
            print(worker.stdout.read())
