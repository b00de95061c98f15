"""The cluster pages in Chromium: the portfolio bubbles, the strength trend and the maps draw
from json_script under the strict CSP, with nothing fetched from elsewhere."""

import os

import pytest

from tests.e2e.conftest import charts_ready
from tests.indicators.test_cluster_pages import clusters_loaded  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "path",
    [
        "/clusters/regions/DE21/?year=2014&method=us",
        "/clusters/categories/automotive/?year=2014",
        "/clusters/?year=2014",
    ],
)
def test_cluster_charts_draw_without_csp_errors(live_server, page, clusters_loaded, path):  # noqa: F811
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + path)
    expected = page.locator(".chart-canvas").count()
    assert expected >= 1
    charts_ready(page, expected, 45000)
    assert page.locator(".chart-canvas svg.main-svg").count() >= expected
    if shots := os.environ.get("CLUSTER_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/{path.strip('/').replace('/', '_').split('?')[0]}.png", full_page=True)
    assert page.errors == []
    assert all(r.startswith(live_server.url) for r in requests)


def test_portfolio_draws_one_bubble_per_category_with_figures(live_server, page, clusters_loaded):  # noqa: F811
    page.goto(live_server.url + "/clusters/regions/DE21/?year=2014")
    charts_ready(page, page.locator(".chart-canvas").count(), 45000)
    bubbles = page.locator("#portfolio .scatterlayer .point").count()
    rows = page.locator("#portfolio table tbody tr").count()
    assert 0 < bubbles <= rows
    assert page.errors == []


def test_cluster_pages_have_no_serious_or_critical_wcag21aa_violation(live_server, page, clusters_loaded):  # noqa: F811
    from tests.e2e.axe import blocking, run_axe

    failures = []
    for path in (
        "/clusters/?year=2014",
        "/clusters/regions/DE21/?year=2014",
        "/clusters/categories/automotive/?year=2014&method=us",
    ):
        page.goto(live_server.url + path)
        charts_ready(page, page.locator(".chart-canvas[data-chart]").count(), 60000)
        failures += [f"{path}: {v['id']} ({v['impact']}): {v['help']}" for v in blocking(run_axe(page))]
    assert failures == [], "\n".join(failures)
