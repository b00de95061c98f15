"""The Celery app. Redis broker when REDIS_URL is set; otherwise tasks run inline (eager)."""

import logging
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")

app = Celery("observatory")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def log_mode() -> str:
    """Say once, at start-up, whether tasks go to a broker or run inline."""
    if app.conf.task_always_eager:
        message = "Celery: REDIS_URL is not set, tasks run inline (eager)."
    else:
        message = f"Celery: tasks go to the broker at {app.conf.broker_url}."
    logger.info(message)
    return message


@worker_init.connect
def background_priority(**kwargs) -> None:
    """The worker (and the pool it forks) yields the CPU to the web workers (observatory.priority)."""
    from observatory.priority import lower_priority

    lower_priority()
