"""Sign-up does not tell whether an address is registered (issue 17): the same redirect, page and
message, one mail either way, and the same work: both paths hash the password once (the time a
password hash takes is what gave the existing address away: ~20 ms against 700-830 ms)."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how often a password is hashed."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.observatory.test_signup_enumeration.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def sign_up(client, email: str, display_name: str):
    password = "an-unusual passphrase 7"
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": password, "password2": password, "display_name": display_name},
        follow=True,
    )


def seen(response, email: str) -> tuple:
    """What the visitor sees, with the address they typed taken out."""
    page = response.content.decode().replace(email, "ADDRESS")
    messages = [str(m).replace(email, "ADDRESS") for m in response.context["messages"]]
    return response.redirect_chain, response.templates[0].name, messages, page


def test_signup_with_a_registered_address_looks_the_same_as_a_new_one(client, alice, mailoutbox):
    taken = seen(sign_up(client, alice.email, "Someone"), alice.email)
    client.cookies.clear()
    new = seen(sign_up(client, "nobody@example.eu", "Nobody"), "nobody@example.eu")
    assert taken[:3] == new[:3]
    assert taken[0] == [("/accounts/confirm-email/", 302)]
    assert len(taken[2]) == 1 and "ADDRESS" in taken[2][0]
    assert taken[3] == new[3]
    assert [m.to for m in mailoutbox] == [[alice.email], ["nobody@example.eu"]]


def test_signup_hashes_the_password_once_whether_or_not_the_address_is_registered(
    client, alice, counting_hasher
):
    sign_up(client, alice.email, "Someone")
    taken_calls = counting_hasher.calls
    client.cookies.clear()
    counting_hasher.calls = 0
    sign_up(client, "nobody@example.eu", "Nobody")
    assert taken_calls == counting_hasher.calls == 1
