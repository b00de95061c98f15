"""Warm after a refresh: pre-build every page's payload at the new data generation, then serve it.

A refresh (`refresh.refresh_sources`) first holds the pages on the generation it starts from
(`loading.hold_pages`); this step runs after its recompute, builds the payload of every page at
its default parameters (indicators.pages.pages_to_warm) at the data generation, and only then
makes that generation the served one (`loading.release_pages`), so no visitor meets a cold page
and no page shows a mix of generations. Progress is the warm `Run` row.
"""

import time

from django.conf import settings
from django.http import Http404, QueryDict

from . import payloads
from .loading import current_generations, release_pages
from .models import PagePayload, Run
from .pages import key_of, pages_to_warm
from .selectors import pinned_generation


def enabled() -> bool:
    """Warming after a refresh is on unless settings say otherwise (the test suite turns it off
    except in the tests of this module: it pre-builds every page)."""
    return getattr(settings, "WARM_PAGES_AFTER_REFRESH", True)


def warm(run: Run | None = None) -> Run:
    """Pre-build every page at the current data generation, then serve that generation."""
    from .refresh import finish, start_run

    run = start_run(Run.Kind.WARM, run=run)
    generation = current_generations()[0]
    clock = time.perf_counter()
    try:
        with pinned_generation(generation):
            built, skipped, total = build_all(run, generation)
    except Exception as exc:
        finish(run, Run.Status.FAILED, "pre-building pages failed; the previous pages stay served", repr(exc))
        raise
    release_pages(generation)
    pruned = payloads.prune(generation)
    seconds = round(time.perf_counter() - clock, 2)
    return finish(
        run,
        Run.Status.SUCCEEDED,
        f"generation {generation}: {built} pages pre-built, {total - built - skipped} already there, "
        f"{skipped} without a page; {pruned} older payloads dropped",
        rows=built,
        timings={"warm": seconds},
    )


def build_all(run: Run, generation: int) -> tuple[int, int, int]:
    from .refresh import report

    todo = pages_to_warm()
    empty = QueryDict()
    built = skipped = 0
    for step, (family, path) in enumerate(todo):
        args = family.args(empty, **path)
        key = key_of(path, args)
        if PagePayload.objects.filter(family=family.name, key=key, generation=generation).exists():
            continue
        try:
            build = lambda f=family, p=path, a=args: f.context(p, a)  # noqa: E731
            payloads.build_and_store(family.name, key, generation, build)
            built += 1
        except Http404:
            skipped += 1  # e.g. a country code with no country row
        if step % 10 == 0:
            report(run, 5 + 90 * step // max(len(todo), 1), f"pre-building {family.name} {key}"[:120])
    return built, skipped, len(todo)
