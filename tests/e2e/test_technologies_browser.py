"""The technology pages in Chromium: every chart draws from json_script under the strict CSP."""

import pytest

from tests.e2e.conftest import charts_ready
from tests.indicators.test_technologies import tech_universe  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/technologies/", "/technologies/photonics/"])
def test_technology_charts_draw_without_csp_errors(live_server, page, tech_universe, path):  # noqa: F811
    page.goto(live_server.url + path)
    expected = page.locator(".chart-canvas").count()
    assert expected >= 3
    charts_ready(page, expected, 45000)
    assert page.errors == []


def test_technology_pages_have_no_serious_or_critical_wcag21aa_violation(live_server, page, tech_universe):  # noqa: F811
    from tests.e2e.axe import blocking, run_axe

    failures = []
    for path in ("/technologies/", "/technologies/photonics/", "/methodology/technologies/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        charts = page.locator(".chart-canvas[data-chart]").count()
        if charts:
            charts_ready(page, charts, 60000)
        failures += [f"{path}: {v['id']} ({v['impact']}): {v['help']}" for v in blocking(run_axe(page))]
    assert failures == [], "\n".join(failures)
