"""Page data for the profile, indicator and compare pages: key figures and chart panels.

A panel is a plain dict — everything one chart needs on the page and in its exports:
``id``, ``title``, ``figure`` (Plotly dict from indicators.charts), ``summary`` (text alternative),
``columns`` + ``rows`` (the data table; cells are dicts with ``text``, ``value``, ``flags``,
optional ``href``), ``source`` (the release the numbers come from), ``api`` (the /api/v1/values/
query that returns the same values). Exports write ``columns`` + ``rows``, so a downloaded file
always equals the table on the page. Functions here read through indicators.selectors and are
cached by data generation.
"""

from __future__ import annotations

from django.urls import reverse

from .. import charts
from ..flags import describe
from ..registry import INDICATORS
from ..selectors import (
    EU,
    cached,
    country_bounds,
    country_dicts,
    default_period,
    ecosystem_rows,
    eu_members,
    mapping_rows,
    nace_employment,
    nace_names,
    periods_of,
    place_names,
    release_infos,
    values,
)

MAX_COMPARE = 10


# --- small helpers ------------------------------------------------------------------------------


def fmt(value, decimals: int = 0) -> str:
    if not charts.is_number(value):
        return "–"
    return f"{value:,.{decimals}f}"


def cell(value, decimals: int = 0, flags: str = "", href: str = "", num: bool = True) -> dict:
    """A table cell. Missing values print as '–' (or 'confidential' for flag c), never as 0."""
    if isinstance(value, str) and not num:
        return {"text": value, "value": value, "flags": flags, "href": href, "num": False}
    text = fmt(value, decimals)
    if text == "–" and "c" in (flags or ""):
        text = "confidential"
    return {
        "text": text,
        "value": round(value, decimals + 2) if charts.is_number(value) else None,
        "flags": flags or "",
        "flag_title": describe(flags) if flags else "",
        "href": href,
        "num": True,
    }


def label_cell(text: str, href: str = "") -> dict:
    return cell(text, href=href, num=False)


def spec(code: str):
    return INDICATORS[code]


def source_of(indicator: str) -> dict:
    return release_infos().get(spec(indicator).source, {"code": spec(indicator).source, "vintage": ""})


def source_line(indicator: str) -> str:
    s = source_of(indicator)
    publisher = s.get("publisher") or "Eurostat"
    return f"Source: {publisher} {s['code']}, {s.get('vintage') or 'not loaded'}; EU Industry Observatory"


def pct_change(first, last) -> float | None:
    if charts.is_number(first) and charts.is_number(last) and first:
        return (last / first - 1) * 100
    return None


def latest_period(indicator: str, wanted: str | None = None) -> str | None:
    """The year asked for when it has data, else the default year (latest with good coverage)."""
    periods = periods_of(indicator)
    if wanted and wanted in periods:
        return wanted
    return default_period(indicator)


def eco_names() -> dict[str, str]:
    return {e["slug"]: e["name"] for e in ecosystem_rows()}


def eco_url(slug: str) -> str:
    return reverse("ecosystems:ecosystem-detail", args=[slug])


def country_url(geo: str) -> str:
    return reverse("ecosystems:country-detail", args=[geo])


def region_url(nuts: str) -> str:
    return reverse("ecosystems:region-detail", args=[nuts])


def index(rows: list[dict], *keys: str) -> dict:
    """Rows by KEYS; a value row's display flags are the publisher's letters then our markers
    (told apart by flags.describe and by the two legends)."""
    shown = [{**r, "flags": shown_flags(r)} for r in rows]
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in shown}


def shown_flags(row: dict) -> str:
    """What a page shows beside a value: the publisher's flags, then our markers (A, E, I)."""
    return (row.get("flags") or "") + (row.get("markers") or "")


def stored_change(row: dict) -> dict:
    """A cell for a stored change (e.g. emp_change): its value and the base year it runs from."""
    c = cell(row.get("value"), 1, row.get("flags", ""))
    if charts.is_number(row.get("value")) and row.get("base_period"):
        c["text"] = f"{c['text']} (from {row['base_period']})"
    return c


def complete_change(first: dict, last: dict) -> float | None:
    """% change, never from or to a figure our markers call incomplete (I)."""
    if "I" in (first.get("markers") or "") or "I" in (last.get("markers") or ""):
        return None
    return pct_change(first.get("value"), last.get("value"))


def panel(pid, title, figure, summary, columns, rows, indicator, api) -> dict:
    return {
        "id": pid,
        "title": title,
        "figure": figure,
        "summary": summary,
        "columns": columns,
        "rows": rows,
        "source": source_of(indicator),
        "api": api,
    }


def ranking_summary(points: list[dict], what: str, unit: str, decimals: int, period: str) -> str:
    shown = sorted((p for p in points if charts.is_number(p["value"])), key=lambda p: -p["value"])
    missing = len(points) - len(shown)
    if not shown:
        return f"No {what} values for {period}."
    top = ", ".join(f"{p['label']} ({fmt(p['value'], decimals)})" for p in shown[:3])
    text = f"{what} in {period}, {unit}: highest {top}; lowest {shown[-1]['label']} "
    text += f"({fmt(shown[-1]['value'], decimals)}). {len(shown)} places have a value"
    return text + (f", {missing} are missing or confidential." if missing else ".")


