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
