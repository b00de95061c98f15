"""GenerationMiddleware: a GET reads one snapshot, so a refresh committing mid-render cannot mix two
generations in one page; the response names its generation (X-Data-Generation)."""

import psycopg
import pytest
from django.http import HttpResponse

from indicators.loading import bump_generation, current_generation
from indicators.models import DataState
from indicators.selectors import GenerationMiddleware, generation
from tests.celery_harness import database_url

pytestmark = pytest.mark.django_db(transaction=True)  # no test transaction around the request


def render_while_a_refresh_commits(request) -> tuple[dict, HttpResponse]:
    seen = {}

    def view(request):
        seen["first"] = generation()
        with psycopg.connect(database_url(), autocommit=True) as other:  # another session's swap commits
            other.execute("UPDATE indicators_datastate SET generation = generation + 1 WHERE id = 1")
        seen["again"] = current_generation()  # a new query, not the request's remembered value
        return HttpResponse("ok")

    return seen, GenerationMiddleware(view)(request)


def test_the_table_name():
    assert DataState._meta.db_table == "indicators_datastate"


def test_a_get_reads_one_snapshot_while_a_refresh_commits_mid_render(rf):
    bump_generation()
    before = current_generation()
    seen, response = render_while_a_refresh_commits(rf.get("/countries/AT/"))
    assert seen == {"first": before, "again": before}
    assert response["X-Data-Generation"] == str(before)
    assert current_generation() == before + 1  # committed: the next request sees it


def test_a_post_keeps_read_committed(rf):
    bump_generation()
    before = current_generation()
    seen, response = render_while_a_refresh_commits(rf.post("/forum/"))
    assert seen == {"first": before, "again": before + 1}
    assert response["X-Data-Generation"] == str(before)


def test_a_page_says_its_generation(client):
    bump_generation()
    response = client.get("/countries/")
    assert response.status_code == 200
    assert response["X-Data-Generation"] == str(current_generation())
    assert "X-Data-Generation" not in client.get("/healthz").headers


def test_a_cached_page_is_answered_with_no_query_and_no_transaction(client):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.loading import PUBLISHED_KEY

    bump_generation()
    assert client.get("/indicators/").status_code == 200  # built in the snapshot, stored
    assert cache.get(PUBLISHED_KEY)[0] == current_generation()  # the generations, published
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/indicators/")
    assert response.status_code == 200
    assert [q["sql"] for q in ctx.captured_queries] == []  # no generation query, no BEGIN, no SET
    assert response["X-Data-Generation"] == str(current_generation())
    assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"
    bump_generation()  # a new generation: a miss, built again inside one snapshot
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/indicators/")["X-Data-Generation"] == str(current_generation())
    assert "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ" in [q["sql"] for q in ctx.captured_queries]


def test_the_published_generations_follow_every_write_at_once(client):
    """The page cache's copy of the generations (loading.published_generations) never hides a
    bump, a hold or a release, and expires by itself within PUBLISHED_SECONDS."""
    from django.core.cache import cache

    from indicators import loading

    bump_generation()
    assert client.get("/indicators/").status_code == 200
    before = loading.current_generations()
    assert loading.published_generations() == before
    bump_generation()
    assert cache.get(loading.PUBLISHED_KEY) is None  # forgotten by the write itself
    assert loading.published_generations() == loading.current_generations() != before
    response = client.get("/indicators/")
    assert response["X-Data-Generation"] == str(current_generation())
    held = loading.hold_pages(minutes=5)
    bump_generation()
    assert loading.published_generations() == (current_generation(), held)
    assert client.get("/indicators/")["X-Served-Generation"] == str(held)
    loading.release_pages(current_generation())
    assert loading.published_generations() == (current_generation(), current_generation())
    assert "X-Served-Generation" not in client.get("/indicators/")


def test_a_published_copy_that_missed_a_write_expires_within_its_bound(monkeypatch):
    """A reader that read the database in the instant of a commit publishes the older state:
    it is served for PUBLISHED_SECONDS at most."""
    import time

    from django.db.models import F

    from indicators import loading

    monkeypatch.setattr(loading, "PUBLISHED_SECONDS", 1)
    bump_generation()
    old = loading.published_generations()
    DataState.objects.filter(id=1).update(generation=F("generation") + 1)  # bypasses the forget
    assert loading.published_generations() == old
    time.sleep(1.2)
    assert loading.published_generations() == loading.current_generations() != old
