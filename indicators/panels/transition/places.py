"""The country page's twin-transition panel and the ecosystem page's ETS and air-emission panels."""

from __future__ import annotations

from django.urls import reverse

from ... import charts
from ...registry import INDICATORS
from ...selectors import EU, cached, eu_members, place_names, release_infos, values
from ..common import cell, country_url, fmt, label_cell, panel, ranking_summary, shown_flags
from ..tables import Column, Table
from .base import reference_year, scoreboard_data, source_line
from .scoreboard import _trends

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
    table = Table(
        (
            Column("indicator", "Indicator"),
            Column("place", gname),
            Column("eu", "EU27"),
            Column("rank", "Rank in EU27"),
            Column("year", "Reference year"),
            Column("unit", "Unit"),
            Column("source", "Source"),
        )
    )
    points_geo, points_eu, cats = [], [], []
    for code in COUNTRY:
        m = next(x for x in data["meta"] if x["code"] == code)
        mine, eu = data["at"][code].get(geo), data["at"][code].get(EU)
        table.add(
            indicator=label_cell(m["title"], reverse("indicators:indicator-detail", args=[code])),
            place=cell(mine["value"] if mine else None, m["decimals"], shown_flags(mine) if mine else ""),
            eu=cell(eu["value"] if eu else None, m["decimals"], shown_flags(eu) if eu else ""),
            rank=cell(mine["rank"] if mine else None),
            year=label_cell((m["year"] or "–") + (f" (since {m['base']})" if m["base"] else "")),
            unit=label_cell(m["unit"]),
            source=label_cell(m["source_label"]),
        )
        if code.startswith("desi_") and code != "desi_index":
            cats.append(m["title"])
            points_geo.append((mine or {}).get("value"))
            points_eu.append((eu or {}).get("value"))
    has_any = any(r["place"]["value"] is not None for r in table.rows)
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
    uptake = panel(
        "transition",
        title,
        fig,
        f"{gname}'s share of SMEs with basic digital intensity and of enterprises using big data, cloud and "
        "AI, next to the EU27 (DESI 2022, reference years 2020–2021). The table adds the green indicators.",
        table.headers(),
        table.cell_rows(),
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
    from ...reference import ets_ecosystem_map

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
