import re

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def _link(mail) -> str:
    return re.search(r"https?://testserver(/accounts/confirm-email/[^\s]+/)", mail.body).group(1)


def test_signup_verify_login_logout(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "dora@example.eu",
            "password1": "an-unusual passphrase 7",
            "password2": "an-unusual passphrase 7",
            "display_name": "Dora",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["dora@example.eu"]

    # Mandatory verification: login is refused until the link is followed.
    client.post("/accounts/login/", {"login": "dora@example.eu", "password": "an-unusual passphrase 7"})
    assert "_auth_user_id" not in client.session

    confirm = client.post(_link(mailoutbox[0]))
    assert confirm.status_code == 302
    login = client.post(
        "/accounts/login/", {"login": "dora@example.eu", "password": "an-unusual passphrase 7"}
    )
    assert login.status_code == 302
    user = get_user_model().objects.get(email="dora@example.eu")
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_login_is_by_email_and_wrong_password_is_refused(client, alice):
    response = client.post("/accounts/login/", {"login": "alice@example.eu", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_mail(client, alice, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.eu"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_password_change_requires_login(client, alice):
    anonymous = client.get("/accounts/password/change/")
    assert anonymous.status_code == 302
    client.force_login(alice)
    assert client.get("/accounts/password/change/").status_code == 200


def test_email_change_page_and_mfa_are_available(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/email/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200


def test_signup_post_without_csrf_token_is_refused(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/signup/", {"email": "eve@example.eu"})
    assert response.status_code == 403


def test_csp_allows_the_inline_style_of_allauths_email_change_page(client, alice):
    """allauth hides the pending-change form with an inline style the strict CSP would block;
    the policy allows exactly that attribute by hash (and no other inline style)."""
    import base64
    import hashlib
    import re
    from pathlib import Path

    import allauth

    template = Path(allauth.__file__).parent / "templates" / "account" / "email_change.html"
    styles = set(re.findall(r'style="([^"]*)"', template.read_text()))
    assert styles, "allauth's template no longer has an inline style: drop the hash from SECURE_CSP"
    client.force_login(alice)
    policy = client.get("/accounts/email/")["Content-Security-Policy"]
    directive = next(d for d in policy.split(";") if d.strip().startswith("style-src-attr"))
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directive
