"""Shared fixtures: the data mirror, reference data, personas.

The tiny test universe: reference data from fixtures/ (countries, 14 ecosystems, mapping v1) and
code lists built from the hand-made samples; the real mirror only in tests marked `mirror`.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "fixtures" / "samples"


# Tests that must not run at the same time as each other on parallel workers (pytest-xdist, `make
# test`): each group runs whole, in order, on one worker while the other tests spread over the rest.
#  - browser: one Chromium and one live server at a time is plenty on a 2-core machine;
#  - celery_worker: the real Celery worker processes share one Redis database (CELERY_TEST_REDIS_URL)
#    and would take each other's tasks (each test process has its own test database).
# The xdist controller sees test ids only, not marks, so a group is the files it lives in; a marked
# test outside its group's files stops the run (below) rather than silently running alongside.
SERIAL_GROUPS = {
    "browser": ("tests/e2e/",),
    "celery_worker": (
        "tests/indicators/test_celery_worker.py",
        "tests/indicators/test_worker_faults.py",
        "tests/community/test_digest_worker.py",
        "tests/observatory/test_background_priority.py",
    ),
}


def serial_group(nodeid: str) -> str | None:
    for group, prefixes in SERIAL_GROUPS.items():
        if nodeid.startswith(prefixes):
            return group
    return None


def pytest_collection_modifyitems(items):
    strays = [
        f"{item.nodeid} (marked {group})"
        for item in items
        for group in SERIAL_GROUPS
        if item.get_closest_marker(group) and serial_group(item.nodeid) != group
    ]
    if strays:
        raise pytest.UsageError(
            "tests outside their serial group's files (tests/conftest.py SERIAL_GROUPS): " + ", ".join(strays)
        )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` (pyproject.toml) by SERIAL_GROUPS. xdist's own loadgroup reads
    `xdist_group` marks through a node-id rewrite that pytest 9.2 no longer honours (xdist issue
    1386: the marks are silently ignored), so the groups are decided here from the test ids."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SerialGroupScheduling(LoadScopeScheduling):
        """One work unit per group, every other test file a unit of its own (as `--dist loadfile`:
        a module-scoped fixture, e.g. a real mirror file read once, is built on one worker only)."""

        def _split_scope(self, nodeid: str) -> str:
            return serial_group(nodeid) or nodeid.split("::", 1)[0]

    return SerialGroupScheduling(config, log)


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
    """Countries, ecosystems and mapping v1 from fixtures/ (no network, no mirror): loaded once per
    session (per xdist worker, ~0.9 s) and restored per test by COPY (~0.03 s, tests/dbsnapshot.py)."""
    from tests import dbsnapshot

    dbsnapshot.restore_or_take("reference", _load_reference)


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
    offline = {
        "OBSERVATORY_RAW_DIR": folder / "raw",
        "OBSERVATORY_DATA_MIRROR": str(folder / "offline-mirror"),
    }
    with django_db_blocker.unblock(), override_settings(**offline):

        def build():
            _load_reference()
            load_profiles_universe(folder)

        return dbsnapshot.take(build)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Generation numbers repeat between tests (each rolls back), data do not: whatever is cached
    by generation (selectors, pages, the pages' valid parameter values) is forgotten before every
    test."""
    from django.core.cache import cache

    from indicators import pages

    cache.clear()  # this process's local-memory cache: selectors are keyed by generation too
    pages.forget_domains()
    yield


@pytest.fixture
def loaded_profiles(profiles_snapshot, db, raw_dir):
    """The profile pages' universe, restored from the session's snapshot (same rows as building it
    in the test: reference data + national and regional SBS samples, recomputed)."""
    from django.core.cache import cache

    from indicators import pages
    from tests import dbsnapshot

    cache.clear()
    pages.forget_domains()  # generation numbers repeat between tests (rolled back), data do not
    dbsnapshot.restore(profiles_snapshot)
    yield
    cache.clear()
    pages.forget_domains()


@pytest.fixture
def redis_url():
    """A real Redis for Celery-worker tests (tests/celery_harness.py), or a skip saying why."""
    from tests.celery_harness import redis_or_skip

    return redis_or_skip()
