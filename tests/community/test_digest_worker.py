"""The digest task on a real Celery worker over a real Redis (tests/celery_harness.py).

Skipped with the reason when no Redis answers at CELERY_TEST_REDIS_URL.
"""

import pytest

from community import actions
from community.models import ForumSettings, Notification
from tests.celery_harness import broker, start_worker, stop_worker, wait_for

from .factories import make_space, make_thread, make_user

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(redis_url, tmp_path):
    outbox = tmp_path / "mail"
    # The worker writes each email as a file we can read back.
    proc = start_worker(
        redis_url,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
    )
    yield proc, outbox
    stop_worker(proc)


def test_digest_task_sends_email_on_a_real_worker(worker, redis_url):
    from community import tasks

    _, outbox = worker
    space = make_space("worker-open")
    alice = make_user("alice.w@example.eu", display_name="alice.w")
    carol = make_user("carol.w@example.eu", display_name="carol.w")
    thread = make_thread(space, carol, "Worker thread", "body")
    actions.reply(thread, carol, "ping @alice.w")
    ForumSettings.objects.create(user=alice, digest="daily")
    emailed = Notification.objects.filter(user=alice).exclude(emailed_at=None)
    with broker(redis_url) as conn:
        tasks.send_digest.apply_async((alice.pk,), connection=conn)
        assert wait_for(emailed.exists), "worker sent no digest"
    sent = "".join(p.read_text() for p in outbox.glob("*"))
    assert "Worker thread" in sent and "List-Unsubscribe" in sent
