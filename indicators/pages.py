"""Page families built from pre-built payloads (indicators/payloads.py), and which query strings
are canonical (the only ones the anonymous page cache may store).

A family names the query parameters it reads and a builder returning the page's template context
from the panels' public functions (everything that reads indicator values happens here, once per
generation). `resolve` turns a request's query into the builder's arguments — a valid value as
given, anything else the default — and says whether the query was canonical: known parameters,
one value each, every value valid (a year the data have, a known slug, a sort from the list).
`pages_to_warm` lists every page the warm task pre-builds after a refresh.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404

from ecosystems import selectors as taxonomy

from . import panels as P
from .panels import clusters as cluster_panels
from .panels import dependencies as D
from .panels import technologies as T
from .panels import transition as TR
from .panels import uptake as U
from .registry import INDICATORS
from .selectors import default_period, generations, period_coverage, release_infos

# The ecosystem list's sortable column keys (indicators.panels.ecosystems_overview's sort_keys).
SORTS = ("name", "emp", "va", "ent", "share", "productivity", "change")
DIRECTIONS = ("asc", "desc")


# ------------------------------------------------------------------ domains of the parameters


def build_domains() -> dict:
    """Every parameter value a page may be asked for, from the data of this generation."""
    periods = {code: set(years) for code, years in period_coverage().items()}
    return {
        "periods": periods,
        "defaults": {code: default_period(code) for code in periods},
        "ecosystems": [e["slug"] for e in P.ecosystem_rows()],
        "places": set(taxonomy.country_names()),
        "regions": set(taxonomy.newest_regions().values_list("code", flat=True)),
        "nace": set(taxonomy.activities().values_list("code", flat=True)),
        "categories": set(cluster_panels.category_map()),
    }


_domains: dict[tuple[int, int], dict] = {}


def forget_domains() -> None:
    _domains.clear()


def domains_known() -> bool:
    """Whether this process holds the domains of the generations this request reads."""
    return generations() in _domains


def domains() -> dict:
    """The domains of the served generation: from this process's memory, else its payload."""
    from .payloads import payload

    gens = generations()
    if gens not in _domains:
        _domains.clear()  # one generation pair at a time
        _domains[gens] = payload("domains", "", build_domains)[0]
    return _domains[gens]


# ------------------------------------------------------------------ canonical query strings


def _year(value: str, dom: dict) -> bool:
    return len(value) == 4 and value.isdigit() and 1950 <= int(value) <= 2099


def _number(value: str, dom: dict) -> bool:
    return value.isdigit() and len(value) <= 3 and value[0] != "0"


def _one_of(values) -> Callable[[str, dict], bool]:
    return lambda value, dom: value in values


def _in_domain(name: str) -> Callable[[str, dict], bool]:
    return lambda value, dom: value in dom[name]


def _place(value: str, dom: dict) -> bool:
    return value in dom["places"] or value in dom["regions"]


def _pair(value: str, dom: dict) -> bool:
    """An ecosystem pair's key, "a--b": two known ecosystems in alphabetical order."""
    a, sep, b = value.partition("--")
    return bool(sep) and a < b and a in dom["ecosystems"] and b in dom["ecosystems"]


# The generic checks of every parameter the cached pages read (indicator/views/common.PAGE_PARAMS).
CHECKS: dict[str, Callable[[str, dict], bool]] = {
    "year": _year,
    "from": _year,
    "to": _year,
    "ecosystem": _in_domain("ecosystems"),
    "map": _in_domain("ecosystems"),
    "sort": _one_of({*SORTS, *D.SORTS, "name", *TR.SCOREBOARD}),
    "dir": _one_of(DIRECTIONS),
    "geo": _place,
    "importer": _place,
    "supplier": _place,
    "indicator": _one_of({*INDICATORS, *TR.SCOREBOARD}),
    "rules": _number,
    "params": _number,
    "page": _number,
    "show": _one_of(set(D.SHOW)),
    "risk": _one_of(set(D.RISK_GROUPS)),
    "nace": _in_domain("nace"),
    "method": _one_of(set(cluster_panels.METHODS)),
    "category": _in_domain("categories"),
    "aggregates": _one_of({"1"}),
    # the ecosystem pairs' weight version and pair
    "weights": _number,
    "pair": _pair,
}
MULTI = {"geo": 3}  # the compare page caches up to three places; more are served, not stored


