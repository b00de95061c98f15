"""Page data for /countries/ and /countries/<geo>/, and the regional map a country page (and a
region page, for its country) shows."""

from __future__ import annotations

from django.urls import reverse

from .. import charts
from ..selectors import (
    EU,
    cached,
    country_bounds,
    country_dicts,
    ecosystem_rows,
    periods_of,
    place_names,
    values,
)
from .common import (
    by_value,
    cell,
    country_url,
    eco_names,
    eco_url,
    fmt,
    index,
    label_cell,
    latest_period,
    panel,
    points_table,
    ranking_summary,
    region_url,
    shown_flags,
    source_line,
    stored_change,
    value_points,
)
from .tables import Column, Table

COUNTRY_INDICATORS = ("emp", "share_emp", "lq_emp", "productivity", "va", "ent", "emp_change")


# --- /countries/ ---------------------------------------------------------------------------------


def countries_overview(year: str | None = None) -> dict:
    period = latest_period("emp", year)
    return cached(f"countries:{period}", lambda: _countries_overview(period))


def _countries_overview(period) -> dict:
    rows = values(("emp", "lq_emp"), periods=[period] if period else None)
    return {"period": period, "groups": country_groups(country_dicts(), rows, eco_names())}


def leaders(rows: list[dict]) -> tuple[dict, dict, dict]:
    """From value rows (``indicator`` emp or lq_emp, ``geo, ecosystem, value``): total persons
    employed per geo, and per geo its largest ecosystem and its most specialised one, each as
    (ecosystem, value). Rows without a number are skipped."""
    totals: dict[str, float] = {}
    best: dict[str, tuple] = {}
    biggest: dict[str, tuple] = {}
    for r in rows:
        if not charts.is_number(r["value"]):
            continue
        if r["indicator"] == "emp":
            totals[r["geo"]] = totals.get(r["geo"], 0) + r["value"]
            if r["value"] > biggest.get(r["geo"], ("", -1))[1]:
                biggest[r["geo"]] = (r["ecosystem"], r["value"])
        elif r["value"] > best.get(r["geo"], ("", -1))[1]:
            best[r["geo"]] = (r["ecosystem"], r["value"])
    return totals, biggest, best


def country_groups(countries: list[dict], rows: list[dict], names: dict[str, str]) -> dict[str, list[dict]]:
    """The country list's three groups (``eu``, ``other``, ``aggregate``) of places with data:
    total persons employed, largest and most specialised ecosystem (none for aggregates: an
    aggregate against the EU is (close to) 1 everywhere, meaningless)."""
    totals, biggest, best = leaders(rows)
    groups = {"eu": [], "other": [], "aggregate": []}
    for c in countries:
        if c["code"] not in totals and c["code"] not in best:
            continue
        group = "aggregate" if c["kind"] == "aggregate" else "eu" if c["eu27_2020"] else "other"
        big, spec_ = biggest.get(c["code"]), best.get(c["code"])
        if group == "aggregate":
            spec_ = None
        groups[group].append(
            {
                "code": c["code"],
                "name": c["name"],
                "url": country_url(c["code"]),
                "total": fmt(totals.get(c["code"])),
                "largest": names.get(big[0], "") if big else "",
                "largest_url": eco_url(big[0]) if big else "",
                "specialised": names.get(spec_[0], "") if spec_ else "",
                "specialised_lq": fmt(spec_[1], 2) if spec_ else "–",
                "specialised_url": eco_url(spec_[0]) if spec_ else "",
            }
        )
    return groups


# --- /countries/<geo>/ ---------------------------------------------------------------------------


def country_profile(geo: str, year: str | None = None, map_ecosystem: str | None = None) -> dict:
    period = latest_period("emp", year)
    if map_ecosystem not in {e["slug"] for e in ecosystem_rows()}:
        map_ecosystem = None  # only known values reach the cache key
    return cached(
        f"country:{geo}:{period}:{map_ecosystem}", lambda: _country_profile(geo, period, map_ecosystem)
    )


