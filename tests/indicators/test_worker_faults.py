"""Fault drill: a real Celery worker SIGKILLed in the middle of an ingest, and of a recompute.

The worker pauses at a checkpoint inside the load's (or the swap's) transaction
(indicators/drills.py: rows COPYed, nothing committed) and is killed there with SIGKILL, as the
kernel's OOM killer or a lost machine would. Throughout, the API and a country page serve the
previous data (polled). A fresh worker then runs the beat's reaper, which fails the dead run
(nobody holds its lock) and retries it as a new run; the indicator values end identical — same
md5 over their ordered rows, citing the same release bytes — to a clean run of the same refresh
from the same state.

Runs wherever a Redis answers at CELERY_TEST_REDIS_URL (skipped with the reason otherwise).
"""

import re
import signal

import pytest
from django.core.cache import cache
from django.db import connection

from indicators.models import IndicatorValue, Release, Run
from tests import dbsnapshot
from tests.celery_harness import broker, start_worker, stop_worker, wait_for
from tests.conftest import _load_reference
from tests.indicators.factories import load_codelists, sbs_tsv
from tests.indicators.test_celery_worker import api_value, plain_ecosystem_emp

pytestmark = [pytest.mark.celery_worker, pytest.mark.drill, pytest.mark.django_db(transaction=True)]

SOURCE = "sbs_na_sca_r2"
WHERE = {"indicator": "emp", "ecosystem": "aerospace-defence", "geo": "AT", "period": "2014"}
# The new vintage: two AT cells of divisions in the aerospace-defence ecosystem changed.
NEWER = {("C30", "V16110", "AT", "2014"): "4321 ", ("C25", "V16110", "AT", "2014"): "1234 "}


def values_checksum() -> tuple[int, str]:
    """Row count and md5 over the ordered indicator values, each with the sha256 of the release
    it cites (ids differ between runs; content must not)."""
    assert (IndicatorValue._meta.db_table, Release._meta.db_table) == (
        "indicators_indicatorvalue",
        "indicators_release",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), md5(coalesce(string_agg(t, E'\\n' ORDER BY t), '')) FROM ("
            " SELECT (v.indicator_id, v.ecosystem, v.geo, v.period, v.value, v.flags, v.markers,"
            "  v.rank, r.sha256, v.mapping_version, v.published_geo, v.geo_version, v.base_period,"
            "  v.missing_geos, v.estimated_geos, v.parameter_version)::text AS t"
            " FROM indicators_indicatorvalue v JOIN indicators_release r ON r.id = v.release_id) AS rows"
        )
        return tuple(cursor.fetchone())


def country_figure(client) -> str:
    cache.clear()
    response = client.get("/countries/AT/")
    assert response.status_code == 200
    return re.search(r'class="kf-value">([^<]+)<', response.content.decode()).group(1)


class Drill:
    """The state before the refresh (v1 loaded and recomputed) as a snapshot, and what a clean
    refresh to v2 gives from it."""

    def __init__(self, tmp_path, settings, client):
        self.mirror = tmp_path / "mirror"
        (self.mirror / "eurostat").mkdir(parents=True)
        self.raw = tmp_path / "raw"
        settings.OBSERVATORY_DATA_MIRROR = str(self.mirror)
        settings.OBSERVATORY_RAW_DIR = self.raw
        self.client, self.signal = client, tmp_path / "paused"
        self.publish(sbs_tsv())
        self.before = dbsnapshot.take(self._build_v1)
        dbsnapshot.restore(self.before)
        self.old = (values_checksum(), api_value(client, **WHERE), country_figure(client))
        assert self.old[1] == pytest.approx(plain_ecosystem_emp(sbs_tsv(), "aerospace-defence", "AT", "2014"))
        self.publish(sbs_tsv(NEWER))
        from indicators import refresh

        clean = refresh.refresh_sources([SOURCE], inline=True)
        assert [r.status for r in clean] == [Run.Status.SUCCEEDED] * 2
        self.new = (values_checksum(), api_value(client, **WHERE), country_figure(client))
        plain = plain_ecosystem_emp(sbs_tsv(NEWER), "aerospace-defence", "AT", "2014")
        assert self.new[1] == pytest.approx(plain)
        assert all(o != n for o, n in zip(self.old, self.new, strict=True))
        dbsnapshot.restore(self.before)  # back to v1 loaded: the drill refreshes from here
        assert values_checksum() == self.old[0]
        self.polls: list[tuple] = []

    def _build_v1(self):
        from indicators import refresh

        _load_reference()
        load_codelists()
        runs = refresh.refresh_sources([SOURCE], inline=True)
        assert [r.status for r in runs] == [Run.Status.SUCCEEDED] * 2

    def publish(self, raw: bytes):
        (self.mirror / "eurostat" / f"{SOURCE}.tsv.gz").write_bytes(raw)

    def worker(self, redis_url, **env):
        return start_worker(
            redis_url,
            OBSERVATORY_DATA_MIRROR=str(self.mirror),
            OBSERVATORY_RAW_DIR=str(self.raw),
            OBSERVATORY_TESTING="1",
            OBSERVATORY_REAP_AFTER="1",
            **env,
        )

    def poll(self) -> tuple:
        """What the pages serve now: the values' checksum, an API value, a country page figure."""
        seen = (values_checksum(), api_value(self.client, **WHERE), country_figure(self.client))
        self.polls.append(seen)
        return seen


