"""Shared printing of Run rows for the data commands."""

from django.core.management.base import CommandError

from indicators.models import Run


def print_runs(command, runs) -> None:
    failed = [run for run in runs if run.status == Run.Status.FAILED]
    for run in runs:
        style = {
            Run.Status.SUCCEEDED: command.style.SUCCESS,
            Run.Status.FAILED: command.style.ERROR,
        }.get(run.status, command.style.WARNING)
        timing = ", ".join(f"{k} {v:.2f}s" for k, v in (run.timings or {}).items())
        command.stdout.write(style(f"[{run.status}] {run.message}") + (f"  ({timing})" if timing else ""))
        if run.error:
            command.stdout.write(f"    {run.error}")
    changed = [run for run in runs if run.status == Run.Status.SUCCEEDED]
    if not changed and not failed:
        command.stdout.write("Nothing changed: every source is already at its current release.")
    if failed:
        raise CommandError(f"{len(failed)} run(s) failed; the previous data stays current.")
