"""Liveness checks used by /healthz: the database always, Redis when configured."""

from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    """Return None when PostgreSQL answers, else the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return f"database: {exc.__class__.__name__}"
    return None


def check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:
        return f"redis: {exc.__class__.__name__}"
    return None


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in (("database", check_database), ("redis", check_redis)):
        failure = check()
        if name == "redis" and not settings.REDIS_URL:
            results[name] = "not configured"
        else:
            results[name] = failure or "ok"
    return results