# --- /ecosystems/ --------------------------------------------------------------------------------

OVERVIEW_INDICATORS = ("emp", "va", "ent", "share_emp", "productivity")


def ecosystems_overview(year: str | None = None) -> dict:
    period = latest_period("emp", year)
    return cached(f"overview:{period}", lambda: _ecosystems_overview(period))


def _ecosystems_overview(period: str | None) -> dict:
    rows = values((*OVERVIEW_INDICATORS, "emp_change"), geos=[EU])
    by = index(rows, "indicator", "ecosystem", "period")
    periods = periods_of("emp")
    first = periods[0] if periods else None
    table = []
    for e in ecosystem_rows():
        slug = e["slug"]

        def v(ind, p=period, slug=slug):
            return by.get((ind, slug, p), {"value": None, "flags": ""})

        table.append(
            {
                "slug": slug,
                "name": e["name"],
                "url": eco_url(slug),
                "cells": [
                    label_cell(e["name"], eco_url(slug)),
                    *(cell(v(i)["value"], spec(i).decimals, v(i)["flags"]) for i in OVERVIEW_INDICATORS),
                    stored_change(v("emp_change")),
                ],
            }
        )
    columns = [
        "Ecosystem",
        "Persons employed",
        "Value added (million EUR)",
        "Enterprises",
        "Share of business-economy employment (%)",
        "Productivity (EUR per person employed)",
        f"Change in employment to {period}, from the first complete year (%)",
    ]
    points = [
        {
            "key": r["slug"],
            "label": r["name"],
            "value": r["cells"][1]["value"],
            "flags": r["cells"][1]["flags"],
        }
        for r in table
    ]
    figure = charts.bar(
        points,
        title=f"Persons employed by ecosystem, EU27, {period}",
        source_line=source_line("emp"),
        unit="persons",
    )
    chart = panel(
        "employment-by-ecosystem",
        f"Persons employed by ecosystem, EU27, {period}",
        figure,
        ranking_summary(points, "Persons employed", "persons", 0, period),
        columns,
        [r["cells"] for r in table],
        "emp",
        {"indicator": list(OVERVIEW_INDICATORS), "geo": EU, "period": period},
    )
    return {
        "period": period,
        "periods": periods,
        "first": first,
        "table": table,
        "columns": columns,
        "panel": chart,
    }


# --- /ecosystems/<slug>/ -------------------------------------------------------------------------

PROFILE_INDICATORS = ("emp", "va", "ent", "productivity", "share_emp", "lq_emp")


def ecosystem_profile(slug: str, year: str | None = None) -> dict:
    period = latest_period("emp", year)
    return cached(f"eco:{slug}:{period}", lambda: _ecosystem_profile(slug, period))


def _ecosystem_profile(slug: str, period: str | None) -> dict:
    names = place_names()
    members = eu_members()
    rows = values(PROFILE_INDICATORS, ecosystems=[slug])
    by = index(rows, "indicator", "geo", "period")
    periods = periods_of("emp")
    first = periods[0] if periods else None

    def get(ind, geo, p=period):
        return by.get((ind, geo, p), {"value": None, "flags": "", "rank": None})

    key_figures = []
    for ind in ("emp", "va", "ent", "productivity", "share_emp"):
        now, then = get(ind, EU), get(ind, EU, first)
        key_figures.append(
            {
                "code": ind,
                "title": spec(ind).title,
                "unit": spec(ind).unit,
                "text": fmt(now["value"], spec(ind).decimals),
                "flags": now["flags"],
                "flag_title": describe(now["flags"]) if now["flags"] else "",
                "change": complete_change(then, now),
                "first": first,
            }
        )

    def points(ind):
        return [
            {"key": g, "label": names.get(g, g), "value": get(ind, g)["value"], "flags": get(ind, g)["flags"]}
            for g in members
        ]

    panels = [_trend_panel(slug, by, periods), _country_bar(slug, points("emp"), period)]
    panels.append(_lq_map(slug, points("lq_emp"), period))
    panels.append(_lq_bar(slug, points("lq_emp"), period))
    panels.append(_productivity_panel(slug, points("productivity"), get("productivity", EU), period))
    panels.append(_composition_panel(slug, members, period))
    ranked = sorted(
        (
            {
                "geo": g,
                "name": names.get(g, g),
                "url": country_url(g),
                "cells": [
                    cell(get("emp", g)["rank"], 0),
                    label_cell(names.get(g, g), country_url(g)),
                    *(
                        cell(get(i, g)["value"], spec(i).decimals, get(i, g)["flags"])
                        for i in PROFILE_INDICATORS
                    ),
                ],
            }
            for g in members
        ),
        key=lambda r: (r["cells"][0]["value"] is None, r["cells"][0]["value"] or 0),
    )
    return {
        "period": period,
        "periods": periods,
        "first": first,
        "key_figures": key_figures,
        "panels": panels,
        "ranked_columns": ["Rank", "Country", *(spec(i).title for i in PROFILE_INDICATORS)],
        "ranked": ranked,
        "mapping": mapping_rows(),
    }


