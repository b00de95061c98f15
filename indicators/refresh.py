"""Orchestration: ingest(source) and recompute() — fetch, parse, validate, load, swap, compute.

Celery tasks, management commands and the admin's "refresh now" all call these functions.
Every call is tracked as a `Run` row (status, progress, timings, error) that admins watch.
"""

import io
import logging
import time
import zlib
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import fetch as fetching
from . import inputs
from .drills import checkpoint
from .loading import (
    OBS_COLUMNS,
    IngestError,
    bump_generation,
    copy_csv,
    hold_pages,
    to_observations,
    validate,
    write_release,
)
from .models import Indicator, IndicatorValue, Observation, Release, Run, Source
from .registry import ANALYSES, COMPUTATIONS, INDICATORS, SOURCES, Computation, SourceSpec, get_source
from .sources.base import ParseError
from .sources.detect import parse_bytes

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RECOMPUTE_WAIT = 15 * 60  # seconds a recompute waits for a running one before it is skipped


# ---------------------------------------------------------------- registry -> tables


def sync_registry() -> None:
    """Make the Source and Indicator rows match the registry (the registry is the truth).

    Called by every ingest and recompute: it reads both tables once and writes only the rows that
    differ (one INSERT ... ON CONFLICT DO UPDATE per table), instead of a locked read and an update
    per registry entry (~2 queries x 200 entries each time)."""
    _sync_rows(
        Source,
        {
            spec.code: {
                "publisher": spec.publisher,
                "title": spec.title,
                "licence": spec.licence,
                "credit": spec.credit,
                "remote_url": spec.remote_url,
                "kind": spec.kind,
            }
            for spec in SOURCES.values()
        },
    )
    _sync_rows(
        Indicator,
        {
            spec.code: {
                "title": spec.title,
                "unit": spec.unit,
                "description": spec.description,
                "scope": spec.scope,
                "higher_is_better": spec.higher_is_better,
                "decimals": spec.decimals,
                "source_id": spec.source,
            }
            for spec in INDICATORS.values()
        },
    )


def _sync_rows(model, wanted: dict[str, dict]) -> None:
    """Insert or update MODEL's rows (keyed by code) whose fields differ from WANTED; other
    columns (a source's current release, its last check) are left as they are."""
    fields = sorted({field for row in wanted.values() for field in row})
    stored = {row["code"]: row for row in model.objects.values("code", *fields)}
    changed = [
        model(code=code, **row)
        for code, row in wanted.items()
        if {field: stored.get(code, {}).get(field) for field in row} != row
    ]
    if changed:
        model.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["code"], update_fields=fields
        )


# ---------------------------------------------------------------- run bookkeeping


class RunNotActive(Exception):
    """The run is finished (e.g. reaped, and retried as a new run) or another live session executes
    it: a task message delivered again must change nothing."""


# Advisory locks (RUN_LOCK, run id) — the two-int4 key space, apart from the named locks below —
# are held by the database session executing a run, from `start_run` to `finish`. A worker that
# dies releases its lock with its connection: a running run whose lock nobody holds is dead.
RUN_LOCK = 0x52554E  # "RUN"


def _run_key(run: Run) -> list[int]:
    return [RUN_LOCK, run.pk & 0x7FFFFFFF]


def _lock_run(run: Run) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _run_key(run))
        return cursor.fetchone()[0]


def _unlock_run(run: Run) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _run_key(run))


