"""Page data for /indicators/<code>/ (one indicator across places) and /nace/<code>/regions/
(one NACE division across the NUTS 2 regions)."""

from __future__ import annotations

from django.urls import reverse

from .. import charts
from ..selectors import EU, cached, ecosystem_rows, eu_members, nace_names, periods_of, place_names, values
from .common import (
    cell,
    country_url,
    eco_names,
    index,
    label_cell,
    latest_period,
    panel,
    points_table,
    ranking_summary,
    region_url,
    shown_flags,
    source_line,
    spec,
)

# --- /indicators/<code>/ -------------------------------------------------------------------------


def indicator_view(code: str, year: str | None, ecosystem: str | None) -> dict:
    period = latest_period(code, year)
    slugs = [e["slug"] for e in ecosystem_rows()]
    ecosystem = ecosystem if ecosystem in slugs else (slugs[0] if slugs else None)
    if spec(code).breakdown != "ecosystem":
        ecosystem = None  # a country-level figure (its key is an edition or a version, not a filter)
    return cached(f"ind:{code}:{period}:{ecosystem}", lambda: _indicator_view(code, period, ecosystem))


def _indicator_view(code: str, period, ecosystem) -> dict:
    s = spec(code)
    names = place_names()
    regional = s.scope == "region"
    rows = values([code], ecosystems=[ecosystem] if ecosystem else None)
    year_rows = [r for r in rows if r["period"] == period]
    if regional:  # stored in NUTS 2021 already: the codes are the map's
        year_rows = [r for r in year_rows if len(r["geo"]) == 4]
    else:
        members = set(eu_members())
        year_rows = [r for r in year_rows if r["geo"] in members]
    ename = eco_names().get(ecosystem, ecosystem) if ecosystem else "all activities"
    keys = sorted({r["ecosystem"] for r in year_rows})
    if not ecosystem and len(keys) > 1:
        # Several breakdown keys (e.g. high-tech groups): one map per key, the declared default
        # first, so a place never appears twice on one map.
        key = s.default_key if s.default_key in keys else keys[0]
        year_rows = [r for r in year_rows if r["ecosystem"] == key]
        ename = key
    link = region_url if regional else country_url
    points = [
        {
            "key": r["geo"],
            "code": r["geo"],
            "label": names.get(r["geo"], r["geo"]),
            "value": r["value"],
            "flags": shown_flags(r),
            "rank": r["rank"],
        }
        for r in year_rows
    ]
    where = "NUTS 2 regions" if regional else "EU27 countries"
    title = f"{s.title}: {ename}, {where}, {period}"
    pts_for_table = [{**p, "key": p["code"]} for p in points]
    map_panel = panel(
        "map",
        title,
        charts.choropleth(
            points,
            geojson_url=reverse("indicators:geometry", args=[2 if regional else 0]),
            title=title,
            source_line=source_line(code),
            unit=s.unit,
            decimals=s.decimals,
            diverging_at=1.0 if "lq" in code else None,
        ),
        ranking_summary(points, s.title, s.unit, s.decimals, period),
        [("Region" if regional else "Country"), s.title],
        points_table(pts_for_table, s.decimals, link=link),
        code,
        {"indicator": code, "ecosystem": ecosystem, "period": period},
    )
    top = sorted((p for p in points if charts.is_number(p["value"])), key=lambda p: -p["value"])[:30]
    rank_title = f"{s.title}: {ename}, ranking{' (top 30)' if len(points) > 30 else ''}, {period}"
    ranking = panel(
        "ranking",
        rank_title,
        charts.bar(top, title=rank_title, source_line=source_line(code), unit=s.unit, decimals=s.decimals),
        ranking_summary(points, s.title, s.unit, s.decimals, period),
        [("Region" if regional else "Country"), s.title],
        points_table([{**p, "key": p["code"]} for p in top], s.decimals, link=link),
        code,
        {"indicator": code, "ecosystem": ecosystem, "period": period},
    )
    # Time series: the EU (country indicators) or the five largest regions (regional ones).
    series_geos = [EU] if not regional else [p["code"] for p in top[:5]]
    if not regional and rows and not any(r["geo"] == EU for r in rows):
        series_geos = sorted({r["geo"] for r in rows})[:5]  # e.g. EU ETS figures (geo EU_ETS)
    by = index(rows, "geo", "period")
    periods = periods_of(code)
    series = [
        {
            "name": "EU27" if g == EU else names.get(g, g),
            "points": [
                {"period": p, **{k: by.get((g, p), {}).get(k) for k in ("value", "flags")}} for p in periods
            ],
        }
        for g in series_geos
    ]
    for s_ in series:
        for p in s_["points"]:
            p["flags"] = p["flags"] or ""
    ts_title = f"{s.title}: {ename}, {'EU27' if not regional else 'largest regions'} over time"
    trend = panel(
        "time-series",
        ts_title,
        charts.lines(series, title=ts_title, source_line=source_line(code), unit=s.unit, decimals=s.decimals),
        f"{s.title} for {', '.join(x['name'] for x in series)} from {periods[0] if periods else ''} "
        f"to {periods[-1] if periods else ''}.",
        ["Year", *(x["name"] for x in series)],
        [
            [
                label_cell(p),
                *(
                    cell(by.get((g, p), {}).get("value"), s.decimals, by.get((g, p), {}).get("flags", ""))
                    for g in series_geos
                ),
            ]
            for p in periods
        ],
        code,
        {"indicator": code, "ecosystem": ecosystem, "geo": series_geos},
    )
    return {
        "spec": s,
        "period": period,
        "periods": periods,
        "ecosystem": ecosystem,
        "panels": [map_panel, ranking, trend],
    }


