"""/transition/: the scoreboard table, the quadrant, the rankings and the trends."""

from __future__ import annotations

from ... import charts
from ...charts.transition import quadrant
from ...registry import INDICATORS
from ...selectors import EU, cached, eu_members, place_names, values
from ..common import cell, country_url, fmt, label_cell, panel, ranking_summary, shown_flags
from ..tables import sort_rows
from .base import (
    LEADERS,
    SCOREBOARD,
    TRENDS,
    _name_rows,
    reference_year,
    scoreboard_data,
    short_sources,
    source_line,
)
from .parameters import parameters, sensitivity_tables


def transition_overview(sort: str, descending: bool, ranking: str, geo: str | None) -> dict:
    key = f"transition:{sort}:{descending}:{ranking}:{geo}"
    return cached(key, lambda: _transition_overview(sort, descending, ranking, geo))


def _transition_overview(sort: str, descending: bool, ranking: str, geo: str | None) -> dict:
    data = scoreboard_data()
    meta, at = data["meta"], data["at"]
    members = list(eu_members())
    names = place_names()
    table = []
    for g, name in _name_rows(members):
        by = {}  # indicator code -> cell: the columns by name, for the sort
        for m in meta:
            r = at[m["code"]].get(g)
            by[m["code"]] = cell(r["value"], m["decimals"], shown_flags(r)) if r else cell(None)
        table.append(
            {"geo": g, "name": name, "cells": [label_cell(name, country_url(g)), *by.values()], "by": by}
        )
    codes = [m["code"] for m in meta]
    eu_row = table.pop()  # the EU row stays last, whatever the order
    if sort in codes:
        table = sort_rows(table, sort, descending)
    else:
        table = sorted(table, key=lambda r: r["name"], reverse=descending)
    table.append(eu_row)
    columns = ["Country"] + [
        f"{m['title']} ({m['unit']}), {m['year'] or 'no data'}"
        + (f", since {m['base']}" if m["base"] else "")
        for m in meta
    ]
    scoreboard = panel(
        "scoreboard",
        "Twin-transition scoreboard of the EU27 member states",
        None,
        "Digital and green indicators of the member states, each at its latest reference year.",
        columns,
        [r["cells"] for r in table],
        "digital_position",
        {"indicator": codes, "period": sorted({m["year"] for m in meta if m["year"]})},
    )
    leaders = []
    for code in LEADERS:
        m = next(x for x in meta if x["code"] == code)
        ranked = sorted(
            (r for g, r in at[code].items() if g in members and r["rank"] is not None),
            key=lambda r: r["rank"],
        )[:5]
        eu = at[code].get(EU)
        leaders.append(
            {
                **m,
                "top": [
                    {
                        "geo": r["geo"],
                        "name": names.get(r["geo"], r["geo"]),
                        "text": fmt(r["value"], m["decimals"]),
                    }
                    for r in ranked
                ],
                "eu": fmt(eu["value"], m["decimals"]) if eu else "–",
            }
        )
    panels = [scoreboard, _quadrant(at, members, names, data["years"])]
    panels.append(_ranking(ranking, members, names))
    panels += _trends(geo, names)
    return {
        "meta": meta,
        "table": table,
        "columns": columns,
        "sort_keys": ["name", *codes],
        "leaders": leaders,
        "digital_count": sum(1 for m in meta if m["group"] == "digital"),
        "green_count": sum(1 for m in meta if m["group"] == "green"),
        "panels": panels,
        "sensitivity": sensitivity_tables(),
        "params": parameters(),
    }


def _quadrant(at, members, names, years) -> dict:
    digital, green = at["digital_position"], at["green_progress"]
    points = [
        {
            "key": g,
            "label": names.get(g, g),
            "x": digital.get(g, {}).get("value"),
            "y": green.get(g, {}).get("value"),
            "flags": "",
        }
        for g in members
    ]

    def ref(rows, label):
        eu = rows.get(EU)
        if eu and charts.is_number(eu["value"]):
            return (f"EU27{' (incomplete)' if 'I' in (eu.get('markers') or '') else ''}", eu["value"])
        shown = [p for p in (rows.get(g, {}).get("value") for g in members) if charts.is_number(p)]
        return ("Members' mean (no EU27 figure)", sum(shown) / len(shown)) if shown else None

    x_ref, y_ref = ref(digital, "digital"), ref(green, "green")
    title = (
        f"Digital position ({years.get('digital_position')}) vs green progress "
        f"({at_base(green)}–{years.get('green_progress')}), EU27 members"
    )
    fig = quadrant(
        points,
        title=title,
        source_line=short_sources("digital_position", "green_progress")
        + "; composites: EU Industry Observatory",
        x_title="Digital position (0–100)",
        y_title="Green progress (0–100)",
        x_ref=x_ref,
        y_ref=y_ref,
    )

    def where(p):
        if not (charts.is_number(p["x"]) and charts.is_number(p["y"]) and x_ref and y_ref):
            return "–"
        return (
            ("digital ahead" if p["x"] >= x_ref[1] else "digital behind")
            + ", "
            + ("green ahead" if p["y"] >= y_ref[1] else "green behind")
        )

    both = [p for p in points if where(p).startswith("digital ahead, green ahead")]
    summary = (
        f"Each member state's digital position (x) against its green progress (y), both our composites "
        f"on 0–100 (min-max over the members). Lines: {x_ref[0] if x_ref else 'none'} and "
        f"{y_ref[0] if y_ref else 'none'}. {len(both)} member states are ahead on both: "
        + (", ".join(p["label"] for p in both) or "none")
        + "."
    )
    rows = [
        [
            label_cell(p["label"], country_url(p["key"])),
            cell(p["x"], 1),
            cell(p["y"], 1),
            label_cell(where(p)),
        ]
        for p in sorted(points, key=lambda p: p["label"])
    ]
    return panel(
        "quadrant",
        title,
        fig,
        summary,
        ["Country", "Digital position", "Green progress", "Quadrant (vs the reference lines)"],
        rows,
        "digital_position",
        {"indicator": ["digital_position", "green_progress"]},
    )


