"""/transition/ in Chromium: the scoreboard's charts draw under the strict CSP, nothing from a CDN."""

import pytest

from tests.e2e.conftest import charts_ready, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def transition_data(reference, tmp_path):
    from django.core.cache import cache

    from indicators import refresh
    from tests import dbsnapshot
    from tests.indicators import transition_samples as S

    def build():
        for source, raw in (
            ("desi_2022", S.desi_workbook()),
            ("owid_co2", S.owid_csv()),
            ("eea_ets_sectors", S.ets_csv()),
        ):
            path = tmp_path / source
            path.write_bytes(raw)
            assert refresh.ingest(source, path=path).status == "succeeded"
        assert refresh.recompute().status == "succeeded"

    cache.clear()
    dbsnapshot.restore_or_take("transition_browser", build)  # built once per session
    yield
    cache.clear()


# The pages and the fewest charts each must draw.
PAGES = {
    "/transition/": 1,
    "/countries/DK/": 1,
    "/ecosystems/energy-intensive-industries/": 1,
    "/methodology/transition/": 0,
}


def test_transition_pages_draw_under_the_csp_and_pass_axe(live_server, page, transition_data):
    """Every page with transition figures: its charts draw under the strict CSP, nothing fetched
    from a CDN, no serious or critical WCAG 2.1 AA violation (one test: one restore)."""
    failures = []
    for path, charts in PAGES.items():
        failures += page_problems(page, live_server.url, path, min_charts=charts)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_transition_tick_labels_lie_inside_the_figures(live_server, chromium_browser, transition_data, width):
    from tests.e2e.test_chart_layout import CHECK

    context = chromium_browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/transition/")
        expected = page.locator(".chart-canvas").count()
        charts_ready(page, expected, 45000)
        page.hover(".chart-canvas")
        results = page.eval_on_selector_all(".chart-canvas", CHECK)
    finally:
        context.close()
    assert sum(r.get("ticks", 0) for r in results) > 0
    assert [r for r in results if r["problems"]] == []
