"""The worker databases cloned from a migrated template (tests/dbtemplate.py) are the same as a
migrate would give, and a change to any migration file names another template."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from tests import dbtemplate


@pytest.mark.django_db
def test_the_test_database_has_every_migration_on_disk_applied_and_nothing_else():
    loader = MigrationLoader(connection)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert set(loader.applied_migrations) == set(loader.disk_migrations)
    # The post-migrate signals' rows came along too: a content type and permissions per model.
    models = {(m._meta.app_label, m._meta.model_name) for m in apps.get_models()}
    assert models <= set(ContentType.objects.values_list("app_label", "model"))
    expected = {
        (m._meta.app_label, f"{action}_{m._meta.model_name}")
        for m in apps.get_models()
        for action in m._meta.default_permissions
    }
    assert expected <= set(Permission.objects.values_list("content_type__app_label", "codename"))


def test_a_changed_migration_file_names_another_template(monkeypatch):
    before = dbtemplate.migrations_hash()
    assert before == dbtemplate.migrations_hash()  # deterministic
    target = Path(__file__).resolve().parents[1] / "community" / "migrations" / "0001_initial.py"
    assert target.is_file()
    read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: read(p) + (b"#" if p == target else b""))
    assert dbtemplate.migrations_hash() != before


def test_an_added_migration_file_names_another_template(monkeypatch):
    before = dbtemplate.migrations_hash()
    folder = Path(__file__).resolve().parents[1] / "indicators" / "migrations"
    extra = folder / "9999_not_really_here.py"
    rglob = Path.rglob
    monkeypatch.setattr(
        Path, "rglob", lambda p, pattern: [*rglob(p, pattern), *([extra] if p == folder else [])]
    )
    monkeypatch.setattr(Path, "read_bytes", lambda p, read=Path.read_bytes: b"" if p == extra else read(p))
    assert dbtemplate.migrations_hash() != before
