"""Page data for the cluster pages (/clusters/...): stars, the US strong rule and their badges.

The stars shown on a page are recomputed from the stored figures (cluster_emp, cluster_units,
cluster_lq, cluster_wage_ratio) with the same pure function as the stored values
(:func:`indicators.compute.clusters.assess`), for the threshold version in the URL, so every
badge can show its rule, cut-off, value and percentile. Cached by data generation.
"""

from __future__ import annotations

import math

import pandas as pd
from django.urls import reverse

from ecosystems import selectors as taxonomy
from observatory.params import is_id

from . import charts
from .charts import clusters as cluster_charts
from .compute import clusters as cc
from .models import IndicatorValue
from .panels import cell, fmt, label_cell, panel, source_line
from .selectors import (
    cached,
    country_bounds,
    default_period,
    eu_members,
    nace_employment,
    periods_of,
    place_names,
)

METHODS = {"stars": "European Cluster Observatory stars", "us": "US Cluster Mapping strong clusters"}
FIGURES = ("cluster_emp", "cluster_units", "cluster_lq", "cluster_wage_ratio")
RULE_TEXT = {
    "size": "Size: employment in the top {top:.0%} of EU regions in this category",
    "specialisation": "Specialisation: location quotient ≥ {lq:g}",
    "productivity": "Productivity: wages per person employed ≥ {ratio:g} × the category's EU level",
    "dynamism": "Dynamism: employment growth over {window} years ≥ the EU's growth + {margin:g} pp",
    "us": "US strong cluster: LQ ≥ p{p75:.0f} of regions and ≥ {lqmin:g}; "
    "employment and local units ≥ p{p25:.0f}",
}


# --- reference data ------------------------------------------------------------------------------


def categories() -> list[dict]:
    rows = cached("cluster-categories", taxonomy.cluster_category_dicts)
    for r in rows:
        r["url"] = reverse("indicators:cluster-category", args=[r["slug"]])
    return rows


def category_map() -> dict[str, dict]:
    return {c["slug"]: c for c in categories()}


def kinds() -> dict[str, str]:
    return {c["slug"]: c["kind"] for c in categories()}


def parameter_sets() -> list[dict]:
    return cached("cluster-parameters", taxonomy.cluster_parameter_dicts)


def resolve_parameters(raw: str | None) -> dict | None:
    """The threshold version asked for (``?params=N``), else the current one; None if unknown."""
    sets = parameter_sets()
    if raw in (None, ""):
        return next((p for p in sets if p["is_current"]), sets[0] if sets else None)
    if not is_id(str(raw)):
        return None
    return next((p for p in sets if p["number"] == int(raw)), None)


def rules(params: dict) -> dict[str, str]:
    return {
        "size": RULE_TEXT["size"].format(top=params["size_top_share"]),
        "specialisation": RULE_TEXT["specialisation"].format(lq=params["specialisation_lq"]),
        "productivity": RULE_TEXT["productivity"].format(ratio=params["productivity_ratio"]),
        "dynamism": RULE_TEXT["dynamism"].format(
            window=params["growth_window"], margin=params["dynamism_margin"]
        ),
        "us": RULE_TEXT["us"].format(
            p75=params["us_lq_percentile"] * 100,
            lqmin=params["us_lq_min"],
            p25=params["us_size_percentile"] * 100,
        ),
    }


def periods() -> list[str]:
    return periods_of("cluster_emp")


def resolve_period(raw: str | None) -> str | None:
    ps = periods()
    return raw if raw in ps else default_period("cluster_emp")


# --- the assessment ------------------------------------------------------------------------------


