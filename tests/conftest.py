"""Shared fixtures: the data mirror, reference data, personas.

The tiny test universe: reference data from fixtures/ (countries, 14 ecosystems, mapping v1) and
code lists built from the hand-made samples; the real mirror only in tests marked `mirror`.
"""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "fixtures" / "samples"


# Tests whose mark ties them to certain files (a marked test elsewhere stops the run, below):
#  - browser: the package-scoped Chromium (tests/e2e/conftest.py) lives in tests/e2e/;
#  - celery_worker: the real Celery worker processes share one Redis database (CELERY_TEST_REDIS_URL)
#    and would take each other's tasks (each test process has its own test database), so these files
#    run as ONE work unit, whole and in order, on one worker (SERIAL_GROUPS).
# Browser files are work units of their own: each worker that takes one opens its own Chromium
# against its own live server and test database (one group of all of them was 150 s on one worker
# while the other had run out of work).
MARKED_FILES = {
    "browser": ("tests/e2e/",),
    "celery_worker": (
        "tests/indicators/test_celery_worker.py",
        "tests/indicators/test_worker_faults.py",
        "tests/community/test_digest_worker.py",
        "tests/observatory/test_background_priority.py",
    ),
}
SERIAL_GROUPS = {"celery_worker": MARKED_FILES["celery_worker"]}
# Seconds each work unit took (setup + call + teardown of its tests), measured by
# `make test PYTEST_ARGS=--record-unit-weights`; the scheduler hands out the heaviest units first, so
# no long file starts while the other worker is about to run out of work. Ours, refreshed by hand;
# a stale or missing entry costs balance only (an unknown unit counts UNKNOWN_TEST_SECONDS a test).
UNIT_WEIGHTS = ROOT / "tests" / "unit_weights.json"
UNKNOWN_TEST_SECONDS = 0.3


def serial_group(nodeid: str) -> str | None:
    for group, prefixes in SERIAL_GROUPS.items():
        if nodeid.startswith(prefixes):
            return group
    return None


def work_unit(nodeid: str) -> str:
    """A serial group, or else the test's file (as `--dist loadfile`: a module-scoped fixture, e.g.
    a real mirror file read once, is built on one worker only)."""
    return serial_group(nodeid) or nodeid.split("::", 1)[0]


def pytest_addoption(parser):
    parser.addoption(
        "--record-unit-weights",
        action="store_true",
        help=f"write each work unit's seconds to {UNIT_WEIGHTS.relative_to(ROOT)} (the scheduler's order)",
    )


def pytest_collection_modifyitems(items):
    strays = [
        f"{item.nodeid} (marked {mark})"
        for item in items
        for mark, prefixes in MARKED_FILES.items()
        if item.get_closest_marker(mark) and not item.nodeid.startswith(prefixes)
    ]
    if strays:
        raise pytest.UsageError(
            "tests outside their mark's files (tests/conftest.py MARKED_FILES): " + ", ".join(strays)
        )


_UNIT_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """On the controller (or a run without -n): every phase's duration, summed by work unit."""
    unit = work_unit(report.nodeid)
    _UNIT_SECONDS[unit] = _UNIT_SECONDS.get(unit, 0.0) + report.duration


def pytest_sessionfinish(session):
    config = session.config
    if config.getoption("--record-unit-weights") and not hasattr(config, "workerinput") and _UNIT_SECONDS:
        # A run of part of the suite updates its units and keeps the others' measured seconds.
        weights = unit_weights() | {unit: round(seconds, 1) for unit, seconds in _UNIT_SECONDS.items()}
        UNIT_WEIGHTS.write_text(json.dumps(dict(sorted(weights.items())), indent=1) + "\n")


def unit_weights() -> dict[str, float]:
    try:
        return json.loads(UNIT_WEIGHTS.read_text())
    except (OSError, ValueError):
        return {}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` (pyproject.toml) by work_unit(). xdist's own loadgroup reads
    `xdist_group` marks through a node-id rewrite that pytest 9.2 no longer honours (xdist issue
    1386: the marks are silently ignored), so the units are decided here from the test ids."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    weights = unit_weights()

    class WeightedUnitScheduling(LoadScopeScheduling):
        """Units by work_unit(), handed out heaviest first (longest processing time first: the
        last units to start are the short ones). xdist's own order is by number of tests, which
        put a one-test file of 30 s (the PL91 page on the real regional file) last."""

        _ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

        def _assign_work_unit(self, node):
            if not self._ordered:
                self._ordered = True
                units = sorted(
                    self.workqueue.items(),
                    key=lambda unit: -weights.get(unit[0], UNKNOWN_TEST_SECONDS * len(unit[1])),
                )
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return WeightedUnitScheduling(config, log)


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
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's own setup, except that the default database is cloned from a migrated
    template when one matches the migration files (tests/dbtemplate.py: ~4 s of migrate at each
    worker's start). --reuse-db, --create-db, --no-migrations and serialized rollback keep
    pytest-django's path unchanged."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from tests import dbtemplate

    config = request.config
    aliases, serialized = _get_databases_for_setup(request.session.items)
    verbosity = config.option.verbose
    plain = (
        not dbtemplate.enabled()
        or config.getvalue("reuse_db")
        or config.getvalue("create_db")
        or config.getvalue("nomigrations")
        or serialized
        or aliases - {"default"}
    )

    def migrate():
        return setup_databases(
            verbosity=verbosity, interactive=False, aliases=aliases, serialized_aliases=serialized
        )

    with django_db_blocker.unblock():
        old_config = migrate() if plain else dbtemplate.prepare(verbosity, migrate)
    yield
    with django_db_blocker.unblock():
        teardown_databases(old_config, verbosity=verbosity)


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


@pytest.fixture(scope="session", autouse=True)
def _fast_flush():
    """Transactional tests end by truncating only the tables they filled (tests/fastflush.py)."""
    from tests import fastflush

    fastflush.install()


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