def _change_text(points: list[dict]) -> str:
    """ " (+x % from YEAR)." between the first and last complete points (no marker I), or "."."""
    complete = [p for p in points if "I" not in (p.get("flags") or "")]
    if len(complete) < 2:
        return " (no change computed: too few complete years)."
    change = pct_change(complete[0]["value"], complete[-1]["value"])
    return f" ({fmt(change, 1)} % from {complete[0]['period']} to {complete[-1]['period']}, complete years)."


def _trend_panel(slug: str, by: dict, periods: list[str]) -> dict:
    pts = [by.get(("emp", EU, p), {"period": p, "value": None, "flags": ""}) for p in periods]
    pts = [{"period": p, "value": r["value"], "flags": r["flags"]} for p, r in zip(periods, pts, strict=True)]
    name = eco_names().get(slug, slug)
    valid = [p for p in pts if charts.is_number(p["value"])]
    summary = (
        "No EU values."
        if not valid
        else (
            f"EU27 persons employed in {name}: {fmt(valid[0]['value'])} in {valid[0]['period']}, "
            f"{fmt(valid[-1]['value'])} in {valid[-1]['period']}" + _change_text(valid)
        )
    )
    return panel(
        "trend",
        f"{name}: persons employed in the EU27 over time",
        charts.lines(
            [{"name": "EU27", "points": pts}],
            title=f"{name}: persons employed, EU27",
            source_line=source_line("emp"),
            unit="persons",
        ),
        summary,
        ["Year", "Persons employed (EU27)"],
        [[label_cell(p["period"]), cell(p["value"], 0, p["flags"])] for p in pts],
        "emp",
        {"indicator": "emp", "ecosystem": slug, "geo": EU},
    )


def _points_table(points, decimals, link=country_url):
    ordered = sorted(points, key=lambda p: (not charts.is_number(p["value"]), -(p["value"] or 0)))
    return [[label_cell(p["label"], link(p["key"])), cell(p["value"], decimals, p["flags"])] for p in ordered]


def _by_country(slug, pid, indicator, title, figure, points, period, label, unit_text) -> dict:
    """A panel of one indicator across the EU27 countries for one ecosystem and year."""
    decimals = spec(indicator).decimals
    return panel(
        pid,
        title,
        figure,
        ranking_summary(points, label, unit_text, decimals, period),
        ["Country", label],
        _points_table(points, decimals),
        indicator,
        {"indicator": indicator, "ecosystem": slug, "period": period},
    )


def _country_bar(slug, points, period) -> dict:
    title = f"{eco_names().get(slug, slug)}: persons employed by country, {period}"
    figure = charts.bar(points, title=title, source_line=source_line("emp"), unit="persons")
    return _by_country(
        slug, "employment-by-country", "emp", title, figure, points, period, "Persons employed", "persons"
    )


def _lq_map(slug, points, period) -> dict:
    title = f"{eco_names().get(slug, slug)}: employment specialisation (location quotient), {period}"
    figure = charts.choropleth(
        points,
        geojson_url=reverse("indicators:geometry", args=[0]),
        title=title,
        source_line=source_line("lq_emp"),
        unit="LQ",
        decimals=2,
        diverging_at=1.0,
    )
    unit_text = "ratio to the EU share (1 = EU average)"
    return _by_country(
        slug, "specialisation-map", "lq_emp", title, figure, points, period, "Location quotient", unit_text
    )


def _lq_bar(slug, points, period) -> dict:
    title = f"{eco_names().get(slug, slug)}: location quotient by country, {period}"
    figure = charts.bar(
        points,
        title=title,
        source_line=source_line("lq_emp"),
        unit="LQ",
        decimals=2,
        reference=("EU27 = 1", 1.0),
    )
    return _by_country(
        slug,
        "specialisation-by-country",
        "lq_emp",
        title,
        figure,
        points,
        period,
        "Location quotient",
        "ratio (EU = 1)",
    )


def _productivity_panel(slug, points, eu, period) -> dict:
    name = eco_names().get(slug, slug)
    title = f"{name}: apparent labour productivity by country vs EU27, {period}"
    summary = ranking_summary(points, "Productivity", "EUR per person employed", 0, period)
    summary += f" EU27: {fmt(eu['value'])}."
    return panel(
        "productivity-vs-eu",
        title,
        charts.bar(
            points,
            title=title,
            source_line=source_line("productivity"),
            unit="EUR per person",
            reference=("EU27", eu["value"]),
        ),
        summary,
        ["Country", "EUR per person employed"],
        [[label_cell("EU27", country_url(EU)), cell(eu["value"], 0, eu["flags"])], *_points_table(points, 0)],
        "productivity",
        {"indicator": "productivity", "ecosystem": slug, "period": period},
    )