def country_table(ecos: list[dict], get, period) -> Table:
    """One row per ecosystem: the country's figures, ranks and the EU27's beside them.
    GET(indicator, slug, geo=the country) is the value row (``value, flags, rank``)."""
    table = Table(
        (
            Column("ecosystem", "Ecosystem"),
            Column("emp", "Persons employed"),
            Column("emp_rank", "Rank in EU27 by size (persons employed)"),
            Column("share", "Share of employment (%)"),
            Column("eu_share", "EU27 share (%)"),
            Column("lq", "Location quotient"),
            Column("lq_rank", "Rank in EU27 by specialisation (LQ)"),
            Column("productivity", "Productivity (EUR/person)"),
            Column("eu_productivity", "EU27 productivity"),
            Column("productivity_rank", "Rank in EU27 by productivity"),
            Column("change", f"Employment change to {period}, from the first complete year (%)"),
        )
    )
    for e in ecos:
        s = e["slug"]
        table.add(
            ecosystem=label_cell(e["name"], eco_url(s)),
            emp=cell(get("emp", s)["value"], 0, get("emp", s)["flags"]),
            emp_rank=cell(get("emp", s)["rank"], 0),
            share=cell(get("share_emp", s)["value"], 1, get("share_emp", s)["flags"]),
            eu_share=cell(get("share_emp", s, EU)["value"], 1, get("share_emp", s, EU)["flags"]),
            lq=cell(get("lq_emp", s)["value"], 2, get("lq_emp", s)["flags"]),
            lq_rank=cell(get("lq_emp", s)["rank"], 0),
            productivity=cell(get("productivity", s)["value"], 0, get("productivity", s)["flags"]),
            eu_productivity=cell(get("productivity", s, EU)["value"], 0, get("productivity", s, EU)["flags"]),
            productivity_rank=cell(get("productivity", s)["rank"], 0),
            change=stored_change(get("emp_change", s)),
        )
    return table


def _country_profile(geo: str, period, map_ecosystem) -> dict:
    names = place_names()
    ecos = ecosystem_rows()
    rows = values(COUNTRY_INDICATORS, geos=[geo, EU])
    by = index(rows, "indicator", "ecosystem", "geo", "period")
    periods = periods_of("emp")
    first = periods[0] if periods else None

    def get(ind, slug, g=geo, p=period):
        return by.get((ind, slug, g, p), {"value": None, "flags": "", "rank": None})

    table = country_table(ecos, get, period)
    gname = names.get(geo, geo)
    lq_points = value_points(ecos, lambda s: get("lq_emp", s))
    top = sorted((p for p in lq_points if charts.is_number(p["value"])), key=lambda p: -p["value"])
    shares = table.select(
        "ecosystem", "share", "eu_share", titles={"share": f"{gname} (%)", "eu_share": "EU27 (%)"}
    )
    panels = [
        _composition_panel(geo, gname, ecos, get, shares, top, period),
        _specialisation_panel(geo, gname, lq_points, period),
    ]
    map_eco = (
        map_ecosystem if map_ecosystem in {e["slug"] for e in ecos} else (top[0]["key"] if top else None)
    )
    regions = regions_panel(geo, map_eco, year=period) if map_eco and geo != EU else None
    if regions:
        panels.append(regions)
    key = {
        "emp": sum(v for v in (get("emp", e["slug"])["value"] for e in ecos) if charts.is_number(v)),
        "most_specialised": top[0] if top else None,
    }
    return {
        "period": period,
        "periods": periods,
        "first": first,
        "columns": table.headers(),
        "table": table.cell_rows(),
        "panels": panels,
        "map_ecosystem": map_eco,
        "key": key,
    }


def _composition_panel(geo, gname, ecos, get, shares: Table, top, period) -> dict:
    def series(name, g):
        return {
            "name": name,
            "values": [get("share_emp", e["slug"], g)["value"] for e in ecos],
            "flags": [get("share_emp", e["slug"], g)["flags"] for e in ecos],
        }

    title = f"{gname}: ecosystem composition vs EU27, {period}"
    figure = charts.grouped_bar(
        [e["name"] for e in ecos],
        [series(gname, geo), series("EU27", EU)],
        title=title,
        source_line=source_line("share_emp"),
        unit="% of business-economy employment",
        decimals=1,
    )
    return panel(
        "composition",
        title,
        figure,
        f"Share of {gname}'s business-economy employment in each ecosystem next to the EU27 share, {period}. "
        + (f"Largest gap above the EU: {top[0]['label']}." if top else ""),
        shares.headers(),
        shares.cell_rows(),
        "share_emp",
        {"indicator": "share_emp", "geo": [geo, EU], "period": period},
    )


