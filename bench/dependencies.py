"""Dependency-screen benchmark: the whole screen against one bare DuckDB pass over the same rows.

    make bench          # or: .venv/bin/python -m bench.dependencies [--products 9500]

Generates (deterministically: values are hashes of the keys, no random state) a synthetic trade
table shaped like full annual Comext CN8: PRODUCTS CN8 codes × 27 reporters × 40 partners each (out
of 250, EU members among them) × 3 years ≈ 30.8 M rows for 9,500 products, as Parquet, then times
in one run, each in a fresh process so peak memory is its own:

* ``bare``: one DuckDB aggregation pass over the rows (SUM by product, partner, year);
* ``screen``: ``indicators.compute.dependencies.run`` — aggregates per importer (EU + 27
  members), criteria, chaining, persistence, early warnings and the top-10 supplier rows.

Writes `.bench/dependencies.json`: seconds and peak RSS of each, and the ratio screen / bare
(aim: ≤ 3×, ≤ 4 GB). No database needed.
"""

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MEMBERS = [
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "EL", "HR", "HU"),
    *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
]
YEARS = ("2022", "2023", "2024")
PARTNERS_PER_PAIR = 40


def generate(path: Path, products: int) -> int:
    import duckdb
    import pycountry

    others = sorted(c.alpha_2 for c in pycountry.countries if c.alpha_2 not in MEMBERS and c.alpha_2 != "GR")
    partners = (MEMBERS + others)[:249] + ["QZ"]
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE partners AS SELECT * FROM "
        "(SELECT unnest(?) AS partner, generate_subscripts(?, 1) - 1 AS i)",
        [partners, partners],
    )
    con.execute("CREATE TABLE reporters AS SELECT unnest(?) AS reporter", [MEMBERS])
    con.execute("CREATE TABLE years AS SELECT unnest(?) AS period", [list(YEARS)])
    con.execute(
        f"""
        COPY (
            SELECT r.reporter, p.partner, CAST(25000000 + t.prod * 7 AS VARCHAR) AS product, '1' AS flow,
                   y.period, CAST(hash(t.prod, r.reporter, s.slot, y.period) % 1000000 AS DOUBLE) + 1 AS value
            FROM range({int(products)}) t(prod)
            CROSS JOIN reporters r
            CROSS JOIN range({PARTNERS_PER_PAIR}) s(slot)
            CROSS JOIN years y
            JOIN partners p ON p.i = (t.prod * 7 + s.slot * 13) % 250
            WHERE p.partner <> r.reporter
        ) TO '{path}' (FORMAT parquet)
        """  # noqa: S608 (our own numbers and path)
    )
    return con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]  # noqa: S608


def child(mode: str, path: str) -> None:
    """Run one measured step in this (fresh) process; print seconds and peak RSS as JSON."""
    import duckdb

    sys.path.insert(0, str(BASE_DIR))
    from indicators.compute import dependencies as dep
    from indicators.sources.comext import UNALLOCATED

    con = duckdb.connect()
    # The same cap for both: DuckDB would otherwise keep up to 80% of RAM as buffer pool.
    con.execute("SET memory_limit = '3GB'")
    con.read_parquet(path).create_view("trade")
    start = time.perf_counter()
    if mode == "bare":
        rows = con.execute("SELECT product, partner, period, SUM(value) FROM trade GROUP BY ALL").fetchall()
        out = len(rows)
    else:
        screen, suppliers = dep.run(
            con,
            "trade",
            dep.Partners(frozenset(MEMBERS), UNALLOCATED, {"US": "like_minded", "NO": "eea_efta"}),
            dep.Rules(),
        )
        out = len(screen) + len(suppliers)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_kb / 1024), "rows_out": out}))


def measure(mode: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.dependencies", "--child", mode, str(path)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    products = int(sys.argv[sys.argv.index("--products") + 1]) if "--products" in sys.argv else 9500
    cache = BASE_DIR / ".bench"
    cache.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-deps-") as folder:
        # The table is deterministic: generated once per size, kept in the git-ignored .bench/.
        path = cache / f"trade_synthetic_{products}.parquet"
        start = time.perf_counter()
        if not path.is_file():
            tmp = Path(folder) / "trade.parquet"
            generate(tmp, products)
            tmp.replace(path)
        import duckdb

        rows = duckdb.connect().read_parquet(str(path)).count("*").fetchall()[0][0]
        generated = round(time.perf_counter() - start, 1)
        print(
            f"synthetic Comext-shaped table: {rows:,} rows ({products:,} CN8 × 27 reporters × "
            f"{PARTNERS_PER_PAIR} partners × 3 years), {generated} s"
        )
        bare = measure("bare", path)
        print(f"bare DuckDB pass: {bare['seconds']} s, peak {bare['peak_mb']} MB")
        screen = measure("screen", path)
        print(f"whole screen:     {screen['seconds']} s, peak {screen['peak_mb']} MB")
        ratio = screen["seconds"] / bare["seconds"] if bare["seconds"] else None
        print(
            f"screen / bare pass: {ratio:.2f}× (aim ≤ 3×); peak memory {screen['peak_mb']} MB (aim ≤ 4096 MB)"
        )
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "rows": rows,
        "products": products,
        "bare": bare,
        "screen": screen,
        "ratio": round(ratio, 2) if ratio else None,
    }
    out = BASE_DIR / ".bench"
    out.mkdir(exist_ok=True)
    (out / "dependencies.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
