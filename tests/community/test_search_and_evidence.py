import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from community import actions
from community.selectors import active_public_threads, search_posts
from ecosystems.models import Ecosystem

from .factories import make_thread


@pytest.mark.parametrize("persona", ["anon", "carol"])
def test_search_posts_never_returns_private_posts_to_outsiders(forum, carol, persona):
    user = AnonymousUser() if persona == "anon" else carol
    assert search_posts(user, "magnesium") == []


def test_search_posts_finds_private_posts_for_members(forum, alice):
    results = search_posts(alice, "magnesium")
    assert {r["space"] for r in results} == {"Private test space"}
    assert "<mark>" in results[0]["snippet"] and results[0]["rank"] > 0


def test_search_posts_matches_thread_titles(forum, carol):
    assert search_posts(carol, "productivity")[0]["title"] == "Open thread on productivity"


def test_search_posts_excludes_hidden_and_deleted(forum, bob, carol):
    actions.hide_post(forum.open_reply, bob, "x")
    actions.delete_post(forum.open_post, forum.open_post.author)
    assert search_posts(carol, "public") == []


def test_search_posts_snippet_escapes_html(forum, carol):
    actions.reply(forum.open_thread, carol, "`<img src=x onerror=alert(1)>` zirconium")
    snippet = search_posts(carol, "zirconium")[0]["snippet"]
    assert "<img" not in snippet and "&lt;img" in snippet and "<mark>zirconium</mark>" in snippet


def test_search_posts_accepts_websearch_syntax(forum, alice):
    assert search_posts(alice, '"private reply" -productivity')
    assert search_posts(alice, "") == []


def test_forum_search_page_hides_private_posts(forum, carol, login):
    response = login(carol).get(reverse("community:forum-search"), {"q": "magnesium"})
    assert (
        response.status_code == 200
        and "Secret words" not in response.text
        and "magnesium</mark>" not in response.text
    )


def test_active_public_threads_lists_only_open_spaces(forum):
    titles = [t["title"] for t in active_public_threads()]
    assert "Open thread on productivity" in titles and "Private thread on magnesium" not in titles
    assert active_public_threads()[0]["replies"] >= 0


def _panel(user, kind, key):
    """The panel as site.js loads it into an evidence page."""
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(reverse("community:panel", args=[kind, key]), {"fragment": "1"})
    assert response.status_code == 200
    return response.content.decode()


def test_evidence_pages_mark_the_panel_and_read_no_thread(forum, alice, django_assert_num_queries):
    Ecosystem.objects.create(slug="digital", name="Digital")
    make_thread(
        forum.open, alice, "Digital uptake", "about it", target_kind="ecosystem", target_key="digital"
    )
    request = RequestFactory().get("/")
    request.user = alice
    template = Template("{% load community_tags %}{% discussion_panel kind key 'Digital' %}")
    with django_assert_num_queries(0):
        html = template.render(Context({"request": request, "kind": "ecosystem", "key": "digital"}))
    assert 'data-panel="/forum/panel/ecosystem/digital/?fragment=1"' in html
    assert "Digital uptake" not in html  # the page is the same for every viewer
    assert reverse("community:discuss", args=["ecosystem", "digital"]) in html  # works without script
    assert 'href="/forum/panel/ecosystem/digital/"' in html


def test_the_panel_is_a_page_of_its_own_never_stored_by_a_cache(forum, alice):
    Ecosystem.objects.create(slug="digital", name="Digital")
    make_thread(
        forum.open, alice, "Digital uptake", "about it", target_kind="ecosystem", target_key="digital"
    )
    client = Client()
    page = client.get("/forum/panel/ecosystem/digital/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>" in html and "Digital uptake" in html and 'href="/ecosystems/digital/"' in html
    fragment = client.get("/forum/panel/ecosystem/digital/?fragment=1")
    assert "<h1>" not in fragment.content.decode() and "<html" not in fragment.content.decode()
    for response in (page, fragment):
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert client.head("/forum/panel/ecosystem/digital/").status_code == 200  # link checkers
    assert "<h1>" in client.get("/forum/panel/ecosystem/digital/?fragment=0").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/forum/panel/ecosystem/nope/",
        "/forum/panel/planet/mars/",
        "/forum/panel/country/D%00E/",
        "/forum/panel/region/" + "X" * 200 + "/",
    ],
)
def test_the_panel_of_nothing_is_not_found(forum, path):
    assert Client().get(path, {"fragment": "1"}).status_code in (400, 404)  # a NUL byte: 400


def test_the_panel_takes_no_post(forum, alice):
    client = Client()
    client.force_login(alice)
    assert client.post("/forum/panel/country/DE/").status_code == 405


