"""Warm after a refresh: pre-build every page at the new data generation, then serve it.

A refresh (`refresh.refresh_sources`) first holds the pages on the generation it starts from
(`loading.hold_pages`); this step runs after its recompute, builds the payload of every page at
its default parameters (indicators.pages.pages_to_warm) at the data generation, then renders
each of those pages through the whole middleware stack, in every language, for each origin
(scheme + host) the page cache has recently served (`remember_origin`), as an anonymous visitor
would ask for it: that stores its `{% prebuilt %}` blocks (indicators.fragments) and its gzipped
page in the page cache under the key visitors will use (views.common.cache_public_page), and
only then makes that generation the served one (`loading.release_pages`), so no visitor meets a
cold page and no page shows a mix of generations. Progress is the warm `Run` row.
"""

import io
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import translation

from . import payloads
from .loading import current_generations, release_pages
from .models import PagePayload, Run
from .pages import key_of, pages_to_warm
from .selectors import pinned_generation, serving

ORIGINS_KEY = "warm:origins"
MAX_ORIGINS = 4  # the newest origins served; ALLOWED_HOSTS bounds them (get_host validates)


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
            built, skipped, total, ready = build_all(run, generation)
        prebuilt = time.perf_counter()
        with serving(generation):
            rendered, failed = render_all(run, ready)
    except Exception as exc:
        finish(run, Run.Status.FAILED, "pre-building pages failed; the previous pages stay served", repr(exc))
        raise
    release_pages(generation)
    pruned = payloads.prune(generation)
    now = time.perf_counter()
    seconds, render_seconds = round(now - clock, 2), round(now - prebuilt, 2)
    return finish(
        run,
        Run.Status.SUCCEEDED,
        f"generation {generation}: {built} pages pre-built, {total - built - skipped} already there, "
        f"{skipped} without a page; {rendered} pages rendered into the page cache"
        + (f" ({failed} did not answer 200)" if failed else "")
        + f"; {pruned} older payloads dropped",
        rows=built,
        timings={"warm": seconds, "prebuild": round(seconds - render_seconds, 2), "render": render_seconds},
    )


def build_all(run: Run, generation: int) -> tuple[int, int, int]:
    from .refresh import report

    todo = pages_to_warm()
    empty = QueryDict()
    built = skipped = 0
    ready = []
    for step, (family, path) in enumerate(todo):
        args = family.args(empty, **path)
        key = key_of(path, args)
        if step % 10 == 0:
            report(run, 5 + 45 * step // max(len(todo), 1), f"pre-building {family.name} {key}"[:120])
        if PagePayload.objects.filter(family=family.name, key=key, generation=generation).exists():
            ready.append((family, path))
            continue
        try:
            build = lambda f=family, p=path, a=args: f.context(p, a)  # noqa: E731
            payloads.build_and_store(family.name, key, generation, build)
            built += 1
            ready.append((family, path))
        except Http404:
            skipped += 1  # e.g. a country code with no country row
    return built, skipped, len(todo), ready


# The URL of a warmed page: family -> (URL name, its path argument).
URLS = {
    "ecosystem-list": ("ecosystems:ecosystem-list", None),
    "ecosystem": ("ecosystems:ecosystem-detail", "slug"),
    "country-list": ("ecosystems:country-list", None),
    "country": ("ecosystems:country-detail", "geo"),
    "region": ("ecosystems:region-detail", "nuts"),
    "indicator": ("indicators:indicator-detail", "code"),
}


def url_of(family, path: dict) -> str | None:
    name, arg = URLS.get(family.name, (None, None))
    if name is None:
        return None
    return reverse(name, kwargs={arg: path[arg]} if arg else None)


def remember_origin(request) -> None:
    """Note the origin (scheme + host) a cached page was stored for, so the warm step renders the
    pages for it (the page cache's key has the host; the page's permalinks have the origin)."""
    origin = f"{request.scheme}://{request.get_host()}"
    if time.monotonic() - _remembered.get(origin, -NOTE_SECONDS) < NOTE_SECONDS:
        return
    seen = cache.get(ORIGINS_KEY) or {}
    seen[origin] = time.time()
    newest = dict(sorted(seen.items(), key=lambda item: item[1], reverse=True)[:MAX_ORIGINS])
    cache.set(ORIGINS_KEY, newest, None)
    _remembered[origin] = time.monotonic()


NOTE_SECONDS = 300  # a process notes an origin again after this (the cache may have been emptied)
_remembered: dict[str, float] = {}  # origin -> when this process last noted it


def origins() -> list[str]:
    """The origins to warm: those recently served, else the first host settings allow (its
    blocks are stored all the same; they do not depend on the host)."""
    seen = cache.get(ORIGINS_KEY) or {}
    if seen:
        return sorted(seen, key=seen.get, reverse=True)
    hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")]
    return [f"http://{hosts[0]}"] if hosts else []


def environ(origin: str, path: str, language: str) -> dict:
    """What a browser of LANGUAGE asking for ORIGIN + PATH sends (no cookie: an anonymous visit)."""
    parts = urlsplit(origin)
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": parts.hostname,
        "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": parts.netloc,
        "HTTP_ACCEPT_LANGUAGE": language,
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": parts.scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }


def render_all(run: Run, ready: list) -> tuple[int, int]:
    """Render every ready page (language × origin) through the middleware, as a visitor's GET:
    what it stores (blocks, the cached page) is what the visitors after the switch are served."""
    from django.core.handlers.base import BaseHandler
    from django.core.handlers.wsgi import WSGIRequest

    from .refresh import report

    handler = BaseHandler()
    handler.load_middleware()
    languages = [code for code, _name in settings.LANGUAGES]
    targets = origins()
    rendered = failed = 0
    # LocaleMiddleware activates each page's language in this thread and leaves it active; the
    # override puts the task's own language back afterwards (else the run's log lines, labels and
    # later messages come out in the last language rendered, German).
    with translation.override(translation.get_language()):
        for step, (family, path) in enumerate(ready):
            url = url_of(family, path)
            if url is None:
                continue
            if step % 10 == 0:
                report(run, 50 + 45 * step // max(len(ready), 1), f"rendering {url}"[:120])
            for origin in targets:
                for language in languages:
                    # Not response.close(): it sends request_finished, which closes this process's
                    # database connection (as a server's request does) in the middle of the task.
                    response = handler.get_response(WSGIRequest(environ(origin, url, language)))
                    if response.status_code == 200:
                        rendered += 1
                    else:
                        failed += 1
    return rendered, failed
