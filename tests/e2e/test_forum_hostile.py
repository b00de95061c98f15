"""Headless Chromium on forum pages full of hostile posts: no injected script runs, no CSP errors."""

import re

import pytest
from django.test import Client

from community import actions
from community.forms import PostForm
from community.models import Post
from community.views import spaces as space_views
from community.views import threads as thread_views
from tests.community.factories import add_member, make_space, make_thread, make_user
from tests.community.hostile import corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script: whatever a payload calls is recorded instead of executed for real.
TRAP = """
window.__xss_hits = [];
window.__xss = function () { window.__xss_hits.push('call'); };
['alert', 'confirm', 'prompt'].forEach(function (name) {
  window[name] = function () { window.__xss_hits.push(name); };
});
"""
CHECK = "[typeof window.__xss === 'function' ? 'trap intact' : 'overwritten', window.__xss_hits.length]"


@pytest.fixture
def hostile_thread(monkeypatch):
    monkeypatch.setattr(thread_views, "POSTS_PER_PAGE", 5000)
    monkeypatch.setattr(space_views, "THREADS_PER_PAGE", 5000)
    author = make_user("mallory@example.eu", display_name='<img src=x onerror="__xss()">Mallory')
    space = make_space("hostile", name="Hostile <script>__xss()</script> space")
    add_member(space, author, "moderator")
    thread = make_thread(space, author, '"><svg onload=__xss()> title', "first")
    bodies = []
    for s in corpus():
        form = PostForm({"body": s})
        if form.is_valid():
            bodies.append(form.cleaned_data["body"])
    Post.objects.bulk_create(Post(thread=thread, author=author, body=b.strip()) for b in bodies)
    return thread, author


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_forum_pages_with_hostile_posts_run_no_injected_script(live_server, page, hostile_thread):
    thread, author = hostile_thread
    page.add_init_script(TRAP)
    paths = [thread.get_absolute_url(), thread.space.get_absolute_url(), "/forum/search/?q=script+alert"]
    for signed_in in (False, True):  # anonymous reader, then the author (who sees edit/delete controls)
        if signed_in:
            _sign_in(page, live_server, author)
        for path in paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            assert page.evaluate(CHECK) == ["trap intact", 0], (signed_in, path)
    assert page.errors == []


def test_forum_reaction_toggles_with_keyboard(live_server, page):
    space = make_space("keyboard")
    thread = make_thread(space, make_user("writer@example.eu"), "Keyboard thread", "Press Enter on Helpful.")
    reader = make_user("reader@example.eu")
    _sign_in(page, live_server, reader)
    page.goto(live_server.url + thread.get_absolute_url())
    page.locator("button.reaction").first.focus()
    page.keyboard.press("Enter")
    page.locator("button.reaction.on").first.wait_for()
    assert page.locator("button.reaction").first.get_attribute("aria-pressed") == "true"
    assert page.errors == []


def test_unread_badges_are_legible_for_a_signed_in_member(live_server, page):
    """The header's and the forum bar's unread counts (only drawn with something unread, which
    the accessibility pass over the page families never has): no serious axe violation, and the
    header's count is dark on yellow, not the links' white on the light badge."""
    from tests.e2e.axe import blocking, run_axe

    space = make_space("evidence", name="Evidence and methods")
    reader = make_user("reader@example.eu", display_name="Reader")
    thread = make_thread(space, reader, "Productivity in tourism", "What do the LQs say?")
    actions.reply(thread, make_user("writer@example.eu", display_name="Writer"), "A reply for @reader")
    _sign_in(page, live_server, reader)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/forum/")
        page.wait_for_load_state("load")
        assert page.locator(".site-header .badge").count() == 1
        assert page.locator(".forum-bar .count-badge").inner_text() == "1"
        colours = page.locator(".site-header .badge").evaluate(
            "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
        )
        assert contrast(*colours) >= 4.5, colours  # WCAG 2.1 AA for its small bold text
        assert blocking(run_axe(page)) == [], width
    assert page.errors == []


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two computed `rgb(r, g, b)` colours."""

    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