def _specialisation_panel(geo, gname, lq_points, period) -> dict:
    lq_title = f"{gname}: specialisation by ecosystem (location quotient vs EU27), {period}"
    return panel(
        "specialisation",
        lq_title,
        charts.bar(
            lq_points,
            title=lq_title,
            source_line=source_line("lq_emp"),
            unit="LQ",
            decimals=2,
            reference=("EU27 = 1", 1.0),
        ),
        ranking_summary(lq_points, "Location quotient", "ratio (EU = 1)", 2, period).replace(
            "places", "ecosystems"
        ),
        ["Ecosystem", "Location quotient"],
        [[label_cell(p["label"], eco_url(p["key"])), cell(p["value"], 2, p["flags"])] for p in lq_points],
        "lq_emp",
        {"indicator": "lq_emp", "geo": geo, "period": period},
    )


# --- the regional map of a country ---------------------------------------------------------------


def region_points(rows: list[dict], names: dict[str, str]) -> tuple[list[dict], list[str]]:
    """Map points of the NUTS 2 value rows among ROWS (already in NUTS 2021, see
    compute/nuts.py), and notes on the values published under another code or NUTS version."""
    points, converted = [], []
    for r in rows:
        if len(r["geo"]) != 4:
            continue
        published = ""
        if r.get("published_geo") and r["published_geo"] != r["geo"]:
            published = f"{r['published_geo']} (NUTS {r.get('geo_version') or '?'})"
            converted.append(f"{r['geo']} from {published}")
        points.append(
            {
                "key": r["geo"],
                "code": r["geo"],
                "label": f"{names.get(r['geo'], r['geo'])} ({r['geo']})",
                "value": r["value"],
                "flags": shown_flags(r),
                "published": published,  # "" when published under this code
            }
        )
    return points, converted


# More conversions than this are counted in the map's summary and listed in its data table (a
# list of 25 French codes made the summary a wall of text on a phone).
INLINE_CONVERSIONS = 3


def regions_panel(geo: str, slug: str, year: str | None, highlight: str | None = None) -> dict | None:
    """The country's regions mapped by their LQ in SLUG; ``highlight``: a NUTS code outlined on top
    (the region a profile is about), with its own legend entry."""
    period = latest_period("region_lq_emp", year)
    if not period:
        return None
    rows = values(["region_lq_emp"], ecosystems=[slug], periods=[period], geo_prefix=geo[:2])
    points, recoded = region_points(rows, place_names())
    if not points:
        return None
    name = eco_names().get(slug, slug)
    gname = place_names().get(geo, geo)
    title = f"{gname}: regional specialisation in {name} (NUTS 2 location quotient), {period}"
    summary = ranking_summary(points, "Regional location quotient", "ratio (EU = 1)", 2, period)
    headers = ["Region (NUTS 2021)", "Location quotient"]
    # Sorted once here; points_table keeps this order (its sort is by_value's, and stable), so its
    # rows line up with ORDERED for the published codes below.
    ordered = by_value([{**p, "key": p["code"]} for p in points])
    table = points_table(ordered, 2, link=region_url)
    if recoded:
        method = "JRC NUTS converter; splits estimated with population weights, marked E"
        if len(recoded) <= INLINE_CONVERSIONS:
            summary += f" Converted to NUTS 2021 ({method}): {', '.join(recoded)}."
        else:
            summary += (
                f" {len(recoded)} of these regions were converted to NUTS 2021 from the code they "
                f"were published under ({method}); the data table gives each one's published code."
            )
        headers.append("Published as")
        table = [
            [*row, label_cell(p["published"] or "unchanged")] for row, p in zip(table, ordered, strict=True)
        ]
    return panel(
        "regions-map",
        title,
        charts.choropleth(
            points,
            geojson_url=reverse("indicators:geometry", args=[2]),
            title=title,
            source_line=source_line("region_lq_emp"),
            unit="LQ",
            decimals=2,
            diverging_at=1.0,
            bounds=country_bounds(geo[:2]),
            highlight={
                "key": highlight,
                "label": f"Black outline: {place_names().get(highlight, highlight)} ({highlight})",
            }
            if highlight
            else None,
        ),
        summary,
        headers,
        table,
        "region_lq_emp",
        {"indicator": "region_lq_emp", "ecosystem": slug, "period": period, "geo_prefix": geo[:2]},
    )