def _composition_panel(slug, members, period) -> dict:
    mapping = mapping_rows()
    mine = [r for r in mapping["rows"] if r["ecosystem__slug"] == slug]
    emp = nace_employment([r["nace"] for r in mine], members, period) if period else {}
    name = eco_names().get(slug, slug)
    version = mapping["version"] or {}
    nodes = [
        {"id": slug, "label": name, "parent": "", "value": 0, "hover": f"mapping v{version.get('number')}"}
    ]
    table = []
    for r in mine:
        total, n = emp.get(r["nace"], (None, 0))
        weighted = total * r["share"] if total is not None else None
        hover = f"{r['nace']} × share {r['share']:.2f} ({r['confidence']} confidence)"
        if weighted:
            nodes.append(
                {
                    "id": r["nace"],
                    "label": f"{r['nace']} {r['nace_name'][:40]}",
                    "parent": slug,
                    "value": weighted,
                    "hover": hover,
                }
            )
        table.append(
            [
                label_cell(r["nace"]),
                label_cell(r["nace_name"]),
                cell(r["share"], 2),
                label_cell(r["confidence"]),
                cell(weighted, 0, "" if n == len(members) or total is None else "i"),
            ]
        )
    nodes[0]["value"] = sum(n["value"] for n in nodes[1:])
    vnum = version.get("number")
    title = f"{name}: NACE composition (share-weighted EU27 employment, {period}, mapping v{vnum})"
    biggest = sorted(nodes[1:], key=lambda n: -n["value"])[:3]
    summary = f"{name} is built from {len(mine)} NACE activities (mapping version {version.get('number')}"
    summary += ", unverified draft)" if not version.get("verified") else ")"
    if biggest:
        summary += ". Largest by share-weighted employment: " + ", ".join(n["label"] for n in biggest) + "."
    return panel(
        "nace-composition",
        title,
        charts.treemap(nodes, title=title, source_line=source_line("emp"), unit="persons"),
        summary,
        ["NACE", "Activity", "Share", "Confidence", "Share-weighted persons employed (EU27 sum)"],
        table,
        "emp",
        {"indicator": "emp", "ecosystem": slug, "geo": EU, "period": period},
    )


# --- /countries/ and /countries/<geo>/ -----------------------------------------------------------

COUNTRY_INDICATORS = ("emp", "share_emp", "lq_emp", "productivity", "va", "ent", "emp_change")


def countries_overview(year: str | None = None) -> dict:
    period = latest_period("emp", year)
    return cached(f"countries:{period}", lambda: _countries_overview(period))


def _countries_overview(period) -> dict:
    names = eco_names()
    rows = values(("emp", "lq_emp"), periods=[period] if period else None)
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
    groups = {"eu": [], "other": [], "aggregate": []}
    for c in country_dicts():
        if c["code"] not in totals and c["code"] not in best:
            continue
        group = "aggregate" if c["kind"] == "aggregate" else "eu" if c["eu27_2020"] else "other"
        big, spec_ = biggest.get(c["code"]), best.get(c["code"])
        if group == "aggregate":
            spec_ = None  # an aggregate against the EU is (close to) 1 everywhere: meaningless
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
    return {"period": period, "groups": groups}


def country_profile(geo: str, year: str | None = None, map_ecosystem: str | None = None) -> dict:
    period = latest_period("emp", year)
    if map_ecosystem not in {e["slug"] for e in ecosystem_rows()}:
        map_ecosystem = None  # only known values reach the cache key
    return cached(
        f"country:{geo}:{period}:{map_ecosystem}", lambda: _country_profile(geo, period, map_ecosystem)
    )


def _country_profile(geo: str, period, map_ecosystem) -> dict:
    names = place_names()
    ecos = ecosystem_rows()
    rows = values(COUNTRY_INDICATORS, geos=[geo, EU])
    by = index(rows, "indicator", "ecosystem", "geo", "period")
    periods = periods_of("emp")
    first = periods[0] if periods else None

    def get(ind, slug, g=geo, p=period):
        return by.get((ind, slug, g, p), {"value": None, "flags": "", "rank": None})

    table = []
    for e in ecos:
        s = e["slug"]
        table.append(
            [
                label_cell(e["name"], eco_url(s)),
                cell(get("emp", s)["value"], 0, get("emp", s)["flags"]),
                cell(get("emp", s)["rank"], 0),
                cell(get("share_emp", s)["value"], 1, get("share_emp", s)["flags"]),
                cell(get("share_emp", s, EU)["value"], 1, get("share_emp", s, EU)["flags"]),
                cell(get("lq_emp", s)["value"], 2, get("lq_emp", s)["flags"]),
                cell(get("lq_emp", s)["rank"], 0),
                cell(get("productivity", s)["value"], 0, get("productivity", s)["flags"]),
                cell(get("productivity", s, EU)["value"], 0, get("productivity", s, EU)["flags"]),
                cell(get("productivity", s)["rank"], 0),
                stored_change(get("emp_change", s)),
            ]
        )
    columns = [
        "Ecosystem",
        "Persons employed",
        "Rank in EU27 by size (persons employed)",
        "Share of employment (%)",
        "EU27 share (%)",
        "Location quotient",
        "Rank in EU27 by specialisation (LQ)",
        "Productivity (EUR/person)",
        "EU27 productivity",
        "Rank in EU27 by productivity",
        f"Employment change to {period}, from the first complete year (%)",
    ]
    gname = names.get(geo, geo)
    cats = [e["name"] for e in ecos]
    share_fig = charts.grouped_bar(
        cats,
        [
            {
                "name": gname,
                "values": [get("share_emp", e["slug"])["value"] for e in ecos],
                "flags": [get("share_emp", e["slug"])["flags"] for e in ecos],
            },
            {
                "name": "EU27",
                "values": [get("share_emp", e["slug"], EU)["value"] for e in ecos],
                "flags": [get("share_emp", e["slug"], EU)["flags"] for e in ecos],
            },
        ],
        title=f"{gname}: ecosystem composition vs EU27, {period}",
        source_line=source_line("share_emp"),
        unit="% of business-economy employment",
        decimals=1,
    )
    lq_points = [
        {
            "key": e["slug"],
            "label": e["name"],
            "value": get("lq_emp", e["slug"])["value"],
            "flags": get("lq_emp", e["slug"])["flags"],
        }
        for e in ecos
    ]
    top = sorted((p for p in lq_points if charts.is_number(p["value"])), key=lambda p: -p["value"])
    composition = panel(
        "composition",
        f"{gname}: ecosystem composition vs EU27, {period}",
        share_fig,
        f"Share of {gname}'s business-economy employment in each ecosystem next to the EU27 share, {period}. "
        + (f"Largest gap above the EU: {top[0]['label']}." if top else ""),
        ["Ecosystem", f"{gname} (%)", "EU27 (%)"],
        [[r[0], r[3], r[4]] for r in table],
        "share_emp",
        {"indicator": "share_emp", "geo": [geo, EU], "period": period},
    )
    lq_title = f"{gname}: specialisation by ecosystem (location quotient vs EU27), {period}"
    specialisation = panel(
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
    map_eco = (
        map_ecosystem if map_ecosystem in {e["slug"] for e in ecos} else (top[0]["key"] if top else None)
    )
    panels = [composition, specialisation]
    regions = _regions_panel(geo, map_eco, year=period) if map_eco and geo != EU else None
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
        "columns": columns,
        "table": table,
        "panels": panels,
        "map_ecosystem": map_eco,
        "key": key,
    }


