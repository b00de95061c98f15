"""Growth benchmark: recompute + pre-build + warm of the whole portal after a refresh of the two
SBS sources, with 1×, 2× and 4× the years of data.

    make bench-growth     # or: DATABASE_URL=... .venv/bin/python -m bench.growth

Works on a bench-only copy of the project's database (DATABASE_URL, which must hold the loaded
mirror data): `CREATE DATABASE <name>_growth TEMPLATE <name>` (GROWTH_DATABASE overrides the
name; it is dropped and re-created, and dropped again at the end unless GROWTH_KEEP=1), so the
dev data are never changed. No other session may be connected to the source database while
it is copied (PostgreSQL's rule for templates).

The synthetic years (fixed rule): for each of the two SBS sources (`sbs_na_sca_r2`,
`sbs_r_nuts06_r2`), the current release's observations with a four-digit year span the years
Y0..Y1 (n = Y1 - Y0 + 1). Factor k adds k - 1 copies of every such observation, copy j (1..k-1)
with its year shifted back by j × n (so 2× covers Y0 - n..Y1, 4× Y0 - 3n..Y1, no year twice);
every other column is copied as it is. The newest years, hence every page's default year, stay
the real ones; the time series, the changes and the recompute's inputs grow k-fold.

Each factor then runs, in a fresh process against the copy (Redis BENCH_REDIS_URL, default
redis://127.0.0.1:6379/12, flushed first; CACHE_KEY_PREFIX bench-growth): `hold_pages`,
`refresh.recompute(sources=the two SBS sources)` (every computation and analysis that reads
them), then `warming.warm()` (every page's payload, its pre-rendered blocks and its cached page:
indicators/warming.py). Reported: observations of the two sources, years, seconds for each step
and seconds per year of data, and the ratio of each factor's total to 1×'s (≤ k: linear or
better). Writes `.bench/growth.json`. GROWTH_FACTORS=1,2 runs fewer factors.
"""

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
SOURCES = ("sbs_na_sca_r2", "sbs_r_nuts06_r2")
FACTORS = [int(f) for f in os.environ.get("GROWTH_FACTORS", "1,2,4").split(",")]

RUN = """
import json, time
from indicators import loading, refresh, warming
from indicators.models import PagePayload
t0 = time.perf_counter(); loading.hold_pages()
run = refresh.recompute(sources=%r)
t1 = time.perf_counter(); warm = warming.warm(); t2 = time.perf_counter()
print(json.dumps({"recompute_s": round(t1 - t0, 1), "warm_s": round(t2 - t1, 1),
                  "recompute": run.message[:300], "warm": warm.message,
                  "warm_timings": warm.timings, "status": [run.status, warm.status]}))
"""


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def admin_conn(url: str) -> psycopg.Connection:
    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def clone(url: str, target: str) -> None:
    source = urlsplit(url).path.lstrip("/")
    with admin_conn(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}"')
        try:
            conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        except psycopg.errors.ObjectInUse as exc:
            raise SystemExit(
                f"cannot copy {source}: other sessions are connected to it (stop the dev server "
                f"and workers on it first) — {exc}"
            ) from exc


