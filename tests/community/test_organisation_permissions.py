"""Permission matrix for the organisation pages: every URL x GET/POST x persona, with the status each
must get. Personas: anon, alice (verified member), bob (manager of the approved organisation),
dave (signed in, e-mail not verified), staff. "org" is approved, "proposed" awaits approval (by
carol, who is not a persona here). Every request runs in a savepoint that is rolled back.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, reverse

from community.organisations import urls as org_urls

PERSONAS = ("anon", "alice", "bob", "dave", "staff")

# name, object, then "GET/POST" per persona in PERSONAS order.
MATRIX = [
    ("organisation-list", None, "200/405 200/405 200/405 200/405 200/405"),
    ("organisation-export", None, "200/405 200/405 200/405 200/405 200/405"),
    ("organisation-propose", None, "302/302 200/200 200/200 403/403 200/200"),
    ("invitation-list", None, "302/302 200/404 200/404 200/404 200/404"),
    ("my-messages", None, "302/302 200/405 200/405 200/405 200/405"),
    ("topic-follow", None, "302/302 405/404 405/404 405/403 405/404"),
    ("offer-list", None, "200/405 200/405 200/405 200/405 200/405"),
    ("offer-feed", None, "200/405 200/405 200/405 200/405 200/405"),
    ("offer-detail", "offer", "200/405 200/405 200/405 200/405 200/405"),
    ("offer-edit", "offer", "302/302 403/403 200/200 403/403 200/200"),
    ("offer-close", "offer", "302/302 405/403 405/302 405/403 405/302"),
    ("offer-follow", "offer", "302/302 405/302 405/302 405/403 405/302"),
    ("offer-interest", "offer", "302/302 200/200 403/403 403/403 200/200"),
    ("organisation-detail", "org", "200/405 200/405 200/405 200/405 200/405"),
    ("organisation-detail", "proposed", "404/405 404/405 404/405 404/405 200/405"),
    ("organisation-logo", "org", "404/405 404/405 404/405 404/405 404/405"),
    ("organisation-edit", "org", "302/302 403/403 200/200 403/403 200/200"),
    ("organisation-edit", "proposed", "302/302 404/404 404/404 404/404 200/200"),
    ("organisation-history", "org", "200/405 200/405 200/405 200/405 200/405"),
    ("organisation-history", "proposed", "404/405 404/405 404/405 404/405 200/405"),
    ("organisation-follow", "org", "302/302 405/302 405/302 405/403 405/302"),
    ("organisation-interest", "org", "302/302 200/200 403/403 403/403 200/200"),
    ("organisation-interest", "proposed", "302/302 404/404 404/404 404/404 403/403"),
    ("interest-inbox", "org", "302/302 403/403 200/200 403/403 200/200"),
    ("manager-invite", "org", "302/302 403/403 200/200 403/403 200/200"),
    ("manager-invite", "proposed", "302/302 404/404 404/404 404/404 200/200"),
    ("offer-create", "org", "302/302 403/403 200/200 403/403 200/200"),
    ("offer-create", "proposed", "302/302 404/404 404/404 404/404 403/403"),
    ("event-create", "org", "302/302 403/403 200/200 403/403 200/200"),
    ("event-list", None, "200/405 200/405 200/405 200/405 200/405"),
    ("event-ical", None, "200/405 200/405 200/405 200/405 200/405"),
    ("event-calendar", None, "200/405 200/405 200/405 200/405 200/405"),
    ("event-ics", "event", "200/405 200/405 200/405 200/405 200/405"),
    ("event-detail", "event", "200/405 200/405 200/405 200/405 200/405"),
    ("event-edit", "event", "302/302 403/403 200/200 403/403 200/200"),
]


def _args(orgs, obj):
    if obj is None:
        return []
    value = getattr(orgs, obj)
    return [getattr(value, "slug", None) or value.pk]


@pytest.fixture
def users(orgs, alice, bob, dave, staff):
    return {"anon": None, "alice": alice, "bob": bob, "dave": dave, "staff": staff}


def _status(client, method, url):
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_organisation_permission_matrix(persona, orgs, users):
    client = Client()
    if users[persona] is not None:
        client.force_login(users[persona])
    column = PERSONAS.index(persona)
    wrong = []
    for name, obj, expected in MATRIX:
        url = reverse(f"organisations:{name}", args=_args(orgs, obj))
        got = f"{_status(client, 'get', url)}/{_status(client, 'post', url)}"
        if got != expected.split()[column]:
            wrong.append(f"{name}[{obj}] {url}: got {got}, expected {expected.split()[column]}")
    assert wrong == []


def test_matrix_declares_every_organisation_url():
    names = {p.name for p in org_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names - {name for name, _, _ in MATRIX} == set(), "add these URL names to MATRIX"


def test_post_without_csrf_token_is_refused(orgs, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    wrong = []
    for name, obj, expected in MATRIX:
        if expected.split()[-1].endswith("/405"):
            continue
        url = reverse(f"organisations:{name}", args=_args(orgs, obj))
        if (status := _status(client, "post", url)) != 403:
            wrong.append(f"{url}: {status}")
    assert wrong == []


def test_suspended_organisation_is_frozen_for_its_managers(orgs, bob, staff, login):
    from community.organisations import actions

    actions.suspend_organisation(orgs.org, staff, "review")
    client = login(bob)
    assert client.get(reverse("organisations:organisation-detail", args=[orgs.org.slug])).status_code == 200
    for name in ("organisation-edit", "offer-create", "manager-invite"):
        assert client.get(reverse(f"organisations:{name}", args=[orgs.org.slug])).status_code == 403, name
    assert client.get(reverse("organisations:offer-edit", args=[orgs.offer.pk])).status_code == 403
    assert login(None).get(reverse("organisations:event-detail", args=[orgs.event.pk])).status_code == 404