def _region_points(geo: str, indicator: str, slug: str, period: str) -> tuple[list[dict], list[str]]:
    """Regional values of a country (already in NUTS 2021, see compute/nuts.py) for the map;
    returns (points, notes on the values published under another code or NUTS version)."""
    names = place_names()
    rows = values([indicator], ecosystems=[slug], periods=[period], geo_prefix=geo[:2])
    points, converted = [], []
    for r in rows:
        if len(r["geo"]) != 4:
            continue
        points.append(
            {
                "key": r["geo"],
                "code": r["geo"],
                "label": f"{names.get(r['geo'], r['geo'])} ({r['geo']})",
                "value": r["value"],
                "flags": shown_flags(r),
            }
        )
        if r.get("published_geo") and r["published_geo"] != r["geo"]:
            converted.append(f"{r['geo']} from {r['published_geo']} (NUTS {r.get('geo_version') or '?'})")
    return points, converted


def _regions_panel(geo: str, slug: str, year: str | None) -> dict | None:
    period = latest_period("region_lq_emp", year)
    if not period:
        return None
    points, recoded = _region_points(geo, "region_lq_emp", slug, period)
    if not points:
        return None
    name = eco_names().get(slug, slug)
    gname = place_names().get(geo, geo)
    title = f"{gname}: regional specialisation in {name} (NUTS 2 location quotient), {period}"
    summary = ranking_summary(points, "Regional location quotient", "ratio (EU = 1)", 2, period)
    if recoded:
        summary += (
            " Converted to NUTS 2021 (JRC NUTS converter; splits estimated with population weights, "
            f"marked E): {', '.join(recoded)}."
        )
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
        ),
        summary,
        ["Region (NUTS 2021)", "Location quotient"],
        _points_table([{**p, "key": p["code"]} for p in points], 2, link=region_url),
        "region_lq_emp",
        {"indicator": "region_lq_emp", "ecosystem": slug, "period": period, "geo_prefix": geo[:2]},
    )


# --- /regions/<nuts>/ ----------------------------------------------------------------------------

REGION_INDICATORS = ("region_emp", "region_units", "region_share_emp", "region_lq_emp")


def region_profile(nuts: str, year: str | None = None) -> dict:
    period = latest_period("region_emp", year)
    return cached(f"region:{nuts}:{period}", lambda: _region_profile(nuts, period))


