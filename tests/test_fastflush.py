"""The teardown flush of transactional tests (tests/fastflush.py): the next test starts from an
empty database, with the content types and permissions post_migrate leaves. The tests run in this
order, in one process (a file is one work unit of the scheduler)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from community.models import Space
from observatory.models import User
from tests import fastflush

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_first_transactional_test_leaves_the_kept_tables_as_post_migrate_made_them():
    """Its teardown (the first in a process: Django's own flush) notes what the kept tables hold."""
    assert ContentType.objects.exists()


def test_a_transactional_test_fills_tables_with_references_between_them():
    user = User.objects.create_user(email="flush@example.eu", password="x" * 20)
    group = Group.objects.create(name="curators")
    group.permissions.add(Permission.objects.first())
    user.groups.add(group)
    Space.objects.create(slug="flush-space", name="Flush")
    assert User.objects.count() == 1


def test_the_next_one_starts_empty_with_the_content_types_kept():
    # The two tests before ended here (a Django upgrade that stopped calling the replaced method
    # would bring back the slow flush silently: the database would still be empty).
    assert fastflush.teardowns >= 2
    assert not User.objects.exists()
    assert not Group.objects.exists() and not Group.permissions.through.objects.exists()
    assert not Space.objects.exists()
    assert ContentType.objects.filter(app_label="observatory", model="user").exists()
    assert Permission.objects.filter(codename="add_user").exists()


def test_a_changed_permission_table_gets_djangos_own_flush():
    Permission.objects.filter(codename="add_user").delete()
    Group.objects.create(name="left over")
    fastflush.flush("default")  # as at teardown: Django's flush, then post_migrate recreates them
    assert Permission.objects.filter(codename="add_user").exists()
    assert not Group.objects.exists()
