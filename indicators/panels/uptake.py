"""The ecosystem page's technology-uptake panels, from Eurostat's ICT-survey tables by NACE.

One panel per by-NACE table that is loaded (indicators/compute/uptake.py makes the figures); for
each table that is not, the reason, so the page never shows an empty chart or a silent gap.
"""

from __future__ import annotations

from django.urls import reverse

from .. import charts
from ..registry import BY_NACE_UPTAKE, INDICATORS
from ..selectors import EU, cached, eu_members, place_names, release_infos, values
from . import cell, country_url, label_cell, panel, ranking_summary, shown_flags
from .transition import reference_year, source_line


def ecosystem_uptake(slug: str, name: str) -> dict:
    """``{"panels": [...], "missing": [{code, title, reason, url}], "loaded": bool}``."""
    return cached(f"uptake:ecosystem:{slug}", lambda: _ecosystem_uptake(slug, name))


def _ecosystem_uptake(slug: str, name: str) -> dict:
    infos = release_infos()
    codes = [indicator for _, _, _, indicator, *_ in BY_NACE_UPTAKE]
    rows = values(codes, ecosystems=[slug])
    by_indicator: dict[str, list[dict]] = {}
    for r in rows:
        by_indicator.setdefault(r["indicator"], []).append(r)
    members = set(eu_members())
    names = place_names()
    panels, missing = [], []
    for table, title, _, indicator, *_ in BY_NACE_UPTAKE:
        found = by_indicator.get(indicator)
        if not found:
            loaded = bool(infos.get(table, {}).get("release"))
            missing.append(
                {
                    "code": table,
                    "title": title,
                    "reason": "loaded, but no activity of this ecosystem has a value"
                    if loaded
                    else "not loaded (not in the data mirror; fetched from Eurostat when reachable)",
                    "url": reverse("indicators:source-detail", args=[table]),
                }
            )
            continue
        panels.append(_panel(slug, name, indicator, found, members, names))
    return {"panels": panels, "missing": missing, "loaded": bool(panels)}


def _panel(slug, name, indicator, rows, members, names) -> dict:
    s = INDICATORS[indicator]
    year = reference_year(rows, members) or max(r["period"] for r in rows)
    latest = [r for r in rows if r["period"] == year]
    points = [
        {
            "key": r["geo"],
            "label": names.get(r["geo"], r["geo"]),
            "value": r["value"],
            "flags": shown_flags(r),
            "weights": r.get("base_period") or "",
            "rank": r["rank"],
        }
        for r in latest
        if r["geo"] in members
    ]
    eu = next((r for r in latest if r["geo"] == EU), None)
    title = f"{name}: {s.title[0].lower()}{s.title[1:]} by member state, {year} ({s.unit})"
    ranked = [p for p in points if "I" not in p["flags"]]
    summary = ranking_summary(ranked, s.title, s.unit, 1, year)
    if len(ranked) < len(points):
        summary += f" {len(points) - len(ranked)} incomplete figure(s) (I) are shown but not ranked."
    return panel(
        f"uptake-{indicator}",
        title,
        charts.bar(
            points,
            title=title,
            source_line=source_line(indicator) + "; weights: Eurostat sbs_na_sca_r2",
            unit=s.unit,
            decimals=1,
            reference=("EU27", eu["value"]) if eu else None,
        ),
        summary,
        ["Country", f"{s.title} ({s.unit})", "Rank", "Employment weights (year)"],
        [
            [
                label_cell(p["label"], country_url(p["key"])),
                cell(p["value"], 1, p["flags"]),
                cell(p["rank"]),
                label_cell(p["weights"]),
            ]
            for p in sorted(points, key=lambda p: -p["value"])
        ],
        indicator,
        {"indicator": indicator, "ecosystem": slug, "period": year},
    )
