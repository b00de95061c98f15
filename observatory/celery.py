"""The Celery app. Redis broker when REDIS_URL is set; otherwise tasks run inline (eager)."""

import logging
import os

from celery import Celery

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
