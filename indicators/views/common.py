"""What every page with chart panels shares: permalinks, exports, API links and citations."""

import gzip
import re
import time
from functools import wraps
from urllib.parse import urlencode

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .. import fragments
from ..exports import FORMATS, export
from ..selectors import generation, served_generation

SITE = "EU Industry Observatory"


def page_query(request, **overrides) -> str:
    """The page's own query string without the export parameters (the permalink state)."""
    params = [
        (k, v) for k, vs in request.GET.lists() for v in vs if k not in {"panel", "format"} | set(overrides)
    ]
    params += [(k, v) for k, v in overrides.items() if v not in (None, "")]
    return urlencode(params)


def api_url(request, api: dict) -> str:
    params = []
    endpoint = api.get("endpoint", "indicators:api-values")
    for key, value in api.items():
        if key == "endpoint" or value in (None, "", []):
            continue
        for v in value if isinstance(value, list | tuple) else [value]:
            params.append((key, v))
    return request.build_absolute_uri(reverse(endpoint) + "?" + urlencode(params))


def citation(panel: dict, permalink: str) -> str:
    src = panel["source"]
    return (
        f"{SITE}, “{panel['title']}”, based on {src.get('publisher', 'Eurostat')} dataset {src.get('code')} "
        f"(release {src.get('vintage') or 'not loaded'}). {permalink} (accessed {timezone.now():%Y-%m-%d})."
    )


def decorate(request, panels: list[dict]) -> list[dict]:
    """Add permalink, export links, API call and citation to each panel (copies; cache untouched)."""
    query = page_query(request)
    base = request.build_absolute_uri(request.path) + (f"?{query}" if query else "")
    out = []
    for p in panels:
        permalink = f"{base}#{p['id']}"
        sep = "&" if query else ""
        out.append(
            {
                **p,
                "permalink": permalink,
                "exports": {f: f"?{query}{sep}panel={p['id']}&format={f}" for f in FORMATS},
                "api_url": api_url(request, p["api"]),
                "citation": citation(p, permalink),
            }
        )
    return out


def render_with_panels(request, template: str, context: dict, panels_key: str = "panels"):
    """Render the page, or — with ?panel=<id>&format=csv|xlsx|json — that panel's data table."""
    panels = context.get(panels_key) or []
    if isinstance(panels, dict):
        panels = [panels]
    wanted = request.GET.get("panel")
    if wanted:
        fmt = request.GET.get("format", "csv")
        if fmt not in FORMATS:
            return HttpResponseBadRequest(f"Unknown format {fmt!r}; use csv, tidy, xlsx or json.")
        match = next((p for p in decorate(request, panels) if p["id"] == wanted), None)
        if match is None:
            raise Http404(f"No chart {wanted!r} on this page.")
        return export(match, fmt, match["permalink"], match["citation"])
    if "plotly_traces" not in context:  # payloads list theirs; other pages: from the raw panels
        from ..charts import trace_types

        context = {**context, "plotly_traces": sorted(trace_types(context))}
    if isinstance(context.get(panels_key), list):
        # Lazily: a page whose {% prebuilt %} block is stored never reads its panels.
        decorated = SimpleLazyObject(lambda: decorate(request, panels))
    else:
        decorated = decorate(request, panels)[0] if panels else None
    context = {**context, panels_key: decorated}
    context.setdefault("has_charts", True)
    # The key of the cached page fragments: the generation the payload was built at, and the
    # canonical query (a query that is not canonical renders without the fragment cache).
    built_at = context.pop("payload_generation", None)
    context["generation"] = generation() if built_at is None else built_at
    # A page built from a payload may be stored whole (cache_public_page, fragments.keep_page).
    request.page_built_at = built_at
    context["page_key"] = getattr(request, "canonical_query", None)
    context["fragment_cache"] = "default" if context["page_key"] is not None else "nocache"
    return render(request, template, context)


# A cached page is fresh for PAGE_CACHE_SECONDS (how stale its other parts may be, e.g. the list of
# forum threads); after that it is still served, for at most PAGE_STALE_SECONDS, while one request
# (a Redis `add` lock) renders it again: no stampede when a page expires, and the pages the warm
# step renders before a refresh switches generations are still there when it does (the warm may
# take longer than a minute). The generation is in the key: a stale page is never older data.
PAGE_CACHE_SECONDS = 60
PAGE_STALE_SECONDS = 30 * 60
RENDER_LOCK_SECONDS = 10
PAGE_PARAMS = {
    "year",
    "ecosystem",
    "map",
    "sort",
    "dir",
    "geo",
    "indicator",
    # the dependency screen's permalink state
    "rules",
    "importer",
    "show",
    "supplier",
    "risk",
    "nace",
    "page",
    # the compare page's year range and picker
    "from",
    "to",
    "aggregates",
    # the cluster pages' method, threshold version and mapped category
    "method",
    "params",
    "category",
}


def generic_canonical(request, *args, **kwargs) -> str | None:
    from ..pages import canonical_query

    return canonical_query(request.GET, PAGE_PARAMS)


