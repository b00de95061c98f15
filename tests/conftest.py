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
    from indicators import reference as ref
    from indicators.refresh import sync_registry

    ref.load_countries()
    ref.load_ecosystems()
    sync_registry()


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


@pytest.fixture
def loaded_profiles(reference, tmp_path):
    """The profile pages' universe (tests/universe.py): national + regional SBS samples, recomputed."""
    from django.core.cache import cache

    from tests.universe import load_profiles_universe

    load_profiles_universe(tmp_path)
    yield
    cache.clear()


@pytest.fixture
def redis_url():
    """A real Redis for Celery-worker tests (tests/celery_harness.py), or a skip saying why."""
    from tests.celery_harness import redis_or_skip

    return redis_or_skip()