def test_discussion_panel_shows_readable_threads_and_discuss_link(forum, alice, carol):
    Ecosystem.objects.create(slug="digital", name="Digital")
    make_thread(
        forum.open, alice, "Digital uptake", "about it", target_kind="ecosystem", target_key="digital"
    )
    make_thread(
        forum.private, alice, "Secret digital", "about it too", target_kind="ecosystem", target_key="digital"
    )
    html = _panel(carol, "ecosystem", "digital")
    assert "Digital uptake" in html and "Secret digital" not in html
    assert reverse("community:discuss", args=["ecosystem", "digital"]) in html
    assert "Secret digital" in _panel(alice, "ecosystem", "digital")


def test_discussion_panel_for_anonymous_offers_discuss_link(forum):
    Ecosystem.objects.create(slug="digital", name="Digital")
    html = _panel(AnonymousUser(), "ecosystem", "digital")
    assert "Discuss this" in html and "(sign-in required to post)" in html


def test_create_thread_refuses_unknown_evidence_target(forum, alice):
    with pytest.raises(ValueError):
        make_thread(forum.open, alice, "x", "y", target_kind="country", target_key="XX")


def test_discuss_opens_existing_thread(forum, alice, carol, login):
    Ecosystem.objects.create(slug="digital", name="Digital")
    thread = make_thread(forum.open, alice, "Digital", "b", target_kind="ecosystem", target_key="digital")
    response = login(carol).get(reverse("community:discuss", args=["ecosystem", "digital"]))
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()


def test_discuss_starts_thread_tied_to_target(forum, carol, login):
    Ecosystem.objects.create(slug="digital", name="Digital")
    url = reverse("community:discuss", args=["ecosystem", "digital"])
    login(carol).post(url, {"space": forum.open.pk, "title": "Digital skills", "body": "Let's talk"})
    assert forum.open.threads.get(title="Digital skills").target_key == "digital"


def test_discuss_refuses_posting_into_private_space_of_outsider(forum, carol, login):
    Ecosystem.objects.create(slug="digital", name="Digital")
    url = reverse("community:discuss", args=["ecosystem", "digital"])
    response = login(carol).post(url, {"space": forum.private.pk, "title": "Sneaky", "body": "x"})
    assert response.status_code == 200 and not forum.private.threads.filter(title="Sneaky").exists()


def test_discuss_unknown_target_is_404(forum, carol, login):
    assert login(carol).get(reverse("community:discuss", args=["country", "ZZ"])).status_code == 404


def test_permalink_points_to_right_page_of_long_thread(forum, carol, login):
    posts = [actions.reply(forum.open_thread, carol, f"reply {i}") for i in range(31)]
    response = login(carol).get(posts[-1].get_absolute_url())
    assert response["Location"].endswith(f"?page=2#post-{posts[-1].pk}")


def test_space_page_marks_unread_threads(forum, alice, carol, login):
    client = login(carol)
    assert 'class="unread"' in client.get(forum.open.get_absolute_url()).text
    client.get(forum.open_thread.get_absolute_url())
    assert 'class="unread"' not in client.get(forum.open.get_absolute_url()).text


@pytest.mark.parametrize("sort", ["latest", "new", "top"])
def test_space_page_sorts(forum, carol, login, sort):
    assert login(carol).get(forum.open.get_absolute_url(), {"sort": sort}).status_code == 200


def test_reaction_toggle_with_htmx_returns_fragment(forum, carol, login):
    url = reverse("community:post-react", args=[forum.open_post.pk])
    response = login(carol).post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "reaction on" in response.text and "<html" not in response.text


def test_reply_with_quote_prefills_quoted_text(forum, alice, login):
    url = reverse("community:thread-reply", args=[forum.private_thread.pk])
    response = login(alice).get(url, {"quote": forum.private_post.pk})
    assert "&gt; Secret words about magnesium imports." in response.text


def test_reply_to_post_of_other_thread_is_ignored(forum, alice):
    post = actions.reply(forum.open_thread, alice, "crossing", reply_to=forum.private_post)
    assert post.reply_to is None


def test_resolve_target_tolerates_missing_publication_model(db):
    from community.evidence import resolve_target

    assert resolve_target("publication", "some-report") is None
    assert resolve_target("nonsense", "x") is None


def test_admin_pages_for_spaces_render_for_staff(forum, staff, login):
    client = login(staff)
    assert client.get(reverse("admin:community_space_changelist")).status_code == 200
    assert client.get(reverse("admin:community_space_change", args=[forum.private.pk])).status_code == 200
    assert client.get(reverse("admin:community_moderationlog_changelist")).status_code == 200


def test_markdown_filter_marks_mentions_outside_code():
    from community.templatetags.community_tags import markdown

    html = markdown("Hi @alice, see `@bob` and [x](https://e.example/@carol)")
    assert '<span class="mention">@alice</span>' in html
    assert "<code>@bob</code>" in html and 'href="https://e.example/@carol"' in html
