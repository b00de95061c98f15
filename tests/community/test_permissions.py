"""Permission matrix: every community URL x GET/POST x persona, with the status each must get.

Personas: anon (anonymous), alice (member of the private space), bob (moderator of both spaces),
carol (verified outsider: not a member of the private space), dave (member of the private space
whose email is not verified), staff. Objects live in the private space unless the row says "open".
Each request runs in a savepoint that is rolled back, so POSTs do not change what later ones see.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, reverse

from community import urls as community_urls
from community.emails import unsubscribe_token
from ecosystems.models import Ecosystem

PERSONAS = ("anon", "alice", "bob", "carol", "dave", "staff")

# name, object, then "GET/POST" per persona in PERSONAS order.
MATRIX = [
    ("forum-index", None, "200/405 200/405 200/405 200/405 200/405 200/405"),
    ("forum-search", None, "200/405 200/405 200/405 200/405 200/405 200/405"),
    ("notification-list", None, "302/302 200/302 200/302 200/302 200/302 200/302"),
    ("forum-settings", None, "302/302 200/200 200/200 200/200 200/200 200/200"),
    ("unsubscribe", "token", "200/200 200/200 200/200 200/200 200/200 200/200"),
    ("discuss", "ecosystem", "302/302 200/200 200/200 200/200 403/403 200/200"),
    ("panel", "ecosystem", "200/405 200/405 200/405 200/405 200/405 200/405"),
    ("space-detail", "private", "404/405 200/405 200/405 404/405 200/405 200/405"),
    ("space-detail", "open", "200/405 200/405 200/405 200/405 200/405 200/405"),
    ("thread-create", "private", "302/302 200/200 200/200 404/404 403/403 200/200"),
    ("thread-create", "open", "302/302 200/200 200/200 200/200 403/403 200/200"),
    ("space-follow", "private", "302/302 405/302 405/302 405/404 405/302 405/302"),
    ("moderation-queue", "private", "302/302 403/405 200/405 404/405 403/405 200/405"),
    ("moderation-log", "private", "302/302 403/405 200/405 404/405 403/405 200/405"),
    ("member-suspend", "private", "302/302 403/403 200/200 404/404 403/403 200/200"),
    ("thread-detail", "private_thread", "404/405 200/405 200/405 404/405 200/405 200/405"),
    ("thread-detail", "open_thread", "200/405 200/405 200/405 200/405 200/405 200/405"),
    ("thread-reply", "private_thread", "302/302 200/200 200/200 404/404 403/403 200/200"),
    ("thread-reply", "open_thread", "302/302 200/200 200/200 200/200 403/403 200/200"),
    ("thread-follow", "private_thread", "302/302 405/302 405/302 405/404 405/302 405/302"),
    ("thread-moderate", "private_thread", "302/302 403/403 200/200 404/404 403/403 200/200"),
    ("post-permalink", "private_post", "404/405 302/405 302/405 404/405 302/405 302/405"),
    ("post-edit", "private_post", "302/302 403/403 200/200 404/404 403/403 200/200"),
    ("post-edit", "private_reply", "302/302 200/200 200/200 404/404 403/403 200/200"),
    ("post-history", "private_post", "404/405 200/405 200/405 404/405 200/405 200/405"),
    ("post-delete", "private_post", "302/302 405/403 405/302 405/404 405/403 405/302"),
    ("post-delete", "private_reply", "302/302 405/302 405/302 405/404 405/403 405/302"),
    ("post-react", "private_post", "302/302 405/302 405/302 405/404 405/403 405/302"),
    ("post-flag", "private_post", "302/302 200/200 403/403 404/404 403/403 200/200"),
    ("post-moderate", "private_post", "302/302 403/403 200/200 404/404 403/403 200/200"),
]


def _args(forum, obj, alice):
    if obj is None:
        return []
    if obj == "token":
        return [unsubscribe_token(alice)]
    if obj == "ecosystem":
        return ["ecosystem", "digital"]
    value = getattr(forum, obj)
    return [getattr(value, "slug", None) or value.pk]


@pytest.fixture
def users(forum, alice, bob, carol, dave, staff):
    from community.models import Membership

    Membership.objects.create(space=forum.private, user=dave)
    Ecosystem.objects.create(slug="digital", name="Digital")
    return {"anon": None, "alice": alice, "bob": bob, "carol": carol, "dave": dave, "staff": staff}


def _status(client, method, url):
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix_gives_expected_status(persona, forum, users, alice):
    """One test per persona (one fixture build each); every row of MATRIX is checked."""
    client = Client()
    if users[persona] is not None:
        client.force_login(users[persona])
    column = PERSONAS.index(persona)
    wrong = []
    for name, obj, expected in MATRIX:
        url = reverse(f"community:{name}", args=_args(forum, obj, alice))
        got = f"{_status(client, 'get', url)}/{_status(client, 'post', url)}"
        if got != expected.split()[column]:
            wrong.append(f"{name}[{obj}] {url}: got {got}, expected {expected.split()[column]}")
    assert wrong == []


def test_permission_matrix_declares_every_community_url():
    names = {p.name for p in community_urls.urlpatterns if isinstance(p, URLPattern)}
    declared = {name for name, _, _ in MATRIX}
    assert names - declared == set(), "add these URL names to MATRIX"


# The one deliberate exception: the signed token authenticates RFC 8058 one-click unsubscribes,
# which mail clients send without a session or CSRF token.
CSRF_EXEMPT = {"unsubscribe"}


def test_post_without_csrf_token_is_refused(forum, users, alice, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    wrong = []
    for name, obj, expected in MATRIX:
        if expected.split()[-1].endswith("/405"):
            continue  # GET-only URL
        url = reverse(f"community:{name}", args=_args(forum, obj, alice))
        want = 200 if name in CSRF_EXEMPT else 403
        if (status := _status(client, "post", url)) != want:
            wrong.append(f"{url}: {status}")
    assert wrong == []