def _num(v):
    if v is None or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _bool(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else bool(v)


def assessment(period: str, params: dict) -> list[dict]:
    """Every region × category of PERIOD with its figures, rules met and cut-offs (dicts)."""
    return cached(f"cluster-assess:{period}:{params['number']}", lambda: _assessment(period, params))


def _assessment(period: str, params: dict) -> list[dict]:
    base = str(int(period) - int(params["growth_window"]))
    rows = IndicatorValue.objects.filter(
        indicator_id__in=FIGURES, period__in=[period, base], parameter_version__isnull=True
    ).values_list("indicator_id", "ecosystem", "geo", "period", "value", "flags", "markers")
    frame = pd.DataFrame(
        list(rows), columns=["indicator", "ecosystem", "geo", "period", "value", "flags", "markers"]
    )
    if frame.empty:
        return []
    frame["indicator"] = frame["indicator"].str.removeprefix("cluster_")
    frame["value"] = frame["value"].astype("float64")
    out = cc.assess(frame, params, kinds(), members=eu_members(), periods=[period])
    if out.empty:
        return []
    own = frame[(frame["indicator"] == "emp") & (frame["period"] == period)]
    markers = dict(zip(zip(own["ecosystem"], own["geo"], strict=True), own["markers"], strict=True))
    records = []
    for r in out.to_dict("records"):
        rec = {k: (_bool(v) if k in (*cc.STARS, "us_strong") else v) for k, v in r.items()}
        for k, v in rec.items():
            if k not in (
                *cc.STARS,
                "us_strong",
                "category",
                "geo",
                "period",
                "base_period",
            ) and not isinstance(v, bool):
                rec[k] = _num(v)
        stars = _num(r["stars"])
        rec["stars"] = None if stars is None else int(stars)
        rec["markers"] = markers.get((r["category"], r["geo"]), "")
        records.append(rec)
    return records


def is_strong(row: dict, method: str, params: dict) -> bool:
    if method == "us":
        return bool(row.get("us_strong"))
    return (row.get("stars") or 0) >= int(params["strong_min_stars"])


def star_counts(rows: list[dict]) -> dict:
    counts = {n: 0 for n in range(0, 5)}
    jobs = {n: 0.0 for n in range(0, 5)}
    for r in rows:
        if r["stars"] is None:
            continue
        counts[r["stars"]] += 1
        jobs[r["stars"]] += r["emp"] or 0
    strong_us = [r for r in rows if r.get("us_strong")]
    return {
        "by_stars": [{"stars": n, "pairs": counts[n], "jobs": jobs[n]} for n in range(1, 5)],
        "at_least_one": sum(counts[n] for n in range(1, 5)),
        "not_assessed": sum(1 for r in rows if r["stars"] is None),
        "us_strong": len(strong_us),
        "us_jobs": sum(r["emp"] or 0 for r in strong_us),
    }


# --- badges --------------------------------------------------------------------------------------


def _pct(p) -> str:
    return "–" if p is None else f"p{p * 100:.0f}"


def badges(row: dict, params: dict) -> list[dict]:
    """One badge per rule: met (True/False/None = not assessed), rule, value, cut-off, percentile."""
    text = rules(params)
    items = [
        ("size", "Size", row.get("emp"), row.get("size_cut"), row.get("size_pct"), 0, "persons"),
        (
            "specialisation",
            "Specialisation",
            row.get("lq"),
            row.get("specialisation_cut"),
            row.get("specialisation_pct"),
            2,
            "LQ",
        ),
        (
            "productivity",
            "Productivity",
            row.get("wage_ratio"),
            row.get("productivity_cut"),
            row.get("productivity_pct"),
            2,
            "× EU",
        ),
        ("dynamism", "Dynamism", row.get("growth"), row.get("dynamism_cut"), row.get("dynamism_pct"), 1, "%"),
    ]
    out = []
    for key, label, value, cut, pct, dec, unit in items:
        met = row.get(key)
        out.append(
            {
                "key": key,
                "label": label,
                "met": met,
                "rule": text[key],
                "value": fmt(value, dec),
                "cut": fmt(cut, dec),
                "unit": unit,
                "pct": _pct(pct),
                "state": "met" if met else ("not-assessed" if met is None else "not-met"),
                "note": ""
                if met is not None
                else "not assessed: a figure is missing, incomplete or confidential",
            }
        )
    us = row.get("us_strong")
    out.append(
        {
            "key": "us",
            "label": "US strong",
            "met": us,
            "rule": text["us"],
            "value": f"LQ {fmt(row.get('lq'), 2)} ({_pct(row.get('specialisation_pct'))}), "
            f"{fmt(row.get('emp'))} persons ({_pct(row.get('size_pct'))}), "
            f"{fmt(row.get('units'))} local units ({_pct(row.get('units_pct'))})",
            "cut": f"LQ {fmt(max(row.get('us_lq_cut') or 0, params['us_lq_min']), 2)}, "
            f"{fmt(row.get('us_emp_cut'))} persons, {fmt(row.get('us_units_cut'))} units",
            "unit": "",
            "pct": _pct(row.get("specialisation_pct")),
            "state": "met" if us else ("not-assessed" if us is None else "not-met"),
            "note": "" if us is not None else "not assessed (incomplete figures, or an emerging industry)",
        }
    )
    return out


def stars_text(row: dict) -> str:
    if row.get("stars") is None:
        return "not assessed"
    return "★" * row["stars"] + "☆" * (4 - row["stars"])


# --- strength ------------------------------------------------------------------------------------


def strength_values(period: str | None, version: int, method: str) -> dict[tuple[str, str], float]:
    """Stored cluster strength (% of traded employment in strong clusters): (geo, period) -> value."""
    code = "cluster_strength_us" if method == "us" else "cluster_strength_stars"

    def build():
        qs = IndicatorValue.objects.filter(indicator_id=code, parameter_version=version, value__isnull=False)
        if period:
            qs = qs.filter(period=period)
        return {(g, p): v for g, p, v in qs.values_list("geo", "period", "value")}

    return cached(f"cluster-strength:{code}:{version}:{period}", build)


def ranks(values: dict[str, float]) -> dict[str, int]:
    """Rank 1 = highest; ties share the best rank."""
    ordered = sorted(values.values(), reverse=True)
    return {g: ordered.index(v) + 1 for g, v in values.items()}


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


# --- /clusters/categories/<slug>/ ----------------------------------------------------------------


def category(slug: str, period: str, params: dict, method: str) -> dict:
    key = f"cluster-category:{slug}:{period}:{params['number']}:{method}"
    return cached(key, lambda: _category(slug, period, params, method))


def _category(slug, period, params, method) -> dict:
    cats = category_map()
    names = place_names()
    rows = [r for r in assessment(period, params) if r["category"] == slug]
    rows.sort(key=lambda r: -(r["emp"] if r["emp"] is not None else -1))
    src = source_line("cluster_emp") + f"; thresholds v{params['number']}"
    entries = [
        {
            "geo": r["geo"],
            "name": names.get(r["geo"], r["geo"]),
            "url": reverse("indicators:cluster-region", args=[r["geo"]]),
            "row": r,
            "stars": stars_text(r),
            "strong": is_strong(r, method, params),
            "badges": badges(r, params),
            "emp": fmt(r.get("emp")),
            "lq": fmt(r.get("lq"), 2),
            "markers": r.get("markers", ""),
        }
        for r in rows
    ]
    lqs = [r["lq"] for r in rows if r.get("lq") is not None]
    edges = [0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0]
    title = f"{cats[slug]['name']}: distribution of regional location quotients, {period}"
    cut = next((r["us_lq_cut"] for r in rows if r.get("us_lq_cut") is not None), None)
    hist = cluster_charts.histogram(lqs, title=title, source_line=src, unit="Location quotient", edges=edges)
    counts = hist["data"][0]["y"]
    labels = hist["data"][0]["x"]
    n_spec = sum(1 for v in lqs if v >= params["specialisation_lq"])
    panels = [
        panel(
            "lq-distribution",
            title,
            hist,
            f"{len(lqs)} regions have a location quotient; {n_spec} reach the specialisation "
            f"cut-off ({params['specialisation_lq']:g}); the US rule's p"
            f"{params['us_lq_percentile'] * 100:.0f} cut-off is {fmt(cut, 2)}.",
            ["Location quotient", "Regions"],
            [[label_cell(lab), cell(n)] for lab, n in zip(labels, counts, strict=True)],
            "cluster_emp",
            {"indicator": "cluster_lq", "ecosystem": slug, "period": period},
        )
    ]
    points = [
        {
            "key": r["geo"],
            "label": f"{names.get(r['geo'], r['geo'])} ({r['geo']})",
            "value": r.get("lq"),
            "flags": r.get("markers", ""),
        }
        for r in rows
        if len(r["geo"]) == 4
    ]
    mtitle = f"{cats[slug]['name']}: location quotient by NUTS 2 region, {period}"
    panels.append(
        panel(
            "category-map",
            mtitle,
            charts.choropleth(
                points,
                geojson_url=reverse("indicators:geometry", args=[2]),
                title=mtitle,
                source_line=src,
                unit="LQ",
                decimals=2,
                diverging_at=1.0,
            ),
            f"{sum(1 for p in points if charts.is_number(p['value']))} regions have a value; "
            "white is the EU average (1).",
            ["Region (NUTS 2021)", "Location quotient"],
            [
                [
                    label_cell(p["label"], reverse("indicators:cluster-region", args=[p["key"]])),
                    cell(p["value"], 2, p["flags"]),
                ]
                for p in points
            ],
            "cluster_emp",
            {"indicator": "cluster_lq", "ecosystem": slug, "period": period},
        )
    )
    links = [
        {"slug": b, "name": cats[b]["name"], "url": cats[b]["url"], "strength": s}
        for a, b, s in cached("cluster-links", taxonomy.cluster_links)
        if a == slug and b in cats
    ]
    return {
        "entries": entries,
        "panels": panels,
        "links": links,
        "ecosystems": ecosystem_overlap(slug, period),
        "definition": [
            d for d in cached("cluster-defs", taxonomy.cluster_definition_dicts) if d["category"] == slug
        ],
        "strong_count": sum(1 for e in entries if e["strong"]),
    }


def ecosystem_overlap(slug: str, period: str) -> list[dict]:
    """The ecosystems a category feeds: over shared NACE divisions, the EU persons employed in
    both (division × category share × ecosystem share) as a % of the category's."""
    from .selectors import ecosystem_rows, mapping_rows

    defs = [d for d in cached("cluster-defs", taxonomy.cluster_definition_dicts) if d["category"] == slug]
    if not defs:
        return []
    emp = nace_employment({d["nace"] for d in defs}, eu_members(), period, source="sbs_r_nuts06_r2")
    total = sum((emp.get(d["nace"], (0, 0))[0] or 0) * d["share"] for d in defs)
    if not total:
        return []
    eco_names = {e["slug"]: e["name"] for e in ecosystem_rows()}
    share_of = {d["nace"]: d["share"] for d in defs}
    overlap: dict[str, float] = {}
    for r in mapping_rows()["rows"]:
        if r["nace"] in share_of:
            part = (emp.get(r["nace"], (0, 0))[0] or 0) * share_of[r["nace"]] * float(r["share"])
            overlap[r["ecosystem__slug"]] = overlap.get(r["ecosystem__slug"], 0.0) + part
    return [
        {
            "slug": e,
            "name": eco_names.get(e, e),
            "jobs": v,
            "share": v / total * 100,
            "url": reverse("ecosystems:ecosystem-detail", args=[e]),
        }
        for e, v in sorted(overlap.items(), key=lambda kv: -kv[1])
        if v > 0
    ]


def categories_for_ecosystem(slug: str) -> list[dict]:
    """Cluster categories sharing NACE divisions with an ecosystem (for the ecosystem page), with
    the share of the ecosystem's EU persons employed (regional SBS, member states) they cover."""
    return cached(f"cluster-eco:{slug}", lambda: _categories_for_ecosystem(slug))


def _categories_for_ecosystem(slug: str) -> list[dict]:
    from .selectors import mapping_rows

    eco = {r["nace"]: float(r["share"]) for r in mapping_rows()["rows"] if r["ecosystem__slug"] == slug}
    cats = category_map()
    period = default_period("cluster_emp")
    emp = nace_employment(set(eco), eu_members(), period, source="sbs_r_nuts06_r2") if period else {}
    total = sum((emp.get(n, (0, 0))[0] or 0) * s for n, s in eco.items())
    weight: dict[str, float] = {}
    for d in cached("cluster-defs", taxonomy.cluster_definition_dicts):
        if d["nace"] in eco:
            jobs = (emp.get(d["nace"], (0, 0))[0] or 0) if total else 1.0
            weight[d["category"]] = weight.get(d["category"], 0.0) + jobs * d["share"] * eco[d["nace"]]
    return [
        {"name": cats[c]["name"], "url": cats[c]["url"], "share": (w / total * 100) if total else None}
        for c, w in sorted(weight.items(), key=lambda kv: -kv[1])
        if c in cats and w > 0
    ][:12]


# --- strong clusters, for other pages (matchmaking, value chains, ecosystem pairs) ---------------


def strong_clusters(method: str = "stars") -> dict:
    """The strong (region, category) pairs of the default year and the current thresholds — the
    same verdicts as /clusters/regions/<nuts>/: {"rows": [{"geo", "category", "name", "stars",
    "lq", "emp"}], "period", "version", "method", "min_stars"}; rows empty when not computed.

    Read from the stars recompute stored for this threshold version (``cluster_stars``,
    ``cluster_us_strong`` with ``parameter_version``; Decision 25), not from a fresh assessment of
    every region × category: the other pages that need only the verdicts (explorer, ecosystem
    pairs, matchmaking) then cost two indexed queries instead of the cluster pages' ~30 s cold
    assessment on the real data. :func:`assessed_strong_clusters` is the same from the assessment."""
    params = resolve_parameters(None)
    period = resolve_period(None)
    if params is None or period is None:
        return {"rows": [], "period": None, "version": None, "method": method, "min_stars": None}
    key = f"strong-clusters:{method}:{period}:{params['number']}"
    return cached(key, lambda: _stored_strong(method, period, params))


def _stored_strong(method: str, period: str, params: dict) -> dict:
    min_stars = int(params["strong_min_stars"])
    verdicts = IndicatorValue.objects.filter(
        indicator_id__in=["cluster_stars", "cluster_us_strong"],
        period=period,
        parameter_version=params["number"],
    ).values_list("indicator_id", "ecosystem", "geo", "value")
    stars, us = {}, {}
    for indicator, category, geo, value in verdicts:
        (stars if indicator == "cluster_stars" else us)[(geo, category)] = value
    if method == "us":
        strong = [k for k, v in us.items() if v == 1]
    else:
        strong = [k for k, v in stars.items() if v is not None and v >= min_stars]
    figures = {}
    if strong:
        for indicator, category, geo, value in IndicatorValue.objects.filter(
            indicator_id__in=["cluster_lq", "cluster_emp"],
            period=period,
            parameter_version__isnull=True,
            geo__in=sorted({g for g, _ in strong}),
        ).values_list("indicator_id", "ecosystem", "geo", "value"):
            figures[(indicator, geo, category)] = value
    cats = category_map()
    rows = [
        {
            "geo": geo,
            "category": category,
            "name": cats.get(category, {}).get("name", category),
            "stars": None if stars.get((geo, category)) is None else int(stars[(geo, category)]),
            "lq": figures.get(("cluster_lq", geo, category)),
            "emp": figures.get(("cluster_emp", geo, category)),
        }
        for geo, category in sorted(strong)
    ]
    return {
        "rows": rows,
        "period": period,
        "version": params["number"],
        "method": method,
        "min_stars": min_stars,
    }


def assessed_strong_clusters(method: str = "stars") -> dict:
    """:func:`strong_clusters` from a fresh assessment (as the cluster pages compute their badges);
    a test holds the two equal."""
    params = resolve_parameters(None)
    period = resolve_period(None)
    if params is None or period is None:
        return {"rows": [], "period": None, "version": None, "method": method, "min_stars": None}
    cats = category_map()
    rows = [
        {
            "geo": r["geo"],
            "category": r["category"],
            "name": cats.get(r["category"], {}).get("name", r["category"]),
            "stars": r["stars"],
            "lq": r.get("lq"),
            "emp": r.get("emp"),
        }
        for r in assessment(period, params)
        if is_strong(r, method, params)
    ]
    return {
        "rows": rows,
        "period": period,
        "version": params["number"],
        "method": method,
        "min_stars": int(params["strong_min_stars"]),
    }