def run_is_executing(run: Run) -> bool:
    """Whether some live session of this database holds RUN's lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 2)",
            _run_key(run),
        )
        return cursor.fetchone()[0]


def start_run(kind: str, source: str | None = None, run: Run | None = None) -> Run:
    """Claim RUN (queued by `tasks.enqueue_*`) or a new one and mark it running.

    This session holds the run's lock until `finish`. A queued or running run whose lock is free
    can be claimed (a task message redelivered after its worker died resumes it); one already
    finished, or held by a live session, raises RunNotActive.
    """
    now = timezone.now()
    if run is None:
        run = Run.objects.create(
            kind=kind, source_id=source, status=Run.Status.RUNNING, started_at=now, heartbeat_at=now
        )
        _lock_run(run)
        return run
    if not _lock_run(run):
        raise RunNotActive(f"{run}: run {run.pk} is being executed by another worker")
    claimed = Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE).update(
        status=Run.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        _unlock_run(run)
        run.refresh_from_db()
        raise RunNotActive(f"{run}: run {run.pk} is already finished")
    run.status, run.started_at, run.heartbeat_at = Run.Status.RUNNING, now, now
    return run


def report(run: Run, progress: int, step: str, **fields) -> None:
    """Progress + heartbeat, written outside any data transaction so admins see it live."""
    run.progress, run.step, run.heartbeat_at = progress, step, timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    Run.objects.filter(pk=run.pk).update(
        progress=progress, step=step, heartbeat_at=run.heartbeat_at, **fields
    )


def finish(run: Run, status: str, message: str = "", error: str = "", **fields) -> Run:
    run.status, run.message, run.error = status, message, error
    run.finished_at = timezone.now()
    run.progress = 100 if status != Run.Status.FAILED else run.progress
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()
    _unlock_run(run)
    log = logger.error if status == Run.Status.FAILED else logger.info
    log("%s: %s %s", run, message, error)
    return run


@contextmanager
def source_lock(code: str):
    """One refresh per source at a time: a PostgreSQL advisory lock held for the ingest."""
    with advisory_lock(f"ingest:{code}") as acquired:
        yield acquired


@contextmanager
def advisory_lock(name: str, wait: float = 0):
    """A PostgreSQL session advisory lock on NAME, tried for up to WAIT seconds.

    It is tied to the database session, so a worker that dies releases it with its connection.
    """
    key = zlib.crc32(name.encode())
    deadline = time.monotonic() + wait
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = cursor.fetchone()[0]
        if acquired or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


# ---------------------------------------------------------------- ingest


def ingest(code: str, path: Path | None = None, run: Run | None = None, fail_after_copy=None) -> Run:
    """Fetch SOURCE (or read PATH), and load it as its new current release unless unchanged."""
    spec = get_source(code)
    sync_registry()
    try:
        run = start_run(Run.Kind.INGEST, code, run)
    except RunNotActive as exc:
        logger.warning("%s; this delivery changes nothing", exc)
        return run
    with source_lock(code) as acquired:
        if not acquired:
            return finish(run, Run.Status.SKIPPED, f"another refresh of {code} is running")
        try:
            return _ingest(spec, path, run, fail_after_copy)
        except (fetching.FetchError, ParseError, IngestError) as exc:
            return finish(run, Run.Status.FAILED, f"{code}: rejected, nothing changed", str(exc))
        except Exception as exc:
            finish(
                run,
                Run.Status.FAILED,
                f"{code}: failed, nothing changed",
                f"{exc.__class__.__name__}: {exc}",
            )
            raise


def _ingest(spec: SourceSpec, path: Path | None, run: Run, fail_after_copy) -> Run:
    timings, clock = {}, time.perf_counter()
    report(run, 5, "fetching")
    fetched = fetching.read_file(path) if path else fetching.fetch(spec)
    timings["fetch"] = _lap(clock)
    Source.objects.filter(code=spec.code).update(last_checked_at=timezone.now())
    existing = Release.objects.filter(source_id=spec.code, sha256=fetched.sha256).first()
    if existing:
        return finish(
            run,
            Run.Status.UNCHANGED,
            f"{spec.code}: identical bytes already loaded as release {existing.pk}; nothing changed",
            release=existing,
            timings=timings,
        )
    report(run, 25, "parsing")
    clock = time.perf_counter()
    origin = fetched.origin.split(":", 1)[-1]
    parsed = parse_bytes(fetched.raw, origin)
    if parsed.format not in spec.formats:
        raise IngestError(
            f"{origin}: line 1: format {parsed.format} is not one {spec.code} is published in "
            f"({', '.join(spec.formats)})"
        )
    timings["parse"] = _lap(clock)
    report(run, 45, "validating")
    clock = time.perf_counter()
    obs = None
    if spec.kind == "trade":
        from .screen import validate_trade

        obs = validate_trade(parsed.frame, origin)
    elif spec.kind == "observations":
        obs = to_observations(parsed, spec, origin)
        try:
            validate(obs, spec, origin, labels=parsed.labels)
        except IngestError:
            # Re-run with the raw text only on the error path, to name the line.
            validate(obs, spec, origin, raw_text=_text(fetched.raw), labels=parsed.labels)
    timings["validate"] = _lap(clock)
    report(run, 60, "loading")
    clock = time.perf_counter()
    raw_path = keep_raw(spec.code, fetched)
    # The table of contents dates the publisher's *current* version: it dates our bytes only when
    # they were just fetched from the publisher, not from a mirror snapshot or a file given by hand.
    toc_date = fetching.publisher_update_dates().get(spec.provenance_key)
    live = fetched.origin.startswith("http")
    updated = parsed.last_update or (toc_date if live else None)
    release = write_release(spec, fetched, parsed, obs, updated, raw_path, fail_after_copy, toc_date)
    timings["load"] = _lap(clock)
    return finish(
        run,
        Run.Status.SUCCEEDED,
        f"{spec.code}: release {release.pk} is current ({release.row_count:,} rows)",
        release=release,
        rows=release.row_count,
        timings=timings,
    )


def _lap(start: float) -> float:
    return round(time.perf_counter() - start, 3)


def _text(raw: bytes) -> str | None:
    import gzip

    try:
        return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError):
        return None


def keep_raw(code: str, fetched: fetching.Fetched) -> Path:
    """Keep the exact bytes of every release (named by sha256) for the raw download."""
    folder = Path(settings.OBSERVATORY_RAW_DIR) / code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / fetched.sha256
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(fetched.raw)
        tmp.replace(path)
    return path


# ---------------------------------------------------------------- recompute


def recompute(run: Run | None = None, sources=None) -> Run:
    """Recompute the registered computations that read SOURCES (every one when None) from the
    current releases, and swap in exactly their indicators' values atomically.

    One recompute at a time: a second one waits for the advisory lock (up to RECOMPUTE_WAIT
    seconds, then it is skipped), so two can never both delete and append the same values.
    """
    sync_registry()
    try:
        run = start_run(Run.Kind.RECOMPUTE, run=run)
    except RunNotActive as exc:
        logger.warning("%s; this delivery changes nothing", exc)
        return run
    with advisory_lock("recompute", wait=RECOMPUTE_WAIT) as acquired:
        if not acquired:
            return finish(run, Run.Status.SKIPPED, "another recompute kept running; nothing changed")
        try:
            return _recompute(run, None if sources is None else set(sources))
        except IngestError as exc:
            return finish(run, Run.Status.FAILED, "recompute: nothing changed", str(exc))
        except Exception as exc:
            finish(
                run,
                Run.Status.FAILED,
                "recompute failed, nothing changed",
                f"{exc.__class__.__name__}: {exc}",
            )
            raise


def affected_computations(sources: set[str] | None) -> list[Computation]:
    """The registered computations reading any of SOURCES (all when None)."""
    return [c for c in COMPUTATIONS.values() if sources is None or c.sources & sources]


def affected_analyses(sources: set[str] | None):
    return [a for a in ANALYSES.values() if sources is None or set(a.sources) & sources]


def _recompute(run: Run, sources: set[str] | None) -> Run:
    from django.utils.module_loading import import_string

    timings, clock = {}, time.perf_counter()
    version = inputs.current_mapping_version()
    todo = affected_computations(sources)
    analyses = affected_analyses(sources)
    frames, codes, cache = [], [], {}
    for step, computation in enumerate(todo):
        releases = {name: current_release(i.source) for name, i in computation.inputs.items()}
        if not all(releases.values()):
            continue  # an input was never loaded: nothing to compute from yet
        report(run, 10 + 50 * step // max(len(todo), 1), f"computing {computation.code}")
        frames.append(_compute(computation, releases, cache))
        codes += computation.yields
    ready = [a for a in analyses if any(current_release(s) for s in a.sources)]
    if not frames and not ready:
        return finish(run, Run.Status.SKIPPED, "recompute: no source release to compute from yet")
    count, parts = 0, []
    if frames:
        values = pd.concat(frames, ignore_index=True)
        timings["compute"] = _lap(clock)
        report(run, 65, "swapping indicator values")
        clock = time.perf_counter()
        count = swap_indicator_values(values, version.number, codes)
        timings["swap"] = _lap(clock)
        parts.append(f"recomputed {count:,} values of {len(codes)} indicators (mapping v{version.number})")
    for analysis in ready:
        report(run, 85, f"running {analysis.code}")
        clock = time.perf_counter()
        rows = import_string(analysis.runner)(run)
        timings[analysis.code] = _lap(clock)
        count += rows
        parts.append(f"{analysis.code}: {rows:,} rows")
    return finish(run, Run.Status.SUCCEEDED, "; ".join(parts), rows=count, timings=timings)


def _compute(computation: Computation, releases: dict[str, Release], cache: dict) -> pd.DataFrame:
    """Run one computation's pure function; keep only the indicators it declares."""
    frames = {
        name: observations_frame(releases[name], list(i.measures), i.filters)
        for name, i in computation.inputs.items()
    }
    missing = [n for n in computation.references if n not in cache]
    cache.update(inputs.load_references(missing))
    values = computation.function(frames, {n: cache[n] for n in computation.references})
    values = values[values["indicator"].isin(computation.yields) & values["indicator"].isin(INDICATORS)]
    main = next(iter(computation.inputs))  # values cite the release of the first input
    return values.assign(release_id=releases[main].pk)


