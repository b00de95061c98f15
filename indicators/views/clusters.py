"""The cluster pages: overview and strength map, a region's clusters, one category across regions.

Every view is a permalink: year (``year``), method (``method=stars|us``), threshold version
(``params=N``; the current one when absent — older versions stay reachable) and, on the
overview, the category mapped (``category``).
"""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from ecosystems import selectors as taxonomy

from ..panels import clusters as C
from ..panels import source_of
from .common import cache_public_page, page_query, render_with_panels


def _state(request):
    """(period, params, method) from the query string; None params = unknown version (404)."""
    method = request.GET.get("method", "stars")
    if method not in C.METHODS:
        method = "stars"
    params = C.resolve_parameters(request.GET.get("params"))
    if params is None:
        raise Http404("No such threshold version.")
    return C.resolve_period(request.GET.get("year")), params, method


def _pin(request, period, params, method) -> None:
    """Put the state actually shown into the query the permalinks, exports and method links are
    built from: a permalink keeps its threshold version, year and method even after a curator
    makes a new version current or newer data arrive."""
    query = request.GET.copy()
    query["params"] = str(params["number"])
    query["method"] = method
    if period:
        query["year"] = period
    request.GET = query


def _context(request, period, params, method) -> dict:
    requested_year = request.GET.get("year")
    _pin(request, period, params, method)
    current = next((p for p in C.parameter_sets() if p["is_current"]), None)
    return {
        "period": period,
        "periods": C.periods(),
        "requested_year": requested_year,
        "params": params,
        "parameter_sets": C.parameter_sets(),
        "is_current_params": current is not None and current["number"] == params["number"],
        "method": method,
        "methods": C.METHODS.items(),
        "method_links": {m: "?" + page_query(request, method=m) for m in C.METHODS},
        "rules": C.rules(params),
        "source": source_of("cluster_emp"),
    }


@require_safe
@cache_public_page
def overview(request):
    period, params, method = _state(request)
    category = request.GET.get("category") or None
    if category and category not in C.category_map():
        return HttpResponseBadRequest("Unknown cluster category.")
    context = _context(request, period, params, method)
    context.update(category=category, map_category=category, categories=C.categories())
    if period:
        context.update(C.overview(period, params, method, category))
    else:
        context["panels"] = []
    return render_with_panels(request, "clusters/overview.html", context)


@require_safe
@cache_public_page
def region(request, nuts):
    if nuts != nuts.upper():
        return redirect("indicators:cluster-region", nuts=nuts.upper(), permanent=True)
    versions = taxonomy.region_versions(nuts)
    if not versions or versions[0].level != 2:
        raise Http404(f"No NUTS 2 region {nuts}.")
    period, params, method = _state(request)
    context = _context(request, period, params, method)
    context.update(region=versions[0], country=taxonomy.country(versions[0].country))
    if period:
        context.update(C.region(nuts, period, params, method))
    else:
        context["panels"] = []
    return render_with_panels(request, "clusters/region.html", context)


@require_safe
@cache_public_page
def category(request, slug):
    cat = C.category_map().get(slug)
    if cat is None:
        raise Http404(f"No cluster category {slug}.")
    period, params, method = _state(request)
    context = _context(request, period, params, method)
    context["category"] = cat
    if period:
        context.update(C.category(slug, period, params, method))
    else:
        context["panels"] = []
    return render_with_panels(request, "clusters/category.html", context)
