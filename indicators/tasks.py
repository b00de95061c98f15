"""Thin Celery tasks over indicators.refresh. They take codes/ids, never objects."""

from celery import shared_task
from django.db import transaction

from . import refresh
from .models import Run


@shared_task(acks_late=True)
def ingest_source(code: str, run_id: int | None = None) -> int:
    run = Run.objects.get(pk=run_id) if run_id else None
    return refresh.ingest(code, run=run).pk


@shared_task(acks_late=True)
def recompute_indicators(run_id: int | None = None) -> int:
    run = Run.objects.get(pk=run_id) if run_id else None
    return refresh.recompute(run=run).pk


@shared_task(acks_late=True)
def refresh_all() -> list[int]:
    return [run.pk for run in refresh.refresh_all()]


@shared_task(acks_late=True)
def check_sources() -> list[str]:
    """Beat: ingest the sources whose publisher update date is newer than ours."""
    codes = refresh.sources_needing_update()
    for code in codes:
        enqueue_ingest(code)
    return codes


@shared_task(acks_late=True)
def reap_stale_runs() -> list[int]:
    """Beat: fail runs whose worker died (stale heartbeat) and retry them."""
    retried = []
    for run in refresh.reap_stale_runs():
        if run.kind == Run.Kind.INGEST:
            retried.append(enqueue_ingest(run.source_id, attempt=run.attempt + 1).pk)
        else:
            retried.append(enqueue_recompute(attempt=run.attempt + 1).pk)
    return retried


def enqueue_ingest(code: str, attempt: int = 1) -> Run:
    """Create the Run now (admins see it queued) and send the task once the transaction commits."""
    run = Run.objects.create(kind=Run.Kind.INGEST, source_id=code, attempt=attempt)
    transaction.on_commit(lambda: ingest_source.delay(code, run.pk))
    return run


def enqueue_recompute(attempt: int = 1) -> Run:
    run = Run.objects.create(kind=Run.Kind.RECOMPUTE, attempt=attempt)
    transaction.on_commit(lambda: recompute_indicators.delay(run.pk))
    return run
