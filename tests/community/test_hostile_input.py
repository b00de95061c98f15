"""Every hostile string into every user-editable field: no executable markup out, no server error.

Fields: thread titles, post bodies (and their edit history), display names, flag reasons,
moderation reasons, the search box. Each string goes through the real view (HTTP); pages are
rendered with big page sizes so that one render shows every string of a field.

Speed: every string is stored in every field (validated by the field's own form) and rendered
in one page per field; a sample (every 12th string plus every string with a NUL byte or over 150
characters) also goes through the real view over HTTP. HOSTILE_FULL=1 sends every string over HTTP
(about a minute longer).
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from community import actions
from community.forms import ForumSettingsForm, PostForm, ReasonForm, ThreadForm
from community.models import Flag, Post, PostRevision, Thread
from community.views import spaces as space_views
from community.views import threads as thread_views
from observatory.middleware import _CONTROL_ANY, _CONTROL_BODY

from .hostile import corpus, executable_bits

STRINGS = corpus()
HTTP_SAMPLE = (
    STRINGS
    if os.environ.get("HOSTILE_FULL")
    else tuple(dict.fromkeys(STRINGS[::12] + tuple(s for s in STRINGS if "\x00" in s or len(s) > 150)))
)


def _cleaned(form_class, field, **data):
    """The strings as the field's form accepts them (NUL bytes and over-long strings are refused)."""
    values = []
    for s in STRINGS:
        form = form_class({field: s, **data})
        if form.is_valid():
            values.append(form.cleaned_data[field])
    return values


@pytest.fixture(autouse=True)
def one_page(monkeypatch):
    monkeypatch.setattr(thread_views, "POSTS_PER_PAGE", 5000)
    monkeypatch.setattr(space_views, "THREADS_PER_PAGE", 5000)


def _assert_clean(response):
    assert response.status_code == 200
    problems = executable_bits(response.text)
    assert problems == [], problems[:5]


def test_hostile_corpus_has_at_least_300_strings():
    assert len(STRINGS) >= 300


def test_hostile_post_bodies_render_without_executable_markup(forum, bob, login):
    client = login(bob)
    url = reverse("community:thread-reply", args=[forum.open_thread.pk])
    statuses = {client.post(url, {"body": s}).status_code for s in HTTP_SAMPLE}
    assert statuses <= {200, 302}
    bodies = set(_cleaned(PostForm, "body")) - set(forum.open_thread.posts.values_list("body", flat=True))
    Post.objects.bulk_create(Post(thread=forum.open_thread, author=bob, body=b.strip()) for b in bodies)
    assert forum.open_thread.posts.count() > len(STRINGS) * 0.9
    response = client.get(forum.open_thread.get_absolute_url())
    _assert_clean(response)
    assert "&lt;script&gt;" in response.text  # the payloads are on the page, as text


def test_hostile_edit_history_renders_without_executable_markup(forum, bob, login):
    post = forum.open_post
    bodies = _cleaned(PostForm, "body")
    for body in bodies[:5]:  # the real edit path, then the rest of the corpus as stored revisions
        actions.edit_post(post, bob, body)
    PostRevision.objects.bulk_create(
        PostRevision(post=post, body=b, title=b[:200], edited_by=bob) for b in bodies
    )
    _assert_clean(login(bob).get(reverse("community:post-history", args=[post.pk])))


def test_hostile_thread_titles_render_without_executable_markup(forum, bob, login):
    client = login(bob)
    url = reverse("community:thread-create", args=[forum.open.slug])
    statuses = {
        client.post(url, {"title": s, "body": f"body {i}"}).status_code for i, s in enumerate(HTTP_SAMPLE)
    }
    assert statuses <= {200, 302}
    titles = set(_cleaned(ThreadForm, "title", body="x")) - set(
        forum.open.threads.values_list("title", flat=True)
    )
    now = timezone.now()
    Thread.objects.bulk_create(
        Thread(space=forum.open, author=bob, title=t, last_activity_at=now) for t in titles
    )
    _assert_clean(client.get(forum.open.get_absolute_url()))
    _assert_clean(client.get(reverse("community:forum-index")))
    for thread in forum.open.threads.order_by("pk")[:: max(1, len(STRINGS) // 10)]:
        _assert_clean(client.get(thread.get_absolute_url()))


def test_hostile_display_names_render_without_executable_markup(forum, alice, bob, login):
    client = login(alice)
    url = reverse("community:forum-settings")
    assert {client.post(url, {"display_name": s, "digest": "daily"}).status_code for s in HTTP_SAMPLE} <= {
        200,
        302,
    }
    # Display names are unique regardless of case: one of each.
    names = list({n.lower(): n for n in _cleaned(ForumSettingsForm, "display_name", digest="off")}.values())
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"hostile{i}@example.eu", display_name=name) for i, name in enumerate(names)
    )
    Post.objects.bulk_create(Post(thread=forum.open_thread, author=u, body=f"hi {u.pk}") for u in users)
    _assert_clean(login(bob).get(forum.open_thread.get_absolute_url()))


def test_hostile_flag_and_moderation_reasons_render_without_executable_markup(forum, alice, bob, login):
    flag_url = reverse("community:post-flag", args=[forum.open_reply.pk])
    client = login(alice)
    assert {client.post(flag_url, {"reason": s}).status_code for s in HTTP_SAMPLE} <= {200, 302}
    reasons = _cleaned(ReasonForm, "reason")
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"flagger{i}@example.eu") for i in range(len(reasons))
    )
    Flag.objects.bulk_create(
        Flag(post=forum.open_post, user=u, reason=r) for u, r in zip(users, reasons, strict=True)
    )
    moderator = login(bob)
    _assert_clean(moderator.get(reverse("community:moderation-queue", args=[forum.open.slug])))
    hide_url = reverse("community:post-moderate", args=[forum.open_reply.pk])
    for s in reasons[:: max(1, len(reasons) // 10)]:
        # Control characters other than tab/CR/LF are refused at the edge (observatory.middleware).
        expected = 400 if _CONTROL_BODY.search(s) else 302
        assert moderator.post(hide_url, {"action": "hide", "reason": s}).status_code == expected
        _assert_clean(moderator.get(forum.open_thread.get_absolute_url()))
    _assert_clean(moderator.get(reverse("community:moderation-log", args=[forum.open.slug])))


def test_hostile_search_queries_render_without_executable_markup(forum, bob, login):
    client = login(bob)
    actions.reply(forum.open_thread, bob, "\n\n".join(STRINGS[:200])[:20000])
    url = reverse("community:forum-search")
    for s in HTTP_SAMPLE:
        response = client.get(url, {"q": s})
        # Any control character in a query string is refused at the edge (observatory.middleware).
        assert response.status_code == (400 if _CONTROL_ANY.search(s) else 200)
        assert executable_bits(response.text) == [], s


@pytest.mark.parametrize(
    "html",
    [
        "<img src=x onerror=alert(1)>",
        "<script>__xss()</script>",
        '<a href=" java\tscript:__xss()">x</a>',
        "<iframe srcdoc=x></iframe>",
        "<div hx-on:click=__xss()>x</div>",
        '<p style="color:red">x</p>',
        "<svg><a xlink:href=javascript:x>y</a></svg>",
        '<script src="https://evil.example/x.js"></script>',
    ],
)
def test_executable_bits_detects_injected_markup(html):
    assert executable_bits(html) != []
