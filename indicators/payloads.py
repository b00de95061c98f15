"""Pages from pre-built data: one row per page family × canonical parameters × data generation.

A payload is the context a page's template renders (panels, tables, summaries, sources and the
taxonomy rows it names), built by the page family's builder (indicators/pages.py) from the
panels' public functions. The warm task builds every page's payload right after a refresh; a
page then costs one indexed lookup plus one template render, and never reads the observation or
indicator tables. A payload not built yet is built on first request under a single-flight lock
(a Redis `add`): one request builds, the others wait for it briefly, then take the previous
generation's payload, and only build themselves when there is none. With the payload comes, in
the same query, the page's pre-rendered block for the request's language and query
(indicators/fragments.py), when it is stored.

Generations (indicators.loading.current_generations): a page reads the payload of the *served*
generation when there is one (during a refresh, the one the refresh started from, so every page
shows the same data until the new pages are warm), else the *data* generation's; anything built
is built at the data generation, from the tables as they are now. A payload is built from one
generation and stored under it, so a page never mixes generations.
"""

import pickle
import time
import zlib

from django.core.cache import cache
from django.db import connection

from .fragments import Prebuilt, build_id, insert_once
from .models import PageFragment, PagePayload, StoredPage
from .selectors import generations

LOCK_SECONDS = 30  # a builder that died frees the lock after this
WAIT_SECONDS = 1.5  # how long a request waits for another one's build
POLL_SECONDS = 0.05
KEEP_GENERATIONS = 2  # the served one and its predecessor (single flight falls back to it)


def encode(context: dict) -> bytes:
    return zlib.compress(pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL), 1)


def decode(data) -> dict:
    # Only this module writes the rows, from our own builders: the pickle is trusted data.
    return pickle.loads(zlib.decompress(bytes(data)))  # noqa: S301


def lookup(family: str, key: str, gens) -> dict[int, bytes]:
    rows = PagePayload.objects.filter(family=family, key=key, generation__in=list(gens))
    return dict(rows.values_list("generation", "data"))


_WITH_FRAGMENT = f"""
    SELECT p.generation, p.data,
        (SELECT f.html FROM {PageFragment._meta.db_table} f
         WHERE f.family = p.family AND f.key = p.key AND f.generation = p.generation
             AND f.build = %s AND f.language = %s AND f.query = %s)
    FROM {PagePayload._meta.db_table} p
    WHERE p.family = %s AND p.key = %s AND p.generation = ANY(%s)"""  # noqa: S608 - our table names; values are parameters


def lookup_with_fragment(family: str, key: str, gens, fragment: tuple[str, str]) -> dict[int, tuple]:
    """generation -> (payload data, its stored fragment for (language, query) or None): one query,
    in plain SQL (on the uncached path, building the ORM's query cost as much as running it).
    The fragment's unique constraint makes the subquery one row at most."""
    language, query = fragment
    with connection.cursor() as cursor:
        cursor.execute(_WITH_FRAGMENT, [build_id(), language, query, family, key, list(gens)])
        return {generation: (data, stored) for generation, data, stored in cursor.fetchall()}


def store(family: str, key: str, generation: int, context: dict, build_ms: int = 0) -> None:
    """Insert the payload (a concurrent identical insert wins harmlessly: same inputs)."""
    row = PagePayload(family=family, key=key, generation=generation, data=encode(context), build_ms=build_ms)
    insert_once(lambda: PagePayload.objects.bulk_create([row], ignore_conflicts=True))


def build_and_store(family: str, key: str, generation: int, build) -> dict:
    start = time.perf_counter()
    context = build()
    store(family, key, generation, context, int((time.perf_counter() - start) * 1000))
    return context


def payload(family: str, key: str, build, fragment: tuple[str, str] | None = None) -> tuple[dict, int]:
    """(context, generation it was built at) of a page: pre-built, or built now (single flight).

    BUILD() returns the context from the tables as they are; it may raise (e.g. Http404), and
    then nothing is stored. FRAGMENT: (language, canonical query) of a page whose template has a
    {% prebuilt %} block: the context gets `prebuilt` (indicators.fragments.Prebuilt), holding
    that block's stored HTML when there is one.
    """
    if fragment is None:
        return _payload(family, key, build)
    data_gen, served = generations()
    found = lookup_with_fragment(family, key, {served, data_gen}, fragment)
    for gen in (served, data_gen):
        if gen in found:
            data, stored = found[gen]
            return {**decode(data), "prebuilt": Prebuilt(family, key, gen, *fragment, stored)}, gen
    context, gen = _payload(family, key, build, found={})
    return {**context, "prebuilt": Prebuilt(family, key, gen, *fragment)}, gen


def _payload(family: str, key: str, build, found: dict | None = None) -> tuple[dict, int]:
    data_gen, served = generations()
    found = lookup(family, key, {served, data_gen}) if found is None else found
    for gen in (served, data_gen):
        if gen in found:
            return decode(found[gen]), gen
    lock = f"payload-lock:{family}:{key}:g{data_gen}"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            # Looked again under the lock: a request that missed just before another one stored
            # the payload and freed the lock would otherwise build it a second time.
            again = lookup(family, key, [data_gen])
            if data_gen in again:
                return decode(again[data_gen]), data_gen
            return build_and_store(family, key, data_gen, build), data_gen
        finally:
            cache.delete(lock)
    return wait_for(family, key, data_gen, build)


def wait_for(family: str, key: str, data_gen: int, build) -> tuple[dict, int]:
    """Another request builds this payload: wait for it (bounded), else serve the previous
    generation's page, else build it here too (an identical row; the insert ignores it)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = lookup(family, key, [data_gen])
        if data_gen in found:
            return decode(found[data_gen]), data_gen
    previous = (
        PagePayload.objects.filter(family=family, key=key, generation__lt=data_gen)
        .order_by("-generation")
        .values_list("generation", "data")
        .first()
    )
    if previous is not None:
        return decode(previous[1]), previous[0]
    return build_and_store(family, key, data_gen, build), data_gen


def prune(served: int) -> int:
    """Drop payloads older than the generation before SERVED, with their blocks and stored pages,
    and the blocks and pages of other builds; returns the payload rows deleted."""
    older = PagePayload.objects.filter(generation__lt=served).values_list("generation", flat=True)
    keep = sorted(set(older), reverse=True)[: KEEP_GENERATIONS - 1]
    PageFragment.objects.filter(generation__lt=served).exclude(generation__in=keep).delete()
    StoredPage.objects.filter(generation__lt=served).exclude(generation__in=keep).delete()
    # and what earlier deploys rendered (never served again; a later one renders its own)
    PageFragment.objects.exclude(build=build_id()).delete()
    StoredPage.objects.exclude(build=build_id()).delete()
    doomed = PagePayload.objects.filter(generation__lt=served).exclude(generation__in=keep)
    return doomed.delete()[0]
