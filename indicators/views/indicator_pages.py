"""Indicator pages (map + ranking + time series + table for one indicator), the NUTS outlines the
maps draw on, and the stylesheet Plotly would otherwise inject inline."""

import re
from functools import cache

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from observatory import plotly_bundle
from observatory.params import is_year

from .. import outlines, pages
from ..registry import INDICATORS
from ..selectors import release_infos
from .common import cache_public_page, render_with_panels
from .profiles import canonical, render_page


@require_safe
@cache_public_page
def indicator_list(request):
    infos = release_infos()
    groups = {"country": [], "region": []}
    for spec in INDICATORS.values():
        groups[spec.scope].append({"spec": spec, "source": infos.get(spec.source, {})})
    return render_with_panels(request, "indicators/indicator_list.html", {"groups": groups, "panels": []})


def _indicator_canonical(request, code):
    spec = INDICATORS.get(code)
    allowed = ("year", "ecosystem") if spec and spec.breakdown == "ecosystem" else ("year",)
    return pages.canonical_query(request.GET, allowed, pages.INDICATOR.checks(code=code))


@require_safe
@cache_public_page(canonical=_indicator_canonical, stored=True)
def indicator_detail(request, code):
    spec = INDICATORS.get(code)
    if spec is None:
        raise Http404(f"No indicator {code!r}.")
    if spec.breakdown == "cluster_category":
        # Cluster figures have their own pages (categories, stars, threshold versions).
        from ..panels import clusters as cluster_panels

        slug = request.GET.get("ecosystem")
        if slug in cluster_panels.category_map():
            return redirect("indicators:cluster-category", slug=slug)
        return redirect("indicators:cluster-overview")
    if spec.breakdown == "nace":
        # One NACE division at a time: the NACE view of regions (C29 unless one is asked for).
        target = reverse(
            "indicators:nace-regions", args=[request.GET.get("nace", "C29")[:8].upper() or "C29"]
        )
        year = request.GET.get("year", "")
        return redirect(target + (f"?year={year}" if is_year(year) else ""))
    return render_page(request, pages.INDICATOR, code=code)


@require_safe
@cache_public_page(canonical=canonical(pages.NACE_REGIONS), stored=True)
def nace_regions(request, code):
    """One NACE division across the NUTS 2 regions: map and ranking by LQ, employment."""
    if code != code.upper():
        return redirect("indicators:nace-regions", code=code.upper(), permanent=True)
    if not (len(code) in (3, 4) and code.isascii() and code[0].isalpha() and code[1:].isdigit()):
        raise Http404("A NACE division is a section letter and two digits, e.g. C29.")
    return render_page(request, pages.NACE_REGIONS, code=code)


@require_safe
@gzip_page
def geometry(request, level: int, version: int | None = None):
    """NUTS 2021 outlines (GISCO, 1:60 million) at a level, as compact GeoJSON with NUTS ids.

    The versioned URL (`<level>.<release>.geojson`, what the pre-built pages link to) names the
    outlines' release, so it is cached for a year as immutable; the plain one for an hour.
    """
    if level not in (0, 1, 2):
        raise Http404("NUTS levels 0, 1 and 2 are served.")
    current = outlines.version(level)
    response = HttpResponse(outlines.compact(level), content_type="application/geo+json")
    if version is not None and version == current:
        patch_cache_control(response, public=True, max_age=31536000, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=3600)
    return response


PLOTLY_JS = plotly_bundle.served()  # the file served as vendor/plotly/plotly.min.js


@cache
def _plotly_css() -> str:
    """plotly.js keeps its global CSS rules as a JS object and injects them as a <style> element,
    which a strict CSP blocks. We read those rules out of the installed bundle (so they always
    match its version) and serve them as a stylesheet; the page links it with the id plotly.js
    looks for and the class that tells it not to inject."""
    source = PLOTLY_JS.read_text(encoding="utf-8")
    start = source.find('{"X,X div":')
    end = source.find("};for(", start)
    if start < 0 or end < 0:
        return "/* plotly.js style rules not found in this bundle */\n"
    body = source[start + 1 : end]
    rules = []
    for selector, _quote, declarations in re.findall(r'"((?:[^"\\]|\\.)*)":(["\'])(.*?)\2(?:,|$)', body):
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{selector} {{ {declarations} }}")
    return "\n".join(rules) + "\n"


@cache
def plotly_style_guard_ids() -> list[str]:
    """Ids plotly.js checks before injecting a bundled stylesheet (MapLibre's, which our maps
    don't use): an element with that id on the page stops the injection, and the CSP error."""
    source = PLOTLY_JS.read_text(encoding="utf-8")
    return re.findall(
        r'document\.getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)', source
    )


def plotly_css_digest() -> str:
    """A short hash of the stylesheet: its URL names it, so browsers keep it as immutable."""
    import hashlib

    return hashlib.sha256(_plotly_css().encode()).hexdigest()[:12]


@require_safe
def plotly_css(request, digest: str | None = None):
    """The stylesheet; under its hashed URL (what the pages link) cached for a year as immutable,
    under the plain one (or an old hash) for a day."""
    response = HttpResponse(_plotly_css(), content_type="text/css; charset=utf-8")
    if digest == plotly_css_digest():
        patch_cache_control(response, public=True, max_age=31536000, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=86400)
    return response
