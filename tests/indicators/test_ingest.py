import gzip
import math

import pytest
from django.db import connection

from indicators import refresh
from indicators.loading import current_generation
from indicators.models import Indicator, IndicatorValue, Observation, Release, Run, Source
from tests.indicators.factories import load_codelists, sbs_tsv
from tests.indicators.malformed import CASES

pytestmark = pytest.mark.django_db

SOURCE = "sbs_na_sca_r2"


@pytest.fixture
def universe(reference):
    load_codelists()


def write(tmp_path, raw: bytes, name="sbs.tsv.gz"):
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def ingest_bytes(tmp_path, raw: bytes, **kwargs) -> Run:
    return refresh.ingest(SOURCE, path=write(tmp_path, raw), **kwargs)


def snapshot():
    """Everything an ingest may change."""
    source = Source.objects.get(code=SOURCE)
    return (
        Observation.objects.count(),
        Release.objects.count(),
        source.current_release_id,
        current_generation(),
        sorted(Release.objects.values_list("pk", "status")),
    )


def test_ingest_loads_a_current_release_with_values_and_flags(universe, tmp_path):
    raw = sbs_tsv({("C25", "V16110", "DE", "2014"): ": c", ("I55", "V16110", "FR", "2013"): "77 e"})
    run = ingest_bytes(tmp_path, raw)
    assert run.status == Run.Status.SUCCEEDED, run.error
    release = Source.objects.get(code=SOURCE).current_release
    assert release.row_count == Observation.objects.filter(release=release).count() == 7 * 4 * 3 * 2
    assert release.period_min == "2013" and release.period_max == "2014"
    confidential = Observation.objects.get(
        release=release, nace="C25", measure="V16110", geo="DE", period="2014"
    )
    assert confidential.value is None and confidential.flags == "c"
    estimated = Observation.objects.get(
        release=release, nace="I55", measure="V16110", geo="FR", period="2013"
    )
    assert estimated.value == 77 and estimated.flags == "e"


def test_reingest_of_identical_bytes_is_a_no_op(universe, tmp_path):
    raw = sbs_tsv()
    first = ingest_bytes(tmp_path, raw)
    before = snapshot()
    second = ingest_bytes(tmp_path, raw)
    assert first.status == Run.Status.SUCCEEDED
    assert second.status == Run.Status.UNCHANGED
    assert "nothing changed" in second.message
    assert snapshot() == before


def test_new_vintage_becomes_current_and_old_release_stays_readable(universe, tmp_path):
    old = ingest_bytes(tmp_path, sbs_tsv()).release
    new = ingest_bytes(tmp_path, sbs_tsv({("C25", "V16110", "AT", "2014"): "999 p"})).release
    old.refresh_from_db()
    assert Source.objects.get(code=SOURCE).current_release == new
    assert old.status == Release.Status.SUPERSEDED
    assert (
        Observation.objects.get(release=old, nace="C25", measure="V16110", geo="AT", period="2014").value
        != 999
    )
    assert (
        Observation.objects.get(release=new, nace="C25", measure="V16110", geo="AT", period="2014").value
        == 999
    )