def drop(url: str, target: str) -> None:
    with admin_conn(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def releases(conn) -> dict[str, dict]:
    """source -> its current release's id, real year span and observation count."""
    out = {}
    for code in SOURCES:
        row = conn.execute(
            "SELECT r.id FROM indicators_source s JOIN indicators_release r ON r.id = s.current_release_id "
            "WHERE s.code = %s",
            (code,),
        ).fetchone()
        if row is None:
            raise SystemExit(f"{code} is not loaded in the source database (manage.py refresh {code})")
        lo, hi, count = conn.execute(
            "SELECT min(period::int), max(period::int), count(*) FROM indicators_observation "
            "WHERE release_id = %s AND period ~ '^[0-9]{4}$'",
            (row[0],),
        ).fetchone()
        out[code] = {"release": row[0], "first": lo, "last": hi, "years": hi - lo + 1, "observations": count}
    return out


def synthesise(conn, real: dict, factor: int) -> dict[str, dict]:
    """Make each source hold FACTOR × its real years (the rule in the module docstring)."""
    columns = "geo, nace, measure, unit, size, extra, value, flags"
    out = {}
    for code, r in real.items():
        conn.execute(
            "DELETE FROM indicators_observation WHERE release_id = %s AND period ~ '^[0-9]{4}$' "
            "AND period::int < %s",
            (r["release"], r["first"]),
        )
        for j in range(1, factor):
            statement = (  # COLUMNS is a constant of this module
                f"INSERT INTO indicators_observation (release_id, {columns}, period) "  # noqa: S608
                f"SELECT release_id, {columns}, (period::int - %s)::text FROM indicators_observation "
                "WHERE release_id = %s AND period ~ '^[0-9]{4}$' AND period::int >= %s"
            )
            conn.execute(
                statement,
                (j * r["years"], r["release"], r["first"]),
            )
        first = r["first"] - (factor - 1) * r["years"]
        conn.execute(
            "UPDATE indicators_release SET period_min = %s, row_count = "
            "(SELECT count(*) FROM indicators_observation WHERE release_id = %s) WHERE id = %s",
            (str(first), r["release"], r["release"]),
        )
        count = conn.execute(
            "SELECT count(*) FROM indicators_observation WHERE release_id = %s", (r["release"],)
        ).fetchone()[0]
        out[code] = {"years": factor * r["years"], "from": first, "to": r["last"], "observations": count}
    conn.execute("ANALYZE indicators_observation")
    return out


def flush(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def main():
    url = os.environ["DATABASE_URL"]
    target = os.environ.get("GROWTH_DATABASE", urlsplit(url).path.lstrip("/") + "_growth")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    env = {
        **os.environ,
        "DATABASE_URL": with_database(url, target),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "bench-growth",
        "DJANGO_DEBUG": "0",
    }
    env.pop("OBSERVATORY_TESTING", None)
    print(f"Copying {urlsplit(url).path.lstrip('/')} to {target}…", flush=True)
    clone(url, target)
    rows = []
    try:
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            real = releases(conn)
        for factor in FACTORS:
            with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
                data = synthesise(conn, real, factor)
            flush(redis_url)
            clock = time.perf_counter()
            out = subprocess.run(
                [PY, "manage.py", "shell", "-c", RUN % (set(SOURCES),)],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - clock
            if out.returncode:
                raise SystemExit(out.stderr[-3000:])
            timing = json.loads(out.stdout.strip().splitlines()[-1])
            years = sum(d["years"] for d in data.values())
            total = timing["recompute_s"] + timing["warm_s"]
            row = {
                "factor": factor,
                "sources": data,
                "observations": sum(d["observations"] for d in data.values()),
                "source_years": years,
                **timing,
                "total_s": round(total, 1),
                "process_s": round(wall, 1),
                "s_per_source_year": round(total / years, 2),
            }
            rows.append(row)
            print(
                f"  {factor}× years ({row['observations']:,} observations, "
                f"{' + '.join(str(d['years']) for d in data.values())} years): recompute "
                f"{timing['recompute_s']} s, pre-build + warm {timing['warm_s']} s, total {total:.1f} s "
                f"({row['s_per_source_year']} s per source-year)",
                flush=True,
            )
            print(f"      {timing['warm']} {timing['warm_timings']}", flush=True)
    finally:
        if os.environ.get("GROWTH_KEEP") != "1":
            drop(url, target)
    base = next((r for r in rows if r["factor"] == 1), None)
    if base:
        for r in rows:
            r["ratio_to_1x"] = round(r["total_s"] / base["total_s"], 2)
            r["recompute_ratio_to_1x"] = round(r["recompute_s"] / base["recompute_s"], 2)
            r["warm_ratio_to_1x"] = round(r["warm_s"] / base["warm_s"], 2)
    out = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "rule": "k× years: k-1 copies of each SBS source's real years, copy j shifted back j×n years",
        "rows": rows,
    }
    (BASE_DIR / ".bench").mkdir(exist_ok=True)
    (BASE_DIR / ".bench" / "growth.json").write_text(json.dumps(out, indent=1))
    print("Growth (total time relative to 1×; linear is k, better is less):")
    for r in rows:
        print(
            f"  {r['factor']}×: total {r.get('ratio_to_1x')}× (recompute {r.get('recompute_ratio_to_1x')}×, "
            f"pre-build + warm {r.get('warm_ratio_to_1x')}×)"
        )


if __name__ == "__main__":
    main()