def current_release(code: str) -> Release | None:
    source = Source.objects.filter(code=code).select_related("current_release").first()
    return source.current_release if source else None


def observations_frame(release: Release, measures: list[str], filters=None) -> pd.DataFrame:
    """Observations of RELEASE for MEASURES (and FILTERS: column -> value or tuple) as a
    DataFrame (geo, nace, measure, unit, size, extra, period, value, flags)."""
    qs = Observation.objects.filter(release=release, measure__in=measures)
    for column, wanted in (filters or {}).items():
        qs = qs.filter(**{f"{column}__in" if isinstance(wanted, tuple | list) else column: wanted})
    columns = OBS_COLUMNS
    query, params = qs.values_list(*columns).query.sql_with_params()
    buffer = io.BytesIO()
    # COPY out as CSV and pandas' C parser: a third of the time of a row per tuple (refresh profile).
    with connection.cursor() as cursor:
        statement = connection.ops.compose_sql(f"COPY ({query}) TO STDOUT (FORMAT csv)", params)
        with cursor.copy(statement) as copy:
            for chunk in copy:
                buffer.write(chunk)
    if not buffer.tell():
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else str) for c in columns})
    buffer.seek(0)
    # Text exactly as stored (NOT NULL columns: "" stays ""); value NULL -> NaN; floats parsed back
    # exactly (PostgreSQL prints the shortest text that round-trips; pandas parses it back exactly).
    return pd.read_csv(
        buffer,
        names=columns,
        dtype={c: str for c in columns if c != "value"} | {"value": "float64"},
        keep_default_na=False,
        na_values={"value": [""]},
    )


