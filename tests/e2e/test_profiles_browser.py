"""The profile pages in Chromium: charts draw from json_script under the strict CSP, maps draw
offline, the discussion panel loads into the page, the data table opens from the keyboard."""

import pytest

from tests.e2e.conftest import charts_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/ecosystems/tourism/?year=2014", "/countries/AT/?year=2014&map=tourism"])
def test_charts_and_maps_draw_without_csp_errors(live_server, page, loaded_profiles, path):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + path)
    expected = page.locator(".chart-canvas").count()
    charts_ready(page, expected, 45000)
    assert expected >= 2
    assert page.locator(".chart-canvas svg.main-svg").count() >= expected
    # The discussion panel, loaded on its own into the page built once per generation.
    panel = page.locator("section.discussion-panel:not([data-panel])")
    panel.wait_for(timeout=10000)
    assert "No discussion yet in the Industrial Forum." in panel.inner_text()
    publications = page.locator("section.related-publications:not([data-panel])")
    publications.wait_for(timeout=10000)
    assert "No publication is tagged with this yet." in publications.inner_text()
    assert page.locator("section[data-panel]").count() == 0
    assert page.errors == []
    assert all(r.startswith(live_server.url) for r in requests)  # nothing from a CDN


def test_map_colours_the_places_with_values(live_server, page, loaded_profiles):
    page.goto(live_server.url + "/indicators/emp/?ecosystem=tourism&year=2014")
    page.wait_for_selector("#map .chart-canvas.chart-ready")
    drawn = page.eval_on_selector_all(
        "#map path.choroplethlocation", "ps => ps.filter(p => (p.getAttribute('d') || '').length > 20).length"
    )
    assert drawn == 1  # AT: the one country outline in the hand-made sample
    assert page.errors == []


def test_data_table_opens_with_the_keyboard(live_server, page, loaded_profiles):
    page.goto(live_server.url + "/ecosystems/tourism/?year=2014")
    summary = page.locator("#employment-by-country .chart-details summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#employment-by-country .chart-details").first.get_attribute("open") is not None
    assert page.locator("#employment-by-country table").first.is_visible()


@pytest.mark.parametrize("path", ["/countries/AT/?year=2014", "/ecosystems/tourism/?year=2014"])
def test_table_captions_stay_inside_their_scroller_on_a_phone(live_server, page, loaded_profiles, path):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + path)
    page.locator("details.chart-details").evaluate_all("ds => ds.forEach(d => d.open = true)")
    overflow = page.eval_on_selector_all(
        ".table-wrap",
        """ws => ws.filter(w => w.offsetParent && w.querySelector('caption')).map(w => {
            const caption = w.querySelector('caption'), b = w.getBoundingClientRect();
            const c = caption.getBoundingClientRect();
            return [caption.textContent.trim().slice(0, 40), c.left < b.left - 1 || c.right > b.right + 1];
        })""",
    )
    assert overflow, "no captioned table found"
    assert [c for c, out in overflow if out] == []
