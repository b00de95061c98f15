"""No e-mail address is shown to anyone but staff (and the member themself) on any forum page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from .factories import make_post, make_user
from .test_permissions import MATRIX, _args

# A masked address ("a…@example.eu") does not match: the local part must be whole.
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@pytest.fixture
def nameless(forum):
    """A member who never chose a display name, posting in the open space."""
    user = make_user("nameless.person@example.eu")
    make_post(forum.open_thread, user, "A reply from someone without a display name, to @Alice.")
    return user


def _forum_pages(client, forum, alice):
    for name, obj, _ in MATRIX:
        url = reverse(f"community:{name}", args=_args(forum, obj, alice))
        response = client.get(url, follow=True)
        if response.status_code == 200:
            yield url, response.content.decode()


@pytest.mark.parametrize("persona", ["anon", "carol", "alice"])
def test_forum_pages_show_no_one_elses_email_address(persona, forum, nameless, alice, carol, staff):
    client = Client()
    own = set()
    if persona != "anon":
        user = {"carol": carol, "alice": alice}[persona]
        client.force_login(user)
        own = {user.email}
    leaks = []
    pages = 0
    for url, html in _forum_pages(client, forum, alice):
        pages += 1
        leaks += [f"{url}: {address}" for address in set(EMAIL_RE.findall(html)) - own]
    assert pages >= 8
    assert leaks == []


def test_a_member_without_display_name_is_shown_neutrally(client, forum, nameless):
    html = client.get(reverse("community:thread-detail", args=[forum.open_thread.pk])).content.decode()
    assert f"Member {nameless.pk}" in html
    assert "nameless.person" not in html


def test_mentions_use_display_names_not_email_local_parts(forum, alice, carol):
    from community import actions

    assert actions.mentioned_users("Thanks @Carol and @alice") == {carol, alice}
    assert actions.mentioned_users("hello @carol.smith") == set()


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("ab", "3 to 30"),
        ("has space", "3 to 30"),
        ("x@y.eu", "3 to 30"),
        ("Alice", "taken"),
        ("admin", "reserved"),
    ],
)
def test_display_name_rules(alice, name, error):
    from django.core.exceptions import ValidationError

    from observatory.accounts import validate_display_name

    with pytest.raises(ValidationError, match=error):
        validate_display_name(name)


def test_display_name_may_keep_its_own_value_and_use_other_scripts(alice):
    from observatory.accounts import validate_display_name

    assert validate_display_name("alice", alice) == "alice"
    assert validate_display_name("Jürgen.Müller") == "Jürgen.Müller"


def test_signup_asks_for_a_display_name_and_links_the_privacy_notice(client, db, alice):
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="display_name"' in page
    assert reverse("privacy") in page
    taken = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.eu",
            "password1": "a long passphrase 77",
            "password2": "a long passphrase 77",
            "display_name": "ALICE",
        },
    )
    assert "This display name is taken" in taken.content.decode()
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.eu",
            "password1": "a long passphrase 77",
            "password2": "a long passphrase 77",
            "display_name": "NewAnalyst",
        },
    )
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(email="new@example.eu").display_name == "NewAnalyst"


def test_privacy_page_says_who_sees_the_email_address(client, db):
    html = client.get(reverse("privacy")).content.decode()
    assert "E-mail address" in html and "never other members or visitors" in html
