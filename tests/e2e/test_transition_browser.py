"""/transition/ in Chromium: the scoreboard's charts draw under the strict CSP, nothing from a CDN."""

import pytest

from tests.e2e.conftest import charts_ready

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


@pytest.mark.parametrize(
    "path", ["/transition/", "/countries/DK/", "/ecosystems/energy-intensive-industries/"]
)
def test_transition_charts_draw_without_csp_errors(live_server, page, transition_data, path):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + path)
    expected = page.locator(".chart-canvas").count()
    assert expected >= 1
    charts_ready(page, expected, 45000)
    assert page.errors == []
    assert all(r.startswith(live_server.url) for r in requests)


def test_transition_pages_have_no_serious_wcag21aa_violation(live_server, page, transition_data):
    from tests.e2e.axe import blocking, run_axe

    failures = []
    for path in ("/transition/", "/methodology/transition/", "/countries/DK/"):
        page.goto(live_server.url + path)
        charts = page.locator(".chart-canvas[data-chart]").count()
        if charts:
            charts_ready(page, charts, 60000)
        failures += [
            f"{path}: {v['id']} ({v['impact']}): {v['help']} {v['nodes'][:3]}"
            for v in blocking(run_axe(page))
        ]
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
