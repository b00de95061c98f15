"""Admin actions need the permission they act with: a view-only staff member can run none (issue 17)."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission

from ecosystems.models import MappingVersion
from indicators.models import Run, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user(email="viewer@example.eu", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_source", "view_mappingversion", "view_publication"])
    )
    TOTP.activate(user, generate_totp_secret())
    return user


def _offered_actions(client, url):
    response = client.get(url)
    assert response.status_code == 200
    form = response.context.get("action_form")
    return [] if form is None else [name for name, _ in form.fields["action"].choices]


def test_view_only_staff_cannot_refresh_sources(client, viewer):
    source = Source.objects.create(
        code="toy_src",
        publisher="p",
        title="t",
        licence="l",
        credit="c",
        remote_url="https://e.eu",
        kind="observations",
    )
    client.force_login(viewer)
    url = "/admin/indicators/source/"
    assert "refresh_now" not in _offered_actions(client, url)
    runs = Run.objects.count()
    client.post(url, {"action": "refresh_now", ACTION_CHECKBOX_NAME: [source.pk]})
    assert Run.objects.count() == runs


def test_view_only_staff_cannot_copy_or_make_current(client, viewer):
    current = MappingVersion.objects.filter(is_current=True).first() or MappingVersion.objects.create(
        number=900, is_current=True
    )
    draft = MappingVersion.objects.create(number=901)
    client.force_login(viewer)
    url = "/admin/ecosystems/mappingversion/"
    offered = _offered_actions(client, url)
    assert "copy_as_new_version" not in offered and "make_current" not in offered
    versions = MappingVersion.objects.count()
    client.post(url, {"action": "copy_as_new_version", ACTION_CHECKBOX_NAME: [current.pk]})
    client.post(url, {"action": "make_current", ACTION_CHECKBOX_NAME: [draft.pk]})
    assert MappingVersion.objects.count() == versions
    draft.refresh_from_db()
    current.refresh_from_db()
    assert not draft.is_current and current.is_current


def test_view_only_staff_cannot_publish(client, viewer):
    client.force_login(viewer)
    assert not {"publish", "unpublish"} & set(_offered_actions(client, "/admin/observatory/publication/"))
