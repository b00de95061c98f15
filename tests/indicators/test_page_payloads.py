"""Pages from pre-built payloads (indicators/payloads.py, pages.py, warming.py): the uncached path
reads the payload and not the data tables, the warm step after a refresh, the held generation,
single flight on a miss (threads, real Redis), and canonical queries only in the page cache."""

import io
import threading
import time

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from indicators import fragments, loading, pages, payloads, refresh, warming
from indicators.models import DataState, PagePayload, Run, StoredPage

DATA_TABLES = ("indicators_indicatorvalue", "indicators_observation")
PAGES = [
    "/ecosystems/",
    "/ecosystems/tourism/",
    "/countries/",
    "/countries/DE/",
    "/regions/AT11/",
    "/indicators/emp/",
]


def data_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in DATA_TABLES)]


@pytest.mark.parametrize("url", PAGES)
def test_uncached_page_reads_its_payload_not_the_data_tables(client, loaded_profiles, url):
    first = client.get(url)  # builds and stores the payload, and the whole page
    assert first.status_code == 200
    assert StoredPage.objects.filter(path=url).count() == 1
    cache.clear()  # no page, fragment or selector cache left: the stored page
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert data_queries(ctx) == []
    assert [q["sql"] for q in ctx.captured_queries if "indicators_pagepayload" in q["sql"]] == []
    assert any("indicators_storedpage" in q["sql"] for q in ctx.captured_queries)
    StoredPage.objects.all().delete()
    cache.clear()  # nor the stored page: the payload, and its stored block
    with CaptureQueriesContext(connection) as ctx:
        third = client.get(url)
    assert third.status_code == 200 and third.content == first.content
    assert data_queries(ctx) == []
    assert any("indicators_pagepayload" in q["sql"] for q in ctx.captured_queries)
    assert third.context["period"] == first.context["period"]
    # The forum's threads and the organisation counts are loaded on their own (community:panel).
    assert [q["sql"] for q in ctx.captured_queries if '"community_' in q["sql"]] == []


def test_a_stored_page_serves_every_host_with_its_own_origin(client, loaded_profiles):
    first = client.get("/countries/DE/", HTTP_HOST="localhost")
    assert b"http://localhost/countries/DE/" in first.content
    cache.clear()
    other = client.get("/countries/DE/", HTTP_HOST="127.0.0.1")
    assert b"http://127.0.0.1/countries/DE/" in other.content and b"http://localhost/" not in other.content
    assert StoredPage.objects.filter(path="/countries/DE/").count() == 1  # one row for both hosts


def test_signed_in_visitors_and_other_generations_get_no_stored_page(client, loaded_profiles, alice):
    client.get("/countries/DE/")
    row = StoredPage.objects.get(path="/countries/DE/")
    row.html = fragments.tokenised(type("R", (), {"scheme": "http", "get_host": lambda s: "x"})(), "STORED")
    row.save()
    cache.clear()
    assert client.get("/countries/DE/").content == b"STORED"  # the test can tell a stored page
    client.force_login(alice)
    assert b"STORED" not in client.get("/countries/DE/").content  # their own menu: rendered
    client.logout()
    cache.clear()
    loading.bump_generation()  # a new generation: the old row is not its page
    assert b"STORED" not in client.get("/countries/DE/").content
    assert StoredPage.objects.filter(path="/countries/DE/").count() == 2


def test_uncached_page_without_payload_builds_it_from_the_data(client, loaded_profiles):
    PagePayload.objects.all().delete()
    pages.domains()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/countries/DE/").status_code == 200
    assert data_queries(ctx)  # the test above can fail: a build does read the values
    assert PagePayload.objects.filter(family="country", key__contains="geo=DE").exists()


def test_payload_of_a_junk_year_is_the_default_years(client, loaded_profiles):
    response = client.get("/countries/DE/?year=1066")
    default = client.get("/countries/DE/")
    assert response.context["period"] == default.context["period"]
    assert b"There are no values for 1066" in response.content
    assert PagePayload.objects.filter(family="country").count() == 1


# Every page, in the default language: the payloads do not depend on it, and the warm step's
# rendering in every language is checked by test_the_warm_step_renders_every_page_into_the_page_cache
# (three languages here: 6.9 s against 3.7 s, idle).
@override_settings(WARM_PAGES_AFTER_REFRESH=True, LANGUAGES=[("en", "English")])
def test_refresh_warms_every_page_then_serves_the_new_generation(client, loaded_profiles):
    runs = refresh.refresh_sources(["sbs_na_sca_r2"])
    warm = runs[-1]
    assert warm.kind == Run.Kind.WARM and warm.status == Run.Status.SUCCEEDED, warm.message
    state = DataState.objects.get()
    assert state.served_generation == state.generation and state.hold_until is None
    built = set(PagePayload.objects.filter(generation=state.generation).values_list("family", flat=True))
    assert {"ecosystem-list", "country-list", "ecosystem", "country", "region", "indicator"} <= built
    expected = len(pages.pages_to_warm())
    assert (
        PagePayload.objects.filter(generation=state.generation).exclude(family="domains").count() == expected
    )
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/ecosystems/tourism/").status_code == 200
    assert data_queries(ctx) == []


