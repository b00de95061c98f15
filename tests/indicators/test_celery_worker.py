"""End to end with a real Celery worker on a real Redis: enqueue a refresh, watch the Run rows.

Runs wherever a Redis answers at CELERY_TEST_REDIS_URL (default redis://127.0.0.1:6379/15, as on
CI); skipped with the reason otherwise.
"""

import pytest

from indicators.models import IndicatorValue, Run, Source
from tests.celery_harness import broker, start_worker, stop_worker, wait_for
from tests.indicators.factories import load_codelists, sbs_tsv

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(redis_url, tmp_path, reference):
    """A real worker on the test database, with a mirror holding a sample."""
    load_codelists()
    mirror = tmp_path / "mirror" / "eurostat"
    mirror.mkdir(parents=True)
    (mirror / "sbs_na_sca_r2.tsv.gz").write_bytes(sbs_tsv())
    proc = start_worker(
        redis_url, OBSERVATORY_DATA_MIRROR=str(tmp_path / "mirror"), OBSERVATORY_RAW_DIR=str(tmp_path / "raw")
    )
    yield proc
    stop_worker(proc)


def test_refresh_runs_end_to_end_on_a_real_worker(worker, redis_url, settings):
    from indicators import tasks

    with broker(redis_url) as conn:
        run = Run.objects.create(kind=Run.Kind.INGEST, source_id="sbs_na_sca_r2")
        tasks.ingest_source.apply_async(("sbs_na_sca_r2", run.pk), connection=conn)
        done = wait_for(lambda: Run.objects.get(pk=run.pk).status not in Run.ACTIVE)
        run.refresh_from_db()
        assert done, "the worker did not finish the ingest in time"
        assert run.status == Run.Status.SUCCEEDED, run.error
        assert run.started_at and run.heartbeat_at and run.progress == 100
        assert Source.objects.get(code="sbs_na_sca_r2").current_release_id == run.release_id

        recompute = Run.objects.create(kind=Run.Kind.RECOMPUTE)
        tasks.recompute_indicators.apply_async((recompute.pk,), connection=conn)
        assert wait_for(lambda: Run.objects.get(pk=recompute.pk).status == Run.Status.SUCCEEDED)
        assert IndicatorValue.objects.exists()


def api_value(client, **params) -> float | None:
    import csv
    import io

    from django.core.cache import cache

    cache.clear()
    response = client.get("/api/v1/values/", {**params, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1, rows
    return float(rows[0]["value"])


def plain_ecosystem_emp(raw: bytes, ecosystem: str, geo: str, year: str) -> float:
    """Persons employed of ECOSYSTEM in GEO, YEAR straight from the raw TSV and the mapping CSV."""
    import gzip
    import io

    import pandas as pd

    from tests.conftest import ROOT

    table = pd.read_csv(io.BytesIO(gzip.decompress(raw)), sep="\t", dtype=str)
    keys = table[table.columns[0]].str.split(",", expand=True)
    cells = table[f"{year} "].str.strip()
    mask = (keys[1] == "V16110") & (keys[2] == geo)
    values = dict(zip(keys[0][mask], cells[mask].astype(float), strict=True))
    mapping = pd.read_csv(ROOT / "fixtures" / "reference" / "ecosystem_nace_mapping.csv")
    mapping = mapping[(mapping.iloc[:, 0] == ecosystem) & mapping.iloc[:, 1].isin(values)]
    return float(sum(values[n] * s for n, s in zip(mapping.iloc[:, 1], mapping.iloc[:, 2], strict=True)))


def test_a_new_mirror_vintage_reaches_the_page_values_through_the_beat_task_alone(
    worker, redis_url, tmp_path, settings, client
):
    from indicators import refresh, tasks

    settings.OBSERVATORY_DATA_MIRROR = str(tmp_path / "mirror")
    settings.OBSERVATORY_RAW_DIR = str(tmp_path / "raw")
    first = refresh.refresh_sources(["sbs_na_sca_r2"], inline=True)
    assert [r.status for r in first] == [Run.Status.SUCCEEDED] * 2
    where = {"indicator": "emp", "ecosystem": "aerospace-defence", "geo": "AT", "period": "2014"}
    old = api_value(client, **where)
    assert old == pytest.approx(plain_ecosystem_emp(sbs_tsv(), "aerospace-defence", "AT", "2014"))
    assert refresh.sources_needing_update() == []

    newer = sbs_tsv({("C30", "V16110", "AT", "2014"): "4321 ", ("C25", "V16110", "AT", "2014"): "1234 "})
    (tmp_path / "mirror" / "eurostat" / "sbs_na_sca_r2.tsv.gz").write_bytes(newer)
    assert refresh.sources_needing_update() == ["sbs_na_sca_r2"]
    latest = Run.objects.order_by("-pk").first().pk
    with broker(redis_url) as conn:
        tasks.check_sources.apply_async(connection=conn)
        recomputed = wait_for(
            lambda: (
                Run.objects.filter(pk__gt=latest, kind="recompute").exclude(status__in=Run.ACTIVE).exists()
            ),
            timeout=90,
        )
    assert recomputed, "the beat task did not lead to a recompute"
    runs = list(Run.objects.filter(pk__gt=latest).order_by("pk"))
    assert [(r.kind, r.status) for r in runs] == [("ingest", "succeeded"), ("recompute", "succeeded")], [
        (r.kind, r.status, r.error) for r in runs
    ]
    assert runs[0].finished_at <= runs[1].started_at
    new = api_value(client, **where)
    assert new != old
    assert new == pytest.approx(plain_ecosystem_emp(newer, "aerospace-defence", "AT", "2014"))
