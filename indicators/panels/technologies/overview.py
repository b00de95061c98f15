"""/technologies/: the generation and uptake overview, its trend, regional and field panels."""

from __future__ import annotations

from django.urls import reverse

from ... import charts
from ...selectors import cached, place_names, values
from ...sources.ncses import WIPO_FIELDS
from ..common import cell, fmt, label_cell, panel, ranking_summary, shown_flags, source_of
from .base import (
    ATI_HEADLINE,
    COMPARED,
    EU,
    RIVALS,
    _by,
    field_name,
    latest,
    name,
    source_text,
    tech_url,
    technologies,
)

# --- /technologies/ ------------------------------------------------------------------------------


def overview() -> dict:
    return cached("tech-overview", _overview)


def _overview() -> dict:
    techs = technologies()
    period = latest("pat_fam_share_world")
    slugs = [t["slug"] for t in techs]
    empty = {"technologies": techs, "period": None, "panels": [], "headline": None, "rows": []}
    if period is None:
        return empty
    rows = values(
        ["tech_pat_share_world", "tech_pat_rta", "tech_pat_share_change"],
        ecosystems=slugs,
        geos=COMPARED,
        periods=[period],
    )
    by = _by(rows, "indicator", "ecosystem", "geo")
    uptake_period = latest("tech_uptake")
    uptake = _by(
        values(["tech_uptake"], geos=[EU], periods=[uptake_period] if uptake_period else None),
        "ecosystem",
    )
    headline_rows = values(
        ["pat_fam_share_world", "pat_fam", "pat_fam_share_change"], ecosystems=["TOTAL"], periods=[period]
    )
    hl = _by(headline_rows, "indicator", "geo")
    headline = None
    if ("pat_fam_share_world", EU) in hl:
        eu = hl[("pat_fam_share_world", EU)]
        headline = {
            "period": period,
            "eu27": eu["value"],
            "eu27_text": fmt(eu["value"], 2),
            "eu28_text": fmt(hl.get(("pat_fam_share_world", "EU28"), {}).get("value"), 2),
            "families_text": fmt(hl.get(("pat_fam", EU), {}).get("value")),
            "world_text": fmt(hl.get(("pat_fam", "WORLD"), {}).get("value")),
            "change": hl.get(("pat_fam_share_change", EU)),
            "rivals": [
                {
                    "geo": g,
                    "name": name(g),
                    "text": fmt(hl.get(("pat_fam_share_world", g), {}).get("value"), 2),
                }
                for g in RIVALS
            ],
            "ati": ATI_HEADLINE,
            "china_text": fmt(hl.get(("pat_fam", "CN"), {}).get("value")),
            "china_share": fmt(hl.get(("pat_fam_share_world", "CN"), {}).get("value"), 1),
            "source": source_of("pat_fam_share_world"),
        }
    table = []
    for t in techs:
        s = by.get(("tech_pat_share_world", t["slug"], EU), {})
        ch = by.get(("tech_pat_share_change", t["slug"], EU), {})
        change = cell(ch.get("value"), 2, shown_flags(ch) if ch else "")
        if ch.get("base_period"):
            change["text"] += f" (from {ch['base_period']})"
        up = uptake.get((t["slug"],), {})
        table.append(
            [
                label_cell(t["name"], tech_url(t["slug"])),
                cell(s.get("value"), 2, shown_flags(s) if s else ""),
                change,
                *[
                    cell(
                        by.get(("tech_pat_rta", t["slug"], g), {}).get("value"),
                        2,
                        shown_flags(by.get(("tech_pat_rta", t["slug"], g), {})),
                    )
                    for g in COMPARED
                ],
                cell(up.get("value"), 1, up.get("flags", ""))
                if up
                else label_cell("not loaded" if t["uptake"] else "no survey indicator"),
            ]
        )
    columns = [
        "Technology",
        f"EU27 share of world patent families {period} (%)",
        "Change (percentage points, 10 years)",
        *[f"RTA {name(g)}" for g in COMPARED],
        f"EU27 enterprises using it{f' {uptake_period}' if uptake_period else ''} (%)",
    ]
    points = [
        {
            "key": t["slug"],
            "label": t["name"],
            "value": by.get(("tech_pat_share_world", t["slug"], EU), {}).get("value"),
            "flags": shown_flags(by.get(("tech_pat_share_world", t["slug"], EU), {})),
        }
        for t in techs
    ]
    share_panel = panel(
        "tech-eu-share",
        f"EU27 share of world patent families by technology, {period}",
        charts.bar(
            points,
            title=f"EU27 share of world patent families by technology, {period}",
            source_line=source_text(),
            unit="%",
            decimals=1,
            reference=("All fields", headline["eu27"]) if headline else None,
        ),
        ranking_summary(points, "EU27 share of world patent families", "%", 2, period),
        columns,
        table,
        "tech_pat_share_world",
        {"indicator": "tech_pat_share_world", "geo": EU, "period": period},
    )
    rta_figure = charts.grouped_bar(
        [t["name"] for t in techs],
        [
            {
                "name": name(g),
                "values": [by.get(("tech_pat_rta", t["slug"], g), {}).get("value") for t in techs],
                "flags": [shown_flags(by.get(("tech_pat_rta", t["slug"], g), {})) for t in techs],
            }
            for g in COMPARED
        ],
        title=f"Revealed technological advantage, {period} (1 = as specialised as in all fields)",
        source_line=source_text(),
        unit="RTA",
        decimals=2,
    )
    for i, trace in enumerate(rta_figure["data"]):
        trace["marker"]["color"] = charts.PALETTE[i % len(charts.PALETTE)]
    rta_rows = [
        [label_cell(t["name"], tech_url(t["slug"]))]
        + [
            cell(
                by.get(("tech_pat_rta", t["slug"], g), {}).get("value"),
                2,
                shown_flags(by.get(("tech_pat_rta", t["slug"], g), {})),
            )
            for g in COMPARED
        ]
        for t in techs
    ]
    rta_panel = panel(
        "tech-rta",
        f"Revealed technological advantage by technology: EU27, US, China, Japan, Korea, {period}",
        rta_figure,
        _rta_summary(techs, by, period),
        ["Technology", *[name(g) for g in COMPARED]],
        rta_rows,
        "tech_pat_rta",
        {"indicator": "tech_pat_rta", "geo": list(COMPARED), "period": period},
    )
    regional = _regional_panel()
    return {
        **empty,
        "period": period,
        "headline": headline,
        "panels": [
            share_panel,
            rta_panel,
            _trend_panel("TOTAL", "pat_fam_share_world", "All fields"),
            _tech_trend_panel(techs),
            _fields_panel(period),
        ]
        + ([regional] if regional else []),
    }


