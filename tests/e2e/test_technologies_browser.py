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
