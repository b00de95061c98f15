"""Load during a refresh: wrk on the country and ecosystem pages under gunicorn while a full
refresh of the SBS sources (ingest of both + recompute, forced as a new vintage) runs.

    make drill-load     # or: DATABASE_URL=... .venv/bin/python -m bench.drill_refresh_load

Fails (exit 1) on any non-2xx response or socket error, on a refresh that did not load the new
vintage, or on a page mixing generations. Reports requests, errors, p50/p99 per page (the aim is
p99 <= 1.5 s on a 2-core machine; it is reported, not enforced, since the machine is shared) and
writes `.bench/drill_refresh_load.json`.

No mix of generations: every response carries `X-Data-Generation` (indicators.selectors
.GenerationMiddleware) and, while a refresh holds the warm pages, `X-Served-Generation` (the
generation the pre-built pages come from); the pair is the page's *state* ("8", or "8/5": data 8,
pages of 5 served). A poller fetches both pages throughout and keeps each one's state and figures
(key figures and table cells). A witness process renders the same pages for each new state it
sees, uncached, inside one REPEATABLE READ snapshot (the truth for that state). Every polled page
must show exactly its state's figures; while the pages are held they must show the figures of the
generation served before the refresh; the figures must change across the refresh (or the check
would prove nothing) and the refresh must end serving its own generation.

It works in its own database (DRILL_DATABASE_URL; default: DATABASE_URL's server, database
`observatory_drill`), created and seeded with the reference data and the two SBS sources on first
use and kept for the next run: the forced vintage is the mirror's SBS files with every persons
employed figure shifted by N (N = releases so far + 1, so the bytes are new each run) — numbers no
real database should hold. Gunicorn as docker-compose runs it (2 gthread workers × 4
threads; DRILL_WORKERS, DRILL_THREADS), Redis cache
DRILL_REDIS_URL, port DRILL_PORT); wrk: 8 connections per page, --timeout 10s.
"""

import gzip
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import drill_probe as probe
from bench.pages import BASE_DIR, PY, manage, parse_wrk

# The sources refreshed (and seeded): both SBS sources by default; `make drill-load-ci` refreshes
# the national one only (DRILL_SOURCES=sbs_na_sca_r2, its own database): the same refresh path
# (ingest, recompute of what reads it, every page pre-built, then served) at a CI machine's cost.
SBS = ["sbs_na_sca_r2", "sbs_r_nuts06_r2"]
SOURCES = [code for code in os.environ.get("DRILL_SOURCES", ",".join(SBS)).split(",") if code]
# Seconds the refresh may take before the drill stops it and fails (0: no bound).
REFRESH_TIMEOUT = float(os.environ.get("DRILL_REFRESH_TIMEOUT", "0"))
PAGES = {"country page (DE)": "/countries/DE/", "ecosystem page (tourism)": "/ecosystems/tourism/"}
PORT = int(os.environ.get("DRILL_PORT", "8012"))
CONNECTIONS = 8  # per page: 16 in all, as bench/pages.py
P99_AIM_MS = 1500
SETTLE = 3  # seconds of load before the refresh starts and after it ends


# ---------------------------------------------------------------- what a page shows