@pytest.fixture
def drill(redis_url, tmp_path, settings, client):
    return Drill(tmp_path, settings, client)


def kill_mid(drill: Drill, redis_url: str, checkpoint: str) -> Run:
    """Refresh through the beat's check_sources on a worker that pauses at CHECKPOINT; SIGKILL it
    there. Returns the run it was executing, as the database still shows it."""
    from indicators import tasks

    first_new = (Run.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    proc = drill.worker(
        redis_url, OBSERVATORY_PAUSE_AT=checkpoint, OBSERVATORY_PAUSE_SIGNAL=str(drill.signal)
    )
    try:
        with broker(redis_url) as conn:
            tasks.check_sources.apply_async(connection=conn)
        assert wait_for(lambda: drill.signal.exists() or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, "the worker died before reaching the checkpoint"
        pid = int(drill.signal.read_text().split()[0])
        assert pid == proc.pid and drill.signal.read_text().split()[1] == checkpoint
        for _ in range(3):  # mid-transaction: the pages serve the previous data
            assert drill.poll() == drill.old
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        stop_worker(proc)
    killed = Run.objects.get(pk__gte=first_new, status=Run.Status.RUNNING)
    assert drill.poll() == drill.old  # the worker is gone; nothing it wrote is visible
    return killed


def recover(drill: Drill, redis_url: str, killed: Run) -> list[Run]:
    """A fresh worker runs the reaper (the beat task); poll the pages until the retry is done."""
    from indicators import tasks

    proc = drill.worker(redis_url)
    try:
        with broker(redis_url) as conn:
            tasks.reap_stale_runs.apply_async(connection=conn)

            def done():
                seen = drill.poll()
                # Every poll shows one whole state: the old values or the new ones, never a part.
                assert all(s in (o, n) for s, o, n in zip(seen, drill.old, drill.new, strict=True)), seen
                retries = Run.objects.filter(pk__gt=killed.pk, kind=Run.Kind.RECOMPUTE, attempt=2)
                return retries.exclude(status__in=Run.ACTIVE).exists()

            assert wait_for(done, timeout=90), "the reaper's retry did not finish"
    finally:
        stop_worker(proc)
    return list(Run.objects.filter(pk__gte=killed.pk).order_by("pk"))


def test_a_worker_killed_mid_ingest_is_reaped_and_retried_to_the_clean_result(drill, redis_url):
    killed = kill_mid(drill, redis_url, "ingest:copied")
    assert killed.kind == Run.Kind.INGEST and killed.source_id == SOURCE
    assert Release.objects.filter(source_id=SOURCE).count() == 1  # the copied release never existed
    runs = recover(drill, redis_url, killed)
    killed.refresh_from_db()
    assert killed.status == Run.Status.FAILED and "database session is gone" in killed.error
    retried = [(r.kind, r.status, r.attempt) for r in runs if r.attempt == 2]
    assert retried == [("ingest", "succeeded", 2), ("recompute", "succeeded", 2)], [
        (r.kind, r.status, r.attempt, r.error) for r in runs
    ]
    assert drill.poll() == drill.new  # identical to the clean run: checksum, API value, page figure
    print(f"ingest drill: {len(drill.polls)} polls, values {drill.old[0]} -> {drill.new[0]}")


def test_a_worker_killed_mid_recompute_is_reaped_and_retried_to_the_clean_result(drill, redis_url):
    killed = kill_mid(drill, redis_url, "recompute:swapped")
    assert killed.kind == Run.Kind.RECOMPUTE
    ingested = Run.objects.filter(pk__lt=killed.pk, kind=Run.Kind.INGEST).latest("pk")
    assert ingested.status == Run.Status.SUCCEEDED  # v2 is current; the values are still v1's
    runs = recover(drill, redis_url, killed)
    killed.refresh_from_db()
    assert killed.status == Run.Status.FAILED and "database session is gone" in killed.error
    assert [(r.kind, r.status) for r in runs if r.attempt == 2] == [("recompute", "succeeded")], [
        (r.kind, r.status, r.attempt, r.error) for r in runs
    ]
    assert drill.poll() == drill.new
    print(f"recompute drill: {len(drill.polls)} polls, values {drill.old[0]} -> {drill.new[0]}")
