"""/clusters/regions/<nuts>/: one region's clusters, badges and portfolio chart."""

from __future__ import annotations

from django.urls import reverse

from ... import charts
from ...charts import clusters as cluster_charts
from ...compute import clusters as cc
from ...models import IndicatorValue
from ...selectors import (
    cached,
    country_bounds,
    place_names,
)
from ..common import cell, fmt, label_cell, panel, source_line
from .base import METHODS, assessment, badges, category_map, is_strong, ranks, stars_text, strength_values

# --- /clusters/regions/<nuts>/ -------------------------------------------------------------------


def region(nuts: str, period: str, params: dict, method: str) -> dict:
    key = f"cluster-region:{nuts}:{period}:{params['number']}:{method}"
    return cached(key, lambda: _region(nuts, period, params, method))


def _region(nuts, period, params, method) -> dict:
    cats = category_map()
    rows = [r for r in assessment(period, params) if r["geo"] == nuts]
    rows.sort(key=lambda r: (-(r["stars"] if r["stars"] is not None else -1), -(r["emp"] or 0)))
    shares = dict(
        IndicatorValue.objects.filter(indicator_id="cluster_share", geo=nuts, period=period).values_list(
            "ecosystem", "value"
        )
    )
    entries = []
    for r in rows:
        c = cats.get(
            r["category"], {"name": r["category"], "url": "", "kind": "traded", "approximation": False}
        )
        entries.append(
            {
                "category": c,
                "row": r,
                "stars": stars_text(r),
                "strong": is_strong(r, method, params),
                "badges": badges(r, params),
                "emp": fmt(r.get("emp")),
                "lq": fmt(r.get("lq"), 2),
                "share": fmt(shares.get(r["category"]), 2),
                "markers": r.get("markers", ""),
            }
        )
    # Strength: value, rank among all regions and within the country, and its trend.
    all_strength = strength_values(period, params["number"], method)
    this_year = {g: v for (g, _p), v in all_strength.items()}
    rank_all = ranks(this_year)
    same = {g: v for g, v in this_year.items() if g[:2] == nuts[:2]}
    rank_country = ranks(same)
    trend_all = strength_values(None, params["number"], method)
    trend = sorted((p, v) for (g, p), v in trend_all.items() if g == nuts)
    names = place_names()
    src = source_line("cluster_emp") + f"; thresholds v{params['number']}"
    panels = []
    bubbles = [
        {
            "key": r["category"],
            "label": cats.get(r["category"], {}).get("name", r["category"]),
            "x": r.get("growth"),
            "y": r.get("lq"),
            "size": r.get("emp"),
            "flags": r.get("markers", ""),
            "strong": is_strong(r, method, params),
        }
        for r in rows
        if cats.get(r["category"], {}).get("kind") == cc.TRADED
    ]
    eu_growth = [r["eu_growth"] for r in rows if r.get("eu_growth") is not None]
    x_centre = sorted(eu_growth)[len(eu_growth) // 2] if eu_growth else 0.0
    title = (
        f"{names.get(nuts, nuts)}: cluster portfolio, {period} (growth over {params['growth_window']} years)"
    )
    shown = [b for b in bubbles if charts.is_number(b["x"]) and charts.is_number(b["y"])]
    panels.append(
        panel(
            "portfolio",
            title,
            cluster_charts.portfolio(
                bubbles,
                title=title,
                source_line=src,
                x_centre=x_centre,
                x_label=f"Employment growth {int(period) - int(params['growth_window'])}–{period} (%)",
            ),
            f"{len(shown)} traded categories have both a location quotient and a growth rate; "
            f"bubble size is employment; yellow bubbles are strong clusters ({METHODS[method]}). "
            f"The vertical line is the median EU growth of the categories ({x_centre:.1f} %), the horizontal "
            "line LQ = 1. Categories without complete figures are listed in the table only.",
            ["Category", "Employment growth (%)", "Location quotient", "Persons employed", "Strong"],
            [
                [
                    label_cell(b["label"], cats.get(b["key"], {}).get("url", "")),
                    cell(b["x"], 1),
                    cell(b["y"], 2, b["flags"]),
                    cell(b["size"], 0, b["flags"]),
                    label_cell("yes" if b["strong"] else "no"),
                ]
                for b in bubbles
            ],
            "cluster_emp",
            {"indicator": ["cluster_lq", "cluster_emp"], "geo": nuts, "period": period},
        )
    )
    if trend:
        ttitle = f"{names.get(nuts, nuts)}: cluster strength over time ({METHODS[method]})"
        panels.append(
            panel(
                "strength-trend",
                ttitle,
                charts.lines(
                    [{"name": "Cluster strength", "points": [{"period": p, "value": v} for p, v in trend]}],
                    title=ttitle,
                    source_line=src,
                    unit="% of traded employment",
                    decimals=1,
                ),
                "Share of the region's traded employment in strong clusters: "
                + ", ".join(f"{p} {v:.1f} %" for p, v in trend)
                + ".",
                ["Year", "% of traded employment"],
                [[label_cell(p), cell(v, 1)] for p, v in trend],
                "cluster_emp",
                {
                    "indicator": "cluster_strength_us" if method == "us" else "cluster_strength_stars",
                    "ecosystem": cc.STRENGTH_KEY,
                    "geo": nuts,
                    "parameter_version": params["number"],
                },
            )
        )

    patents = sorted(
        IndicatorValue.objects.filter(
            indicator_id="region_patents_pmhab", geo=nuts, value__isnull=False
        ).values_list("period", "value", "rank", "markers", "published_geo")
    )
    patent_latest = None
    if patents:
        p_period, p_value, p_rank, p_markers, p_published = patents[-1]
        n_regions = IndicatorValue.objects.filter(
            indicator_id="region_patents_pmhab", period=p_period, value__isnull=False
        ).count()
        patent_latest = {
            "period": p_period,
            "value": p_value,
            "rank": p_rank,
            "of": n_regions,
            "markers": p_markers,
            "published": p_published,
        }
        ptitle = f"{names.get(nuts, nuts)}: EPO patent applications per million inhabitants"
        panels.append(
            panel(
                "patents",
                ptitle,
                charts.lines(
                    [
                        {
                            "name": "Patent applications",
                            "points": [{"period": p, "value": v, "flags": m} for p, v, _r, m, _g in patents],
                        }
                    ],
                    title=ptitle,
                    source_line=source_line("region_patents_pmhab"),
                    unit="per million inhabitants",
                    decimals=1,
                ),
                f"Patent applications to the EPO per million inhabitants, {patents[0][0]}–{p_period}; "
                f"{p_period}: {p_value:.1f} (rank {p_rank} of {n_regions} regions)."
                + (
                    f" Published as {p_published} (NUTS 2010), converted to NUTS 2021." if p_published else ""
                ),
                ["Year", "Per million inhabitants"],
                [[label_cell(p), cell(v, 1, m)] for p, v, _r, m, _g in patents],
                "region_patents_pmhab",
                {"indicator": "region_patents_pmhab", "geo": nuts},
            )
        )

    def top(key, n=5):
        ok = [
            e
            for e in entries
            if e["row"].get(key) is not None
            and e["row"].get(f"ok_{key}")
            and e["row"].get("ok_emp")
            and e["category"].get("kind") == cc.TRADED
        ]
        return sorted(ok, key=lambda e: -e["row"][key])[:n]

    neighbours = [
        {
            "code": g,
            "name": names.get(g, g),
            "value": v,
            "rank": rank_country.get(g),
            "url": reverse("indicators:cluster-region", args=[g]),
            "current": g == nuts,
        }
        for g, v in sorted(same.items(), key=lambda kv: -kv[1])
    ]
    return {
        "entries": entries,
        "strong": [e for e in entries if e["strong"]],
        "strength": this_year.get(nuts),
        "rank_all": rank_all.get(nuts),
        "n_all": len(rank_all),
        "rank_country": rank_country.get(nuts),
        "n_country": len(rank_country),
        "panels": panels,
        "most_productive": top("wage_ratio"),
        "most_specialised": top("lq"),
        "most_employment": top("emp"),
        "neighbours": neighbours,
        "patents": patent_latest,
        "bounds": country_bounds(nuts[:2]),
    }
