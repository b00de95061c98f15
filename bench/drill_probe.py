"""Where the time goes during the load drill (bench/drill_refresh_load.py): CPU by process group,
load average, and request latencies per refresh phase.

A Sampler thread reads /proc every second: the CPU seconds used by each named group of processes
(gunicorn's workers, the refresh and its children, the drill database's PostgreSQL backends), the
machine's busy fraction and its 1-minute load average. Gunicorn writes an access log with each
request's service time (`%(M)s`, from the request read to the response written: no time in the
listen backlog); wrk's latency includes that wait, so wrk p99 far above the service time p99 means
requests queue for a worker (too few workers, or workers starved of CPU), while a high service time
means the request itself is slow (its queries, a rebuild, CPU starvation mid-request).
`phases()` cuts the run at the refresh's Run rows (each ingest, the recompute, the warm-up) and
summarises each phase. Linux only (/proc); reported, never asserted.
"""

import os
import re
import threading
import time
from datetime import datetime
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of PID (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants(pid: int) -> list[int]:
    """PID and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return out


def machine_busy() -> tuple[float, float]:
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    return sum(cpu) - idle, sum(cpu)


class Sampler(threading.Thread):
    """Every INTERVAL seconds: (time, load1, machine busy fraction, {group: CPU share of one core}).

    GROUPS maps a name to a function returning that group's pids now; a pid's CPU counts from the
    second sample it appears in (a short-lived process is missed: the figures are a lower bound).
    """

    def __init__(self, groups: dict, interval: float = 1.0):
        super().__init__(daemon=True)
        self.groups, self.interval = groups, interval
        self.stopping, self.samples, self.niceness = threading.Event(), [], {}

    def run(self):
        last: dict[int, float] = {}
        busy0, total0 = machine_busy()
        t0 = time.time()
        while not self.stopping.wait(self.interval):
            now = time.time()
            busy, total = machine_busy()
            shares, seen = {}, {}
            for name, pids in self.groups.items():
                used = 0.0
                for pid in set(pids()):
                    value = cpu_seconds(pid)
                    if value is None:
                        continue
                    seen[pid] = value
                    used += value - last.get(pid, value)
                    try:
                        nice = os.getpriority(os.PRIO_PROCESS, pid)
                        self.niceness[name] = max(self.niceness.get(name, nice), nice)
                    except OSError:
                        pass
                shares[name] = used / (now - t0)
            with open("/proc/loadavg") as f:
                load1 = float(f.read().split()[0])
            self.samples.append((now, load1, (busy - busy0) / max(total - total0, 1), shares))
            last, busy0, total0, t0 = seen, busy, total, now


def postgres_backends(database_url: str):
    """A function returning the pids of the PostgreSQL backends connected to the drill database."""
    import psycopg

    conn = psycopg.connect(database_url, autocommit=True)
    lock = threading.Lock()

    def pids() -> list[int]:
        with lock:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        return [r[0] for r in rows]

    return pids


ACCESS_FORMAT = '%(t)s %(s)s %(M)s "%(U)s"'
ACCESS_LINE = re.compile(r"\[([^\]]+)\] (\d{3}) (\d+) \"([^\"]*)\"")


def read_access_log(path) -> list[tuple[float, int, float, str]]:
    """(end time, status, service ms, path) per request of gunicorn's access log (ACCESS_FORMAT)."""
    out = []
    try:
        text = Path(path).read_text()
    except OSError:
        return out
    for stamp, status, ms, url in ACCESS_LINE.findall(text):
        end = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z").timestamp()
        out.append((end, int(status), float(ms), url))
    return out


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def phases(runs, start: float, end: float) -> list[tuple[str, float, float]]:
    """(label, start, end) per Run (kind, source, started, finished as epoch) and the load around."""
    cuts = [("load before the refresh", start, runs[0][2] if runs else end)]
    for kind, source, began, finished in runs:
        cuts.append((f"{kind} {source}".strip(), began, finished or end))
    cuts.append(("load after the refresh", cuts[-1][2], end))
    return cuts


def summarise(cuts, samples, requests, polls) -> list[dict]:
    """Per phase: seconds, mean load and CPU shares, service-time p50/p99 (gunicorn log) and the
    poller's latency p99 (a client's view, backlog wait included)."""
    out = []
    for label, began, finished in cuts:
        inside = [s for s in samples if began <= s[0] < finished]
        served = [ms for end, _, ms, _ in requests if began <= end - ms / 1000 < finished]
        polled = [ms for t, ms in polls if began <= t < finished]
        groups = inside[0][3] if inside else {}
        row = {
            "phase": label,
            "seconds": round(finished - began, 1),
            "load1": round(sum(s[1] for s in inside) / len(inside), 1) if inside else None,
            "machine_busy": round(sum(s[2] for s in inside) / len(inside), 2) if inside else None,
            "cpu_cores": {name: round(sum(s[3][name] for s in inside) / len(inside), 2) for name in groups},
            "requests": len(served),
            "service_p50_ms": percentile(served, 0.5),
            "service_p99_ms": percentile(served, 0.99),
            "poll_p99_ms": round(percentile(polled, 0.99), 1) if polled else None,
        }
        out.append(row)
    return out


def print_summary(rows: list[dict]) -> None:
    print("Per phase (CPU in cores; service = gunicorn's time per request; poll = a client's latency):")
    for r in rows:
        cpu = ", ".join(f"{k} {v}" for k, v in r["cpu_cores"].items())
        print(
            f"  {r['phase'][:34]:34} {r['seconds']:7.1f} s  load {r['load1']}  busy {r['machine_busy']}  "
            f"[{cpu}]  {r['requests']} req, service p50 {r['service_p50_ms']} p99 {r['service_p99_ms']} ms, "
            f"poll p99 {r['poll_p99_ms']} ms"
        )
