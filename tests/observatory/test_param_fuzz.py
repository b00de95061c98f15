"""Hostile values in every known GET parameter and path segment of the HTML pages: never a 500.

Production-like (DEBUG off, the exception not re-raised by the test client: a 500 is a status
here, as a visitor would get it). The corpus is bounded and fixed: control characters, huge
values, non-ASCII digits (`int("²")` fails, `int("١")` does not), negatives, SQL-ish and path
traversal strings, operator floods for the full-text search, odd list syntax. Each page family
gets every value in all its parameters at once, then each parameter alone gets the sharpest few
(an early 400 on one parameter must not hide a crash in the next). The pages read the profile
universe (tests/universe.py), restored from the session's snapshot.
"""

from urllib.parse import quote, urlencode

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CORPUS = [
    "",
    "\x00",
    "9" * 400,
    "x" * 4000,
    "²",
    "١٢",
    "-1",
    "' OR '1'='1' --",
    "../../../etc/passwd",
    "- " * 50,
    "<script>alert(1)</script>",
    "\u202eé\U0001f600\ufeff",
    ",,,DE,," + "DE,FR," * 300,
]
SHARP = ["²", "- " * 50]  # each parameter alone: the values that got past a first check before

# Page family -> the GET parameters its view reads (grep request.GET in the views and forms).
PAGES = {
    "/": ["q"],
    "/ecosystems/": ["year", "sort", "dir"],
    "/ecosystems/tourism/": ["year", "panel", "format"],
    "/countries/": ["year", "sort", "dir"],
    "/countries/DE/": ["year", "map", "panel", "format"],
    "/regions/AT11/": ["year", "panel", "format"],
    "/indicators/": [],
    "/indicators/emp/": ["year", "ecosystem", "nace", "panel", "format"],
    "/nace/C25/regions/": ["year"],
    "/compare/": ["geo", "indicator", "ecosystem", "year", "from", "to", "aggregates", "panel", "format"],
    "/search/": ["q", "kind"],
    "/dependencies/": ["rules", "importer", "page", "sort", "dir", "year", "show", "ecosystem", "supplier"]
    + ["risk", "nace", "panel", "format"],
    "/dependencies/products/01012100/": ["rules", "importer", "year"],
    "/clusters/": ["year", "method", "params", "category"],
    "/clusters/regions/AT11/": ["year", "method", "params"],
    "/clusters/categories/automotive/": ["year", "method", "params"],
    "/technologies/": ["year", "panel", "format"],
    "/transition/": ["sort", "dir", "indicator", "geo", "year", "panel", "format"],
    "/value-chains/": ["ecosystem", "nace", "product", "region"],
    "/organisations/": ["q", "ecosystem", "country", "region", "technology", "verified", "page"],
    "/organisations/offers/": ["q", "ecosystem", "country", "region", "technology", "kind", "state", "page"],
    "/events/": ["ecosystem", "past", "page"],
    "/events/calendar/": ["ecosystem", "month"],
    "/forum/search/": ["q", "page"],
    "/publications/": ["type", "ecosystem", "country", "technology", "year", "page"],
    "/methodology/ecosystems/": ["version", "nace"],
    "/data/": [],
    # feeds
    "/publications/feed.rss": ["type", "ecosystem"],
    "/publications/feed.atom": ["type", "ecosystem"],
    "/organisations/offers/feed.atom": ["ecosystem"],
    "/events/calendar.ics": ["ecosystem"],
}
# Pages whose last path segment is a code or slug from the visitor.
SEGMENTS = [
    "/ecosystems/{}/",
    "/countries/{}/",
    "/regions/{}/",
    "/indicators/{}/",
    "/nace/{}/regions/",
    "/dependencies/products/{}/",
    "/clusters/regions/{}/",
    "/clusters/categories/{}/",
    "/technologies/{}/",
    "/publications/{}/",
    "/organisations/{}/",
    "/forum/discuss/country/{}/",
    "/forum/discuss/region/{}/",
    "/forum/discuss/ecosystem/{}/",
    "/data/{}/",
]


@pytest.fixture
def visitor(loaded_profiles, settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def server_errors(client, urls) -> list[str]:
    return [f"{status} {url[:160]}" for url in urls if (status := client.get(url).status_code) >= 500]


@pytest.mark.parametrize("page", list(PAGES))
def test_hostile_parameter_values_never_answer_500(visitor, page):
    params = PAGES[page] or ["x"]
    every = [f"{page}?{urlencode({p: value for p in params})}" for value in CORPUS]
    alone = [f"{page}?{urlencode({p: value})}" for p in params for value in SHARP]
    assert server_errors(visitor, every + alone) == []


@pytest.mark.parametrize("pattern", SEGMENTS)
def test_hostile_path_segments_never_answer_500(visitor, pattern):
    urls = [pattern.format(quote(value, safe="")) for value in CORPUS if value.strip()]
    assert server_errors(visitor, urls) == []