def canonical_query(query, allowed=None, checks=None) -> str | None:
    """The query string in canonical order when every parameter is known (in ALLOWED) and valid,
    else None: the page is served but never stored in the cache."""
    checks = {**CHECKS, **(checks or {})}
    allowed = set(checks) if allowed is None else set(allowed)
    dom = domains() if query else {}
    pairs = []
    for name, values in query.lists():
        repeated = len(set(values)) < len(values)
        if name not in allowed or not 1 <= len(values) <= MULTI.get(name, 1) or repeated:
            return None
        if not all(checks[name](v, dom) for v in values):
            return None
        pairs += [(name, v) for v in values]
    return urlencode(sorted(pairs))


# ------------------------------------------------------------------ families and their builders


@dataclass(frozen=True)
class Family:
    name: str
    template: str
    params: tuple[str, ...]  # the query parameters the payload depends on
    year_of: Callable[..., str]  # path arguments -> the indicator whose years the page offers
    build: Callable[..., dict]

    def context(self, path: dict, args: dict) -> dict:
        """The payload: the builder's context, its maps pointing at versioned outlines, and the
        trace types of its figures (the page loads the smallest plotly.js bundle drawing them)."""
        from .charts import trace_types
        from .outlines import version_maps

        context = version_maps(self.build(**path, **args))
        return {**context, "plotly_traces": sorted(trace_types(context))}

    def checks(self, **path) -> dict:
        """Stricter than the generic checks: the year must be one this page's indicator has."""
        indicator = self.year_of(**path)
        return {"year": lambda v, dom: v in dom["periods"].get(indicator, ())}

    def args(self, query, **path) -> dict:
        """The builder's arguments: each parameter's value when valid, else its default."""
        dom = domains()
        checks = {**CHECKS, **self.checks(**path)}
        out = {}
        for name in self.params:
            value = query.get(name)
            if name == "year":
                default = dom["defaults"].get(self.year_of(**path))
                out[name] = value if value and checks["year"](value, dom) else default
            else:
                out[name] = value if value and checks[name](value, dom) else None
        return out


def key_of(path: dict, args: dict) -> str:
    return urlencode(sorted({**path, **{k: v or "" for k, v in args.items()}}.items()))


def page(family: Family, query, fragment: tuple[str, str] | None = None, **path) -> tuple[dict, int]:
    """(context, generation) of one page: its pre-built payload, or built now (single flight);
    FRAGMENT (language, canonical query): with its stored {% prebuilt %} block (payloads.payload)."""
    from .payloads import payload

    if any("\x00" in str(v) for v in path.values()):
        raise Http404("No such page.")  # PostgreSQL text cannot hold a NUL: not a code of ours
    args = family.args(query, **path)
    return payload(family.name, key_of(path, args), lambda: family.context(path, args), fragment)


def _ecosystem_list(year):
    data = P.ecosystems_overview(year)
    return {**data, "panels": [data["panel"]]}


def _ecosystem_detail(slug, year):
    ecosystem = taxonomy.ecosystem(slug)
    if ecosystem is None:
        raise Http404(f"No ecosystem {slug}.")
    data = P.ecosystem_profile(slug, year)
    ets = TR.ecosystem_ets(slug, ecosystem.name)
    air = TR.ecosystem_air(slug, ecosystem.name)
    uptake = U.ecosystem_uptake(slug, ecosystem.name)
    return {
        **data,
        "panels": [*data["panels"], *[p for p in (ets["panel"], air["panel"]) if p], *uptake["panels"]],
        "ets": ets,
        "air": air,
        "uptake": uptake,
        "ecosystem": ecosystem,
        "cluster_categories": cluster_panels.categories_for_ecosystem(slug),
        "deps": D.summary_for(ecosystem=slug),
        "patents": T.ecosystem_section(slug),
    }


def _country_list(year):
    return {**P.countries_overview(year), "panels": [], "source": P.source_of("emp")}


def _country_detail(geo, year, map):
    country = taxonomy.country(geo)
    if country is None:
        raise Http404(f"No country {geo}.")
    data = P.country_profile(geo, year, map)
    transition = TR.country_transition(geo) if geo in {*TR.eu_members(), "EU27_2020"} else None
    trends = [transition["panel"], *transition["trends"]] if transition else []
    return {
        **data,
        "panels": [*data["panels"], *trends],
        "transition": transition,
        "transition_count": len(trends),
        "country": country,
        "ecosystems": P.ecosystem_rows(),
        "source": P.source_of("emp"),
        "deps": D.summary_for(importer=geo) if country.eu27_2020 or geo == D.EU else None,
        "technology": T.country_section(geo),
    }


