"""Factories for forum objects (plain functions: no factory library needed)."""

import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from community import actions
from community.models import Membership, Space

_seq = itertools.count(1)


def make_user(email=None, verified=True, old=True, **extra):
    from datetime import timedelta

    from django.utils import timezone

    email = email or f"user{next(_seq)}@example.eu"
    user = get_user_model().objects.create_user(email=email, password="correct horse 42", **extra)
    if old:  # older than the new-account window unless a test is about new accounts
        user.date_joined = timezone.now() - timedelta(days=60)
        user.save(update_fields=["date_joined"])
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_space(slug=None, private=False, **extra):
    slug = slug or f"space-{next(_seq)}"
    return Space.objects.create(
        slug=slug, name=extra.pop("name", slug.replace("-", " ").title()), is_private=private, **extra
    )


def add_member(space, user, role=Membership.Role.MEMBER):
    return Membership.objects.create(space=space, user=user, role=role)


def make_thread(space, author, title="A thread about dependencies", body="First post body.", **extra):
    return actions.create_thread(space, author, title, body, **extra)


def make_post(thread, author, body=None):
    return actions.reply(thread, author, body or f"A reply number {next(_seq)}.")


# --- organisations, offers, events (tests make their own; nothing is shipped) -----------------


def make_geo():
    """Two countries, three NUTS 2 regions, two ecosystems and a technology: the test universe."""
    from ecosystems.models import Country, Ecosystem, Region
    from observatory.models import Technology

    for code, name in [("DE", "Germany"), ("FR", "France")]:
        Country.objects.get_or_create(code=code, defaults={"name": name, "iso2": code, "eu27_2020": True})
    for code, name in [("DE11", "Stuttgart"), ("DE12", "Karlsruhe"), ("FRK2", "Rhône-Alpes")]:
        Region.objects.get_or_create(
            code=code, version=2021, defaults={"level": 2, "country": code[:2], "name": name}
        )
        Region.objects.get_or_create(
            code=code[:3], version=2021, defaults={"level": 1, "country": code[:2], "name": name}
        )
    mobility, _ = Ecosystem.objects.get_or_create(
        slug="mobility", defaults={"name": "Mobility–Transport–Automotive"}
    )
    digital, _ = Ecosystem.objects.get_or_create(slug="digital", defaults={"name": "Digital"})
    robotics, _ = Technology.objects.get_or_create(slug="robotics", defaults={"name": "Robotics"})
    return mobility, digital, robotics


def make_organisation(proposer, staff=None, name=None, approved=True, ecosystems=(), **fields):
    from community.organisations import actions as org_actions

    data = {"name": name or f"Test cluster {next(_seq)}", "legal_form": "association", "country_id": "DE",
            "region": "DE11", "description": "A test cluster organisation.", **fields}  # fmt: skip
    org = org_actions.propose_organisation(proposer, data, ecosystems=ecosystems)
    if approved:
        org_actions.approve_organisation(org, staff or proposer)
    return org


def make_offer(org, user, title=None, ecosystems=(), **fields):
    from community.organisations import actions as org_actions

    data = {"kind": "partner-search", "title": title or f"Partners wanted {next(_seq)}",
            "description": "We look for partners.", **fields}  # fmt: skip
    return org_actions.create_offer(org, user, data, ecosystems=ecosystems)


def make_event(org, user, title=None, days=10, **fields):
    from datetime import timedelta

    from django.utils import timezone

    from community.organisations import actions as org_actions

    start = timezone.now() + timedelta(days=days)
    data = {"kind": "matchmaking", "title": title or f"Matchmaking {next(_seq)}", "starts_at": start,
            "ends_at": start + timedelta(hours=3), "location": "Stuttgart", **fields}  # fmt: skip
    return org_actions.create_event(org, user, data)
