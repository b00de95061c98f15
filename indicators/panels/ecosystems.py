"""Page data for /ecosystems/ (the overview) and /ecosystems/<slug>/ (one ecosystem's profile)."""

from __future__ import annotations

from django.urls import reverse

from .. import charts
from ..flags import describe
from ..selectors import (
    EU,
    cached,
    ecosystem_rows,
    eu_members,
    mapping_rows,
    nace_employment,
    periods_of,
    place_names,
    values,
)
from .common import (
    cell,
    change_text,
    complete_change,
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
    source_line,
    spec,
    stored_change,
    value_points,
)
from .tables import Column, Table

# --- /ecosystems/ --------------------------------------------------------------------------------

OVERVIEW_INDICATORS = ("emp", "va", "ent", "share_emp", "productivity")
# The overview table's columns by name (the list view sorts by these keys).
OVERVIEW_KEYS = {"emp": "emp", "va": "va", "ent": "ent", "share_emp": "share", "productivity": "productivity"}


def ecosystems_overview(year: str | None = None) -> dict:
    period = latest_period("emp", year)
    return cached(f"overview:{period}", lambda: _ecosystems_overview(period))


def _ecosystems_overview(period: str | None) -> dict:
    rows = values((*OVERVIEW_INDICATORS, "emp_change"), geos=[EU])
    by = index(rows, "indicator", "ecosystem", "period")
    periods = periods_of("emp")
    table = overview_table(ecosystem_rows(), lambda ind, slug: by.get((ind, slug, period)), period)
    points = [
        {
            "key": r["slug"],
            "label": r["name"],
            "value": r["by"]["emp"]["value"],
            "flags": r["by"]["emp"]["flags"],
        }
        for r in table["rows"]
    ]
    title = f"Persons employed by ecosystem, EU27, {period}"
    figure = charts.bar(points, title=title, source_line=source_line("emp"), unit="persons")
    chart = panel(
        "employment-by-ecosystem",
        title,
        figure,
        ranking_summary(points, "Persons employed", "persons", 0, period),
        table["columns"],
        [r["cells"] for r in table["rows"]],
        "emp",
        {"indicator": list(OVERVIEW_INDICATORS), "geo": EU, "period": period},
    )
    return {
        "period": period,
        "periods": periods,
        "first": periods[0] if periods else None,
        "table": table["rows"],
        "columns": table["columns"],
        "sort_keys": table["sort_keys"],
        "panel": chart,
    }


def overview_table(ecosystems: list[dict], get, period) -> dict:
    """The EU27 row of every ecosystem: ``columns`` (headers) and ``rows`` (``slug, name, url,
    cells`` in column order, ``by``: column key -> cell). GET(indicator, slug) is the EU value
    row (``value, flags``, for emp_change ``base_period``) or None."""
    columns = [
        Column("name", "Ecosystem"),
        Column("emp", "Persons employed"),
        Column("va", "Value added (million EUR)"),
        Column("ent", "Enterprises"),
        Column("share", "Share of business-economy employment (%)"),
        Column("productivity", "Productivity (EUR per person employed)"),
        Column("change", f"Change in employment to {period}, from the first complete year (%)"),
    ]
    table = Table(columns)
    for e in ecosystems:
        slug = e["slug"]

        def v(ind, slug=slug):
            return get(ind, slug) or {"value": None, "flags": ""}

        figures = {
            OVERVIEW_KEYS[i]: cell(v(i)["value"], spec(i).decimals, v(i)["flags"])
            for i in OVERVIEW_INDICATORS
        }
        table.add(name=label_cell(e["name"], eco_url(slug)), **figures, change=stored_change(v("emp_change")))
    rows = [
        {"slug": e["slug"], "name": e["name"], "url": eco_url(e["slug"]), "cells": cells, "by": by}
        for e, cells, by in zip(ecosystems, table.cell_rows(), table.rows, strict=True)
    ]
    return {"columns": table.headers(), "rows": rows, "sort_keys": table.keys}


# --- /ecosystems/<slug>/ -------------------------------------------------------------------------

PROFILE_INDICATORS = ("emp", "va", "ent", "productivity", "share_emp", "lq_emp")
KEY_FIGURES = ("emp", "va", "ent", "productivity", "share_emp")


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

    places = [{"slug": g, "name": names.get(g, g)} for g in members]

    def points(ind):
        return value_points(places, lambda g: get(ind, g))

    panels = [_trend_panel(slug, by, periods), _country_bar(slug, points("emp"), period)]
    panels.append(_lq_map(slug, points("lq_emp"), period))
    panels.append(_lq_bar(slug, points("lq_emp"), period))
    panels.append(_productivity_panel(slug, points("productivity"), get("productivity", EU), period))
    panels.append(_composition_panel(slug, members, period))
    ranked = ranked_members(members, names, get)
    return {
        "period": period,
        "periods": periods,
        "first": first,
        "key_figures": key_figures(get, first),
        "panels": panels,
        "ranked_columns": ranked["columns"],
        "ranked": ranked["rows"],
        "mapping": mapping_rows(),
    }


