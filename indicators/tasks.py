"""Thin Celery tasks over indicators.refresh. They take codes/ids, never objects."""

import logging

from celery import chord, shared_task
from django.db import transaction

from . import refresh
from .models import Run

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def ingest_source(code: str, run_id: int | None = None) -> int:
    run = Run.objects.get(pk=run_id) if run_id else None
    try:
        return refresh.ingest(code, run=run).pk
    except Exception:
        # The Run row already says FAILED; returning lets a refresh chord still run its recompute
        # on whatever the other ingests changed.
        logger.exception("ingest %s failed", code)
        return run_id


@shared_task(acks_late=True)
def recompute_indicators(run_id: int | None = None) -> int:
    run = Run.objects.get(pk=run_id) if run_id else None
    return refresh.recompute(run=run).pk


@shared_task(acks_late=True)
def recompute_after_ingests(ingest_run_ids: list[int], run_id: int) -> int:
    """Chord body: runs once every ingest of the refresh has finished."""
    runs = list(Run.objects.filter(pk__in=[pk for pk in ingest_run_ids if pk]))
    run = Run.objects.get(pk=run_id)
    return (refresh.recompute_after(runs, run=run) or run).pk


@shared_task(acks_late=True)
def refresh_all() -> list[int]:
    return [run.pk for run in refresh.refresh_sources()]


@shared_task(acks_late=True)
def check_sources() -> list[str]:
    """Beat: refresh the sources whose publisher (or mirror) has something newer than ours."""
    codes = refresh.sources_needing_update()
    if codes:
        refresh.refresh_sources(codes)
    return codes


@shared_task(acks_late=True)
def reap_stale_runs() -> list[int]:
    """Beat: fail runs whose worker died (lock free, no heartbeat) and retry them as new runs."""
    retried = []
    for run in refresh.reap_stale_runs():
        if run.kind == Run.Kind.INGEST:
            retried += [r.pk for r in enqueue_refresh([run.source_id], attempt=run.attempt + 1)]
        elif run.kind == Run.Kind.WARM:
            retried.append(enqueue_warm(attempt=run.attempt + 1).pk)
        else:
            retried.append(enqueue_recompute(attempt=run.attempt + 1).pk)
    return retried


@shared_task(acks_late=True)
def warm_pages(run_id: int | None = None) -> int:
    """Chord body's last step: pre-build every page at the new generation, then serve it."""
    from . import warming

    run = Run.objects.get(pk=run_id) if run_id else None
    return warming.warm(run=run).pk


def enqueue_warm(attempt: int = 1) -> Run:
    run = Run.objects.create(kind=Run.Kind.WARM, attempt=attempt)
    transaction.on_commit(lambda: warm_pages.delay(run.pk))
    return run


def enqueue_refresh(codes: list[str], attempt: int = 1, warm: bool = False) -> list[Run]:
    """Queue a refresh: a chord of one ingest per source, then one recompute of what changed.

    The Run rows exist now (admins see them queued); the chord is sent once the transaction
    commits. The recompute cannot start before every ingest has finished, whatever the number
    of worker processes.
    """
    ingests = [Run.objects.create(kind=Run.Kind.INGEST, source_id=c, attempt=attempt) for c in codes]
    recompute = Run.objects.create(kind=Run.Kind.RECOMPUTE, attempt=attempt)
    header = [ingest_source.si(r.source_id, r.pk) for r in ingests]
    body = recompute_after_ingests.s(recompute.pk)
    runs = [*ingests, recompute]
    if warm:
        # WARM: the pages stay on the current generation until the last step has pre-built the new.
        from .loading import hold_pages

        hold_pages()
        runs.append(Run.objects.create(kind=Run.Kind.WARM, attempt=attempt))
        body = body | warm_pages.si(runs[-1].pk)
    transaction.on_commit(lambda: chord(header)(body))
    return runs


def enqueue_ingest(code: str, attempt: int = 1) -> Run:
    """Create the Run now (admins see it queued) and send the task once the transaction commits."""
    run = Run.objects.create(kind=Run.Kind.INGEST, source_id=code, attempt=attempt)
    transaction.on_commit(lambda: ingest_source.delay(code, run.pk))
    return run


def enqueue_recompute(attempt: int = 1) -> Run:
    run = Run.objects.create(kind=Run.Kind.RECOMPUTE, attempt=attempt)
    transaction.on_commit(lambda: recompute_indicators.delay(run.pk))
    return run


@shared_task(acks_late=True)
def screen_dependencies(rules_pk: int, run_id: int) -> int:
    """Run the dependency screen for one rules version (a curator just added or chose it)."""
    from .models import DependencyRules
    from .screen import run_screen

    try:
        run = refresh.start_run(Run.Kind.RECOMPUTE, run=Run.objects.get(pk=run_id))
    except refresh.RunNotActive:
        return run_id  # delivered again after it finished (or while a live worker has it)
    version = DependencyRules.objects.get(pk=rules_pk)
    try:
        refresh.report(run, 20, f"dependency screen, rules v{version.number}")
        rows = run_screen(version)
    except Exception as exc:
        refresh.finish(
            run,
            Run.Status.FAILED,
            "dependency screen failed, nothing changed",
            f"{exc.__class__.__name__}: {exc}",
        )
        raise
    return refresh.finish(
        run, Run.Status.SUCCEEDED, f"dependency screen v{version.number}: {rows:,} rows", rows=rows
    ).pk


def enqueue_screen(rules_pk: int) -> Run:
    run = Run.objects.create(kind=Run.Kind.RECOMPUTE, step="queued: dependency screen")
    transaction.on_commit(lambda: screen_dependencies.delay(rules_pk, run.pk))
    return run
