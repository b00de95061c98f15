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


def test_a_cached_page_is_answered_with_one_query_and_no_transaction(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bump_generation()
    assert client.get("/indicators/").status_code == 200  # built in the snapshot, stored
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/indicators/")
    assert response.status_code == 200
    queries = [q["sql"] for q in ctx.captured_queries]
    assert len(queries) == 1 and "indicators_datastate" in queries[0], queries  # no BEGIN, no SET
    assert response["X-Data-Generation"] == str(current_generation())
    assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"
    bump_generation()  # a new generation: a miss, built again inside one snapshot
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/indicators/")["X-Data-Generation"] == str(current_generation())
    assert "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ" in [q["sql"] for q in ctx.captured_queries]