def pending_messages(request) -> bool:
    """A message waits for this visitor (e.g. "You have signed out."): the page is rendered for
    them alone, never taken from or put into the page cache or the stored pages. Counting them
    does not mark them shown."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def cache_public_page(view=None, *, canonical=None, stored=False):
    """Serve anonymous GETs of a figure page from the cache, keyed by the served data generation
    the active language and the canonical URL.

    Figures change only with the data generation (part of the key); the short timeout bounds how
    stale the page's other parts may be (e.g. the list of forum threads). Only canonical queries
    are stored (CANONICAL(request, *args, **kwargs) -> the query in canonical order, or None;
    by default known parameters with validated values, indicators.pages.CHECKS), so junk values
    cannot fill the cache. Signed-in users, who see their own menu, visitors with a message
    waiting, and downloads always get a fresh render. STORED: the view renders pages from payloads
    (render_with_panels), so a page-cache miss first looks for the page stored whole (StoredPage,
    Decision 39); only pages built at the generation they are served under are stored.
    """
    if view is None:
        return lambda v: cache_public_page(v, canonical=canonical, stored=stored)

    def page_key(request, *args, **kwargs) -> str | None:
        """The cache key of this request's page, or None when it is not cached (not a GET, not a
        canonical query, a signed-in user)."""
        query = None
        if request.method == "GET":
            query = (canonical or generic_canonical)(request, *args, **kwargs)
        request.canonical_query = query
        user = getattr(request, "user", None)
        if query is None or user is None or user.is_authenticated or pending_messages(request):
            return None
        # The build (templates, static file names) too: after a deploy no cached page names an
        # asset file the new build does not have.
        page = f"{get_language()}:{request.get_host()}:{request.path}?{query}"
        return f"page:g{served_generation()}:{fragments.build_id()}:{page}"

    def cached(request, *args, **kwargs) -> HttpResponse | None:
        """The cached page, if any (GenerationMiddleware asks before it opens the snapshot)."""
        key = page_key(request, *args, **kwargs)
        hit = fresh_or_stale(key) if key is not None else None
        request.page_cache_missed = key if hit is None else None
        if hit is None:
            return None
        return gzipped_page(request, HttpResponse(hit, content_type="text/html; charset=utf-8"))

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = page_key(request, *args, **kwargs)
        if key is None:
            return view(request, *args, **kwargs)  # downloads and non-canonical queries are not cached
        hit = fresh_or_stale(key) if key != getattr(request, "page_cache_missed", None) else None
        if hit is not None:
            return gzipped_page(request, HttpResponse(hit, content_type="text/html; charset=utf-8"))
        # Compressed harder when it is kept (the dummy cache of the benchmarks keeps nothing).
        level = 1 if isinstance(caches["default"], DummyCache) else 6
        served, language, query = served_generation(), get_language(), request.canonical_query
        storable = stored and len(request.path) <= 200 and len(query) <= 400
        whole = fragments.stored_page(request, served, language, query) if storable else None
        if whole is not None:  # built from this generation's payload: nothing to render
            body = gzip.compress(whole.encode(), compresslevel=level, mtime=0)
            response = HttpResponse(body, content_type="text/html; charset=utf-8")
            keep_page(request, key, response.content)
            return gzipped_page(request, response)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            if storable and getattr(request, "page_built_at", None) == served:
                fragments.keep_page(request, served, language, query, response.content.decode())
            response.content = gzip.compress(response.content, compresslevel=level, mtime=0)
            keep_page(request, key, response.content)
            return gzipped_page(request, response)
        return response

    wrapped.cached_page = cached
    return wrapped


def fresh_or_stale(key: str) -> bytes | None:
    """The cached gzipped page under KEY to serve, or None when this request must render it: not
    cached, or past its freshness and this request won the lock to render it again (the others
    keep getting the stale copy meanwhile)."""
    entry = cache.get(key)
    if not isinstance(entry, tuple):
        return None  # not cached (or stored bare by an older version: rendered and stored again)
    fresh_until, page = entry
    if time.time() >= fresh_until and cache.add(f"{key}:render", 1, RENDER_LOCK_SECONDS):
        return None
    return page


def keep_page(request, key: str, page: bytes) -> None:
    from ..warming import remember_origin

    # The render lock, if this request held it, just expires: the page is fresh again until then.
    cache.set(key, (time.time() + PAGE_CACHE_SECONDS, page), PAGE_STALE_SECONDS)
    remember_origin(request)


_GZIP = re.compile(r"\bgzip\b")


def gzipped_page(request, response: HttpResponse) -> HttpResponse:
    """RESPONSE holds a gzipped page (as the page cache stores it: compressed once, when stored):
    sent as it is to a client accepting gzip (every browser), decompressed for the others.
    These are anonymous pages with no secret in them (no CSRF token, no session): nothing for a
    compression side channel (BREACH) to find."""
    patch_vary_headers(response, ("Accept-Encoding",))
    if _GZIP.search(request.headers.get("Accept-Encoding", "")):
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.content = gzip.decompress(response.content)
    return response