def at_base(rows: dict) -> str:
    return next((r["base_period"] for r in rows.values() if r.get("base_period")), "base year")


RANKABLE = SCOREBOARD


def _ranking(code: str, members, names) -> dict:
    s = INDICATORS[code]
    rows = values([code], geos=[*members, EU])
    year = reference_year(rows, set(members))
    year_rows = [r for r in rows if r["period"] == year]
    points = [
        {
            "key": r["geo"],
            "label": names.get(r["geo"], r["geo"]),
            "value": r["value"],
            "flags": shown_flags(r),
            "rank": r["rank"],
        }
        for r in year_rows
        if r["geo"] in members
    ]
    eu = next((r for r in year_rows if r["geo"] == EU and charts.is_number(r["value"])), None)
    title = f"{s.title}: ranking of the member states, {year or 'no data'}"
    base = next((r["base_period"] for r in year_rows if r.get("base_period")), "")
    if base:
        title = f"{s.title} since {base}: ranking of the member states, {year}"
    direction = (
        " Lower is better: rank 1 is the lowest."
        if s.higher_is_better is False
        else " Rank 1 is the highest."
    )
    ranked = sorted(points, key=lambda p: (p["rank"] is None, p["rank"] or 0, p["label"]))
    return panel(
        "ranking",
        title,
        charts.bar(
            points,
            title=title,
            source_line=source_line(code),
            unit=s.unit,
            decimals=s.decimals,
            reference=("EU27", eu["value"]) if eu else None,
        ),
        ranking_summary(points, s.title, s.unit, s.decimals, year or "") + direction,
        ["Country", s.title, "Rank in EU27"],
        [
            [
                label_cell(p["label"], country_url(p["key"])),
                cell(p["value"], s.decimals, p["flags"]),
                cell(p["rank"]),
            ]
            for p in ranked
        ],
        code,
        {"indicator": code, "period": year},
    )


def _trends(geo: str | None, names) -> list[dict]:
    geos = [EU] + ([geo] if geo and geo != EU else [])
    rows = values(TRENDS, geos=geos)
    out = []
    for code in TRENDS:
        s = INDICATORS[code]
        mine = [r for r in rows if r["indicator"] == code]
        periods = sorted({r["period"] for r in mine})
        by = {(r["geo"], r["period"]): r for r in mine}
        series = [
            {
                "name": "EU27" if g == EU else names.get(g, g),
                "points": [
                    {
                        "period": p,
                        "value": by.get((g, p), {}).get("value"),
                        "flags": shown_flags(by[(g, p)]) if (g, p) in by else "",
                    }
                    for p in periods
                ],
            }
            for g in geos
        ]
        who = " and ".join(x["name"] for x in series)
        span = f"{periods[0]}–{periods[-1]}" if periods else "no years"
        title = f"{s.title}: {who}, by reference year"
        out.append(
            panel(
                f"trend-{code}",
                title,
                charts.lines(
                    series, title=title, source_line=source_line(code), unit=s.unit, decimals=s.decimals
                ),
                f"{s.title} ({s.unit}) for {who}, {span}"
                + (
                    " (DESI figures by the year they refer to, not the DESI edition)."
                    if code.startswith("desi")
                    else "."
                ),
                ["Year", *(x["name"] for x in series)],
                [
                    [label_cell(p)]
                    + [
                        cell(
                            by.get((g, p), {}).get("value"),
                            s.decimals,
                            shown_flags(by[(g, p)]) if (g, p) in by else "",
                        )
                        for g in geos
                    ]
                    for p in periods
                ],
                code,
                {"indicator": code, "geo": geos},
            )
        )
    return out
