"""Dependency-screen benchmark: the whole screen against one bare DuckDB pass over the same rows.

    make bench          # or: .venv/bin/python -m bench.dependencies [--products 9500]

Generates (deterministically: values are hashes of the keys, no random state) a synthetic trade
table shaped like full annual Comext CN8: PRODUCTS CN8 codes × 27 reporters × 40 partners each (out
of 250, EU members among them) × 3 years ≈ 30.8 M rows for 9,500 products, as Parquet, then times
in one run, each in a fresh process so peak memory is its own:

* ``bare``: one DuckDB aggregation pass over the rows (SUM by product, partner, year), its result
  kept in DuckDB (a temp table): the cost of one pass, nothing converted to Python;
* ``bare_python``: the same pass fetched into Python tuples (the baseline before Dec 2026, shown
  for comparison with older figures; the conversion made that baseline ~1.5× slower);
* ``floor``: the two group-bys over the rows that any screen with a member-state view needs,
  plain sums only (the EU's partner sums, the members' sums per reporter, product and year):
  what the screen could cost at the very least, for reading its ratio;
* ``screen``: ``indicators.compute.dependencies.run`` — the EU's partner sums and the members'
  class sums (the two passes over the rows), criteria, persistence, early warnings, the top-10
  supplier rows, results as DataFrames.

Each step reports wall seconds, CPU seconds (all threads; steadier than wall time on a shared
machine) and peak RSS (VmHWM of the child's own address space: ``ru_maxrss`` would include the
parent's size at the fork). Writes `.bench/dependencies.json` with the ratios screen / bare
(aim: ≤ 3×, ≤ 4 GB). No database needed. ``--tree DIR`` times the screen of another checkout
(e.g. main's) with this harness; ``--repeat N`` measures each step N times.
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


def peak_mb() -> int:
    """Peak resident memory of this process's own address space (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def child(mode: str, path: str, tree: str) -> None:
    """Run one measured step in this (fresh) process; print seconds and peak RSS as JSON."""
    import duckdb

    sys.path.insert(0, tree)
    from indicators.compute import dependencies as dep
    from indicators.sources.comext import UNALLOCATED

    con = duckdb.connect()
    # The same cap for both: DuckDB would otherwise keep up to 80% of RAM as buffer pool.
    con.execute("SET memory_limit = '3GB'")
    con.read_parquet(path).create_view("trade")
    start, cpu = time.perf_counter(), time.process_time()
    bare = "SELECT product, partner, period, SUM(value) AS v FROM trade GROUP BY ALL"
    if mode == "bare":
        con.execute(f"CREATE TEMP TABLE bare AS {bare}")
        out = con.execute("SELECT count(*) FROM bare").fetchone()[0]
    elif mode == "bare_python":
        out = len(con.execute(bare).fetchall())
    elif mode == "floor":
        # The two group-bys over all the rows no screen can do without, with plain sums only:
        # the EU's partner sums and the member states' sums per reporter, product and year (no
        # partner classes, squares, supplier counts or top suppliers; nothing after them).
        con.execute(f"CREATE TEMP TABLE eu AS {bare}")
        con.execute(
            "CREATE TEMP TABLE members AS SELECT reporter, product, period, SUM(value) AS v "
            "FROM trade GROUP BY ALL"
        )
        out = con.execute("SELECT (SELECT count(*) FROM eu) + (SELECT count(*) FROM members)").fetchone()[0]
    else:
        screen, suppliers = dep.run(
            con,
            "trade",
            dep.Partners(frozenset(MEMBERS), UNALLOCATED, {"US": "like_minded", "NO": "eea_efta"}),
            dep.Rules(),
        )
        out = len(screen) + len(suppliers)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        json.dumps(
            {"seconds": round(seconds, 2), "cpu": round(cpu, 2), "peak_mb": peak_mb(), "rows_out": out}
        )
    )


def measure(mode: str, path: Path, tree: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.dependencies", "--child", mode, str(path), str(tree)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) >= 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
        return

    def option(name: str, default: str) -> str:
        return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default

    products = int(option("--products", "9500"))
    tree = Path(option("--tree", str(BASE_DIR))).resolve()
    repeat = int(option("--repeat", "1"))
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
        runs: dict[str, list[dict]] = {"bare": [], "bare_python": [], "floor": [], "screen": []}
        for _ in range(repeat):
            for mode, label in (
                ("bare", "bare pass"),
                ("bare_python", "bare pass to Python"),
                ("floor", "floor (2 sum passes)"),
                ("screen", "screen"),
            ):
                got = measure(mode, path, tree)
                runs[mode].append(got)
                wall, cpu, peak = got["seconds"], got["cpu"], got["peak_mb"]
                print(f"{label:20} {wall:7.2f} s wall {cpu:7.2f} s CPU, peak {peak} MB")
    bare, screen = (min(runs[m], key=lambda r: r["seconds"]) for m in ("bare", "screen"))
    ratio = screen["seconds"] / bare["seconds"] if bare["seconds"] else None
    cpu = {m: min(r["cpu"] for r in runs[m]) for m in ("bare", "screen")}
    cpu_ratio = cpu["screen"] / cpu["bare"] if cpu["bare"] else None
    python = min(runs["bare_python"], key=lambda r: r["seconds"])
    floor = min(runs["floor"], key=lambda r: r["seconds"])
    floor_cpu = min(r["cpu"] for r in runs["floor"])
    print(
        f"screen / bare pass: {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU (aim ≤ 3×; best of {repeat}); "
        f"against the bare pass fetched to Python {screen['seconds'] / python['seconds']:.2f}×; "
        f"peak memory {max(r['peak_mb'] for r in runs['screen'])} MB (aim ≤ 4096 MB)"
    )
    print(
        f"floor (the EU's and the members' sum passes alone) / bare pass: "
        f"{floor['seconds'] / bare['seconds']:.2f}× wall, {floor_cpu / cpu['bare']:.2f}× CPU"
    )
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "tree": str(tree),
        "rows": rows,
        "products": products,
        "bare": bare,
        "bare_python": python,
        "screen": screen,
        "floor": floor,
        "floor_ratio": round(floor["seconds"] / bare["seconds"], 2) if bare["seconds"] else None,
        "floor_cpu_ratio": round(floor_cpu / cpu["bare"], 2) if cpu["bare"] else None,
        "runs": runs,
        "ratio": round(ratio, 2) if ratio else None,
        "cpu_ratio": round(cpu_ratio, 2) if cpu_ratio else None,
    }
    out = BASE_DIR / ".bench"
    out.mkdir(exist_ok=True)
    (out / "dependencies.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
