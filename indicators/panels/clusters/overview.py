"""/clusters/: every category's strong regions, the map and the table."""

from __future__ import annotations

from django.urls import reverse

from ... import charts
from ...compute import clusters as cc
from ...selectors import (
    cached,
    place_names,
)
from ..common import cell, fmt, label_cell, panel, source_line
from .base import METHODS, assessment, categories, category_map, is_strong, star_counts, strength_values

# --- /clusters/ ----------------------------------------------------------------------------------


def overview(period: str, params: dict, method: str, category: str | None) -> dict:
    key = f"cluster-overview:{period}:{params['number']}:{method}:{category}"
    return cached(key, lambda: _overview(period, params, method, category))


def _overview(period, params, method, category) -> dict:
    rows = assessment(period, params)
    cats = category_map()
    names = place_names()
    counts = star_counts(rows)
    traded = star_counts([r for r in rows if cats.get(r["category"], {}).get("kind") == cc.TRADED])
    counts["rows"] = [
        {"label": f"{a['stars']} star{'s' if a['stars'] > 1 else ''}", "all": a, "traded": b}
        for a, b in zip(counts["by_stars"], traded["by_stars"], strict=True)
    ]
    minimum = int(params["strong_min_stars"])

    def strong_stars(subset):
        chosen = [r for r in subset if (r["stars"] or 0) >= minimum]
        return {"pairs": len(chosen), "jobs": sum(r["emp"] or 0 for r in chosen)}

    traded_rows = [r for r in rows if cats.get(r["category"], {}).get("kind") == cc.TRADED]
    counts["strong_stars"] = {"all": strong_stars(rows), "traded": strong_stars(traded_rows)}
    counts["us"] = {
        "all": {"pairs": counts["us_strong"], "jobs": counts["us_jobs"]},
        "traded": {"pairs": traded["us_strong"], "jobs": traded["us_jobs"]},
    }
    counts["not_assessed_traded"] = traded["not_assessed"]
    by_cat = {}
    for r in rows:
        by_cat.setdefault(r["category"], []).append(r)
    table = []
    for c in categories():
        rs = by_cat.get(c["slug"], [])
        emp = sum(r["emp"] or 0 for r in rs if r["emp"] is not None)
        strong = [r for r in rs if is_strong(r, method, params)]
        table.append(
            [
                label_cell(c["name"] + (" (approximation)" if c["approximation"] else ""), c["url"]),
                label_cell("traded" if c["kind"] == cc.TRADED else "emerging"),
                cell(emp if rs else None),
                cell(len(strong) if rs else None),
                cell(sum(r["emp"] or 0 for r in strong) if rs else None),
                cell(c["sbs_coverage"] * 100, 0),
            ]
        )
    if category and category in cats:
        # A category's strength: its stars (stars method) or strong yes/no (US rule) per region.
        us = method == "us"
        points = [
            {
                "key": r["geo"],
                "label": f"{names.get(r['geo'], r['geo'])} ({r['geo']})",
                "value": (None if r["us_strong"] is None else float(r["us_strong"])) if us else r["stars"],
                "flags": r["markers"],
            }
            for r in by_cat.get(category, [])
            if len(r["geo"]) == 4
        ]
        what = "strong cluster (1 = yes, US rule)" if us else "stars (0–4)"
        title = f"{cats[category]['name']}: {what} by NUTS 2 region, {period}"
        unit, decimals, diverging = ("strong" if us else "stars"), 0, None
        code, api_key = ("cluster_us_strong" if us else "cluster_stars"), category
    else:
        strength = strength_values(period, params["number"], method)
        points = [
            {"key": g, "label": f"{names.get(g, g)} ({g})", "value": v, "flags": ""}
            for (g, _p), v in strength.items()
            if len(g) == 4
        ]
        title = f"Cluster strength: % of traded employment in strong clusters ({METHODS[method]}), {period}"
        unit, decimals, diverging = "%", 1, None
        code = "cluster_strength_us" if method == "us" else "cluster_strength_stars"
        api_key = cc.STRENGTH_KEY
    shown = [p for p in points if charts.is_number(p["value"])]
    summary = f"{len(shown)} regions have a value. " + (
        "Highest: "
        + ", ".join(
            f"{p['label']} ({fmt(p['value'], decimals)})"
            for p in sorted(shown, key=lambda p: -p["value"])[:3]
        )
        + "."
        if shown
        else "No values for this year."
    )
    map_panel = panel(
        "cluster-map",
        title,
        charts.choropleth(
            points,
            geojson_url=reverse("indicators:geometry", args=[2]),
            title=title,
            source_line=source_line("cluster_emp") + f"; thresholds v{params['number']}",
            unit=unit,
            decimals=decimals,
            diverging_at=diverging,
        ),
        summary,
        ["Region (NUTS 2021)", unit],
        [
            [
                label_cell(p["label"], reverse("indicators:cluster-region", args=[p["key"]])),
                cell(p["value"], decimals, p["flags"]),
            ]
            for p in sorted(points, key=lambda p: -(p["value"] if charts.is_number(p["value"]) else -1e18))
        ],
        "cluster_emp",
        {"indicator": code, "ecosystem": api_key, "period": period, "parameter_version": params["number"]},
    )
    return {
        "counts": counts,
        "table": table,
        "columns": [
            "Category",
            "Kind",
            "Persons employed (all regions)",
            "Strong regional clusters",
            "Persons employed in them",
            "Visible in SBS (%)",
        ],
        "panels": [map_panel],
        "regions": len({r["geo"] for r in rows}),
    }
