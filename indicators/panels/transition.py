"""Page data for /transition/ and the country page's twin-transition panel.

Reads stored indicator values (indicators.selectors), cached by data generation; the figures
themselves are computed at recompute by indicators/compute/transition.py. The sensitivity table
re-runs the pure composite function on the stored components with the current parameters.
"""

from __future__ import annotations

import pandas as pd
from django.urls import reverse

from .. import charts
from ..charts.transition import quadrant
from ..compute import transition as tc
from ..registry import INDICATORS
from ..selectors import EU, cached, eu_members, place_names, release_infos, values
from .common import cell, country_url, fmt, label_cell, panel, ranking_summary, shown_flags
from .tables import sort_rows

DIGITAL = (
    "desi_index",
    "desi_human_capital",
    "desi_connectivity",
    "desi_integration",
    "desi_public_services",
    "desi_sme_basic_di",
    "desi_big_data",
    "desi_cloud",
    "desi_ai",
    "sme_basic_di",
    "ent_ai",
    "digital_position",
)
GREEN = (
    "ghg_per_capita",
    "co2_per_capita",
    "co2_per_gdp",
    "ghg_per_gdp",
    "energy_per_gdp",
    "ghg_per_capita_change",
    "co2_per_gdp_change",
    "energy_per_gdp_change",
    "co2_hab_eurostat",
    "green_position",
    "green_progress",
)
SCOREBOARD = DIGITAL + GREEN
LEADERS = ("desi_ai", "desi_cloud", "desi_big_data")
TRENDS = (
    "desi_index",
    "desi_integration",
    "ghg_per_capita",
    "co2_per_gdp",
    "energy_per_gdp",
    "co2_hab_eurostat",
)
PUBLISHERS = {
    "desi_2022": "European Commission, DESI 2022",
    "owid_co2": "Our World in Data",
}


def source_label(indicator: str) -> str:
    s = release_infos().get(INDICATORS[indicator].source, {})
    return PUBLISHERS.get(
        INDICATORS[indicator].source, f"{s.get('publisher', 'Eurostat')} {INDICATORS[indicator].source}"
    )


def source_line(indicator: str) -> str:
    code = INDICATORS[indicator].source
    s = release_infos().get(code, {"code": code})
    return (
        f"Source: {s.get('publisher', 'Eurostat')} {code}, {s.get('vintage') or 'not loaded'}; "
        "EU Industry Observatory"
    )


def short_sources(*indicators: str) -> str:
    """'Sources: <publisher> <code> (<vintage>); …' for a figure drawing on several sources."""
    infos = release_infos()
    parts = []
    for code in dict.fromkeys(INDICATORS[i].source for i in indicators):
        s = infos.get(code, {"code": code})
        release = f"release {s['release']}" if s.get("release") else "not loaded"
        parts.append(f"{PUBLISHERS.get(code, s.get('publisher', 'Eurostat'))} ({code}, {release})")
    return "Sources: " + "; ".join(parts)


def reference_year(rows: list[dict], members: set[str]) -> str | None:
    """The latest year most members have a value for (ties: the later year)."""
    counts: dict[str, int] = {}
    for r in rows:
        if r["geo"] in members and charts.is_number(r["value"]):
            counts[r["period"]] = counts.get(r["period"], 0) + 1
    if not counts:
        return None
    top = max(counts.values())
    return max(p for p, n in counts.items() if n == top)


def _by_indicator(codes) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {c: [] for c in codes}
    for r in values(codes):
        out[r["indicator"]].append(r)
    return out


def scoreboard_data() -> dict:
    return cached("transition:scoreboard", _scoreboard_data)


def _scoreboard_data() -> dict:
    members = set(eu_members())
    rows_of = _by_indicator(SCOREBOARD)
    years, at = {}, {}
    for code, rows in rows_of.items():
        year = reference_year(rows, members)
        years[code] = year
        at[code] = {r["geo"]: r for r in rows if r["period"] == year}
    meta = []
    for code in SCOREBOARD:
        s = INDICATORS[code]
        base = next((r["base_period"] for r in at[code].values() if r.get("base_period")), "")
        edition = next((r["ecosystem"] for r in at[code].values() if r["ecosystem"] != "total"), "")
        edition = {"E_DI3_GELO": "Digital Intensity Index version 3", "E_DI4_GELO": "version 4"}.get(
            edition, edition
        )
        meta.append(
            {
                "code": code,
                "title": s.title,
                "unit": s.unit,
                "decimals": s.decimals,
                "year": years[code],
                "base": base,
                "edition": edition.replace("_", " "),
                "source": INDICATORS[code].source,
                "source_label": source_label(code),
                "higher_is_better": s.higher_is_better,
                "group": "digital" if code in DIGITAL else "green",
                "url": reverse("indicators:indicator-detail", args=[code]),
            }
        )
    return {"meta": meta, "at": at, "years": years}


def _name_rows(members: list[str]) -> list[tuple[str, str]]:
    names = place_names()
    return sorted(((g, names.get(g, g)) for g in members), key=lambda x: x[1]) + [(EU, "EU27")]


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