def _regional_panel() -> dict | None:
    """EPO applications per million inhabitants by NUTS 2 region (NUTS 2021), latest year."""
    indicator = "region_patents_pmhab"
    period = latest(indicator)
    if period is None:
        return None
    rows = values([indicator], periods=[period])
    names = place_names()
    pts = [
        {
            "key": r["geo"],
            "label": f"{names.get(r['geo'], r['geo'])} ({r['geo']})",
            "value": r["value"],
            "flags": shown_flags(r),
            "published": r.get("published_geo") or r["geo"],
        }
        for r in rows
        if len(r["geo"]) == 4
    ]
    estimated = sum("E" in p["flags"] for p in pts)
    title = f"EPO patent applications per million inhabitants by NUTS 2 region, {period} (all fields)"
    summary = ranking_summary(
        pts, "EPO patent applications per million inhabitants", "per million", 1, period
    )
    summary += (
        " Regions are NUTS 2021, converted from the published NUTS 2010 codes with the JRC converter"
        f" (population weights); {estimated} region figure(s) come from a split and are estimated (E)."
    )
    return panel(
        "regions",
        title,
        charts.choropleth(
            pts,
            geojson_url=reverse("indicators:geometry", args=[2]),
            title=title,
            source_line=source_text("pat_ep_rtot"),
            unit="per million inhabitants",
            decimals=0,
        ),
        summary,
        ["NUTS 2 region (NUTS 2021)", "Applications per million inhabitants", "Published as"],
        [
            [label_cell(p["label"]), cell(p["value"], 1, p["flags"]), label_cell(p["published"])]
            for p in sorted(pts, key=lambda p: -(p["value"] or 0))
        ],
        indicator,
        {"indicator": indicator, "period": period},
    )


def _rta_summary(techs, by, period) -> str:
    strong = [t["name"] for t in techs if (by.get(("tech_pat_rta", t["slug"], EU)) or {}).get("value", 0) > 1]
    text = f"In {period} the EU27 has a revealed technological advantage (RTA above 1) in "
    text += (", ".join(strong) if strong else "none of the technologies") + "."
    return (
        text
        + " RTA above 1 means a larger share of the world's families in the technology than in all fields."
    )


