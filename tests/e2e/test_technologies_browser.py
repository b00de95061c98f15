"""The technology pages in Chromium: every chart draws from json_script under the strict CSP."""

import pytest

from tests.e2e.conftest import page_problems
from tests.indicators.test_technologies import tech_universe  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The pages and the fewest charts each must draw.
PAGES = {"/technologies/": 3, "/technologies/photonics/": 3, "/methodology/technologies/": 0}


def test_technology_pages_draw_under_the_csp_and_pass_axe(live_server, page, tech_universe):  # noqa: F811
    """Every technology page: its charts draw under the strict CSP, nothing fetched from
    elsewhere, no serious or critical WCAG 2.1 AA violation (one test: one restore)."""
    failures = []
    for path, charts in PAGES.items():
        failures += page_problems(page, live_server.url, path, min_charts=charts)
    assert failures == [], "\n".join(failures)
