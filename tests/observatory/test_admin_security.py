"""Admin sign-in goes through allauth; staff need TOTP before any admin page (issue 17)."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_login_form_does_not_accept_a_password(client, staff):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": "correct horse 42"}
    )
    # Redirected to allauth's login (where rate limits and MFA apply); nobody signed in.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_wrong_passwords_on_admin_login_never_authenticate(client, staff):
    for _ in range(3):
        client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
    assert "_auth_user_id" not in client.session


def test_staff_without_totp_is_sent_to_mfa_setup(client, staff):
    Authenticator.objects.filter(user=staff).delete()
    client.force_login(staff)
    for url in ("/admin/", "/admin/auth/user/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_totp_gets_the_admin(client, staff):
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
