"""/clusters/categories/<slug>/, and the cluster categories of an ecosystem."""

from __future__ import annotations

from django.urls import reverse

from ecosystems import selectors as taxonomy

from ... import charts
from ...charts import clusters as cluster_charts
from ...selectors import (
    cached,
    default_period,
    eu_members,
    nace_employment,
    place_names,
)
from ..common import cell, fmt, label_cell, panel, source_line
from .base import assessment, badges, category_map, is_strong, stars_text

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
    from ...selectors import ecosystem_rows, mapping_rows

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
    from ...selectors import mapping_rows

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
