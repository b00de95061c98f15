"""Background work runs at a lower CPU priority than the web workers.

A refresh is CPU-heavy for minutes (parsing, pandas computations, pre-building every page), and
on a small machine it competes with gunicorn for the same cores: visitors then wait in the
listen backlog while their requests starve. The Celery worker (at start, before its pool forks)
and `manage.py refresh` lower their own niceness to OBSERVATORY_BACKGROUND_NICE (default 10), so
the kernel gives the web workers the CPU first and the refresh what is left; the refresh takes
longer only while pages are being served. It cannot reach the PostgreSQL backend doing the
refresh's COPY and swaps (another process, often another container: there, give the worker
container a smaller CPU weight, as docker-compose.yml does).
"""

import logging
import os

from django.conf import settings

logger = logging.getLogger(__name__)


def lower_priority(niceness: int | None = None) -> int:
    """Raise this process's niceness to NICENESS (default: the setting) unless it is already at
    least that; returns the niceness now. Never raises it back (an unprivileged process could not)."""
    target = settings.OBSERVATORY_BACKGROUND_NICE if niceness is None else niceness
    current = os.nice(0)
    if target > current:
        current = os.nice(min(target, 19) - current)
        logger.info("background work at niceness %s (OBSERVATORY_BACKGROUND_NICE)", current)
    return current
