"""Cold "innovation-driven locomotives" page: pre-built (payload + stored block) against built on request.

    .venv/bin/python -m bench.locomotives [--rounds 3]     # on DATABASE_URL (needs the real data)

In one process, interleaved ROUNDS times, each with the cache emptied first (no page, fragment
or selector cache left), GET /value-chains/locomotives/:
- ``prebuilt``: as served now (indicators.pages.LOCOMOTIVES, Decision 34): the payload the warm
  step stored and the page's stored {% prebuilt %} block, read in one query; only the frame is
  rendered;
- ``built``: what a cold visit did before the page was a family: the payload and block lookups
  find nothing and store nothing, so the request computes the pairs (from the stored cluster
  stars) and renders the whole page.
A first request pre-builds the page as the refresh's warm step does (it writes the page's
payload and block rows when they are missing; nothing else is changed) and warms imports and the
connection; it is not counted. Writes `.bench/locomotives.json` (seconds, medians and the ratio
prebuilt / built).
"""

import argparse
import json
import os
import platform
import statistics
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


@contextmanager
def nothing_prebuilt():
    """The page as before: no payload or block found, none stored (the database is not written)."""
    from indicators import fragments, payloads

    saved = payloads.lookup_with_fragment, payloads.lookup, payloads.store, fragments.Prebuilt.keep
    payloads.lookup_with_fragment = lambda *a, **k: {}
    payloads.lookup = lambda *a, **k: {}
    payloads.store = lambda *a, **k: None
    fragments.Prebuilt.keep = lambda self, request, html: None
    try:
        yield
    finally:
        payloads.lookup_with_fragment, payloads.lookup, payloads.store, fragments.Prebuilt.keep = saved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    client = Client()

    def cold() -> float:
        cache.clear()
        start = time.perf_counter()
        response = client.get("/value-chains/locomotives/")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        return elapsed

    cold()  # pre-builds payload and block (as the warm step and the first visit do), warms up
    times = {"prebuilt": [], "built": []}
    for _ in range(args.rounds):
        times["prebuilt"].append(cold())
        with nothing_prebuilt():
            times["built"].append(cold())
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.node(),
        "load": os.getloadavg(),
        "seconds": times,
        "median": {k: statistics.median(v) for k, v in times.items()},
    }
    result["ratio"] = result["median"]["prebuilt"] / result["median"]["built"]
    out = BASE_DIR / ".bench" / "locomotives.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
