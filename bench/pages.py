"""Page benchmark: the country and ecosystem pages under wrk on loopback, next to a static file
served by the same gunicorn in the same run: uncached, right after a refresh, warm; plus the
bytes of a first and a repeat visit of the country page.

    make bench-pages     # or: DATABASE_URL=... .venv/bin/python -m bench.pages

Serves the project's database (DATABASE_URL) with gunicorn (2 sync workers; docker-compose runs
2 gthread workers × 4 threads;
DJANGO_ENV=production, so whitenoise's CompressedManifestStaticFilesStorage after collectstatic:
hashed file names with a 10-year immutable max-age, pre-gzipped files; DEBUG off; only the HTTPS
redirect is off, loopback has no TLS); loads the mirror data first if no indicator is there.
"uncached": the dummy cache backend, with the pages' payloads pre-built (`warm_pages` first):
every request is a payload lookup plus a template render. "after refresh": the Redis cache
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/12) is emptied, then a refresh of the two SBS
sources is simulated (hold the pages, recompute what reads them, pre-build and render every page:
timed); before it, each URL is asked a few times (the old generation's pages, as on a live site,
which also tells the page cache the origin the warm step renders for), and after it wrk runs on
each URL with no priming request. "warm": one priming request first.
"transfer": the country page's first visit (HTML + CSS + JS + map outlines and the empty base
layer plotly.js fetches, gzipped as served) and a repeat visit (the HTML, and every file whose
headers do not let the browser keep it for a day or more without asking).
16 connections, 2 wrk threads, 10 s per URL, `Accept-Encoding: gzip` as browsers send it (BENCH_PORT,
default 8011). Writes `.bench/pages.json`.
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
PORT = int(os.environ.get("BENCH_PORT", "8011"))
URLS = {
    "static file (site.css)": "/static/css/site.css",
    "country page (DE)": "/countries/DE/",
    "ecosystem page (tourism)": "/ecosystems/tourism/",
}
CONNECTIONS, THREADS, DURATION = 16, 2, "10s"
# wrk asks for gzip as every browser does (whitenoise then sends the static file's .gz, the page
# cache its gzipped page); BENCH_GZIP=0 measures identity responses.
GZIP = os.environ.get("BENCH_GZIP", "1") != "0"
# BENCH_MODES=uncached,warm repeats the quick modes (the refresh one recomputes and pre-builds).
MODES = [m.strip() for m in os.environ.get("BENCH_MODES", "uncached,after refresh,warm").split(",")]
# What docker-compose's web service runs with (settings.PRODUCTION): manifest static storage and
# the production security settings. Dummy values for what loopback does not use; no TLS here.
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "EMAIL_HOST": "smtp.invalid",
    "COMMUNITY_SITE_URL": "http://127.0.0.1",
}


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
            *(["-H", "Accept-Encoding: gzip"] if GZIP else []),
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


REFRESH = """
import json, time
from indicators import loading, refresh, warming
sources = {"sbs_na_sca_r2", "sbs_r_nuts06_r2"}
t0 = time.perf_counter(); loading.hold_pages()
run = refresh.recompute(sources=sources)
t1 = time.perf_counter(); warm = warming.warm(); t2 = time.perf_counter()
print(json.dumps({"recompute_s": round(t1 - t0, 1), "prebuild_warm_s": round(t2 - t1, 1),
                  "recompute": run.message[:200], "warm": warm.message, "warm_timings": warm.timings}))