def test_a_held_generation_is_served_until_the_new_pages_are_warm(
    client, loaded_profiles, tmp_path, monkeypatch
):
    from tests.indicators.factories import sbs_tsv

    # The hold is about which generation is served, so the one page looked at is enough here (other
    # tests warm every page; the 49 country pages took this test 14.7 s in the suite, one 1.2 s).
    every = pages.pages_to_warm
    monkeypatch.setattr(
        warming,
        "pages_to_warm",
        lambda: [(f, p) for f, p in every() if f is pages.COUNTRY and p["geo"] == "DE"],
    )
    with override_settings(WARM_PAGES_AFTER_REFRESH=True):
        warming.warm()
    old = loading.current_generations()[0]
    before = client.get("/countries/DE/")
    loading.hold_pages()
    (tmp_path / "more.tsv.gz").write_bytes(sbs_tsv(years=("2015", "2014", "2013")))
    refresh.ingest("sbs_na_sca_r2", path=tmp_path / "more.tsv.gz")
    refresh.recompute()
    new, served = loading.current_generations()
    assert new > old and served == old
    cache.clear()
    during = client.get("/countries/DE/")  # the page stored at the old generation
    assert during["X-Served-Generation"] == str(old)
    assert during.content == before.content  # the old data, all of them
    assert b'<option value="2015"' not in during.content
    warming.warm()
    assert loading.current_generations() == (new, new)
    cache.clear()
    after = client.get("/countries/DE/")
    assert after["X-Data-Generation"] == str(new) and "X-Served-Generation" not in after
    assert b'<option value="2015"' in after.content


def test_a_hold_that_outlives_its_limit_serves_the_data_generation(loaded_profiles):
    loading.hold_pages(minutes=0)
    loading.bump_generation()
    generation, served = loading.current_generations()
    assert served == generation


def test_warm_runs_are_retried_by_the_reaper(loaded_profiles):
    from datetime import timedelta

    from django.utils import timezone

    from indicators import tasks

    stale = timezone.now() - timedelta(hours=1)
    Run.objects.create(kind=Run.Kind.WARM, status=Run.Status.RUNNING, heartbeat_at=stale)
    retried = tasks.reap_stale_runs()
    assert Run.objects.get(pk=retried[0]).kind == Run.Kind.WARM


# ---------------------------------------------------------------- single flight, real Redis


@pytest.fixture
def short_wait(monkeypatch):
    """For a test of what follows a wait that runs out (the lock's holder never stores): the
    wait's length is not what it checks, so 0.2 s instead of WAIT_SECONDS (1.5 s of idle worker)."""
    monkeypatch.setattr(payloads, "WAIT_SECONDS", 0.2)


