"""The digest task on a real Celery worker over a real Redis (DB 14 by default for this suite).

Skipped with the reason when no Redis answers at CELERY_TEST_REDIS_URL.
"""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from community import actions
from community.models import ForumSettings, Notification
from tests.conftest import ROOT

from .factories import make_space, make_thread, make_user

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


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
    from urllib.parse import quote

    s = connection.settings_dict
    host = s["HOST"] or s["OPTIONS"].get("host", "")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{s['USER']}@{quote(host, safe='')}{port}/{s['NAME']}"


@pytest.fixture
def worker(redis_url, tmp_path):
    outbox = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        # The worker writes each email as a file we can read back.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    quiet = ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    command = [sys.executable, "-m", "celery", "-A", "observatory", "worker", "--pool", "solo", *quiet]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    yield proc, outbox
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_digest_task_sends_email_on_a_real_worker(worker, redis_url):
    from kombu import Connection

    from community import tasks
    from observatory.celery import app

    proc, outbox = worker
    space = make_space("worker-open")
    alice, carol = make_user("alice.w@example.eu"), make_user("carol.w@example.eu")
    thread = make_thread(space, carol, "Worker thread", "body")
    actions.reply(thread, carol, "ping @alice.w")
    ForumSettings.objects.create(user=alice, digest="daily")
    app.conf.update(task_always_eager=False)
    broker = Connection(redis_url)
    try:
        tasks.send_digest.apply_async((alice.pk,), connection=broker)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Notification.objects.filter(user=alice).exclude(
            emailed_at=None
        ):
            time.sleep(0.3)
        assert Notification.objects.filter(user=alice).exclude(emailed_at=None).exists(), (
            "worker sent no digest"
        )
        sent = "".join(p.read_text() for p in outbox.glob("*"))
        assert "Worker thread" in sent and "List-Unsubscribe" in sent
    finally:
        broker.release()
        app.conf.update(task_always_eager=True)
        if proc.poll() is not None:
            print(proc.stdout.read())
