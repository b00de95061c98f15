"""Ingest and recompute benchmark: the real pipeline against a bare psycopg COPY, in the same run.

    make bench          # or: DATABASE_URL=... .venv/bin/python -m bench.ingest

Works in its own database, `observatory_bench` (or OBSERVATORY_BENCH_DB), on the server
DATABASE_URL names (dropped and re-created at the start, dropped at the end; the project's own
database is never touched). For
each SBS source it times `indicators.refresh.ingest()` end to end (mirror -> parse -> validate ->
COPY -> swap) and, interleaved with it, the same tidy rows COPYed by bare psycopg into a fresh
plain table with the observation table's columns, with and without its lookup index (plus, as a
diagnostic, into a copy of the full real schema). Then `recompute()` interleaved with a bare
COPY of the indicator values it wrote (bench/recompute.py). Figures are medians of interleaved
repetitions; compare them within one run (machine noise is ±10-25%).
Writes `.bench/ingest.json`. Needs the data mirror (OBSERVATORY_DATA_MIRROR, default ../shared/data).
"""

import gc
import io
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from bench.recompute import bench_recompute, print_recompute

BASE_DIR = Path(__file__).resolve().parent.parent
# OBSERVATORY_BENCH_DB: another name, so that two benchmarks on one server never drop each other's.
BENCH_DB = os.environ.get("OBSERVATORY_BENCH_DB") or "observatory_bench"
SOURCES = ("sbs_na_sca_r2", "sbs_r_nuts06_r2")
REGIONAL = "sbs_r_nuts06_r2"
REPEATS = 3
RECOMPUTES = int(os.environ.get("OBSERVATORY_BENCH_RECOMPUTES") or 3)  # fewer when the machine is slow
COPY_CHUNK = 200_000  # as indicators.loading, kept separate so the baseline stays a fixed reference
BASELINE_TABLE = "bench_observation"
BASELINE_PARENT = "bench_release"
BASELINE_RELEASE_ID = 1
BASELINES = ("indexed", "plain", "schema")
OUTPUT = BASE_DIR / ".bench" / "ingest.json"
STARTED = time.perf_counter()
# Django-only OPTIONS keys that libpq would not understand.
DJANGO_OPTIONS = {"isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory"}


# ---------------------------------------------------------------- set-up


def configure(raw_dir: Path) -> Path:
    """Environment for settings, read once at import: mirror, raw folder, production-like DEBUG off."""
    mirror = Path(os.environ.get("OBSERVATORY_DATA_MIRROR") or BASE_DIR.parent / "shared" / "data")
    os.environ["OBSERVATORY_DATA_MIRROR"] = str(mirror)
    os.environ["OBSERVATORY_RAW_DIR"] = str(raw_dir)
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG records every query; production runs without it
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    return mirror


def point_django_at_bench_db() -> None:
    """Rewrite the default database's NAME before any connection exists (same server, same user)."""
    from django.conf import settings

    if settings.DATABASES["default"]["NAME"] == BENCH_DB:
        raise SystemExit(f"bench: DATABASE_URL already names {BENCH_DB}; point it at the project database")
    settings.DATABASES["default"]["NAME"] = BENCH_DB


def missing_mirror_files(mirror: Path) -> list[str]:
    from indicators.registry import get_source

    if not mirror.is_dir():
        return [str(mirror)]
    return [
        str(mirror / get_source(c).mirror_path)
        for c in SOURCES
        if not (mirror / get_source(c).mirror_path).is_file()
    ]