# --- /nace/<code>/regions/ -----------------------------------------------------------------------


def nace_regions(code: str, year: str | None = None) -> dict:
    period = latest_period("region_nace_lq", year)
    return cached(f"nace-regions:{code}:{period}", lambda: _nace_regions(code, period))


def _nace_regions(code: str, period) -> dict:
    """One NACE division across every NUTS 2 region: a map and a ranking of its LQ, employment."""
    name = nace_names([code]).get(code, code)
    if not period:
        return {"period": None, "panels": [], "name": name, "periods": []}
    rows = values(["region_nace_lq", "region_nace_emp"], ecosystems=[code], periods=[period])
    by = index(rows, "indicator", "geo")
    names = place_names()
    geos = sorted({r["geo"] for r in rows})
    points = []
    for g in geos:
        lq, emp = by.get(("region_nace_lq", g), {}), by.get(("region_nace_emp", g), {})
        points.append(
            {
                "key": g,
                "code": g,
                "label": f"{names.get(g, g)} ({g})",
                "value": lq.get("value"),
                "flags": lq.get("flags", ""),
                "emp": emp.get("value"),
                "emp_flags": emp.get("flags", ""),
            }
        )
    ranked = [p for p in points if charts.is_number(p["value"]) and "I" not in p["flags"]]
    title = f"{code} {name}: regional specialisation (NUTS 2 location quotient), {period}"
    map_panel = panel(
        "nace-map",
        title,
        charts.choropleth(
            [p for p in points if charts.is_number(p["value"])],
            geojson_url=reverse("indicators:geometry", args=[2]),
            title=title,
            source_line=source_line("region_nace_lq"),
            unit="LQ",
            decimals=2,
            diverging_at=1.0,
        ),
        ranking_summary(ranked, "Location quotient", "ratio (EU = 1)", 2, period).replace(
            "places", "regions"
        ),
        ["Region (NUTS 2021)", "Location quotient"],
        points_table(ranked, 2, link=region_url),
        "region_nace_lq",
        {"indicator": "region_nace_lq", "ecosystem": code, "period": period},
    )
    big = sorted((p for p in points if charts.is_number(p["emp"])), key=lambda p: -p["emp"])[:20]
    emp_title = f"{code} {name}: the 20 regions employing most, {period}"
    emp_panel = panel(
        "nace-employment",
        emp_title,
        charts.bar(
            [{**p, "value": p["emp"], "flags": p["emp_flags"]} for p in big],
            title=emp_title,
            source_line=source_line("region_nace_emp"),
            unit="persons",
        ),
        ranking_summary(
            [{**p, "value": p["emp"]} for p in big], "Persons employed", "persons", 0, period
        ).replace("places", "regions"),
        ["Region (NUTS 2021)", "Persons employed", "Location quotient"],
        [
            [
                label_cell(p["label"], region_url(p["code"])),
                cell(p["emp"], 0, p["emp_flags"]),
                cell(p["value"], 2, p["flags"]),
            ]
            for p in big
        ],
        "region_nace_emp",
        {"indicator": "region_nace_emp", "ecosystem": code, "period": period},
    )
    return {
        "period": period,
        "periods": periods_of("region_nace_lq"),
        "name": name,
        "panels": [map_panel, emp_panel],
        "count": len(ranked),
    }


def nace_divisions_with_values() -> list[tuple[str, str]]:
    """(code, name) of the NACE divisions the regional NACE figures cover, for the picker."""

    def build():
        from ..models import IndicatorValue

        codes = sorted(
            IndicatorValue.objects.filter(indicator_id="region_nace_lq")
            .values_list("ecosystem", flat=True)
            .distinct()
        )
        names = nace_names(codes)
        return [(c, names.get(c, "")) for c in codes]

    return cached("nace-divisions", build)
