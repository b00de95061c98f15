"""Shared fixtures: the data mirror, reference data, personas.

The tiny test universe: reference data from fixtures/ (countries, 14 ecosystems, mapping v1) and
code lists built from the hand-made samples; the real mirror only in tests marked `mirror`.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "fixtures" / "samples"


def mirror_path() -> Path:
    return Path(os.environ.get("OBSERVATORY_DATA_MIRROR") or ROOT.parent / "shared" / "data")


@pytest.fixture
def mirror(settings, raw_dir) -> Path:
    path = mirror_path()
    if not (path / "README.md").is_file():
        pytest.skip(f"data mirror not found at {path} (set OBSERVATORY_DATA_MIRROR)")
    settings.OBSERVATORY_DATA_MIRROR = str(path)
    return path


@pytest.fixture
def raw_dir(settings, tmp_path):
    """Releases' raw bytes go to a temporary folder; an empty mirror keeps tests off the network."""
    settings.OBSERVATORY_RAW_DIR = tmp_path / "raw"
    (tmp_path / "offline-mirror").mkdir()
    settings.OBSERVATORY_DATA_MIRROR = str(tmp_path / "offline-mirror")
    return settings.OBSERVATORY_RAW_DIR


@pytest.fixture
def reference(db, raw_dir):
    """Countries, ecosystems and mapping v1 from fixtures/ (no network, no mirror)."""
    _load_reference()


@pytest.fixture
def alice(django_user_model):
    """A verified member."""
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user(email="alice@example.eu", password="correct horse 42")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def staff(django_user_model):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = django_user_model.objects.create_superuser(email="curator@example.eu", password="correct horse 42")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    # Staff must have TOTP before the admin opens (observatory.middleware.StaffMfaMiddleware).
    TOTP.activate(user, generate_totp_secret())
    return user


def _load_reference():
    from indicators import reference as ref
    from indicators.refresh import sync_registry

    ref.load_countries()
    ref.load_ecosystems()
    sync_registry()


@pytest.fixture(scope="session")
def profiles_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The profile pages' universe (tests/universe.py) built ONCE per session (per xdist worker):
    reference data, then the national + regional SBS samples ingested and recomputed for real, in a
    transaction rolled back and kept as table contents (tests/dbsnapshot.py)."""
    from django.test import override_settings

    from tests import dbsnapshot
    from tests.universe import load_profiles_universe

    folder = tmp_path_factory.mktemp("profiles-universe")
    (folder / "offline-mirror").mkdir()
    # The raw release files stay in this session folder (the releases' raw_path points here).
    settings = {"OBSERVATORY_RAW_DIR": folder / "raw", "OBSERVATORY_DATA_MIRROR": str(folder / "offline-mirror")}
    with django_db_blocker.unblock(), override_settings(**settings):

        def build():
            _load_reference()
            load_profiles_universe(folder)

        return dbsnapshot.take(build)


@pytest.fixture
def loaded_profiles(profiles_snapshot, db, raw_dir):
    """The profile pages' universe, restored from the session's snapshot (same rows as building it
    in the test: reference data + national and regional SBS samples, recomputed)."""
    from django.core.cache import cache

    from tests import dbsnapshot

    cache.clear()
    dbsnapshot.restore(profiles_snapshot)
    yield
    cache.clear()


@pytest.fixture
def redis_url():
    """A real Redis for Celery-worker tests (tests/celery_harness.py), or a skip saying why."""
    from tests.celery_harness import redis_or_skip

    return redis_or_skip()