def conninfo(dbname: str) -> dict:
    """libpq keyword arguments for DBNAME on the server of Django's default database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
    }
    params |= {k: v for k, v in (db.get("OPTIONS") or {}).items() if k not in DJANGO_OPTIONS}
    params["dbname"] = dbname
    return {k: v for k, v in params.items() if v not in (None, "")}


def admin_execute(statement: sql.Composable) -> None:
    """Run STATEMENT from the maintenance database (CREATE/DROP DATABASE cannot run in a transaction)."""
    with psycopg.connect(**conninfo("postgres"), autocommit=True) as conn:
        conn.execute(statement)


def recreate_bench_db() -> None:
    admin_execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
    admin_execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))


def drop_bench_db() -> None:
    from django.db import connections

    connections.close_all()
    admin_execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))


def prepare_schema() -> dict:
    """migrate + load_reference in the bench database; their durations (seconds)."""
    from django.core.management import call_command

    from indicators.reference import load_all
    from indicators.refresh import sync_registry

    clock = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()
    load_all()
    sync_registry()
    return {"migrate": migrated - clock, "load_reference": time.perf_counter() - migrated}


def server_facts() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {"postgresql": version}


# ---------------------------------------------------------------- state between repetitions


def reset(raw_dir: Path) -> None:
    """Back to 'no SBS release loaded': every ingest then does the full work on an empty table.

    TRUNCATE rather than DELETE, so no repetition inherits dead tuples or index bloat; the
    baseline's table is created fresh for each measurement, so both start from empty.
    """
    from django.db import connection

    from indicators.models import IndicatorValue, Observation, Release, Source

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Observation, IndicatorValue))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
    Source.objects.filter(code__in=SOURCES).update(current_release=None, publisher_updated=None)
    Release.objects.filter(source_id__in=SOURCES).delete()
    for code in SOURCES:
        shutil.rmtree(raw_dir / code, ignore_errors=True)  # keep_raw writes the file again


def checkpoint(conn: psycopg.Connection) -> None:
    """Flush dirty buffers before a measurement, so no timing pays for its predecessor's writes."""
    try:
        conn.execute("CHECKPOINT")
        conn.commit()
    except psycopg.Error:
        conn.rollback()  # not a superuser: live with the noise


# ---------------------------------------------------------------- measurements


def tidy_rows(code: str):
    """The tidy frame ingest would load, built outside every timing (fetch + parse + to_observations)."""
    from indicators import fetch
    from indicators.loading import to_observations
    from indicators.registry import get_source
    from indicators.sources.detect import parse_bytes

    spec = get_source(code)
    fetched = fetch.fetch(spec)
    origin = fetched.origin.split(":", 1)[-1]
    return to_observations(parse_bytes(fetched.raw, origin), spec, origin)


def measure_pipeline(code: str) -> dict:
    from indicators.models import Run
    from indicators.refresh import ingest

    clock = time.perf_counter()
    run = ingest(code)
    seconds = time.perf_counter() - clock
    if run.status != Run.Status.SUCCEEDED:
        raise RuntimeError(f"{code}: ingest ended {run.status}: {run.message} {run.error}")
    rows = run.release.row_count
    phases = {k: float(v) for k, v in run.timings.items()}
    phases["other"] = max(seconds - sum(phases.values()), 0.0)  # registry sync, Run rows, lock
    return {"seconds": seconds, "rows": rows, "rows_per_s": rows / seconds, "phases": phases}


def meta_indexes() -> list[tuple[str, list[str]]]:
    """The observation model's Meta indexes (today only obs_lookup): name and columns."""
    from indicators.models import Observation

    meta = Observation._meta
    return [(index.name, [meta.get_field(f).column for f in index.fields]) for index in meta.indexes]


def create_baseline_table(conn: psycopg.Connection, kind: str) -> None:
    """A table with the observation table's columns (identity id included), fresh for each measurement.

    plain: no index, no constraint. indexed: plus the model's Meta indexes (obs_lookup), the
    baseline the pipeline is judged against. schema (diagnostic): everything the real table has
    (primary key, the foreign key's own index, obs_lookup) plus a deferred foreign key, as Django
    creates it, to a one-row table of its own.
    """
    from indicators.models import Observation

    table, model_table = sql.Identifier(BASELINE_TABLE), sql.Identifier(Observation._meta.db_table)
    drop_baseline_tables(conn)
    including = "ALL" if kind == "schema" else "DEFAULTS INCLUDING IDENTITY"
    conn.execute(sql.SQL(f"CREATE TABLE {{}} (LIKE {{}} INCLUDING {including})").format(table, model_table))
    for name, columns in meta_indexes() if kind == "indexed" else []:
        column_list = sql.SQL(", ").join(map(sql.Identifier, columns))
        conn.execute(
            sql.SQL("CREATE INDEX {} ON {} ({})").format(sql.Identifier(f"bench_{name}"), table, column_list)
        )
    if kind == "schema":
        parent = sql.Identifier(BASELINE_PARENT)
        conn.execute(sql.SQL("CREATE TABLE {} (id bigint PRIMARY KEY)").format(parent))
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s)").format(parent), [BASELINE_RELEASE_ID])
        conn.execute(
            sql.SQL(
                "ALTER TABLE {} ADD FOREIGN KEY (release_id) REFERENCES {} (id) DEFERRABLE INITIALLY DEFERRED"
            ).format(table, parent)
        )
    conn.commit()


