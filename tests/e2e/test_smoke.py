import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_renders_in_chromium_without_errors(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.is_visible()
    assert page.errors == []


def test_skip_link_is_first_in_keyboard_order(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