def figures(page: str) -> list[str]:
    """The page's figures: key-figure values and table cells, as text."""
    cells = re.findall(r'class="kf-value">(.*?)</span>|<td[^>]*>(.*?)</td>', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", a or b)).split()) for a, b in cells]


def state(data, served=None) -> str:
    """'8' when the pages show the data generation, '8/5' while generation 5's pages are held."""
    return f"{data}" if served in (None, "", data, str(data)) else f"{data}/{served}"


def witness(out: Path, stop: Path) -> None:
    """For each generation seen, the pages rendered uncached inside one snapshot (Django in this
    process: DJANGO_SETTINGS_MODULE, a dummy cache). A watcher polls the generation every 50 ms and
    starts a renderer thread per new one at once, so a short generation is not missed while an
    older one is still being rendered."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    django.setup()
    from django.db import connection, transaction
    from django.test import Client

    from indicators.loading import current_generations

    seen, lock, threads = {}, threading.Lock(), []

    def render():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            generation = state(*current_generations())
            with lock:
                if generation in seen:
                    return
                seen[generation] = None
            pages = {path: Client().get(path).content.decode() for path in PAGES.values()}
        with lock:
            seen[generation] = {path: figures(page) for path, page in pages.items()}
        connection.close()

    last = None
    while not stop.exists():
        now = current_generations()
        if now != last:
            last = now
            threads.append(threading.Thread(target=render))
            threads[-1].start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    out.write_text(json.dumps({g: f for g, f in seen.items() if f is not None}))


class Poller(threading.Thread):
    """Fetch both pages in turn until stopped; keep (path, status, generation, figures)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopping, self.seen, self.latencies = threading.Event(), [], []

    def run(self):
        while not self.stopping.is_set():
            for path in PAGES.values():
                began = time.time()
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as r:
                        body, status = r.read().decode(), r.status
                        data, served = r.headers["X-Data-Generation"], r.headers["X-Served-Generation"]
                        generation = state(data, served) if data else None
                except urllib.error.HTTPError as exc:
                    body, status, generation = "", exc.code, None
                except OSError as exc:
                    body, status, generation = "", f"{exc.__class__.__name__}: {exc}", None
                self.latencies.append((began, (time.time() - began) * 1000))
                self.seen.append((path, status, generation, figures(body)))
            time.sleep(0.05)


def check_generations(polls: list, truth: dict) -> dict:
    """Each polled page against its state's figures (see the module's docstring)."""
    bad = [(p, s) for p, s, g, _ in polls if s != 200 or g is None]
    unverified = sorted({g for p, s, g, _ in polls if g is not None and g not in truth})
    mixed = [(p, g) for p, s, g, f in polls if g in truth and f != truth[g][p]]
    states = list(dict.fromkeys(g for _, _, g, _ in polls if g is not None))  # in the order first seen
    first, last = (states[0], states[-1]) if states else ("", "")
    changed = bool(states) and all(
        truth.get(first, {}).get(p) != truth.get(last, {}).get(p) for p in PAGES.values()
    )
    # While held ("D/S"), the pages are generation S's: the figures served before the refresh.
    early = [g for g in truth if "/" in g and g.split("/")[1] in truth and truth[g] != truth[g.split("/")[1]]]
    return {
        "polls": len(polls),
        "generations_seen": states,
        "failed_polls": len(bad),
        "unverified_generations": unverified,
        "mixed_pages": len(mixed),
        "mixed_examples": mixed[:5],
        "held_states_showing_new_figures": sorted(early),
        "figures_changed": changed,
        "released": bool(states) and "/" not in last,
        "ok": not bad and not unverified and not mixed and not early and changed and "/" not in last,
    }


# ---------------------------------------------------------------- the drill database and vintage


def drill_database_url() -> str:
    url = os.environ.get("DRILL_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL")
    if not base:
        raise SystemExit("set DATABASE_URL (the server) or DRILL_DATABASE_URL (the drill's database)")
    name = os.environ.get("DRILL_DATABASE", "observatory_drill")
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"Creating the drill database {name}…", flush=True)
            conn.execute(f'CREATE DATABASE "{name}"')


def query(url: str, sql: str, params=()):
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def ensure_data(env: dict) -> None:
    manage("migrate", "--noinput", "-v0", env=env)
    if not query(env["DATABASE_URL"], "SELECT EXISTS (SELECT 1 FROM indicators_indicatorvalue)")[0][0]:
        print("Seeding the drill database: reference data and the SBS sources from the mirror…", flush=True)
        manage("load_reference", env=env)
        manage("refresh", *SOURCES, env=env)


def shifted(raw: bytes, shift: int) -> bytes:
    """The TSV with every persons-employed (V16110) figure + SHIFT, flags kept."""

    def cell(text: str) -> str:
        value, _, flags = text.partition(" ")
        try:
            number = float(value)
        except ValueError:
            return text
        return f"{number + shift:g} {flags}"

    lines = gzip.decompress(raw).decode().split("\n")
    for i, line in enumerate(lines):
        key, *cells = line.split("\t")
        if ",V16110," in f"{key},":
            lines[i] = "\t".join([key, *map(cell, cells)])
    return gzip.compress("\n".join(lines).encode(), mtime=0)