def drop_baseline_tables(conn: psycopg.Connection) -> None:
    for name in (BASELINE_TABLE, BASELINE_PARENT):
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
    conn.commit()


def observation_indexes() -> list[str]:
    """The real table's indexes as PostgreSQL reports them (for the record)."""
    from django.db import connection

    from indicators.models import Observation

    with connection.cursor() as cursor:
        cursor.execute(
            r"SELECT indexname || ' ' || regexp_replace(indexdef, '^.* USING \w+ ', '') FROM pg_indexes "
            "WHERE tablename = %s ORDER BY 1",
            [Observation._meta.db_table],
        )
        return [row[0] for row in cursor.fetchall()]


def baseline_copy_sql() -> sql.Composed:
    from indicators.loading import OBS_COLUMNS, TEXT_COLUMNS

    return sql.SQL("COPY {} (release_id, {}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({}))").format(
        sql.Identifier(BASELINE_TABLE),
        sql.SQL(", ").join(map(sql.Identifier, OBS_COLUMNS)),
        sql.SQL(", ").join(map(sql.Identifier, TEXT_COLUMNS)),
    )


def measure_baseline(conn: psycopg.Connection, obs, kind: str) -> dict:
    """Bare psycopg COPY of OBS from CSV buffers into a KIND table (serialising + COPY + commit timed)."""
    create_baseline_table(conn, kind)
    checkpoint(conn)
    statement, serialise = baseline_copy_sql(), 0.0
    clock = time.perf_counter()
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, len(obs), COPY_CHUNK):
            lap = time.perf_counter()
            part = obs.iloc[start : start + COPY_CHUNK]
            part.insert(0, "release_id", BASELINE_RELEASE_ID)
            buffer = io.StringIO()
            part.to_csv(buffer, header=False, index=False, float_format="%.17g")
            data = buffer.getvalue()
            serialise += time.perf_counter() - lap
            copy.write(data)
    conn.commit()
    seconds = time.perf_counter() - clock
    drop_baseline_tables(conn)
    rows = len(obs)
    return {"seconds": seconds, "rows": rows, "rows_per_s": rows / seconds, "serialise": serialise}


