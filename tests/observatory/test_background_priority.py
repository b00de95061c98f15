"""Background work yields the CPU to the web workers (observatory.priority): a real Celery worker
lowers its priority to OBSERVATORY_BACKGROUND_NICE at start-up, before its pool forks, and a
priority is never raised back."""

import os
import subprocess
import sys

import pytest

from tests.celery_harness import ROOT, start_worker, stop_worker, wait_for


def niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


@pytest.mark.celery_worker
def test_a_real_celery_worker_runs_at_the_background_niceness(redis_url):
    target = min(19, os.nice(0) + 3)
    if target == os.nice(0):
        pytest.skip("this test process already runs at the lowest priority")
    proc = start_worker(redis_url, OBSERVATORY_BACKGROUND_NICE=str(target))
    try:
        assert wait_for(lambda: proc.poll() is None and niceness(proc.pid) == target, timeout=60)
    finally:
        stop_worker(proc)


def test_lower_priority_lowers_to_the_setting_and_never_raises_it_back():
    base = os.nice(0)
    if base > 16:
        pytest.skip("this test process already runs at the lowest priorities")
    code = (
        "from observatory.priority import lower_priority as low; "
        f"print(low(), low({base + 2}), low({base + 1}), low({base + 2}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "observatory.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "OBSERVATORY_BACKGROUND_NICE": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [str(base), str(base + 2), str(base + 2), str(base + 2)]