def _region_profile(nuts: str, period) -> dict:
    names = place_names()
    ecos = ecosystem_rows()
    rows = values(REGION_INDICATORS, geos=[nuts], periods=[period] if period else None)
    by = index(rows, "indicator", "ecosystem")

    def get(ind, slug):
        return by.get((ind, slug), {"value": None, "flags": "", "rank": None})

    table = [
        [
            label_cell(e["name"], eco_url(e["slug"])),
            cell(get("region_emp", e["slug"])["value"], 0, get("region_emp", e["slug"])["flags"]),
            cell(get("region_units", e["slug"])["value"], 0, get("region_units", e["slug"])["flags"]),
            cell(get("region_share_emp", e["slug"])["value"], 1, get("region_share_emp", e["slug"])["flags"]),
            cell(get("region_lq_emp", e["slug"])["value"], 2, get("region_lq_emp", e["slug"])["flags"]),
            cell(get("region_emp", e["slug"])["rank"], 0),
        ]
        for e in ecos
    ]
    columns = [
        "Ecosystem",
        "Persons employed",
        "Local units",
        "Share of regional employment (%)",
        "Location quotient (EU = 1)",
        "Rank in country",
    ]
    rname = names.get(nuts, nuts)
    emp_points = [
        {
            "key": e["slug"],
            "label": e["name"],
            "value": get("region_emp", e["slug"])["value"],
            "flags": get("region_emp", e["slug"])["flags"],
        }
        for e in ecos
    ]
    lq_points = [
        {
            "key": e["slug"],
            "label": e["name"],
            "value": get("region_lq_emp", e["slug"])["value"],
            "flags": get("region_lq_emp", e["slug"])["flags"],
        }
        for e in ecos
    ]
    emp_title = f"{rname}: persons employed by ecosystem, {period}"
    lq_title = f"{rname}: specialisation by ecosystem (location quotient vs EU), {period}"
    panels = [
        panel(
            "employment",
            emp_title,
            charts.bar(emp_points, title=emp_title, source_line=source_line("region_emp"), unit="persons"),
            ranking_summary(emp_points, "Persons employed", "persons", 0, period).replace(
                "places", "ecosystems"
            ),
            ["Ecosystem", "Persons employed"],
            [
                [label_cell(p["label"], eco_url(p["key"])), cell(p["value"], 0, p["flags"])]
                for p in emp_points
            ],
            "region_emp",
            {"indicator": "region_emp", "geo": nuts, "period": period},
        ),
        panel(
            "specialisation",
            lq_title,
            charts.bar(
                lq_points,
                title=lq_title,
                source_line=source_line("region_lq_emp"),
                unit="LQ",
                decimals=2,
                reference=("EU = 1", 1.0),
            ),
            ranking_summary(lq_points, "Location quotient", "ratio (EU = 1)", 2, period).replace(
                "places", "ecosystems"
            ),
            ["Ecosystem", "Location quotient"],
            [[label_cell(p["label"], eco_url(p["key"])), cell(p["value"], 2, p["flags"])] for p in lq_points],
            "region_lq_emp",
            {"indicator": "region_lq_emp", "geo": nuts, "period": period},
        ),
    ]
    neighbours = _neighbours(nuts, period)
    top = sorted((p for p in lq_points if charts.is_number(p["value"])), key=lambda p: -p["value"])[:3]
    ranks = _region_ranks(nuts, period)
    for row, e in zip(table, ecos, strict=True):
        eu_rank, n_eu, c_rank, n_c = ranks.get(e["slug"], (None, 0, None, 0))
        row.append(cell(f"{eu_rank} of {n_eu}" if eu_rank else "–", num=False))
        row.append(cell(f"{c_rank} of {n_c}" if c_rank else "–", num=False))
    columns += ["Rank by LQ among EU regions", "Rank by LQ in country"]
    extra = [
        p
        for p in (
            _region_trend_panel(nuts, rname, [t["key"] for t in top]),
            _regions_panel(nuts[:2], top[0]["key"], period) if top else None,
            _region_nace_panel(nuts, rname, period),
        )
        if p
    ]
    panels += extra
    return {
        "period": period,
        "periods": periods_of("region_emp"),
        "columns": columns,
        "table": table,
        "panels": panels,
        "neighbours": neighbours,
        "specialisations": top,
        "code_2021": nuts,
        "published": _published_as(nuts, rows),
        "peers": _similar_regions(nuts, period),
    }


NACE_LQ_MIN_EMP = 500  # persons: smaller divisions' LQs are noise and are not listed as specialisations


def _region_ranks(nuts: str, period) -> dict[str, tuple]:
    """ecosystem -> (rank by LQ among EU regions, of how many, rank in its country, of how many).
    Only complete figures are ranked (our marker I never is)."""
    if not period:
        return {}
    members = set(eu_members())
    rows = [
        r
        for r in values(["region_lq_emp"], periods=[period])
        if charts.is_number(r["value"])
        and "I" not in (r.get("markers") or "")
        and r["geo"][:2] in members | {"EL"}
    ]
    out = {}
    by_eco: dict[str, list[dict]] = {}
    for r in rows:
        by_eco.setdefault(r["ecosystem"], []).append(r)
    for slug, group in by_eco.items():
        ordered = sorted(group, key=lambda r: -r["value"])
        codes = [r["geo"] for r in ordered]
        if nuts not in codes:
            continue
        national = [g for g in codes if g[:2] == nuts[:2]]
        out[slug] = (codes.index(nuts) + 1, len(codes), national.index(nuts) + 1, len(national))
    return out


def _region_trend_panel(nuts: str, rname: str, slugs: list[str]) -> dict | None:
    if not slugs:
        return None
    rows = values(["region_emp"], geos=[nuts], ecosystems=slugs)
    periods = periods_of("region_emp")
    by = index(rows, "ecosystem", "period")
    names = eco_names()
    series = [
        {
            "name": names.get(slug, slug),
            "points": [
                {
                    "period": p,
                    "value": by.get((slug, p), {}).get("value"),
                    "flags": by.get((slug, p), {}).get("flags", ""),
                }
                for p in periods
            ],
        }
        for slug in slugs
    ]
    title = f"{rname}: persons employed in its most specialised ecosystems"
    return panel(
        "region-trend",
        title,
        charts.lines(series, title=title, source_line=source_line("region_emp"), unit="persons"),
        f"Persons employed {periods[0] if periods else ''}–{periods[-1] if periods else ''} in "
        + ", ".join(s["name"] for s in series)
        + ".",
        ["Year", *(s["name"] for s in series)],
        [
            [
                label_cell(p),
                *(
                    cell(by.get((slug, p), {}).get("value"), 0, by.get((slug, p), {}).get("flags", ""))
                    for slug in slugs
                ),
            ]
            for p in periods
        ],
        "region_emp",
        {"indicator": "region_emp", "geo": nuts, "ecosystem": slugs},
    )