def _trend_panel(key: str, indicator: str, label: str) -> dict:
    rows = values([indicator], ecosystems=[key], geos=COMPARED)
    series = []
    for g in COMPARED:
        pts = [
            {"period": r["period"], "value": r["value"], "flags": shown_flags(r)}
            for r in rows
            if r["geo"] == g
        ]
        if pts:
            series.append({"name": name(g), "points": pts})
    periods = sorted({r["period"] for r in rows})
    idx = _by(rows, "geo", "period")
    table = [
        [label_cell(p)]
        + [cell(idx.get((g, p), {}).get("value"), 2, shown_flags(idx.get((g, p), {}))) for g in COMPARED]
        for p in periods
    ]
    title = (
        f"Share of world patent families, {label}, {periods[0]}–{periods[-1]}"
        if periods
        else f"Share of world patent families, {label}"
    )

    def at(g, p):
        return fmt(idx.get((g, p), {}).get("value"), 2)

    summary = "No values."
    if periods:
        first, last = periods[0], periods[-1]
        summary = (
            f"Share of world patent families in {label}: EU27 {at(EU, first)}% in {first}, "
            f"{at(EU, last)}% in {last}; China {at('CN', first)}% → {at('CN', last)}%."
        )
    return panel(
        f"trend-{key}",
        title,
        charts.lines(series, title=title, source_line=source_text(), unit="% of world", decimals=1),
        summary,
        ["Year", *[name(g) for g in COMPARED]],
        table,
        indicator,
        {"indicator": indicator, "ecosystem": key, "geo": list(COMPARED)},
    )


def _tech_trend_panel(techs: list[dict]) -> dict:
    """EU27 share of world patent families, every technology, every year."""
    rows = values(["tech_pat_share_world"], ecosystems=[t["slug"] for t in techs], geos=[EU])
    idx = _by(rows, "ecosystem", "period")
    periods = sorted({r["period"] for r in rows})
    series = [
        {
            "name": t["name"],
            "points": [
                {
                    "period": p,
                    "value": idx[(t["slug"], p)]["value"],
                    "flags": shown_flags(idx[(t["slug"], p)]),
                }
                for p in periods
                if (t["slug"], p) in idx
            ],
        }
        for t in techs
        if any((t["slug"], p) in idx for p in periods)
    ]
    span = f"{periods[0]}–{periods[-1]}" if periods else ""
    title = f"EU27 share of world patent families by technology, {span}"
    table = [
        [label_cell(p)] + [cell(idx.get((t["slug"], p), {}).get("value"), 2) for t in techs] for p in periods
    ]
    first, last = (periods[0], periods[-1]) if periods else ("", "")
    falls = [
        t["name"]
        for t in techs
        if (t["slug"], first) in idx
        and (t["slug"], last) in idx
        and idx[(t["slug"], last)]["value"] < idx[(t["slug"], first)]["value"]
    ]
    summary = (
        f"From {first} to {last} the EU27 share of world patent families fell in {len(falls)} of the "
        f"{len(series)} technologies."
        if periods
        else "No values."
    )
    figure = charts.lines(series, title=title, source_line=source_text(), unit="% of world", decimals=1)
    for i, trace in enumerate(figure["data"]):
        if i >= len(charts.PALETTE):  # colours repeat after ten lines: tell them apart by the dash
            trace["line"]["dash"] = "dot"
    return panel(
        "tech-trend",
        title,
        figure,
        summary,
        ["Year", *[t["name"] for t in techs]],
        table,
        "tech_pat_share_world",
        {"indicator": "tech_pat_share_world", "geo": EU},
    )


def _fields_panel(period: str) -> dict:
    codes = sorted(WIPO_FIELDS)
    rows = values(["pat_fam_share_world", "pat_fam_rta"], ecosystems=codes, geos=COMPARED, periods=[period])
    by = _by(rows, "indicator", "ecosystem", "geo")
    points = [
        {
            "key": c,
            "label": field_name(c),
            "value": by.get(("pat_fam_share_world", c, EU), {}).get("value"),
            "flags": shown_flags(by.get(("pat_fam_share_world", c, EU), {})),
        }
        for c in codes
    ]
    table = [
        [label_cell(f"{c} {field_name(c)}"), label_cell(WIPO_FIELDS[c][1])]
        + [
            cell(
                by.get(("pat_fam_share_world", c, EU), {}).get("value"),
                2,
                shown_flags(by.get(("pat_fam_share_world", c, EU), {})),
            )
        ]
        + [cell(by.get(("pat_fam_rta", c, g), {}).get("value"), 2) for g in COMPARED]
        for c in codes
    ]
    title = f"EU27 share of world patent families by WIPO technical field, {period}"
    return panel(
        "wipo-fields",
        title,
        charts.bar(points, title=title, source_line=source_text(), unit="%", decimals=1),
        ranking_summary(points, "EU27 share of world patent families by field", "%", 2, period),
        ["WIPO field", "Sector", "EU27 share of world (%)", *[f"RTA {name(g)}" for g in COMPARED]],
        table,
        "pat_fam_share_world",
        {"indicator": "pat_fam_share_world", "geo": EU, "period": period},
    )