# ------------------------------------------------------------------ parameters and sensitivity


def parameters() -> dict:
    from ..reference import transition_parameters

    params = transition_parameters()
    weights = params["weights"]
    return {
        "version": params["version"],
        "base_year": params["base_year"],
        "eurostat_base_year": params["eurostat_base_year"],
        "weights": [
            {
                **r,
                "title": INDICATORS[r["indicator"]].title if r["indicator"] in INDICATORS else r["indicator"],
            }
            for r in weights.to_dict("records")
        ],
    }


def variant_label(variant: str) -> str:
    if variant.startswith("without "):
        code = variant.removeprefix("without ")
        return f"without {INDICATORS[code].title if code in INDICATORS else code}"
    return {"minmax": "min-max (default)", "zscore": "z-scores"}.get(variant, variant)


def sensitivity_tables() -> list[dict]:
    return cached("transition:sensitivity", _sensitivity_tables)


def _sensitivity_tables() -> list[dict]:
    """Ranks of each composite under min-max (default), z-scores and each component left out."""
    from ..reference import transition_parameters

    weights = tc.check_weights(transition_parameters()["weights"])
    members = list(eu_members())
    names = place_names()
    out = []
    for name in tc.COMPOSITES:
        w = weights[weights["composite"] == name]
        rows = values(list(w["indicator"]))
        frame = pd.DataFrame(rows)
        if frame.empty:
            continue
        table, years = tc.latest_table(frame, w["indicator"], members)
        if set(w["indicator"]) - set(table.columns):
            continue
        ranks = tc.sensitivity(table, w, members)
        variants = [c for c in ranks.columns if c not in ("rank_min", "rank_max", "spread")]
        body = []
        for geo in ranks.sort_values(["minmax", "rank_min"]).index:
            r = ranks.loc[geo]
            body.append(
                {
                    "name": names.get(geo, geo),
                    "url": country_url(geo),
                    "ranks": [fmt(r[v]) for v in variants],
                    "spread": fmt(r["spread"]),
                }
            )
        moved = ranks["spread"].dropna()
        out.append(
            {
                "composite": name,
                "title": INDICATORS[name].title,
                "variants": [variant_label(v) for v in variants],
                "rows": body,
                "years": years,
                "median_spread": fmt(moved.median()) if not moved.empty else "–",
                "max_spread": fmt(moved.max()) if not moved.empty else "–",
            }
        )
    return out


# ------------------------------------------------------------------ the country page's panel

COUNTRY = (
    "desi_index",
    "desi_sme_basic_di",
    "desi_big_data",
    "desi_cloud",
    "desi_ai",
    "digital_position",
    "ghg_per_capita",
    "co2_per_gdp",
    "energy_per_gdp",
    "ghg_per_capita_change",
    "green_position",
    "green_progress",
)


def country_transition(geo: str) -> dict:
    return cached(f"transition:country:{geo}", lambda: _country_transition(geo))


def _country_transition(geo: str) -> dict:
    data = scoreboard_data()
    names = place_names()
    gname = names.get(geo, geo)
    rows, points_geo, points_eu, cats = [], [], [], []
    for code in COUNTRY:
        m = next(x for x in data["meta"] if x["code"] == code)
        mine, eu = data["at"][code].get(geo), data["at"][code].get(EU)
        rows.append(
            [
                label_cell(m["title"], reverse("indicators:indicator-detail", args=[code])),
                cell(mine["value"] if mine else None, m["decimals"], shown_flags(mine) if mine else ""),
                cell(eu["value"] if eu else None, m["decimals"], shown_flags(eu) if eu else ""),
                cell(mine["rank"] if mine else None),
                label_cell((m["year"] or "–") + (f" (since {m['base']})" if m["base"] else "")),
                label_cell(m["unit"]),
                label_cell(m["source_label"]),
            ]
        )
        if code.startswith("desi_") and code != "desi_index":
            cats.append(m["title"])
            points_geo.append((mine or {}).get("value"))
            points_eu.append((eu or {}).get("value"))
    has_any = any(r[1]["value"] is not None for r in rows)
    title = f"{gname}: enterprises' digital uptake vs EU27 (DESI 2022)"
    fig = charts.grouped_bar(
        cats,
        [
            {"name": gname, "values": points_geo, "flags": [""] * len(cats)},
            {"name": "EU27", "values": points_eu, "flags": [""] * len(cats)},
        ],
        title=title,
        source_line=source_line("desi_ai"),
        unit="%",
        decimals=1,
    )
    columns = ["Indicator", gname, "EU27", "Rank in EU27", "Reference year", "Unit", "Source"]
    uptake = panel(
        "transition",
        title,
        fig,
        f"{gname}'s share of SMEs with basic digital intensity and of enterprises using big data, cloud and "
        "AI, next to the EU27 (DESI 2022, reference years 2020–2021). The table adds the green indicators.",
        columns,
        rows,
        "desi_ai",
        {"indicator": list(COUNTRY), "geo": [geo, EU]},
    )
    trends = [{**t, "id": f"transition-{t['id']}"} for t in _trends(geo, names) if t["id"] in COUNTRY_TRENDS]
    return {"panel": uptake, "trends": trends, "has_any": has_any}