def _region_nace_panel(nuts: str, rname: str, period) -> dict | None:
    """The NACE divisions the region is most specialised in (LQ), among divisions with at least
    NACE_LQ_MIN_EMP persons employed."""
    if not period or "region_nace_lq" not in INDICATORS:
        return None
    rows = values(["region_nace_lq", "region_nace_emp"], geos=[nuts], periods=[period])
    by = index(rows, "indicator", "ecosystem")
    divisions = {r["ecosystem"] for r in rows}
    names = nace_names(divisions)
    points = []
    for d in divisions:
        lq, emp = by.get(("region_nace_lq", d), {}), by.get(("region_nace_emp", d), {})
        if (
            charts.is_number(lq.get("value"))
            and charts.is_number(emp.get("value"))
            and emp["value"] >= NACE_LQ_MIN_EMP
        ):
            points.append(
                {
                    "key": d,
                    "label": f"{d} {names.get(d, '')}",
                    "value": lq["value"],
                    "flags": lq.get("flags", ""),
                    "emp": emp["value"],
                }
            )
    if not points:
        return None
    top = sorted(points, key=lambda p: -p["value"])[:12]
    title = f"{rname}: the NACE divisions it is most specialised in, {period}"
    return panel(
        "region-nace",
        title,
        charts.bar(
            top,
            title=title,
            source_line=source_line("region_nace_lq"),
            unit="LQ",
            decimals=2,
            reference=("EU = 1", 1.0),
        ),
        f"Location quotient by NACE division (divisions with at least {NACE_LQ_MIN_EMP} persons "
        f"employed), {period}: " + ", ".join(f"{p['label']} ({fmt(p['value'], 2)})" for p in top[:3]) + ".",
        ["NACE division", "Location quotient", "Persons employed"],
        [
            [
                label_cell(p["label"], reverse("indicators:nace-regions", args=[p["key"]])),
                cell(p["value"], 2, p["flags"]),
                cell(p["emp"], 0),
            ]
            for p in top
        ],
        "region_nace_lq",
        {"indicator": "region_nace_lq", "geo": nuts, "period": period},
    )


def _similar_regions(nuts: str, period, n: int = 5) -> list[dict]:
    """The EU regions whose ecosystem structure (shares of regional employment) is closest to this
    one's: cosine similarity over the ecosystems both have a complete share for."""
    if not period:
        return []
    import math

    rows = [
        r
        for r in values(["region_share_emp"], periods=[period])
        if charts.is_number(r["value"]) and "I" not in (r.get("markers") or "")
    ]
    vectors: dict[str, dict[str, float]] = {}
    for r in rows:
        vectors.setdefault(r["geo"], {})[r["ecosystem"]] = r["value"]
    mine = vectors.get(nuts)
    if not mine or len(mine) < 5:
        return []
    names = place_names()
    scored = []
    for geo, vec in vectors.items():
        common = set(mine) & set(vec)
        if geo == nuts or len(common) < 5:
            continue
        dot = sum(mine[k] * vec[k] for k in common)
        norm = math.sqrt(sum(mine[k] ** 2 for k in common)) * math.sqrt(sum(vec[k] ** 2 for k in common))
        if norm:
            scored.append((dot / norm, geo, len(common)))
    scored.sort(reverse=True)
    return [
        {
            "code": g,
            "name": names.get(g, g),
            "url": region_url(g),
            "similarity": round(sim, 3),
            "ecosystems": k,
        }
        for sim, g, k in scored[:n]
    ]


def _published_as(nuts: str, rows: list[dict]) -> str:
    """How the region's figures (ROWS, its values) were published ("PL12, NUTS 2013"), when not
    under its own NUTS 2021 code."""
    seen = sorted(
        {(r.get("published_geo") or nuts, r.get("geo_version") or "") for r in rows}
        - {(nuts, ""), (nuts, "2021")}
    )
    return "; ".join(f"{code}, NUTS {version}" if version else code for code, version in seen)


def _neighbours(nuts: str, period) -> list[dict]:
    """Other NUTS 2 regions of the same country: covered employment and top specialisation."""
    names = eco_names()
    places = place_names()
    rows = values(("region_emp", "region_lq_emp"), periods=[period] if period else None, geo_prefix=nuts[:2])
    out: dict[str, dict] = {}
    for r in rows:
        if len(r["geo"]) != 4:
            continue
        item = out.setdefault(
            r["geo"],
            {
                "code": r["geo"],
                "name": places.get(r["geo"], r["geo"]),
                "emp": 0.0,
                "url": region_url(r["geo"]),
                "top": None,
                "top_lq": -1,
                "current": r["geo"] == nuts,
            },
        )
        if not charts.is_number(r["value"]):
            continue
        if r["indicator"] == "region_emp":
            item["emp"] += r["value"]
        elif r["value"] > item["top_lq"]:
            item["top"], item["top_lq"] = names.get(r["ecosystem"], r["ecosystem"]), r["value"]
    result = sorted(out.values(), key=lambda i: -i["emp"])
    for i in result:
        i["emp_text"] = fmt(i["emp"])
        i["top_lq_text"] = fmt(i["top_lq"], 2) if i["top"] else "–"
    return result


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
        _points_table(pts_for_table, s.decimals, link=link),
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
        _points_table([{**p, "key": p["code"]} for p in top], s.decimals, link=link),
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