# Columns every compute function's output may carry; text ones default to "" when absent.
VALUE_COLUMNS = ["indicator", "ecosystem", "geo", "period", "value", "flags", "markers", "rank"]
OPTIONAL_TEXT = ("markers", "published_geo", "geo_version", "base_period", "missing_geos", "estimated_geos")


VALUE_FORMAT = "%.12g"


def swap_indicator_values(values: pd.DataFrame, mapping_number: int, indicators=None) -> int:
    """Replace the values of INDICATORS (all when None) in one transaction: readers see old or
    new, never a mix; the others' rows are untouched. Replacing, never appending."""
    values = values.assign(mapping_version=mapping_number)
    for name in OPTIONAL_TEXT:
        values[name] = values[name].fillna("").astype(str) if name in values else ""
    values["rank"] = values["rank"].astype("Int64")
    values["value"] = values["value"].astype("float64")  # printf below formats doubles
    values["parameter_version"] = (
        values["parameter_version"].astype("Int64") if "parameter_version" in values else pd.NA
    )
    columns = [
        "indicator",
        "ecosystem",
        "geo",
        "period",
        "value",
        "flags",
        "markers",
        "rank",
        "release_id",
        "mapping_version",
        "published_geo",
        "geo_version",
        "base_period",
        "missing_geos",
        "estimated_geos",
        "parameter_version",
    ]
    db_columns = ", ".join("indicator_id" if c == "indicator" else c for c in columns)
    not_null = ", ".join(["ecosystem", "flags", *OPTIONAL_TEXT])
    sql = (
        f"COPY {IndicatorValue._meta.db_table} ({db_columns}) "
        f"FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({not_null}))"
    )

    # 12 significant digits: sums of shares leave float noise (39559.200000000004) that the API
    # would print; no published figure has more digits than that.
    select = ", ".join(f"printf('{VALUE_FORMAT}', \"{c}\")" if c == "value" else f'"{c}"' for c in columns)
    rows = list(copy_csv(values[columns], select))
    with transaction.atomic():
        old = IndicatorValue.objects.all()
        if indicators is not None:
            old = old.filter(indicator_id__in=list(indicators))
        old.delete()
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for chunk in rows:
                copy.write(chunk)
        checkpoint("recompute:swapped")  # fault drills: a worker killed here changes nothing
        bump_generation()
    return len(values)


