"""The pages' heavy blocks rendered once (indicators/fragments.py, the {% prebuilt %} tag): stored
per payload, language and canonical query, served back with the request's own host and date, never
stored for a junk query, dropped with their payloads' generation; the page cache's gzipped pages."""

import re
import zlib

import pytest
from django.core.cache import cache

from indicators import fragments, payloads
from indicators.models import PageFragment, PagePayload, StoredPage

PAGES = ["/countries/DE/", "/ecosystems/tourism/", "/regions/AT11/", "/indicators/emp/", "/ecosystems/"]


def uncached_get(client, url, **extra):
    cache.clear()  # no page or selector cache and no stored page: the payloads and blocks only
    StoredPage.objects.all().delete()
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_the_second_uncached_visit_serves_the_stored_block_unchanged(client, loaded_profiles, url):
    first = uncached_get(client, url)
    assert PageFragment.objects.filter(language="en", query="").count() == 1
    stored = PageFragment.objects.get()
    assert fragments.ORIGIN.encode() in zlib.decompress(bytes(stored.html))
    PageFragment.objects.update(html=zlib.compress(b"<p>from the table</p>"))
    assert "<p>from the table</p>" in uncached_get(client, url)  # read back, not rendered
    PageFragment.objects.all().delete()
    assert uncached_get(client, url) == first  # rendered again: the same page


def test_a_stored_block_carries_the_requests_host_and_the_day(client, loaded_profiles, monkeypatch):
    uncached_get(client, "/countries/DE/")  # stored from testserver
    page = uncached_get(client, "/countries/DE/", HTTP_HOST="localhost")
    assert "http://localhost/countries/DE/#" in page and "http://testserver/" not in page
    monkeypatch.setattr(fragments, "today", lambda: "2031-01-02")
    assert "(accessed 2031-01-02)" in uncached_get(client, "/countries/DE/")
    assert PageFragment.objects.count() == 1


def test_one_block_per_language_and_canonical_query(client, loaded_profiles):
    uncached_get(client, "/countries/DE/")
    french = uncached_get(client, "/countries/DE/", HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="fr"' in french
    year = PagePayload.objects.values_list("key", flat=True).get(family="country")
    period = re.search(r"year=(\d{4})", year)[1]
    uncached_get(client, f"/countries/DE/?year={period}")  # the same payload, another permalink
    rows = set(PageFragment.objects.values_list("language", "query"))
    assert rows == {("en", ""), ("fr", ""), ("en", f"year={period}")}
    assert PagePayload.objects.filter(family="country").count() == 1


def test_a_query_that_is_not_canonical_stores_no_block(client, loaded_profiles):
    for junk in ("?year=1066", "?year=2014&year=2015", "?utm=x", "?map=nowhere"):
        assert "Persons employed" in uncached_get(client, f"/countries/DE/{junk}")
    assert not PageFragment.objects.exists() and not StoredPage.objects.exists()


def test_blocks_go_with_their_payloads_generation(client, loaded_profiles):
    cache.clear()
    client.get("/countries/DE/")
    generation = PageFragment.objects.get().generation
    assert StoredPage.objects.get().generation == generation
    PagePayload.objects.update(generation=generation + 5)  # newer payloads elsewhere: keep one older
    PagePayload.objects.create(family="x", key="", generation=generation + 6, data=b"")
    payloads.prune(generation + 6)
    assert not PageFragment.objects.filter(generation=generation).exists()
    assert not StoredPage.objects.filter(generation=generation).exists()


def test_the_page_cache_stores_and_sends_gzip_to_clients_accepting_it(client, loaded_profiles):
    import gzip

    cache.clear()
    built = client.get("/countries/DE/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    hit = client.get("/countries/DE/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    plain = client.get("/countries/DE/")  # a client without gzip: the same page, decompressed
    for response in (built, hit):
        assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content) == plain.content
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    assert b"Persons employed" in plain.content
    junk = client.get("/countries/DE/?utm=x", HTTP_ACCEPT_ENCODING="gzip")  # not canonical: not stored
    assert "Content-Encoding" not in junk and b"Persons employed" in junk.content


@pytest.mark.django_db(transaction=True)
def test_a_block_stored_meanwhile_by_another_request_is_no_error(rf):
    """Inside a GET's REPEATABLE READ snapshot, PostgreSQL refuses an insert conflicting with a row
    committed after the snapshot began (seen under wrk: a 500); that row is the same block."""
    import psycopg
    from django.db import connection, transaction

    from tests.celery_harness import database_url

    spec = fragments.Prebuilt("country", "geo=DE", 1, "en", "")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT count(*) FROM indicators_pagefragment")  # the snapshot begins
        with psycopg.connect(database_url(), autocommit=True) as other:
            other.execute(
                "INSERT INTO indicators_pagefragment (family, key, generation, build, language, query, html) "
                "VALUES ('country', 'geo=DE', 1, %s, 'en', '', '\\x00')",
                [fragments.build_id()],
            )
        spec.keep(rf.get("/countries/DE/"), "<p>the same block</p>")
        assert PageFragment.objects.count() == 0  # still this snapshot, and still usable
    assert PageFragment.objects.count() == 1


def test_the_build_id_follows_the_code_and_the_release(settings, tmp_path, monkeypatch):
    before = fragments.build_id()
    for folder in fragments.BUILD_INPUTS:
        (tmp_path / folder).mkdir()
    (tmp_path / "templates" / "page.html").write_text("one")
    settings.BASE_DIR = tmp_path
    ids = []
    try:
        for change in (
            lambda: None,
            lambda: (tmp_path / "templates" / "page.html").write_text("two"),  # a template edited
            lambda: (tmp_path / "indicators" / "tags.py").write_text("x = 1"),  # Python
            lambda: (tmp_path / "locale" / "django.po").write_text('msgid "a"'),  # a translation
            lambda: monkeypatch.setenv("OBSERVATORY_RELEASE", "v2"),
        ):
            change()
            fragments.build_id.cache_clear()
            ids.append(fragments.build_id())
        assert len(set(ids)) == len(ids) and before not in ids
        (tmp_path / "indicators" / "migrations").mkdir()
        (tmp_path / "indicators" / "migrations" / "0001.py").write_text("x = 2")
        fragments.build_id.cache_clear()
        assert fragments.build_id() == ids[-1]  # migrations change no page
    finally:
        fragments.build_id.cache_clear()


def test_a_new_build_serves_no_page_stored_by_the_previous_one(client, loaded_profiles, monkeypatch):
    cache.clear()
    client.get("/countries/DE/")
    row = StoredPage.objects.get()
    assert row.build == fragments.build_id()
    row.html = zlib.compress(b"STORED")
    row.save()
    cache.clear()
    assert client.get("/countries/DE/").content == b"STORED"  # the test can tell a stored page
    monkeypatch.setattr(fragments, "build_id", lambda: "another-build")
    cache.clear()
    assert b"Persons employed" in client.get("/countries/DE/").content  # rendered, and stored
    assert set(StoredPage.objects.values_list("build", flat=True)) == {row.build, "another-build"}
