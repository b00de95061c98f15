"""Keyboard alone: the chart export menu (Tab to it, open it, download) and the compare picker."""

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_until(page, predicate_js, limit=250):
    """Press Tab until document.activeElement satisfies predicate_js (a JS expression on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate_js}); }})()"):
            return
    raise AssertionError(f"never reached with Tab: {predicate_js}")


def test_chart_export_menu_with_the_keyboard_alone(live_server, page, loaded_profiles):
    page.goto(live_server.url + "/ecosystems/tourism/?year=2014")
    page.wait_for_selector("#trend .chart-canvas.chart-ready")
    tab_until(page, "el.matches('#trend .chart-export > summary')")
    menu = page.locator("#trend .chart-export")
    assert menu.get_attribute("open") is None
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None
    tab_until(page, "el.matches('#trend .chart-export a') && el.textContent.trim() === 'CSV'", limit=3)
    with page.expect_download() as csv:
        page.keyboard.press("Enter")
    assert csv.value.suggested_filename.endswith(".csv")
    with open(csv.value.path(), encoding="utf-8-sig") as f:
        lines = f.read().splitlines()
    assert len(lines) >= 2 and "," in lines[0]  # a header and at least one row
    tab_until(page, "el.matches('#trend .chart-export button[data-download=\"png\"]')", limit=5)
    with page.expect_download() as png:
        page.keyboard.press("Enter")
    assert png.value.suggested_filename == "trend.png"
    with open(png.value.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert page.errors == []


def test_compare_picker_with_the_keyboard_alone(live_server, page, loaded_profiles):
    page.goto(live_server.url + "/compare/?indicator=emp&ecosystem=tourism")
    tab_until(page, "el.id === 'f-geo'")
    page.keyboard.type("Austria")  # type-ahead picks the option
    page.keyboard.press("Shift+ArrowDown")  # and the next one joins the selection
    picked = page.eval_on_selector("#f-geo", "s => Array.from(s.selectedOptions, o => o.value)")
    assert len(picked) == 2 and picked[0] == "AT"
    page.keyboard.press("Tab")  # the link that also lists the older aggregates
    assert "aggregates=1" in page.evaluate("document.activeElement.getAttribute('href') || ''")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-more"
    page.keyboard.type("AT11")
    tab_until(page, "el.type === 'submit'")  # past the year and range pickers
    page.keyboard.press("Enter")
    page.wait_for_url("**/compare/?*geo=*")
    assert parse_qs(urlparse(page.url).query)["geo"] == [*picked, "AT11"]
    page.wait_for_selector(".chart-panel")
    assert page.locator(".chart-panel").count() >= 1
    assert "Austria" in page.locator("main").inner_text()
    assert page.errors == []