def bench_source(code: str, conn: psycopg.Connection, raw_dir: Path) -> dict:
    """REPEATS interleaved rounds of the pipeline and both baselines, the order rotated every round.

    The full-schema COPY is a diagnostic that only says where the load time goes: one run, in
    the middle round, keeps the whole benchmark within its time budget.
    """
    obs = tidy_rows(code)
    rss_before = current_rss_mb()  # reference data loaded, the baseline's frame built and held
    steps = {"pipeline": lambda: measure_pipeline(code)}
    steps |= {f"copy_{kind}": lambda kind=kind: measure_baseline(conn, obs, kind) for kind in BASELINES}
    runs = {name: [] for name in steps}
    order = ["pipeline", "copy_indexed", "copy_plain"]
    for rep in range(REPEATS):
        shift = rep % len(order)
        names = order[shift:] + order[:shift] + (["copy_schema"] if rep == REPEATS // 2 else [])
        for name in names:
            reset(raw_dir)
            checkpoint(conn)
            runs[name].append(steps[name]())
            progress(f"{code} round {rep + 1}: {name:<12} {runs[name][-1]['seconds']:6.2f} s")
    return {
        "rows": runs["pipeline"][0]["rows"],
        "rss_before_rounds_mb": rss_before,
        "runs": runs,
    } | summarise(runs)


def summarise(runs: dict) -> dict:
    stats = {name: spread([r["rows_per_s"] for r in rs]) for name, rs in runs.items()}
    seconds = {name: spread([r["seconds"] for r in rs]) for name, rs in runs.items()}
    phases = {
        k: statistics.median(r["phases"][k] for r in runs["pipeline"]) for k in runs["pipeline"][0]["phases"]
    }
    pipeline = stats["pipeline"]["median"]
    return {
        "rows_per_s": stats,
        "seconds": seconds,
        "pipeline_phases_median": phases,
        "baseline_serialise_median": statistics.median(r["serialise"] for r in runs["copy_indexed"]),
        "ratio_vs_copy_indexed": pipeline / stats["copy_indexed"]["median"],
        "ratio_vs_copy_plain": pipeline / stats["copy_plain"]["median"],
        "ratio_vs_copy_schema": pipeline / stats["copy_schema"]["median"],
        # Share of the plain COPY's rows/s lost to the lookup index, and to the whole real schema.
        "index_cost": 1 - stats["copy_indexed"]["median"] / stats["copy_plain"]["median"],
        "schema_cost": 1 - stats["copy_schema"]["median"] / stats["copy_plain"]["median"],
    }


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def traced_regional_ingest(raw_dir: Path) -> dict:
    """Untimed: load the national source, then ingest the regional one under tracemalloc.

    Leaves both sources loaded, which is what recompute needs.
    """
    from indicators.models import Run
    from indicators.refresh import ingest

    reset(raw_dir)
    ingest(SOURCES[0])
    gc.collect()
    tracemalloc.start()
    run = ingest(REGIONAL)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if run.status != Run.Status.SUCCEEDED:
        raise RuntimeError(f"{REGIONAL}: traced ingest ended {run.status}: {run.message} {run.error}")
    return {"source": REGIONAL, "status": run.status, "peak_mb": peak / 2**20, "retained_mb": current / 2**20}


def progress(message: str) -> None:
    print(f"  [{time.perf_counter() - STARTED:4.0f} s] {message}", flush=True)


def current_rss_mb() -> float | None:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None  # not Linux
    return pages * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# ---------------------------------------------------------------- report


def print_report(result: dict) -> None:
    env = result["environment"]
    print()
    print(
        f"Ingest benchmark — PostgreSQL {env['postgresql']}, Python {env['python']}, Django {env['django']}, "
        f"pandas {env['pandas']}, {env['cpus']} CPUs; median [min–max] of {REPEATS} interleaved rounds"
    )
    print_ingest_table(result["sources"])
    print("indicators_observation indexes: " + "; ".join(result["observation_indexes"]))
    print_phase_table(result["sources"])
    print_recompute(result["recompute"], RECOMPUTES)
    print_memory(result["memory"])
    setup = result["setup"]
    print(f"\nSet-up: migrate {setup['migrate']:.1f} s, load_reference {setup['load_reference']:.1f} s")
    print(f"Total runtime {result['runtime_s']:.0f} s. JSON: {OUTPUT.relative_to(BASE_DIR)}")


def print_memory(mem: dict) -> None:
    lines = [
        ("peak RSS after the timed ingests (ru_maxrss)", mem["peak_rss_after_ingests_mb"]),
        *(
            (f"  RSS before the {code} rounds (baseline frame held)", mb or 0.0)
            for code, mb in mem["rss_before_rounds_mb"].items()
        ),
        (f"peak Python allocations in one {REGIONAL} ingest (tracemalloc)", mem["tracemalloc"]["peak_mb"]),
        ("peak RSS at the end (after tracemalloc pass and recomputes)", mem["peak_rss_end_mb"]),
    ]
    print("\nMemory")
    for label, mb in lines:
        print(f"  {label:<66} {mb:7.0f} MB")


def print_ingest_table(sources: dict) -> None:
    header = (
        "source",
        "rows",
        "pipeline s",
        "pipeline rows/s",
        "COPY+index rows/s",
        "ratio",
        "COPY, no index",
    )
    widths = (16, 10, 20, 17, 17, 6, 17)
    print("\n" + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for code, s in sources.items():
        rps = s["rows_per_s"]
        cells = (
            code,
            f"{s['rows']:,}",
            fmt_spread(s["seconds"]["pipeline"], ""),
            fmt_spread(rps["pipeline"], "k"),
            fmt_spread(rps["copy_indexed"], "k"),
            f"{s['ratio_vs_copy_indexed']:.2f}",
            fmt_spread(rps["copy_plain"], "k"),
        )
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    print(
        "rows/s in thousands. ratio = pipeline rows/s ÷ bare COPY rows/s into a plain table with the\n"
        "observation columns + obs_lookup index (goal ≥ 0.50)."
    )


def print_phase_table(sources: dict) -> None:
    print("\nWhere the time goes (median seconds)")
    left = ("fetch", "parse", "validate", "load", "other")
    right = ("CSV build", "COPY", "+index", "+schema")
    print(f"{'':<16} " + " ".join(f"{h:>8}" for h in left) + " │ " + " ".join(f"{h:>9}" for h in right))
    for code, s in sources.items():
        phases, seconds = s["pipeline_phases_median"], s["seconds"]
        pipeline = [phases.get(k, 0.0) for k in left]
        baseline = [s["baseline_serialise_median"]]
        baseline += [seconds[k]["median"] for k in ("copy_plain", "copy_indexed", "copy_schema")]
        print(
            f"{code:<16} "
            + " ".join(f"{v:8.2f}" for v in pipeline)
            + " │ "
            + " ".join(f"{v:9.2f}" for v in baseline)
        )
    print(
        "Left: the pipeline's Run.timings (load = release row, CSV build, COPY into indicators_observation,\n"
        "swap, commit, raw file). Right: the bare COPYs; CSV build is part of each of them. +schema (one\n"
        "run, diagnostic) copies the real table: primary key, the foreign key's own index, obs_lookup and\n"
        "the deferred foreign key check."
    )
    for code, s in sources.items():
        print(
            f"  {code}: the lookup index costs {s['index_cost']:.0%} of the plain COPY's rows/s, the full "
            f"schema {s['schema_cost']:.0%}; pipeline ÷ full-schema COPY = {s['ratio_vs_copy_schema']:.2f}"
        )


def fmt_spread(values: dict, unit: str) -> str:
    if unit == "k":
        return f"{values['median'] / 1e3:.0f}k [{values['min'] / 1e3:.0f}–{values['max'] / 1e3:.0f}]"
    suffix = f" {unit}" if unit else ""
    return f"{values['median']:.2f}{suffix} [{values['min']:.2f}–{values['max']:.2f}]"


def write_json(result: dict) -> None:
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(result, indent=2, default=str) + "\n")


# ---------------------------------------------------------------- main


def environment() -> dict:
    import django
    import pandas

    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "pandas": pandas.__version__,
        "psycopg": psycopg.__version__,
        "cpus": os.cpu_count(),
        "database": BENCH_DB,
    } | server_facts()