def vintage_mirror(mirror: Path, shift: int) -> Path:
    """A mirror of links to MIRROR with the SBS files replaced by shifted copies."""
    root = Path(tempfile.mkdtemp(prefix="drill-mirror-"))
    for entry in mirror.iterdir():
        if entry.name != "eurostat":
            (root / entry.name).symlink_to(entry)
    (root / "eurostat").mkdir()
    for entry in (mirror / "eurostat").iterdir():
        if entry.name.removesuffix(".tsv.gz") in SOURCES and entry.name.endswith(".tsv.gz"):
            (root / "eurostat" / entry.name).write_bytes(shifted(entry.read_bytes(), shift))
        else:
            (root / "eurostat" / entry.name).symlink_to(entry)
    return root


# ---------------------------------------------------------------- the drill


WORKERS = int(os.environ.get("DRILL_WORKERS", "2"))
THREADS = int(os.environ.get("DRILL_THREADS", "4"))  # as docker-compose: 2 gthread workers x 4


def serve(env: dict, access_log: Path) -> subprocess.Popen:
    """Gunicorn as docker-compose runs it (DRILL_WORKERS, DRILL_THREADS), with an access log of
    each request's service time (bench.drill_probe)."""
    command = [PY, "-m", "gunicorn", "observatory.wsgi:application", "--bind", f"127.0.0.1:{PORT}"]
    command += ["--workers", str(WORKERS), "--threads", str(THREADS)]
    command += ["--access-logfile", str(access_log), "--access-logformat", probe.ACCESS_FORMAT]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    proc = subprocess.Popen(command, cwd=BASE_DIR, env=env, **quiet)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/static/css/site.css", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def start_wrk(path: str) -> subprocess.Popen:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", "-d3600s", "--timeout", "10s", "--latency"]
    command.append(f"http://127.0.0.1:{PORT}{path}")
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk); `make drill-load` installs it")
    mirror = Path(os.environ.get("OBSERVATORY_DATA_MIRROR") or BASE_DIR.parent / "shared" / "data")
    if not (mirror / "eurostat").is_dir():
        raise SystemExit(f"no data mirror at {mirror} (set OBSERVATORY_DATA_MIRROR)")
    url = drill_database_url()
    ensure_database(url)
    static_root = Path(tempfile.mkdtemp(prefix="drill-static-"))
    work = Path(tempfile.mkdtemp(prefix="drill-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "OBSERVATORY_DATA_MIRROR": str(mirror),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_STATIC_ROOT": str(static_root),
        "REDIS_URL": os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "CACHE_KEY_PREFIX": "drill",
        "DJANGO_CONN_MAX_AGE": "60",  # as docker-compose runs gunicorn
    }
    env.pop("OBSERVATORY_TESTING", None)
    procs: list[subprocess.Popen] = []
    try:
        ensure_data(env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        count = query(url, "SELECT count(*) FROM indicators_release WHERE source_id = %s", [SOURCES[0]])[0][0]
        new_mirror = vintage_mirror(mirror, shift=count + 1)
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        gunicorn = serve(env, work / "access.log")
        procs.append(gunicorn)
        for path in PAGES.values():  # prime the cache (and check the pages answer)
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=60).read()
        witness_env = {**env, "OBSERVATORY_CACHE": "dummy", "REDIS_URL": ""}
        truth_file, stop_file = work / "truth.json", work / "stop"
        procs.append(
            subprocess.Popen(
                [PY, "-m", "bench.drill_refresh_load", "witness", str(truth_file), str(stop_file)],
                cwd=BASE_DIR,
                env=witness_env,
            )
        )
        refresh_pid = [0]
        sampler = probe.Sampler(
            {
                "gunicorn": lambda: probe.descendants(gunicorn.pid)[1:],
                "refresh": lambda: probe.descendants(refresh_pid[0]) if refresh_pid[0] else [],
                "postgres": probe.postgres_backends(url),
                "witness": lambda: [procs[1].pid],
            }
        )
        sampler.start()
        poller = Poller()
        poller.start()
        load_started = time.time()
        loads = {label: start_wrk(path) for label, path in PAGES.items()}
        procs += loads.values()
        time.sleep(SETTLE)
        print(f"Refreshing {', '.join(SOURCES)} (a new vintage) under load…", flush=True)
        started = time.monotonic()
        refresh = subprocess.Popen(
            [PY, "manage.py", "refresh", *SOURCES],
            cwd=BASE_DIR,
            env={**env, "OBSERVATORY_DATA_MIRROR": str(new_mirror)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        refresh_pid[0] = refresh.pid
        try:
            refresh.stdout_text, refresh.stderr_text = refresh.communicate(timeout=REFRESH_TIMEOUT or None)
        except subprocess.TimeoutExpired:
            refresh.kill()
            refresh.stdout_text, refresh.stderr_text = refresh.communicate()
            refresh.stderr_text += (
                f"\nstopped: the refresh took more than DRILL_REFRESH_TIMEOUT={REFRESH_TIMEOUT:g} s"
            )
        refresh_seconds = round(time.monotonic() - started, 1)
        time.sleep(SETTLE)
        for proc in loads.values():
            proc.send_signal(signal.SIGINT)
        load = {label: parse_wrk(proc.communicate(timeout=30)[0]) for label, proc in loads.items()}
        load_ended = time.time()
        sampler.stopping.set()
        requests = probe.read_access_log(work / "access.log")
        poller.stopping.set()
        poller.join(timeout=60)
        stop_file.touch()
        procs[1].wait(timeout=600)  # the witness finishes its renders
        truth = json.loads(truth_file.read_text()) if truth_file.exists() else {}
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    runs = query(
        url,
        "SELECT kind, coalesce(source_id, ''), status FROM indicators_run ORDER BY id DESC LIMIT %s",
        [len(SOURCES) + 2],
    )
    timed_runs = query(
        url,
        "SELECT kind, coalesce(source_id, ''), extract(epoch FROM started_at)::float8,"
        " extract(epoch FROM finished_at)::float8 FROM indicators_run"
        " WHERE started_at >= to_timestamp(%s) ORDER BY started_at",
        [load_started],
    )
    breakdown = probe.summarise(
        probe.phases(timed_runs, load_started, load_ended), sampler.samples, requests, poller.latencies
    )
    refreshed = refresh.returncode == 0 and sorted(s for _, _, s in runs) == ["succeeded"] * len(runs)
    consistency = check_generations(poller.seen, truth)
    errors = sum(r["errors"] + r["socket_errors"] for r in load.values())
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": f"gunicorn {WORKERS} workers × {THREADS} threads, wrk -t1 -c{CONNECTIONS} per page "
        "(both at once), loopback",
        "refresh": {"seconds": refresh_seconds, "runs": runs[::-1], "ok": refreshed},
        "load": load,
        "p99_aim_ms": P99_AIM_MS,
        "p99_aim_met": all(r["p99_ms"] <= P99_AIM_MS for r in load.values()),
        "generations": consistency,
        "phases": breakdown,
        "niceness": sampler.niceness,
        "uptime": Path("/proc/loadavg").read_text().strip(),
    }
    (BASE_DIR / ".bench").mkdir(exist_ok=True)
    (BASE_DIR / ".bench" / "drill_refresh_load.json").write_text(json.dumps(result, indent=1))
    print(f"Refresh: {refresh_seconds} s, runs {runs[::-1]}")
    if not refreshed:
        print(refresh.stdout_text[-3000:], refresh.stderr_text[-3000:])
    for label, row in load.items():
        print(
            f"  {label:26} {row['requests']:6} requests  {row['errors']} non-2xx  "
            f"{row['socket_errors']} socket errors  p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms"
        )
        print(f"  {'':26} socket errors by kind: {row['socket_errors_by_kind']}")
    print(
        f"Generations seen by {consistency['polls']} polls: {consistency['generations_seen']}; "
        f"mixed pages {consistency['mixed_pages']}, unverified generations "
        f"{consistency['unverified_generations']}, failed polls {consistency['failed_polls']}, "
        f"figures changed {consistency['figures_changed']}"
    )
    probe.print_summary(breakdown)
    print(f"Niceness (highest seen per group): {sampler.niceness}")
    print(f"p99 aim ({P99_AIM_MS} ms) {'met' if result['p99_aim_met'] else 'NOT met'}")
    ok = refreshed and errors == 0 and consistency["ok"]
    print("drill-load: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["witness"]:
        witness(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(main())