"""


def simulate_refresh(env) -> dict:
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", REFRESH], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def prime(paths: list[str]) -> None:
    """Ask each path a few times at once, so that both workers have served it."""
    from concurrent.futures import ThreadPoolExecutor

    def get(path):
        url = f"http://127.0.0.1:{PORT}{path}"
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        urllib.request.urlopen(request, timeout=60).read()  # noqa: S310 (our own server)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(get, [p for p in paths for _ in range(4)]))


def run_mode(mode: str, base_env: dict, timings: dict) -> dict:
    env = dict(base_env)
    if mode == "uncached":
        env["OBSERVATORY_CACHE"] = "dummy"
        env.pop("REDIS_URL", None)
        manage("warm_pages", env=env)  # pre-built payloads present, no cache at all
    proc = serve(env)
    try:
        results = {}
        if mode == "after refresh":
            # A live site: the server has answered these pages (old generation, cached; the page
            # cache notes the origin the warm step renders for), then the refresh runs; its last
            # step pre-builds and renders every page before the new generation is served.
            flush(env)
            prime(list(URLS.values()))
            timings.setdefault("refreshes", []).append(simulate_refresh(env))
        for label, path in URLS.items():
            if mode != "after refresh":
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


def fetch(path: str) -> tuple[bytes, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
        return response.read(), dict(response.headers)


def wire_size(body: bytes, headers: dict) -> int:
    """Bytes on the wire, gzipped (what a browser downloads: responses not compressed by the
    server are counted gzipped too, as a proxy would send them)."""
    import gzip

    return len(body) if headers.get("Content-Encoding") == "gzip" else len(gzip.compress(body))


def immutable(headers: dict) -> bool:
    cc = headers.get("Cache-Control", "")
    return (
        "immutable" in cc
        or re.search(r"max-age=(\d+)", cc)
        and int(re.search(r"max-age=(\d+)", cc)[1]) >= 86400
    )


def visit_bytes(path: str) -> dict:
    """First visit: the page and every CSS, JS and map outline it loads; repeat visit: what is
    fetched again (the HTML, and whatever has no long max-age)."""
    import gzip
    from html import unescape

    body, headers = fetch(path)
    html = gzip.decompress(body).decode() if headers.get("Content-Encoding") == "gzip" else body.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+\.(?:js|css)[^"]*)"', html)
    assets += sorted(set(re.findall(r'"geojson":\s*"(/geo/[^"]+)"', html)))
    topojson = re.search(r'data-topojson="([^"]+)"', html)
    if topojson and '"type": "choropleth"' in html:
        assets.append(f"{topojson[1]}world_110m.json")  # plotly.js's base layer (ours: empty)
    # The panels site.js loads into the page (discussion, publications): fetched on every visit.
    assets += [unescape(u) for u in re.findall(r'data-panel="([^"]+)"', html)]
    first = repeat = wire_size(body, headers)
    files = {"html": {"kb": round(first / 1024, 1), "cache_control": headers.get("Cache-Control", "")}}
    for asset in dict.fromkeys(assets):
        data, h = fetch(asset)
        size = wire_size(data, h)
        files[asset] = {"kb": round(size / 1024, 1), "cache_control": h.get("Cache-Control", "")}
        first += size
        repeat += 0 if immutable(h) else size
    return {
        "first_visit_kb": round(first / 1024, 1),
        "repeat_visit_kb": round(repeat / 1024, 1),
        "files": files,
    }


def main():
    if not shutil.which("wrk"):
        raise SystemExit(
            "wrk is not installed (apt-get install wrk); `make bench-pages` installs it when it can"
        )
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = {
        **os.environ,
        **PRODUCTION,
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
        timings = {}
        results = {mode: run_mode(mode, env, timings) for mode in MODES}
        proc = serve(env)
        try:
            transfer = visit_bytes("/countries/DE/")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    static = {m: r["static file (site.css)"]["requests_per_s"] for m, r in results.items()}
    for mode, rows in results.items():
        for row in rows.values():
            row["ratio_to_static"] = round(row["requests_per_s"] / static[mode], 3)
    out = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "setup": f"gunicorn 2 sync workers, wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}, loopback"
        + (", Accept-Encoding: gzip" if GZIP else ""),
        "results": results,
        "refresh": timings.get("refreshes", []),
        "transfer": transfer,
    }
    (BASE_DIR / ".bench").mkdir(exist_ok=True)
    (BASE_DIR / ".bench" / "pages.json").write_text(json.dumps(out, indent=1))
    for t in timings.get("refreshes", []):
        print(
            f"  refresh of the two SBS sources: recompute {t['recompute_s']} s, pre-build + warm "
            f"{t['prebuild_warm_s']} s ({t['warm']})"
        )
    sizes = {name: f["kb"] for name, f in transfer["files"].items()}
    print(
        f"  country page transfer: first visit {transfer['first_visit_kb']} kB gzipped "
        f"({sizes}), repeat visit {transfer['repeat_visit_kb']} kB"
    )
    print("Ratios to the static file in the same run:")
    for mode, rows in results.items():
        for label, row in rows.items():
            print(f"  {mode:8} {label:26} {row['ratio_to_static']:.3f}×")


if __name__ == "__main__":
    main()