def key_figures(get, first) -> list[dict]:
    """The EU27 key figures with their change since FIRST (never from or to an I figure).
    GET(indicator, geo[, period]) is the value row (``value, flags``)."""
    out = []
    for ind in KEY_FIGURES:
        now, then = get(ind, EU), get(ind, EU, first)
        out.append(
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
    return out


def ranked_members(members, names: dict, get) -> dict:
    """The members ranked by persons employed (unranked last): ``columns`` and ``rows`` (``geo,
    name, url, cells``). GET(indicator, geo) is the value row (``value, flags, rank``)."""
    columns = [Column("rank", "Rank"), Column("country", "Country")]
    columns += [Column(i, spec(i).title) for i in PROFILE_INDICATORS]
    table = Table(columns)
    for g in members:
        figures = {
            i: cell(get(i, g)["value"], spec(i).decimals, get(i, g)["flags"]) for i in PROFILE_INDICATORS
        }
        table.add(
            rank=cell(get("emp", g)["rank"], 0),
            country=label_cell(names.get(g, g), country_url(g)),
            **figures,
        )
    rows = [
        {
            "geo": g,
            "name": names.get(g, g),
            "url": country_url(g),
            "cells": cells,
            "rank": by["rank"]["value"],
        }
        for g, cells, by in zip(members, table.cell_rows(), table.rows, strict=True)
    ]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return {"columns": table.headers(), "rows": [{k: v for k, v in r.items() if k != "rank"} for r in rows]}


def _trend_panel(slug: str, by: dict, periods: list[str]) -> dict:
    pts = [by.get(("emp", EU, p), {"period": p, "value": None, "flags": ""}) for p in periods]
    pts = [{"period": p, "value": r["value"], "flags": r["flags"]} for p, r in zip(periods, pts, strict=True)]
    name = eco_names().get(slug, slug)
    return panel(
        "trend",
        f"{name}: persons employed in the EU27 over time",
        charts.lines(
            [{"name": "EU27", "points": pts}],
            title=f"{name}: persons employed, EU27",
            source_line=source_line("emp"),
            unit="persons",
        ),
        trend_summary(name, pts),
        ["Year", "Persons employed (EU27)"],
        [[label_cell(p["period"]), cell(p["value"], 0, p["flags"])] for p in pts],
        "emp",
        {"indicator": "emp", "ecosystem": slug, "geo": EU},
    )


def trend_summary(name: str, pts: list[dict]) -> str:
    """The text alternative of the EU trend: first and last values and the complete-years change."""
    valid = [p for p in pts if charts.is_number(p["value"])]
    if not valid:
        return "No EU values."
    return (
        f"EU27 persons employed in {name}: {fmt(valid[0]['value'])} in {valid[0]['period']}, "
        f"{fmt(valid[-1]['value'])} in {valid[-1]['period']}" + change_text(valid)
    )


def _by_country(slug, pid, indicator, title, figure, points, period, label, unit_text) -> dict:
    """A panel of one indicator across the EU27 countries for one ecosystem and year."""
    decimals = spec(indicator).decimals
    return panel(
        pid,
        title,
        figure,
        ranking_summary(points, label, unit_text, decimals, period),
        ["Country", label],
        points_table(points, decimals),
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
        [[label_cell("EU27", country_url(EU)), cell(eu["value"], 0, eu["flags"])], *points_table(points, 0)],
        "productivity",
        {"indicator": "productivity", "ecosystem": slug, "period": period},
    )


def _composition_panel(slug, members, period) -> dict:
    mapping = mapping_rows()
    mine = [r for r in mapping["rows"] if r["ecosystem__slug"] == slug]
    emp = nace_employment([r["nace"] for r in mine], members, period) if period else {}
    name = eco_names().get(slug, slug)
    version = mapping["version"] or {}
    built = composition(slug, name, mine, emp, len(members), version)
    vnum = version.get("number")
    title = f"{name}: NACE composition (share-weighted EU27 employment, {period}, mapping v{vnum})"
    return panel(
        "nace-composition",
        title,
        charts.treemap(built["nodes"], title=title, source_line=source_line("emp"), unit="persons"),
        built["summary"],
        built["table"].headers(),
        built["table"].cell_rows(),
        "emp",
        {"indicator": "emp", "ecosystem": slug, "geo": EU, "period": period},
    )


def composition(slug: str, name: str, mine: list[dict], emp: dict, n_members: int, version: dict) -> dict:
    """The NACE composition of one ecosystem: treemap ``nodes``, the ``table`` and its
    ``summary``. MINE: the mapping rows (``nace, nace_name, share, confidence``); EMP: nace ->
    (EU27 sum of persons employed, members with a value). A sum over fewer than N_MEMBERS
    members is marked i (a lower bound)."""
    nodes = [
        {"id": slug, "label": name, "parent": "", "value": 0, "hover": f"mapping v{version.get('number')}"}
    ]
    table = Table(
        (
            Column("nace", "NACE"),
            Column("activity", "Activity"),
            Column("share", "Share"),
            Column("confidence", "Confidence"),
            Column("weighted", "Share-weighted persons employed (EU27 sum)"),
        )
    )
    for r in mine:
        total, n = emp.get(r["nace"], (None, 0))
        weighted = total * r["share"] if total is not None else None
        hover = f"{r['nace']} × share {r['share']:.2f} ({r['confidence']} confidence)"
        if weighted:
            label = f"{r['nace']} {r['nace_name'][:40]}"
            nodes.append({"id": r["nace"], "label": label, "parent": slug, "value": weighted, "hover": hover})
        table.add(
            nace=label_cell(r["nace"]),
            activity=label_cell(r["nace_name"]),
            share=cell(r["share"], 2),
            confidence=label_cell(r["confidence"]),
            weighted=cell(weighted, 0, "" if n == n_members or total is None else "i"),
        )
    nodes[0]["value"] = sum(n["value"] for n in nodes[1:])
    biggest = sorted(nodes[1:], key=lambda n: -n["value"])[:3]
    summary = f"{name} is built from {len(mine)} NACE activities (mapping version {version.get('number')}"
    summary += ", unverified draft)" if not version.get("verified") else ")"
    if biggest:
        summary += ". Largest by share-weighted employment: " + ", ".join(n["label"] for n in biggest) + "."
    return {"nodes": nodes, "table": table, "summary": summary}
