"""Cold "innovation-driven locomotives" page: stored strong-cluster verdicts against the assessment.

    .venv/bin/python -m bench.locomotives [--rounds 3]     # on DATABASE_URL (needs the real data)

In one process, interleaved ROUNDS times, each with the cache emptied first: GET
/value-chains/locomotives/ as served (strong clusters read from the stars recompute stored per
threshold version) and the baseline, the same page with the verdicts from a fresh assessment of
every region × category (what the page did before). The first request of the process warms
imports and the connection and is not counted. Writes `.bench/locomotives.json` (seconds and the
ratio served / baseline; aim ≤ 0.5). Read-only: the database is not changed.
"""

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from indicators import selectors
    from indicators.panels import clusters as cluster_panels

    client = Client()
    served = selectors.strong_clusters

    def cold(verdicts) -> float:
        selectors.strong_clusters = verdicts
        cache.clear()
        start = time.perf_counter()
        response = client.get("/value-chains/locomotives/")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        return elapsed

    cold(served)  # warm-up: imports, connection, the parsed concordance
    times = {"served": [], "baseline": []}
    for _ in range(args.rounds):
        times["served"].append(cold(served))
        times["baseline"].append(cold(lambda: cluster_panels.assessed_strong_clusters("stars")))
    selectors.strong_clusters = served
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.node(),
        "load": os.getloadavg(),
        "seconds": times,
        "median": {k: statistics.median(v) for k, v in times.items()},
    }
    result["ratio"] = result["median"]["served"] / result["median"]["baseline"]
    out = BASE_DIR / ".bench" / "locomotives.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
