"""Ecosystem, country and region profiles and the compare page.

They live with the indicator pages (not in `ecosystems`, the taxonomy app, which imports no other
app); their URL names keep the `ecosystems:` namespace. The profile pages are payloads built once
per data generation (indicators.pages, indicators.payloads): these views read the payload for the
URL state (every view is a permalink: year, ecosystem, places live in the query string) and
render it. The compare page (any set of places) builds from indicators.panels directly.
"""

from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from ecosystems import selectors as taxonomy
from observatory.params import is_year

from .. import pages
from .. import panels as P
from ..registry import INDICATORS
from .common import cache_public_page, render_with_panels


def canonical(family: pages.Family, extra: tuple[str, ...] = ()):
    """The family's canonical query check for cache_public_page (its parameters, its years)."""
    return lambda request, **path: pages.canonical_query(
        request.GET, (*family.params, *extra), family.checks(**path)
    )


def prebuilt_block(request) -> tuple[str, str] | None:
    """(language, canonical query) under which the page's {% prebuilt %} block is stored; None for
    a query that is not canonical (rendered, never stored: junk cannot fill the table)."""
    query = getattr(request, "canonical_query", None)
    return None if query is None else (get_language(), query)


def render_page(request, family: pages.Family, extra: dict | None = None, **path):
    """A family's page: its payload (pre-built, or built now once) plus one template render."""
    context, built_at = pages.page(family, request.GET, prebuilt_block(request), **path)
    context = {
        **context,
        **(extra or {}),
        "requested_year": request.GET.get("year"),
        "payload_generation": built_at,
    }
    return render_with_panels(request, family.template, context)


@require_safe
@cache_public_page(canonical=canonical(pages.ECOSYSTEM_LIST, ("sort", "dir")), stored=True)
def ecosystem_list(request):
    context, built_at = pages.page(pages.ECOSYSTEM_LIST, request.GET, prebuilt_block(request))
    sort = request.GET.get("sort", "emp")
    sort = sort if sort in context["sort_keys"] else "emp"  # the table's column keys
    descending = request.GET.get("dir", "desc" if sort != "name" else "asc") == "desc"
    context = {
        **context,
        "table": P.sort_rows(context["table"], sort, descending, label="name"),
        "sort": sort,
        "descending": descending,
        "payload_generation": built_at,
    }
    return render_with_panels(request, pages.ECOSYSTEM_LIST.template, context)


@require_safe
@cache_public_page(canonical=canonical(pages.ECOSYSTEM), stored=True)
def ecosystem_detail(request, slug):
    return render_page(request, pages.ECOSYSTEM, slug=slug)


@require_safe
@cache_public_page(canonical=canonical(pages.COUNTRY_LIST), stored=True)
def country_list(request):
    return render_page(request, pages.COUNTRY_LIST)


@require_safe
@cache_public_page(canonical=canonical(pages.COUNTRY), stored=True)
def country_detail(request, geo):
    if geo != geo.upper():
        return redirect("ecosystems:country-detail", geo=geo.upper(), permanent=True)
    return render_page(request, pages.COUNTRY, geo=geo)


@require_safe
@cache_public_page(canonical=canonical(pages.REGION), stored=True)
def region_detail(request, nuts):
    if nuts != nuts.upper():
        return redirect("ecosystems:region-detail", nuts=nuts.upper(), permanent=True)
    return render_page(request, pages.REGION, nuts=nuts)


COMPARE_PARAMS = ("geo", "indicator", "ecosystem", "year", "from", "to", "aggregates")


def _year(raw: str | None) -> str | None:
    return raw if is_year(raw) else None


def place_groups(selected: list[str], show_aggregates: bool) -> list[tuple[str, list[dict]]]:
    """The picker's groups: the EU first, then the member states, the other countries, and the
    older aggregates (EU28, euro area…) only when asked for or already chosen."""
    places = P.country_dicts()
    eu = [p for p in places if p["code"] == "EU27_2020"]
    members = [p for p in places if p["eu27_2020"]]
    others = [p for p in places if p["kind"] == "country" and not p["eu27_2020"]]
    aggregates = [
        p
        for p in places
        if p["kind"] != "country" and p["code"] != "EU27_2020" and (show_aggregates or p["code"] in selected)
    ]
    groups = [("EU", eu), ("EU member states", members), ("Other countries", others)]
    if aggregates:
        groups.append(("Other aggregates", aggregates))
    return [(name, rows) for name, rows in groups if rows]


@require_safe
@cache_public_page(canonical=lambda request: pages.canonical_query(request.GET, COMPARE_PARAMS))
def compare(request):
    places = taxonomy.country_names()
    geos = [g.strip().upper() for g in request.GET.getlist("geo") for g in g.split(",") if g.strip()]
    regions = taxonomy.existing_regions(g for g in geos if g not in places)  # one query for all
    unknown = [g for g in geos if g not in places and g not in regions]
    geos = [g for g in geos if g not in unknown]
    too_many = len(dict.fromkeys(geos)) > P.MAX_COMPARE
    code = request.GET.get("indicator", "emp")
    if code not in INDICATORS or INDICATORS[code].breakdown != "ecosystem":
        code = "emp"
    ecos = P.ecosystem_rows()
    slugs = [e["slug"] for e in ecos]
    ecosystem = request.GET.get("ecosystem")
    ecosystem = ecosystem if ecosystem in slugs else (slugs[0] if slugs else None)
    year, start, end = (_year(request.GET.get(k)) for k in ("year", "from", "to"))
    if start and end and start > end:
        start, end = end, start
    codes = P.compare_codes(code, list(dict.fromkeys(geos))[: P.MAX_COMPARE], lambda g: g not in places)
    data = (
        P.compare_view(geos, code, ecosystem, codes, year, start, end)
        if geos and ecosystem
        else {"panels": [], "geos": [], "periods": []}
    )
    show_aggregates = request.GET.get("aggregates") == "1"
    context = {
        **data,
        "indicator": code,
        "indicators": [i for i in INDICATORS.values() if i.breakdown == "ecosystem"],
        "ecosystem": ecosystem,
        "ecosystems": ecos,
        "place_groups": place_groups(geos, show_aggregates),
        "show_aggregates": show_aggregates,
        "region_options": taxonomy.nuts2_names(),
        "unknown": unknown,
        "too_many": too_many,
        "max": P.MAX_COMPARE,
        "requested_year": year,
        "start": start,
        "end": end,
        "typed": [g for g in geos if g not in places],
    }
    return render_with_panels(request, "ecosystems/compare.html", context)