def _region_detail(nuts, year):
    versions = taxonomy.region_versions(nuts)
    if not versions:
        raise Http404(f"No NUTS region {nuts}.")
    region = versions[0]
    return {
        **P.region_profile(nuts, year),
        "region": region,
        "versions": [v.version for v in versions],
        "country": taxonomy.country(region.country),
        "source": P.source_of("region_emp"),
    }


def _indicator_detail(code, year, ecosystem):
    spec = INDICATORS[code]
    return {
        **P.indicator_view(code, year, ecosystem),
        "code": code,
        "ecosystems": P.ecosystem_rows(),
        "source": release_infos().get(spec.source, {}),
    }


def _nace_regions(code, year):
    return {
        **P.nace_regions(code, year),
        "code": code,
        "divisions": P.nace_divisions_with_values(),
        "source": release_infos().get("sbs_r_nuts06_r2", {}),
    }


def _locomotives(weights, pair):
    """The ecosystem pairs ("innovation-driven locomotives") at weight version WEIGHTS (None: the
    newest), all of them or the one PAIR; Http404 for an unknown version or pair."""
    from .panels import locomotives as L

    version = L.resolve_weights(weights)
    if version is None:
        raise Http404("No such weight version.")
    result = L.pairs(version)
    selected = next((r for r in result["rows"] if r["key"] == pair), None) if pair else None
    if pair and selected is None:
        raise Http404("No such ecosystem pair.")
    panel = L.panel_of(result)
    return {
        "result": result,
        "rows": result["rows"][: L.TOP] if selected is None else [selected],
        "selected": selected,
        "weights": version,
        "labels": L.LABELS,
        "panels": [panel] if panel else [],
        "has_charts": bool(panel),
    }


def _emp(**path) -> str:
    return "emp"


ECOSYSTEM_LIST = Family("ecosystem-list", "ecosystems/ecosystem_list.html", ("year",), _emp, _ecosystem_list)
ECOSYSTEM = Family("ecosystem", "ecosystems/ecosystem_detail.html", ("year",), _emp, _ecosystem_detail)
COUNTRY_LIST = Family("country-list", "ecosystems/country_list.html", ("year",), _emp, _country_list)
COUNTRY = Family("country", "ecosystems/country_detail.html", ("year", "map"), _emp, _country_detail)
REGION = Family(
    "region", "ecosystems/region_detail.html", ("year",), lambda **path: "region_emp", _region_detail
)
INDICATOR = Family(
    "indicator",
    "indicators/indicator_detail.html",
    ("year", "ecosystem"),
    lambda code: code,
    _indicator_detail,
)
NACE_REGIONS = Family(
    "nace-regions", "indicators/nace_regions.html", ("year",), lambda **path: "region_nace_lq", _nace_regions
)
LOCOMOTIVES = Family("locomotives", "observatory/locomotives.html", ("weights", "pair"), _emp, _locomotives)
FAMILIES = {
    f.name: f
    for f in (ECOSYSTEM_LIST, ECOSYSTEM, COUNTRY_LIST, COUNTRY, REGION, INDICATOR, NACE_REGIONS, LOCOMOTIVES)
}


def indicator_page_codes() -> list[str]:
    """Indicators with their own page (cluster and NACE figures redirect elsewhere)."""
    return [c for c, s in INDICATORS.items() if s.breakdown not in ("cluster_category", "nace")]


def pages_to_warm() -> list[tuple[Family, dict]]:
    """Every page at its default parameters: lists, ecosystems, countries, regions with figures,
    indicators, the ecosystem pairs."""
    dom = domains()
    region_codes = sorted(_regions_with_values(dom))
    out = [(ECOSYSTEM_LIST, {}), (COUNTRY_LIST, {}), (LOCOMOTIVES, {})]
    out += [(ECOSYSTEM, {"slug": s}) for s in dom["ecosystems"]]
    out += [(COUNTRY, {"geo": g}) for g in sorted(dom["places"])]
    out += [(REGION, {"nuts": r}) for r in region_codes]
    out += [(INDICATOR, {"code": c}) for c in indicator_page_codes() if c in dom["periods"]]
    return out


def _regions_with_values(dom) -> list[str]:
    from .models import IndicatorValue

    period = dom["defaults"].get("region_emp")
    rows = IndicatorValue.objects.filter(indicator_id="region_emp", period=period)
    return list(rows.values_list("geo", flat=True).distinct().order_by())
