"""Recompute part of `bench.ingest`: `recompute()` against a bare COPY of the values it wrote.

Each round times `indicators.refresh.recompute()` (read the current releases, run every
computation whose inputs are loaded, swap the values in, run the analyses) and, interleaved with
it, a bare psycopg COPY of exactly the indicator values it wrote (dumped outside the timing) into a
fresh table shaped like `indicators_indicatorvalue` (its columns, primary key and indexes; no
foreign key). The ratio is recompute values/s ÷ bare COPY values/s, in the same run.

The values written are counted per indicator from the table itself, apart from the rows the
analyses (registry ANALYSES: their own tables) report, so that "per value" means indicator
values. Where the registry has computations (`COMPUTATIONS`), each computation's part of the
timed recompute is recorded too (inputs read, references, pure function), so that versions
computing different sets of indicators can be compared like for like.
"""

import io
import statistics
import time
from contextlib import contextmanager

import psycopg
from psycopg import sql

BASELINE_TABLE = "bench_indicatorvalue"


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def value_counts() -> dict[str, int]:
    """Indicator values per indicator code, as the table holds them now."""
    from django.db.models import Count

    from indicators.models import IndicatorValue

    rows = IndicatorValue.objects.values_list("indicator_id").annotate(n=Count("id")).order_by("indicator_id")
    return dict(rows)


def dump_values(conn: psycopg.Connection) -> tuple[list[str], bytes]:
    """The indicator values now in the table (every column but id) as COPY text."""
    from indicators.models import IndicatorValue

    table = IndicatorValue._meta.db_table
    columns = [
        f.column for f in IndicatorValue._meta.concrete_fields if not f.primary_key
    ]  # id comes from the baseline table's identity, as in the real table
    buffer = io.BytesIO()
    statement = sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)
    )
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for chunk in copy:
            buffer.write(chunk)
    conn.commit()
    return columns, buffer.getvalue()


def measure_baseline(conn: psycopg.Connection, columns: list[str], data: bytes, checkpoint) -> float:
    """Seconds for a bare COPY of DATA (+ commit) into a fresh table LIKE the indicator-value table."""
    from indicators.models import IndicatorValue

    table = sql.Identifier(BASELINE_TABLE)
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
    conn.execute(
        sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
            table, sql.Identifier(IndicatorValue._meta.db_table)
        )
    )
    conn.commit()
    checkpoint(conn)
    column_list = sql.SQL(", ").join(map(sql.Identifier, columns))
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(table, column_list)
    clock = time.perf_counter()
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(data)
    conn.commit()
    seconds = time.perf_counter() - clock
    conn.execute(sql.SQL("DROP TABLE {}").format(table))
    conn.commit()
    return seconds


def time_recompute() -> dict:
    from indicators.models import Run
    from indicators.refresh import recompute

    computations = []
    with timed_computations(computations):
        clock = time.perf_counter()
        run = recompute()
        seconds = time.perf_counter() - clock
    if run.status != Run.Status.SUCCEEDED:
        raise RuntimeError(f"recompute ended {run.status}: {run.message} {run.error}")
    counts = value_counts()
    return {
        "seconds": seconds,
        "run_rows": run.rows,  # indicator values + the analyses' rows (main)
        "values": sum(counts.values()),
        "phases": {k: float(v) for k, v in run.timings.items()},
        "message": run.message,
        "computations": computations,
    }


@contextmanager
def timed_computations(record: list[dict]):
    """Record each computation's compute time inside the real recompute (its inputs read, its
    references loaded once per recompute, its pure function run), by wrapping
    `indicators.refresh._compute`; nothing where the code has no computation registry."""
    from indicators import refresh

    original = getattr(refresh, "_compute", None)
    if original is None:
        yield
        return

    def timed(computation, releases, cache):
        clock = time.perf_counter()
        values = original(computation, releases, cache)
        seconds = time.perf_counter() - clock
        indicators = sorted(values["indicator"].unique())
        record.append(
            {"code": computation.code, "seconds": seconds, "values": len(values), "indicators": indicators}
        )
        return values

    refresh._compute = timed
    try:
        yield
    finally:
        refresh._compute = original


def breakdown(runs: list[dict]) -> list[dict]:
    """Median compute time per computation over the rounds."""
    if not runs or not runs[0]["computations"]:
        return []
    out = []
    for i, first in enumerate(runs[0]["computations"]):
        out.append(first | {"seconds": statistics.median(r["computations"][i]["seconds"] for r in runs)})
    return out


def bench_recompute(conn: psycopg.Connection, rounds: int, checkpoint, progress) -> dict:
    """ROUNDS interleaved recompute / bare-COPY pairs (order alternating), then the breakdown."""
    runs, copies, columns, data = [], [], None, None
    for rep in range(rounds):
        order = ("recompute", "copy") if rep % 2 == 0 or data is None else ("copy", "recompute")
        for name in order:
            checkpoint(conn)
            if name == "recompute":
                runs.append(time_recompute())
                columns, data = dump_values(conn)  # the values this recompute wrote
                progress(f"recompute round {rep + 1}: recompute    {runs[-1]['seconds']:6.2f} s")
            else:
                copies.append(measure_baseline(conn, columns, data, checkpoint))
                progress(f"recompute round {rep + 1}: bare COPY    {copies[-1]:6.2f} s")
    values = runs[-1]["values"]
    counts = value_counts()
    phases = {k: statistics.median(r["phases"].get(k, 0.0) for r in runs) for k in runs[0]["phases"]}
    rec, base = spread([r["seconds"] for r in runs]), spread(copies)
    return {
        "values": values,
        "indicators": len(counts),
        "values_per_indicator": counts,
        "run_rows": runs[-1]["run_rows"],
        "message": runs[-1]["message"],
        "seconds": rec,
        "copy_seconds": base,
        "phases_median": phases,
        "us_per_value": rec["median"] / values * 1e6,
        "ratio_vs_copy": (values / rec["median"]) / (values / base["median"]),
        "computations": breakdown(runs),
        "runs": runs,
        "copies": copies,
    }


def print_recompute(rec: dict, rounds: int) -> None:
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in rec["phases_median"].items())
    print(
        f"\nRecompute ({rec['values']:,} indicator values of {rec['indicators']} indicators; "
        f"Run.rows {rec['run_rows']:,} with the analyses' rows), {rounds} interleaved rounds:"
    )
    print(f"  recompute {fmt(rec['seconds'])}; Run timings (median): {phases}")
    print(f"  bare COPY, same values, table LIKE indicators_indicatorvalue: {fmt(rec['copy_seconds'])}")
    print(
        f"  {rec['us_per_value']:.1f} µs per value written; ratio = recompute values/s ÷ bare COPY values/s "
        f"= {rec['ratio_vs_copy']:.3f}"
    )
    if rec["computations"]:
        print("  Per computation inside the recompute (median; inputs read + references + function):")
        for c in rec["computations"]:
            print(
                f"    {c['code']:<22} {c['seconds']:6.2f} s  {c['values']:>9,} values  "
                f"{len(c['indicators'])} indicators"
            )


def fmt(values: dict) -> str:
    return f"{values['median']:.2f} s [{values['min']:.2f}–{values['max']:.2f}]"
