"""The development server must not run out of database connections (issue 11).

runserver serves each HTTP connection on its own thread and closes that thread's database
connection only when the HTTP connection closes. Browsers keep HTTP connections alive, so with
persistent database connections (CONN_MAX_AGE > 0) every open browser socket held a PostgreSQL
backend, until PostgreSQL answered "too many clients already".
"""

import http.client
from urllib.parse import urlsplit

import pytest
from django.db import connection


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_kept_alive_browser_connections_do_not_each_hold_a_database_connection(live_server):
    url = urlsplit(live_server.url)
    before = _backends()
    sockets = []
    try:
        for _ in range(30):
            client = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
            client.request("GET", "/healthz", headers={"Connection": "keep-alive"})
            response = client.getresponse()
            response.read()
            assert response.status == 200
            sockets.append(client)  # kept open, as a browser keeps it
        assert _backends() - before <= 5
    finally:
        for client in sockets:
            client.close()


def test_development_settings_use_no_persistent_connections(settings):
    """Persistent connections only where the server is a fixed pool (gunicorn: DJANGO_CONN_MAX_AGE)."""
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0