COUNTRY_TRENDS = ("trend-desi_index", "trend-ghg_per_capita")


# ------------------------------------------------------------------ the ecosystem page's ETS panel


def ecosystem_ets(slug: str, name: str) -> dict:
    return cached(f"transition:ets:{slug}", lambda: _ecosystem_ets(slug, name))


def _ecosystem_ets(slug: str, name: str) -> dict:
    from ..reference import ets_ecosystem_map

    mapping = ets_ecosystem_map()
    mine = mapping[mapping["ecosystem"] == slug]
    activities = [
        {
            "activity": r.activity,
            "name": r.activity_name,
            "nace": r.nace,
            "share": r.share,
            "reasoning": r.reasoning,
        }
        for r in mine.itertuples(index=False)
    ]
    rows = values(["ets_emissions", "ets_emissions_change"], ecosystems=[slug])
    if not rows:
        return {"panel": None, "activities": activities}
    level = {r["period"]: r for r in rows if r["indicator"] == "ets_emissions"}
    change = {r["period"]: r for r in rows if r["indicator"] == "ets_emissions_change"}
    periods = sorted(level)
    s = INDICATORS["ets_emissions"]
    title = f"{name}: EU ETS verified emissions mapped to the ecosystem"
    series = [
        {
            "name": "EU ETS",
            "points": [{"period": p, "value": level[p]["value"], "flags": ""} for p in periods],
        }
    ]
    base = next((r["base_period"] for r in change.values() if r.get("base_period")), "")
    last = periods[-1]
    summary = f"{name}: {fmt(level[last]['value'], 1)} Mt CO2-eq of verified emissions in {last}"
    if last in change:
        summary += f", {fmt(change[last]['value'], 1)}% since {base}"
    summary += f", from {len(activities)} mapped ETS activit{'y' if len(activities) == 1 else 'ies'}."
    p = panel(
        "ets",
        title,
        charts.lines(series, title=title, source_line=source_line("ets_emissions"), unit=s.unit, decimals=1),
        summary,
        ["Year", "Mt CO2-eq", f"Change since {base or 'the base year'} (%)"],
        [
            [label_cell(y), cell(level[y]["value"], 1), cell(change.get(y, {}).get("value"), 1)]
            for y in periods
        ],
        "ets_emissions",
        {"indicator": ["ets_emissions", "ets_emissions_change"], "ecosystem": slug},
    )
    return {"panel": p, "activities": activities}


def ecosystem_air(slug: str, name: str) -> dict:
    """CO2 by member state for the ecosystem (air emissions accounts by NACE), or why not."""
    return cached(f"transition:air:{slug}", lambda: _ecosystem_air(slug, name))


def _ecosystem_air(slug: str, name: str) -> dict:
    release = release_infos().get("env_ac_ainah_r2", {})
    rows = values(["eco_co2", "eco_co2_share"], ecosystems=[slug])
    if not rows:
        reason = (
            "the air emissions accounts (env_ac_ainah_r2) are not loaded"
            if not release.get("release")
            else "the loaded release of env_ac_ainah_r2 has no NACE breakdown (the data mirror's extract "
            "holds all activities only); a refresh from Eurostat loads it"
        )
        return {"panel": None, "reason": reason}
    members = set(eu_members())
    names = place_names()
    co2 = [r for r in rows if r["indicator"] == "eco_co2"]
    year = reference_year(co2, members) or max(r["period"] for r in co2)
    share = {r["geo"]: r for r in rows if r["indicator"] == "eco_co2_share" and r["period"] == year}
    points = [
        {
            "key": r["geo"],
            "label": names.get(r["geo"], r["geo"]),
            "value": r["value"],
            "flags": shown_flags(r),
        }
        for r in co2
        if r["period"] == year and r["geo"] in members
    ]
    eu = next((r for r in co2 if r["geo"] == EU and r["period"] == year), None)
    s = INDICATORS["eco_co2"]
    title = f"{name}: CO2 emissions by member state, {year}"
    p = panel(
        "air-emissions",
        title,
        charts.bar(points, title=title, source_line=source_line("eco_co2"), unit=s.unit),
        ranking_summary(points, s.title, s.unit, 0, year),
        ["Country", f"CO2 ({s.unit})", "Share of all NACE activities (%)"],
        [
            [
                label_cell(p["label"], country_url(p["key"])),
                cell(p["value"], 0, p["flags"]),
                cell(share.get(p["key"], {}).get("value"), 1),
            ]
            for p in sorted(points, key=lambda p: p["label"])
        ],
        "eco_co2",
        {"indicator": ["eco_co2", "eco_co2_share"], "ecosystem": slug, "period": year},
    )
    return {"panel": p, "reason": "", "eu": eu}