def run_benchmarks(raw_dir: Path) -> dict:
    setup = prepare_schema()
    indexes = observation_indexes()
    sources = {}
    with psycopg.connect(**conninfo(BENCH_DB)) as conn:
        for code in SOURCES:
            sources[code] = bench_source(code, conn, raw_dir)
        memory = {
            "peak_rss_after_ingests_mb": peak_rss_mb(),
            "rss_before_rounds_mb": {code: s["rss_before_rounds_mb"] for code, s in sources.items()},
        }
        progress("untimed: national ingest, then one regional ingest under tracemalloc")
        memory["tracemalloc"] = traced_regional_ingest(raw_dir)
        progress("recompute")
        recompute = bench_recompute(conn, RECOMPUTES, checkpoint, progress)
    memory["peak_rss_end_mb"] = peak_rss_mb()
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "repeats": REPEATS,
        "setup": setup,
        "observation_indexes": indexes,
        "sources": sources,
        "recompute": recompute,
        "memory": memory,
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="observatory-bench-raw-") as tmp:
        raw_dir = Path(tmp)
        mirror = configure(raw_dir)
        point_django_at_bench_db()
        import django

        django.setup()
        missing = missing_mirror_files(mirror)
        if missing:
            print(
                f"bench: skipped — the data mirror is not there ({', '.join(missing)}); "
                "set OBSERVATORY_DATA_MIRROR to the folder holding eurostat/sbs_*.tsv.gz"
            )
            return 0
        print(f"bench: database {BENCH_DB} (re-created), mirror {mirror}, raw files in {raw_dir}", flush=True)
        recreate_bench_db()
        try:
            result = run_benchmarks(raw_dir)
        finally:
            drop_bench_db()
    result["runtime_s"] = time.perf_counter() - STARTED
    write_json(result)
    print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
