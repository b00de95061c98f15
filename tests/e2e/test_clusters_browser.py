"""The cluster pages in Chromium: the portfolio bubbles, the strength trend and the maps draw
from json_script under the strict CSP, with nothing fetched from elsewhere."""

import os

import pytest

from tests.e2e.conftest import charts_ready, page_problems
from tests.indicators.test_cluster_pages import clusters_loaded  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Both methods on the region and category pages (the default method and the US one).
PAGES = (
    "/clusters/?year=2014",
    "/clusters/regions/DE21/?year=2014",
    "/clusters/regions/DE21/?year=2014&method=us",
    "/clusters/categories/automotive/?year=2014",
    "/clusters/categories/automotive/?year=2014&method=us",
)


def test_cluster_pages_draw_under_the_csp_and_pass_axe(live_server, page, clusters_loaded):  # noqa: F811
    """Every cluster page: its charts draw from json_script under the strict CSP, nothing fetched
    from elsewhere, no serious or critical WCAG 2.1 AA violation (one test: the cluster universe
    is restored once)."""
    failures = []
    for path in PAGES:
        failures += page_problems(page, live_server.url, path, min_charts=1)
        if shots := os.environ.get("CLUSTER_SCREENSHOTS"):
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_")
            page.screenshot(path=f"{shots}/{name}.png", full_page=True)
    assert failures == [], "\n".join(failures)


def test_portfolio_draws_one_bubble_per_category_with_figures(live_server, page, clusters_loaded):  # noqa: F811
    page.goto(live_server.url + "/clusters/regions/DE21/?year=2014")
    charts_ready(page, page.locator(".chart-canvas").count(), 45000)
    bubbles = page.locator("#portfolio .scatterlayer .point").count()
    rows = page.locator("#portfolio table tbody tr").count()
    assert 0 < bubbles <= rows
    assert page.errors == []