# --- /compare/ -----------------------------------------------------------------------------------


# A regional indicator and its national counterpart: a mixed comparison (a region against its
# country and the EU) shows each place with the indicator of its own level, and says so.
NATIONAL_OF = {"region_emp": "emp", "region_share_emp": "share_emp", "region_lq_emp": "lq_emp"}
REGIONAL_OF = {v: k for k, v in NATIONAL_OF.items()}


def compare_codes(code: str, geos: list[str], is_region) -> dict[str, str]:
    """geo -> the indicator code that place is shown with (its level's counterpart of CODE)."""
    out = {}
    for g in geos:
        if is_region(g):
            out[g] = REGIONAL_OF.get(code, code) if spec(code).scope != "region" else code
        else:
            out[g] = NATIONAL_OF.get(code, code) if spec(code).scope == "region" else code
    return out


def compare_view(
    geos: list[str],
    code: str,
    ecosystem: str | None,
    codes: dict[str, str] | None = None,
    year: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> dict:
    geos = list(dict.fromkeys(geos))[:MAX_COMPARE]
    codes = codes or {g: code for g in geos}
    key = f"cmp:{code}:{ecosystem}:{','.join(f'{g}={codes[g]}' for g in geos)}:{year}:{start}:{end}"
    return cached(key, lambda: _compare_view(geos, code, ecosystem, codes, year, start, end))


def _compare_view(geos, code, ecosystem, codes, year, start, end) -> dict:
    s = spec(code)
    names = place_names()
    used = sorted(set(codes.values()))
    rows = values(used, ecosystems=[ecosystem], geos=geos)
    by = {
        (r["geo"], r["period"]): {**r, "flags": shown_flags(r)}
        for r in rows
        if r["indicator"] == codes[r["geo"]]
    }
    all_periods = sorted({p for c in used for p in periods_of(c)})
    with_data = sorted({p for (_, p), r in by.items() if charts.is_number(r.get("value"))})
    periods = [p for p in all_periods if (not start or p >= start) and (not end or p <= end)]
    # The snapshot year: the one asked for when a chosen place has a value then, else the latest
    # year in which any chosen place has one (never an empty chart for a year nobody has).
    latest = year if year in with_data else (with_data[-1] if with_data else None)
    ename = eco_names().get(ecosystem, ecosystem)
    mixed = len(used) > 1
    label = (
        (lambda g: f"{names.get(g, g)} ({'regional' if spec(codes[g]).scope == 'region' else 'national'})")
        if mixed
        else (lambda g: names.get(g, g))
    )
    series = [
        {
            "name": label(g),
            "points": [
                {
                    "period": p,
                    "value": by.get((g, p), {}).get("value"),
                    "flags": by.get((g, p), {}).get("flags") or "",
                }
                for p in periods
            ],
        }
        for g in geos
    ]
    title = f"{s.title}: {ename}, {', '.join(names.get(g, g) for g in geos)}"
    points = [
        {
            "key": g,
            "label": label(g),
            "value": by.get((g, latest), {}).get("value"),
            "flags": by.get((g, latest), {}).get("flags") or "",
        }
        for g in geos
    ]
    bar_title = f"{s.title}: {ename}, {latest}"
    sources = ", ".join(sorted({spec(c).source for c in used}))
    source_text = f"Source: Eurostat {sources}; EU Industry Observatory" if mixed else source_line(code)
    span = f"{periods[0]}–{periods[-1]}" if periods else ""
    line_panel = panel(
        "compare-lines",
        title,
        charts.lines(series, title=title, source_line=source_text, unit=s.unit, decimals=s.decimals),
        f"{s.title} over {span} for {len(geos)} places." if periods else "No years in the chosen range.",
        ["Year", *(x["name"] for x in series)],
        [
            [
                label_cell(p),
                *(
                    cell(by.get((g, p), {}).get("value"), s.decimals, by.get((g, p), {}).get("flags") or "")
                    for g in geos
                ),
            ]
            for p in periods
        ],
        code,
        {"indicator": used, "ecosystem": ecosystem, "geo": geos, "period_from": start, "period_to": end},
    )
    bar_panel = panel(
        "compare-latest",
        bar_title,
        charts.bar(points, title=bar_title, source_line=source_text, unit=s.unit, decimals=s.decimals),
        ranking_summary(points, s.title, s.unit, s.decimals, latest or ""),
        ["Place", s.title],
        _points_table(
            points,
            s.decimals,
            link=lambda g: region_url(g) if spec(codes[g]).scope == "region" else country_url(g),
        ),
        code,
        {"indicator": used, "ecosystem": ecosystem, "geo": geos, "period": latest},
    )
    return {
        "spec": s,
        "geos": geos,
        "periods": all_periods,
        "period": latest,
        "years_with_data": with_data,
        "mixed": mixed,
        "codes_used": [spec(c) for c in used],
        "panels": [line_panel, bar_panel],
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
        _points_table(ranked, 2, link=region_url),
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