@pytest.fixture
def redis_cache(redis_url):
    location = redis_url
    settings = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}
    with override_settings(
        CACHES={**settings, "nocache": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


def run_threads(n, target):
    from django.db import connections

    results, errors = [None] * n, []

    def work(i):
        try:
            results[i] = target()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_single_flight_one_request_builds_the_others_wait(redis_cache):
    calls = []

    def build():
        calls.append(1)
        time.sleep(0.4)
        return {"answer": 42}

    results = run_threads(8, lambda: payloads.payload("test", "k=1", build))
    assert len(calls) == 1
    assert all(r == ({"answer": 42}, 0) for r in results)
    assert PagePayload.objects.filter(family="test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_single_flight_serves_the_previous_generation_while_another_builds(redis_cache, short_wait):
    DataState.objects.create(id=1, generation=3, served_generation=3)
    payloads.store("test", "k=1", 2, {"answer": "old"})
    assert redis_cache.add("payload-lock:test:k=1:g3", 1, 30)  # someone else is building g3
    calls = []
    context, generation = payloads.payload("test", "k=1", lambda: calls.append(1) or {"answer": "new"})
    assert (context, generation) == ({"answer": "old"}, 2)
    assert calls == []


@pytest.mark.django_db(transaction=True)
def test_a_request_that_missed_just_before_another_stored_does_not_build_again(redis_cache, monkeypatch):
    """The race behind a flaky double build: a request looks (nothing yet), another stores the
    payload and frees the lock, the first then wins the lock: it must look again, not build."""
    payloads.store("test", "k=3", 0, {"answer": "stored"})
    real, looks = payloads.lookup, []

    def late(family, key, generations):
        looks.append(1)
        return {} if len(looks) == 1 else real(family, key, generations)  # the first look was too early

    monkeypatch.setattr(payloads, "lookup", late)
    calls = []
    context, generation = payloads.payload("test", "k=3", lambda: calls.append(1) or {"answer": "again"})
    assert (context, generation, calls) == ({"answer": "stored"}, 0, [])


@pytest.mark.django_db(transaction=True)
def test_single_flight_builds_when_nothing_older_exists(redis_cache, short_wait):
    assert redis_cache.add("payload-lock:test:k=2:g0", 1, 30)
    context, generation = payloads.payload("test", "k=2", lambda: {"answer": "built"})
    assert context == {"answer": "built"} and generation == 0


# ---------------------------------------------------------------- canonical queries only


def cache_size() -> int:
    return len(caches["default"]._cache)  # the test suite's local-memory cache


def test_junk_parameter_values_create_no_cache_entries(client, loaded_profiles):
    for url in ("/regions/AT11/", "/countries/DE/", "/ecosystems/"):
        assert client.get(url).status_code == 200
    size = cache_size()
    # 20 distinct junk values per parameter kind: each would be a cache entry of its own if junk
    # were cached (a count, not a size: one entry more fails).
    junk = [
        *(f"/regions/AT11/?year=1{i:03d}" for i in range(20)),
        *(f"/countries/DE/?map=junk{i}" for i in range(20)),
        *(f"/ecosystems/?sort=s{i}" for i in range(20)),
        *(f"/ecosystems/?dir=d{i}&year=2014" for i in range(20)),
        *(f"/countries/DE/?year=2014&year={i}" for i in range(20)),
    ]
    assert len(set(junk)) == 100
    for url in junk:
        assert client.get(url).status_code == 200, url
    assert cache_size() == size


def test_canonical_query_orders_parameters_and_validates_values(loaded_profiles):
    from django.http import QueryDict

    checks = pages.COUNTRY.checks(geo="DE")
    year = sorted(pages.domains()["periods"]["emp"])[-1]
    assert pages.canonical_query(QueryDict(f"map=tourism&year={year}"), ("year", "map"), checks) == (
        f"map=tourism&year={year}"
    )
    assert pages.canonical_query(QueryDict(f"year={year}&map=tourism"), ("year", "map"), checks) == (
        f"map=tourism&year={year}"
    )
    assert pages.canonical_query(QueryDict("year=1900"), ("year",), checks) is None
    assert pages.canonical_query(QueryDict("map=nowhere"), ("year", "map"), checks) is None
    assert pages.canonical_query(QueryDict("other=1"), ("year", "map"), checks) is None
    assert pages.canonical_query(QueryDict("year=%00"), ("year",), checks) is None


def test_same_page_in_another_parameter_order_is_one_cache_entry(client, loaded_profiles):
    year = sorted(pages.domains()["periods"]["emp"])[-1]
    client.get(f"/countries/DE/?year={year}&map=tourism")
    size = cache_size()
    client.get(f"/countries/DE/?map=tourism&year={year}")
    assert cache_size() == size


def test_compare_checks_every_unknown_place_in_one_query(
    client, loaded_profiles, django_assert_max_num_queries
):
    geos = "&".join(f"geo=Q{i:03d}" for i in range(400))
    pages.domains()  # the parameters' domains: built once per generation for every page
    with django_assert_max_num_queries(25):
        response = client.get(f"/compare/?geo=DE&{geos}&ecosystem=tourism")
    assert response.status_code == 200
    assert len(response.context["unknown"]) == 400


def test_compare_with_a_nul_byte_in_a_place_is_not_an_error(client, loaded_profiles):
    assert client.get("/compare/?geo=%00&geo=DE").status_code < 500


def test_the_warm_step_renders_every_page_into_the_page_cache_before_the_switch(
    client, loaded_profiles, monkeypatch
):
    """After warm(), the first visitor of a warmed page, in any language, gets the cached page:
    one query (the generations), no render. The origin is the one the page cache last served.
    The pages checked, one of each family (test_refresh_warms_every_page_then_serves_the_new_generation
    warms them all, in one language): every page in every language took 10.8 s of the suite."""
    from indicators.models import PageFragment

    every = pages.pages_to_warm
    checked = {(pages.COUNTRY, "DE"), (pages.ECOSYSTEM, "tourism"), (pages.REGION, "AT11")}
    lists = {pages.COUNTRY_LIST, pages.ECOSYSTEM_LIST}
    monkeypatch.setattr(
        warming,
        "pages_to_warm",
        lambda: [(f, p) for f, p in every() if f in lists or (f, next(iter(p.values()), None)) in checked],
    )
    cache.clear()
    warming._remembered.clear()  # as if this process had not noted an origin for a while
    assert client.get("/countries/").status_code == 200  # notes the origin (http://testserver)
    loading.hold_pages()
    loading.bump_generation()
    new = loading.current_generations()[0]
    before = translation.get_language()
    warming.warm()
    assert loading.current_generations() == (new, new)
    assert PageFragment.objects.filter(generation=new, family="country", language="fr").exists()
    # Rendering every language leaves the task's own active (its log lines were in German).
    assert translation.get_language() == before
    for url in ("/countries/DE/", "/ecosystems/tourism/", "/regions/AT11/"):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, headers={"accept-language": "fr", "accept-encoding": "gzip"})
        assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
        assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]


def test_a_page_past_its_freshness_is_served_stale_while_one_request_renders_it(client, loaded_profiles):
    from indicators.views import common

    cache.clear()
    assert client.get("/countries/DE/").status_code == 200
    key = next(k for k in cache._cache if ":page:g" in k)  # locmem: the one stored page
    stored_key = key.split(":", 2)[2]
    _fresh, page = cache.get(stored_key)
    cache.set(stored_key, (time.time() - 1, page), common.PAGE_STALE_SECONDS)
    assert client.get("/countries/DE/").status_code == 200  # it wins the lock and renders
    assert cache.get(stored_key)[0] > time.time()  # stored fresh again
    cache.delete(f"{stored_key}:render")
    cache.set(stored_key, (time.time() - 1, page), common.PAGE_STALE_SECONDS)
    assert common.fresh_or_stale(stored_key) is None  # this one renders (it holds the lock)
    assert common.fresh_or_stale(stored_key) == page  # the others get the stale copy meanwhile


def test_warm_pages_rebuild_builds_every_page_again_at_a_new_generation(client, loaded_profiles, monkeypatch):
    from django.core.management import call_command

    every = pages.pages_to_warm
    monkeypatch.setattr(warming, "pages_to_warm", lambda: [(f, p) for f, p in every() if p == {"geo": "DE"}])
    client.get("/countries/DE/")
    old = loading.current_generations()
    call_command("warm_pages", "--rebuild", stdout=io.StringIO())
    new = loading.current_generations()
    assert new[0] == new[1] == old[0] + 1  # served: the new generation, once warm
    assert StoredPage.objects.filter(generation=new[0], path="/countries/DE/").exists()
    assert PagePayload.objects.filter(generation=new[0], family="country").exists()


def test_a_page_built_at_another_generation_than_the_served_one_is_not_stored(client, loaded_profiles):
    client.get("/countries/DE/")
    old = loading.current_generations()[0]
    loading.hold_pages()
    loading.bump_generation()
    new, served = loading.current_generations()
    assert (new, served) == (old + 1, old)
    # During the hold only the new generation's payload exists: the page shows it, but is not
    # stored as the page of the served (old) generation.
    PagePayload.objects.filter(generation=old).update(generation=new)
    StoredPage.objects.all().delete()
    cache.clear()
    assert client.get("/countries/DE/").status_code == 200
    assert not StoredPage.objects.exists()


def test_a_page_from_the_previous_payload_while_another_request_builds_is_not_stored(
    client, loaded_profiles, short_wait
):
    client.get("/countries/DE/")
    old = loading.current_generations()[0]
    loading.bump_generation()  # served = data = old + 1, whose payload nobody has built yet
    StoredPage.objects.all().delete()
    cache.clear()
    key = PagePayload.objects.get(family="country").key
    cache.add(f"payload-lock:country:{key}:g{old + 1}", 1, 30)  # another request is building it
    response = client.get("/countries/DE/")
    assert response.status_code == 200 and response.context["generation"] == old  # single flight
    assert not StoredPage.objects.exists()


def test_a_visitor_with_a_message_waiting_gets_it_and_nobody_else_does(client, loaded_profiles):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import Client, RequestFactory

    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "You have signed out, visitor 4711.")
    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    cache.clear()
    page = client.get("/countries/DE/").content
    assert b"visitor 4711" in page
    assert not StoredPage.objects.exists()  # nor in the page cache:
    assert b"visitor 4711" not in Client().get("/countries/DE/").content
    cache.clear()
    assert b"visitor 4711" not in Client().get("/countries/DE/").content
