"""Pause points for the fault drills (tests/indicators/test_worker_faults.py).

A drill kills a real worker at a chosen moment: the worker is started with
OBSERVATORY_PAUSE_AT=<checkpoint> and OBSERVATORY_PAUSE_SIGNAL=<file>; on reaching that checkpoint it
writes the file (its pid and the checkpoint) and sleeps, so the drill can SIGKILL it there. Inert
unless OBSERVATORY_TESTING is set: production runs every line of the real code path and never waits.

Checkpoints: "ingest:copied" (a release's rows COPYed, its transaction not committed),
"recompute:swapped" (old indicator values deleted and the new ones COPYed, not committed).
"""

import os
import time
from pathlib import Path

from django.conf import settings


def checkpoint(name: str) -> None:
    if not settings.TESTING or os.environ.get("OBSERVATORY_PAUSE_AT") != name:
        return
    Path(os.environ["OBSERVATORY_PAUSE_SIGNAL"]).write_text(f"{os.getpid()} {name}\n")
    deadline = time.monotonic() + float(os.environ.get("OBSERVATORY_PAUSE_SECONDS", "120"))
    while time.monotonic() < deadline:  # a drill that forgot to kill us does not hang forever
        time.sleep(0.1)
