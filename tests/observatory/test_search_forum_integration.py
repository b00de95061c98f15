"""Site search with the real forum: a private space's posts never reach an outsider or an
anonymous visitor; a member finds them (issue 6, permission filtering)."""

import pytest

from tests.community.factories import add_member, make_space, make_thread, make_user

pytestmark = pytest.mark.django_db

WORD = "zirconiumdependency"
LEAK = f"private {WORD} assessment"  # the private thread's title (the query itself is echoed)


@pytest.fixture
def forum(reference):
    member, outsider = make_user(), make_user()
    private = make_space(private=True)
    add_member(private, member)
    make_thread(private, member, title=f"Private {WORD} assessment", body=f"Only members discuss {WORD}.")
    public = make_space(private=False)
    make_thread(public, member, title="Open magnesium thread", body="Magnesium supply from one country.")
    return member, outsider


def forum_results(client) -> str:
    response = client.get("/search/", {"q": WORD})
    assert response.status_code == 200
    return response.content.decode()


def test_private_post_is_invisible_to_an_anonymous_visitor(client, forum):
    assert LEAK not in forum_results(client).lower().replace("<mark>", "").replace("</mark>", "")


def test_private_post_is_invisible_to_an_outsider(client, forum):
    _, outsider = forum
    client.force_login(outsider)
    assert LEAK not in forum_results(client).lower().replace("<mark>", "").replace("</mark>", "")


def test_member_finds_the_private_post(client, forum):
    member, _ = forum
    client.force_login(member)
    assert LEAK in forum_results(client).lower().replace("<mark>", "").replace("</mark>", "")


def test_public_thread_is_found_by_everyone(client, forum):
    response = client.get("/search/", {"q": "magnesium"})
    assert "Open magnesium thread" in response.content.decode().replace("<mark>", "").replace("</mark>", "")
