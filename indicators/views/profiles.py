"""Ecosystem, country and region profiles and the compare page.

They live with the indicator pages (not in `ecosystems`, the taxonomy app, which imports no other
app); their URL names keep the `ecosystems:` namespace. The figures come from indicators.panels
(cached by data generation); these views only validate the URL state (every view is a permalink:
year, ecosystem, places live in the query string) and render.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from ecosystems import selectors as taxonomy
from observatory.params import is_year

from .. import cluster_panels
from .. import panels as P
from ..panels import dependencies as D
from ..panels import technologies as T
from ..panels import transition as TR
from ..panels import uptake as U
from ..registry import INDICATORS
from .common import cache_public_page, render_with_panels


@require_safe
@cache_public_page
def ecosystem_list(request):
    data = P.ecosystems_overview(request.GET.get("year"))
    sort = request.GET.get("sort", "emp")
    sort = sort if sort in data["sort_keys"] else "emp"  # the table's column keys
    descending = request.GET.get("dir", "desc" if sort != "name" else "asc") == "desc"
    context = {
        **data,
        "table": P.sort_rows(data["table"], sort, descending, label="name"),
        "sort": sort,
        "descending": descending,
        "panels": [data["panel"]],
    }
    return render_with_panels(request, "ecosystems/ecosystem_list.html", context)


@require_safe
@cache_public_page
def ecosystem_detail(request, slug):
    ecosystem = taxonomy.ecosystem(slug)
    if ecosystem is None:
        raise Http404(f"No ecosystem {slug}.")
    data = P.ecosystem_profile(slug, request.GET.get("year"))
    ets = TR.ecosystem_ets(slug, ecosystem.name)
    air = TR.ecosystem_air(slug, ecosystem.name)
    uptake = U.ecosystem_uptake(slug, ecosystem.name)
    extra = [p for p in (ets["panel"], air["panel"]) if p] + uptake["panels"]
    context = {
        **data,
        "panels": [*data["panels"], *extra],
        "ets": ets,
        "air": air,
        "uptake": uptake,
        "ecosystem": ecosystem,
        "requested_year": request.GET.get("year"),
        "cluster_categories": cluster_panels.categories_for_ecosystem(slug),
        "deps": D.summary_for(ecosystem=slug),
        "patents": T.ecosystem_section(slug),
    }
    return render_with_panels(request, "ecosystems/ecosystem_detail.html", context)


@require_safe
@cache_public_page
def country_list(request):
    data = P.countries_overview(request.GET.get("year"))
    context = {**data, "panels": [], "source": P.source_of("emp")}
    return render_with_panels(request, "ecosystems/country_list.html", context)


@require_safe
@cache_public_page
def country_detail(request, geo):
    if geo != geo.upper():
        return redirect("ecosystems:country-detail", geo=geo.upper(), permanent=True)
    country = taxonomy.country(geo)
    if country is None:
        raise Http404(f"No country {geo}.")
    data = P.country_profile(geo, request.GET.get("year"), request.GET.get("map"))
    transition = TR.country_transition(geo) if geo in {*TR.eu_members(), "EU27_2020"} else None
    context = {
        **data,
        "panels": [*data["panels"], *([transition["panel"], *transition["trends"]] if transition else [])],
        "transition": transition,
        "transition_count": 1 + len(transition["trends"]) if transition else 0,
        "country": country,
        "ecosystems": P.ecosystem_rows(),
        "requested_year": request.GET.get("year"),
        "source": P.source_of("emp"),
        "deps": D.summary_for(importer=geo) if country.eu27_2020 or geo == D.EU else None,
        "technology": T.country_section(geo),
    }
    return render_with_panels(request, "ecosystems/country_detail.html", context)


@require_safe
@cache_public_page
def region_detail(request, nuts):
    if nuts != nuts.upper():
        return redirect("ecosystems:region-detail", nuts=nuts.upper(), permanent=True)
    versions = taxonomy.region_versions(nuts)
    if not versions:
        raise Http404(f"No NUTS region {nuts}.")
    region = versions[0]
    data = P.region_profile(nuts, request.GET.get("year"))
    country = taxonomy.country(region.country)
    context = {
        **data,
        "region": region,
        "versions": [v.version for v in versions],
        "country": country,
        "requested_year": request.GET.get("year"),
        "source": P.source_of("region_emp"),
    }
    return render_with_panels(request, "ecosystems/region_detail.html", context)


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
@cache_public_page
def compare(request):
    places = taxonomy.country_names()
    geos = [g.strip().upper() for g in request.GET.getlist("geo") for g in g.split(",") if g.strip()]
    unknown = [g for g in geos if g not in places and not taxonomy.region_exists(g)]
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