# ---------------------------------------------------------------- refresh all, checks, reaper


def refresh_sources(codes: list[str] | None = None, inline: bool | None = None) -> list[Run]:
    """The one refresh path: ingest each source (every registered one when None), then — strictly
    after every ingest has finished — recompute the computations reading a source that changed
    (everything when no indicator value exists yet).

    INLINE (default: when tasks run eagerly, i.e. no broker) runs it here and returns the finished
    runs; otherwise it queues a Celery chord (the ingests, then one recompute) and returns the
    queued Run rows. Then every page is pre-built at the new generation (indicators.warming);
    until that has finished, pages are served from the generation the refresh started from.
    """
    from . import warming

    codes = list(codes or SOURCES)
    if inline is None:
        inline = settings.CELERY_TASK_ALWAYS_EAGER
    if not inline:
        from .tasks import enqueue_refresh

        return enqueue_refresh(codes, warm=warming.enabled())
    if warming.enabled():
        hold_pages()  # visitors keep the current pages until the new ones are pre-built
    runs = [ingest(code) for code in codes]
    recompute_run = recompute_after(runs)
    runs += [recompute_run] if recompute_run else []
    return runs + ([warming.warm()] if warming.enabled() else [])


def changed_sources(runs) -> set[str]:
    return {r.source_id for r in runs if r.kind == Run.Kind.INGEST and r.status == Run.Status.SUCCEEDED}


def recompute_after(ingest_runs, run: Run | None = None) -> Run | None:
    """Recompute what the ingest runs changed; None (RUN finished as unchanged) when nothing."""
    changed = changed_sources(ingest_runs)
    read = set().union(*(c.sources for c in COMPUTATIONS.values()), *(a.sources for a in ANALYSES.values()))
    if not IndicatorValue.objects.exists():
        return recompute(run)
    if changed & read:
        return recompute(run, sources=changed)
    if run is not None:
        try:
            start_run(Run.Kind.RECOMPUTE, run=run)
        except RunNotActive:
            return run
        return finish(run, Run.Status.UNCHANGED, "no indicator reads a source that changed")
    return None


def sources_needing_update() -> list[str]:
    """Sources whose publisher update date is newer than the one we loaded (or never loaded)."""
    dates = fetching.publisher_update_dates()
    stale = []
    for source in Source.objects.select_related("current_release"):
        if source.code not in SOURCES:
            continue
        spec = SOURCES[source.code]
        mirrored = fetching.mirror_sha256(spec)
        if mirrored is not None or fetching.mirror_root() is not None:
            # A mirror is the offline world: its file is newer exactly when its bytes differ;
            # a source it does not hold is not looked for on the web behind its back.
            if mirrored is not None and (
                source.current_release is None or mirrored != source.current_release.sha256
            ):
                stale.append(source.code)
            continue
        published = dates.get(spec.provenance_key)
        if source.current_release is None or (
            published and (source.publisher_updated is None or published > source.publisher_updated)
        ):
            stale.append(source.code)
    return stale


def stale_runs() -> list[Run]:
    """Running runs whose worker is gone: no heartbeat for OBSERVATORY_REAP_AFTER seconds and no
    live database session holding their lock (a slow step of a live worker is never reaped)."""
    cutoff = timezone.now() - timedelta(seconds=settings.OBSERVATORY_REAP_AFTER)
    candidates = Run.objects.filter(status=Run.Status.RUNNING, heartbeat_at__lt=cutoff)
    return [run for run in candidates if not run_is_executing(run)]


def reap_stale_runs() -> list[Run]:
    """Mark runs whose worker died as failed; return the ones worth retrying.

    Nothing a dead worker was writing is visible (its transaction died with its connection), so
    the previous release and values stay current. A run claimed again meanwhile (its task message
    redelivered: a fresh heartbeat) is left to that worker.
    """
    retry = []
    for run in stale_runs():
        message = "worker lost; nothing it was writing was committed, the previous data stay current"
        error = f"no heartbeat since {run.heartbeat_at:%Y-%m-%d %H:%M:%S} and its database session is gone"
        reaped = Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING, heartbeat_at=run.heartbeat_at)
        if not reaped.update(
            status=Run.Status.FAILED, finished_at=timezone.now(), message=message, error=error
        ):
            continue
        logger.error("%s: %s %s", run, message, error)
        if run.attempt < MAX_ATTEMPTS:
            retry.append(run)
    return retry
