"""Home, search and a publication in a real Chromium: no console or CSP errors, keyboard use."""

import pytest

from tests.observatory.test_publications import make_publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content(reference):
    return make_publication(
        "ai-uptake",
        title="AI uptake in manufacturing",
        summary="Enterprises using artificial intelligence doubled.",
        body="## Findings\n\n| Country | Share |\n|---|---|\n| DE | 12% |\n\n<script>alert(1)</script>",
        ecosystems=["digital"],
        countries=["DE"],
    )


def test_content_pages_render_without_console_or_csp_errors(live_server, page, content):
    for path in [
        "/",
        "/search/?q=manufacturing",
        "/publications/",
        "/publications/ai-uptake/",
        "/methodology/",
    ]:
        page.goto(live_server.url + path)
        assert page.locator("h1").first.is_visible(), path
    assert page.errors == []


def test_content_search_box_reachable_and_usable_with_keyboard(live_server, page, content):
    page.goto(live_server.url + "/")
    for _ in range(15):  # skip link, brand, six nav links, then the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search-q":
            break
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.type("AI uptake")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=AI+uptake")
    link = page.get_by_role("link", name="AI uptake in manufacturing")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/publications/ai-uptake/")
    assert page.locator("h1").inner_text() == "AI uptake in manufacturing"
    assert page.errors == []


def test_content_publication_filters_work_with_keyboard(live_server, page, content):
    page.goto(live_server.url + "/publications/")
    page.get_by_label("Ecosystem").focus()
    page.get_by_label("Ecosystem").select_option("digital")
    page.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/publications/?*ecosystem=digital*")
    assert page.get_by_role("link", name="AI uptake in manufacturing").is_visible()
    assert page.errors == []


def test_content_search_results_update_while_typing(live_server, page, content):
    page.goto(live_server.url + "/search/")
    page.locator("#search-page-q").focus()
    page.keyboard.type("uptake")
    page.get_by_role("link", name="AI uptake in manufacturing").wait_for()
    assert "q=uptake" in page.url  # the live state is a permalink too
    assert page.errors == []


def test_catalogue_pages_fit_a_phone_screen(live_server, chromium_browser, reference):
    """At 390 px the document is no wider than the screen: wide tables scroll inside their
    wrapper (visually hidden cells included) and definition lists wrap long values."""
    page = chromium_browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for path in ["/data/", "/data/isoc_eb_ain2/", "/data/sbs_na_sca_r2/", "/methodology/"]:
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
    finally:
        page.close()
