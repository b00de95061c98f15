"""Forum personas: alice (member), bob (moderator), carol (outsider), dave (unverified), staff.

`forum` builds one open and one private space with a thread and a reply in each.
"""

from types import SimpleNamespace

import pytest
from django.test import Client

from community.models import Membership

from .factories import add_member, make_post, make_space, make_thread, make_user


@pytest.fixture
def alice(db):
    return make_user("alice@example.eu", display_name="Alice")


@pytest.fixture
def bob(db):
    return make_user("bob@example.eu", display_name="Bob")


@pytest.fixture
def carol(db):
    return make_user("carol@example.eu", display_name="Carol")


@pytest.fixture
def dave(db):
    """Signed up but never verified the email address."""
    return make_user("dave@example.eu", verified=False)


@pytest.fixture
def forum(db, alice, bob, carol, staff):
    open_space = make_space("open-test", name="Open test space")
    private = make_space("private-test", private=True, name="Private test space")
    add_member(private, alice)
    add_member(private, bob, Membership.Role.MODERATOR)
    add_member(open_space, bob, Membership.Role.MODERATOR)
    open_thread = make_thread(
        open_space, alice, "Open thread on productivity", "Public words about productivity."
    )
    private_thread = make_thread(
        private, bob, "Private thread on magnesium", "Secret words about magnesium imports."
    )
    open_reply = make_post(open_thread, bob, "A public reply.")
    private_reply = make_post(private_thread, alice, "A private reply about magnesium.")
    return SimpleNamespace(
        open=open_space,
        private=private,
        open_thread=open_thread,
        private_thread=private_thread,
        open_post=open_thread.posts.first(),
        private_post=private_thread.posts.first(),
        open_reply=open_reply,
        private_reply=private_reply,
    )


@pytest.fixture
def login():
    def _login(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture
def orgs(db, alice, bob, carol, staff):
    """Organisation personas: bob manages an approved organisation with an open offer and an event;
    alice and carol are verified members; a proposed (unapproved) profile by carol."""
    from .factories import make_event, make_geo, make_offer, make_organisation

    mobility, digital, robotics = make_geo()
    org = make_organisation(bob, staff, name="Autocluster Stuttgart", ecosystems=[mobility])
    offer = make_offer(org, bob, title="Battery recycling partners", ecosystems=[mobility], regions=["FR"])
    event = make_event(org, bob, title="Automotive matchmaking day")
    proposed = make_organisation(carol, name="Pending network", approved=False)
    return SimpleNamespace(
        org=org,
        offer=offer,
        event=event,
        proposed=proposed,
        mobility=mobility,
        digital=digital,
        robotics=robotics,
    )
