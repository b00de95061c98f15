"""Page benchmark: the country and ecosystem pages under wrk on loopback, next to a static file
served by the same gunicorn in the same run, cold (no cache) and warm (Redis cache).

    make bench-pages     # or: DATABASE_URL=... .venv/bin/python -m bench.pages

Serves the project's database (DATABASE_URL) with gunicorn as docker-compose does (2 sync workers,
whitenoise for static files, DEBUG off); loads the mirror data first if no indicator is there.
"cold": the Redis cache (BENCH_REDIS_URL, default redis://127.0.0.1:6379/12) is emptied just
before each URL's run, so the first requests build the page; "warm": one priming request first;
"uncached": the dummy cache backend, every request builds the page from PostgreSQL.
16 connections, 2 wrk threads, 10 s per URL. Writes `.bench/pages.json`.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = 8011
URLS = {
    "static file (site.css)": "/static/css/site.css",
    "country page (DE)": "/countries/DE/",
    "ecosystem page (tourism)": "/ecosystems/tourism/",
}
CONNECTIONS, THREADS, DURATION = 16, 2, "10s"


def manage(*args, env):
    subprocess.run([PY, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def ensure_data(env):
    manage("migrate", "--noinput", "-v0", env=env)
    probe = "from indicators.models import IndicatorValue; print(IndicatorValue.objects.count())"
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", probe], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if int((out.stdout.strip().splitlines() or ["0"])[-1]) == 0:
        print("No indicator values: loading reference data and the mirror first…", flush=True)
        manage("load_reference", env=env)
        manage("refresh", "--all", env=env)


def serve(env, port: int = PORT) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "observatory.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/site.css", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(path: str) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}",
            "--latency",
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    """wrk --latency's summary: requests/s, p50/p99 in ms, non-2xx/3xx responses, socket errors."""
    latency = dict(re.findall(r"\b(50|99)%\s+([\d.]+(?:us|ms|s))", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": to_ms(latency["50"]),
        "p99_ms": to_ms(latency["99"]),
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
        "socket_errors_by_kind": dict(
            zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)
        )
        if sockets
        else {},
    }


def flush(env):
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def run_mode(mode: str, base_env: dict) -> dict:
    env = dict(base_env)
    if mode == "uncached":
        env["OBSERVATORY_CACHE"] = "dummy"
        env.pop("REDIS_URL", None)
    proc = serve(env)
    try:
        results = {}
        for label, path in URLS.items():
            if mode == "cold":
                flush(env)  # the run starts with an empty cache: the first requests build the page
            else:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30).read()  # prime / check
            results[label] = wrk(path)
            row = results[label]
            print(
                f"  {mode:8} {label:26} {row['requests_per_s']:8.1f} req/s  "
                f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms",
                flush=True,
            )
        return results
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def main():
    if not shutil.which("wrk"):
        raise SystemExit(
            "wrk is not installed (apt-get install wrk); `make bench-pages` installs it when it can"
        )
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_STATIC_ROOT": str(static_root),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        "CACHE_KEY_PREFIX": "bench",
        "DJANGO_CONN_MAX_AGE": "60",  # as docker-compose runs gunicorn
    }
    env.pop("OBSERVATORY_TESTING", None)
    try:
        ensure_data(env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        results = {mode: run_mode(mode, env) for mode in ("uncached", "cold", "warm")}
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    static = {m: r["static file (site.css)"]["requests_per_s"] for m, r in results.items()}
    for mode, rows in results.items():
        for row in rows.values():
            row["ratio_to_static"] = round(row["requests_per_s"] / static[mode], 3)
    out = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": f"gunicorn 2 sync workers, wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}, loopback",
        "results": results,
    }
    (BASE_DIR / ".bench").mkdir(exist_ok=True)
    (BASE_DIR / ".bench" / "pages.json").write_text(json.dumps(out, indent=1))
    print("Ratios to the static file in the same run:")
    for mode, rows in results.items():
        for label, row in rows.items():
            print(f"  {mode:8} {label:26} {row['ratio_to_static']:.3f}×")


if __name__ == "__main__":
    main()
