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