def test_failure_in_the_middle_of_a_load_leaves_the_previous_release_current(universe, tmp_path):
    ingest_bytes(tmp_path, sbs_tsv())
    before = snapshot()

    def crash():
        raise RuntimeError("worker killed between COPY and swap")

    with pytest.raises(RuntimeError):
        ingest_bytes(tmp_path, sbs_tsv({("C", "V16110", "AT", "2014"): "1 "}), fail_after_copy=crash)
    assert snapshot() == before
    assert Run.objects.latest("created_at").status == Run.Status.FAILED
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tablename ILIKE '%%stag%%'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize(("name", "raw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_file_is_rejected_and_changes_nothing(universe, tmp_path, name, raw, expected):
    ingest_bytes(tmp_path, sbs_tsv())
    before = snapshot()
    run = ingest_bytes(tmp_path, raw)
    assert run.status == Run.Status.FAILED
    assert expected in run.error
    assert snapshot() == before


DB_CASES = [
    ("unknown geo code", {("C25", "V16110", "AT", "2014"): None}, "XX", "unknown geo code 'XX'"),
    ("unknown NACE code", None, "C99", "unknown nace_r2 code 'C99'"),
    ("negative employment", {("C25", "V16110", "DE", "2014"): "-5 "}, None, "implausible value -5"),
    (
        "absurd enterprise count",
        {("C25", "V11110", "FR", "2013"): "9e12 "},
        None,
        "implausible value 9e+12",
    ),
]


@pytest.mark.parametrize(
    ("name", "overrides", "bad_code", "expected"), DB_CASES, ids=[c[0] for c in DB_CASES]
)
def test_invalid_codes_and_values_are_rejected_naming_the_line(
    universe, tmp_path, name, overrides, bad_code, expected
):
    ingest_bytes(tmp_path, sbs_tsv())
    before = snapshot()
    text = gzip.decompress(sbs_tsv({k: v for k, v in (overrides or {}).items() if v})).decode()
    if bad_code == "XX":
        text = text.replace("C25,V16110,AT", "C25,V16110,XX")
    elif bad_code:
        text = text.replace("C25,", f"{bad_code},")
    run = ingest_bytes(
        tmp_path,
        text.encode(),
    )
    assert run.status == Run.Status.FAILED
    assert expected in run.error
    assert "line " in run.error and "sbs.tsv.gz" in run.error
    assert snapshot() == before


def test_file_of_the_wrong_dataset_is_rejected(universe, tmp_path):
    ingest_bytes(tmp_path, sbs_tsv())
    before = snapshot()
    sdmx = (
        b"DATAFLOW,LAST UPDATE,freq,airpol,nace_r2,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
        b"ESTAT:X(1.0),20/12/22 23:00:00,A,CO2,TOTAL,KG_HAB,AT,2019,7500.5,\n"
    )
    run = ingest_bytes(tmp_path, sdmx)
    assert run.status == Run.Status.FAILED
    assert "sdmx-csv-1" in run.error
    assert snapshot() == before


def test_one_refresh_per_source_at_a_time(universe, tmp_path):
    import zlib

    import psycopg

    key = zlib.crc32(f"ingest:{SOURCE}".encode())
    settings_dict = connection.settings_dict
    other = psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
        **settings_dict.get("OPTIONS", {}),
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [key])
        run = ingest_bytes(tmp_path, sbs_tsv())
    finally:
        other.close()
    assert run.status == Run.Status.SKIPPED
    assert Release.objects.count() == 0


def test_recompute_swaps_in_ecosystem_indicators(universe, tmp_path):
    ingest_bytes(tmp_path, sbs_tsv())
    generation = current_generation()
    run = refresh.recompute()
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert current_generation() == generation + 1
    first = IndicatorValue.objects.count()
    assert first > 0
    # (The sample's few members give no EU figure, hence no LQ: see test_compute_ecosystems.)
    assert set(IndicatorValue.objects.values_list("indicator_id", flat=True)) >= {
        "emp",
        "va",
        "share_emp",
    }
    # Recomputing replaces, never duplicates.
    refresh.recompute()
    assert IndicatorValue.objects.count() == first
    emp = IndicatorValue.objects.filter(indicator_id="emp", geo="AT", period="2014")
    assert emp.exists()
    assert all(v.value is None or not math.isnan(v.value) for v in emp)


def test_recompute_without_any_release_is_skipped(reference):
    run = refresh.recompute()
    assert run.status == Run.Status.SKIPPED
    assert IndicatorValue.objects.count() == 0


def test_a_run_whose_worker_is_gone_is_failed_and_offered_for_retry(universe):
    """Dead = no heartbeat for a while AND no database session holding the run's lock; a live
    worker in a slow step (old heartbeat, lock held) is left alone."""
    from datetime import timedelta

    from django.utils import timezone

    an_hour_ago = timezone.now() - timedelta(hours=1)
    dead = Run.objects.create(
        kind=Run.Kind.INGEST, source_id=SOURCE, status=Run.Status.RUNNING, heartbeat_at=an_hour_ago
    )
    slow = refresh.start_run(Run.Kind.INGEST, "isoc_eb_ai")  # this session holds its lock
    Run.objects.filter(pk=slow.pk).update(heartbeat_at=an_hour_ago)
    fresh = refresh.start_run(Run.Kind.INGEST, "isoc_e_dii")
    refresh._unlock_run(fresh)  # its worker died a moment ago: lock gone, heartbeat recent
    retry = refresh.reap_stale_runs()
    for run in (dead, slow, fresh):
        run.refresh_from_db()
    assert [r.pk for r in retry] == [dead.pk]
    assert dead.status == Run.Status.FAILED and "no heartbeat" in dead.error
    assert slow.status == Run.Status.RUNNING and fresh.status == Run.Status.RUNNING
    refresh.finish(slow, Run.Status.SUCCEEDED)
    assert refresh.reap_stale_runs() == []


def test_a_task_delivered_again_after_its_run_finished_changes_nothing(universe):
    from indicators.models import Release

    run = refresh.start_run(Run.Kind.INGEST, SOURCE)
    refresh.finish(run, Run.Status.FAILED, "reaped")
    releases = Release.objects.count()
    again = refresh.ingest(SOURCE, run=Run.objects.get(pk=run.pk))
    again.refresh_from_db()
    assert (again.status, again.message) == (Run.Status.FAILED, "reaped")
    assert Release.objects.count() == releases


def test_sync_registry_rewrites_only_rows_that_differ_in_few_queries(universe, tmp_path):
    from django.test.utils import CaptureQueriesContext

    from indicators.registry import INDICATORS, SOURCES

    release = ingest_bytes(tmp_path, sbs_tsv()).release
    Source.objects.filter(code=SOURCE).update(title="edited by hand")
    code = next(iter(INDICATORS))
    Indicator.objects.filter(code=code).update(decimals=9)
    Indicator.objects.filter(code=next(reversed(INDICATORS))).delete()
    with CaptureQueriesContext(connection) as queries:
        refresh.sync_registry()
    source = Source.objects.get(code=SOURCE)
    assert source.title == SOURCES[SOURCE].title
    assert source.current_release_id == release.pk  # columns the registry does not own are kept
    assert Indicator.objects.get(code=code).decimals == INDICATORS[code].decimals
    assert Indicator.objects.count() == len(INDICATORS)
    assert len(queries) <= 4, [q["sql"][:80] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        refresh.sync_registry()
    assert len(queries) == 2  # nothing differs: two reads, no write
