"""Page data for the value-chain explorer: from an ecosystem, a NACE division, a product, a technology
or a region,
the links ecosystem ↔ imported inputs it uses (our input concordance) ↔ NACE divisions ↔ imported
products they make (and their dependency flags) ↔ regions
specialised in those divisions. Organisations and offers in those regions are added by the view
(community sits above indicators). Every edge says where it comes from.

A bounded number of queries whatever the start: the mapping (cached), one employment query, one
product query, one screen query, one regional query.
"""

from __future__ import annotations

import re

from django.urls import reverse

from .. import selectors as S
from ..charts import base_layout, is_number, wrap
from . import value_chain_inputs
from .common import fmt

MAX_DIVISIONS = 12
REGIONS_PER_DIVISION = 5
MIN_REGION_EMP = 500  # persons: as on the region pages, smaller divisions' LQs are noise
MAX_CATEGORIES = 6
REGIONS_PER_CATEGORY = 6


def _divisions_of_ecosystem(slug: str) -> list[dict]:
    rows = S.mapping_rows()["rows"]
    return [
        {"nace": r["nace"], "name": r.get("nace_name", ""), "share": r["share"], "ecosystem": slug}
        for r in rows
        if r["ecosystem__slug"] == slug
    ]


def _ecosystems_of_division(code: str) -> list[dict]:
    rows = S.mapping_rows()["rows"]
    return [
        {"slug": r["ecosystem__slug"], "name": r["ecosystem__name"], "share": r["share"], "nace": r["nace"]}
        for r in rows
        if code.startswith(r["nace"]) or r["nace"].startswith(code)
    ]


def _divisions_of_technology(slug: str) -> list[dict]:
    """The NACE divisions that generate the technology: its EU27 patent families by division
    (NCSES families × our WIPO-field weights × the WIPO35-NACE concordance), largest first, with
    each division's share of the technology's families. [] when those figures are not computed."""
    rows = [
        r
        for r in S.values(["tech_pat_fam_nace"], geos=[S.EU])
        if r["ecosystem"].startswith(f"{slug}|") and is_number(r["value"])
    ]
    if not rows:
        return []
    period = max(r["period"] for r in rows)
    latest = [r for r in rows if r["period"] == period and len(r["ecosystem"].split("|", 1)[1]) == 3]
    total = sum(r["value"] for r in latest) or 1.0  # over divisions only, as the list shows
    codes = [r["ecosystem"].split("|", 1)[1] for r in latest]
    names = S.nace_names(codes)
    out = [
        {
            "nace": code,
            "name": names.get(code, ""),
            "share": r["value"] / total,
            "ecosystem": "",
            "families": r["value"],
            "period": period,
        }
        for code, r in zip(codes, latest, strict=True)
    ]
    return sorted(out, key=lambda d: -d["share"])


def explore(kind: str, key: str, category: str = "", inputs: int | None = None) -> dict | None:
    """The chain for a start (kind: ecosystem | nace | product | technology | region), optionally narrowed to
    one cluster category, with the inputs of our input concordance version INPUTS (a version the
    caller checked; None: the newest); None for an unknown key or category."""
    chain = S.cached(f"value-chain:{kind}:{key}:inputs{inputs or ''}", lambda: _explore(kind, key, inputs))
    if chain is None:
        return None
    clusters = S.cached(
        f"value-chain-clusters:{kind}:{key}:{category}",
        lambda: _clusters(kind, key, chain["divisions"], chain["ecosystems"], category),
    )
    if clusters is None:
        return None
    return {
        **chain,
        "clusters": clusters,
        "region_codes": sorted(set(chain["region_codes"]) | set(clusters["region_codes"])),
    }


def cluster_category_choices() -> list[dict]:
    from .clusters import categories

    return categories()


def _clusters(kind: str, key: str, divisions: list[dict], ecosystems: list[dict], only: str) -> dict | None:
    """Cluster categories related to the chain and the regions strong in them (cluster stars, as
    on /clusters/regions/<nuts>/): for an ecosystem, the categories with at least our
    ``related_min`` of their definition in its divisions; for a division or product, the categories
    defined on that division; for a region, its own strong categories. ``only``: one category."""
    from ecosystems import selectors as taxonomy

    from .clusters import category_map

    cats = category_map()
    if only and only not in cats:
        return None
    strong = S.strong_clusters()
    defs = S.cached("cluster-defs", taxonomy.cluster_definition_dicts)
    if kind == "ecosystem":
        related = S.cluster_categories_of_ecosystems().get(key, {})
    elif kind == "region":
        related = {r["category"]: 1.0 for r in strong["rows"] if r["geo"] == key}
    else:
        codes = {d["nace"] for d in divisions}
        related = {}
        for d in defs:
            if d["nace"] in codes:
                related[d["category"]] = related.get(d["category"], 0.0) + d["share"]
    if only:
        related = {only: related.get(only, 0.0)}
    rows = []
    for slug, part in sorted(related.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CATEGORIES]:
        regions = [r for r in strong["rows"] if r["category"] == slug]
        if kind == "region":
            regions = [r for r in regions if r["geo"] == key]
        regions.sort(key=lambda r: (-(r["stars"] or 0), -(r["emp"] or 0), r["geo"]))
        rows.append(
            {
                "slug": slug,
                "name": cats.get(slug, {}).get("name", slug),
                "url": cats.get(slug, {}).get("url", ""),
                "part": part,
                "regions": [
                    {**r, "label": S.place_names().get(r["geo"], r["geo"])}
                    for r in regions[:REGIONS_PER_CATEGORY]
                ],
                "strong_count": len(regions),
            }
        )
    if strong["rows"]:
        version = defs[0]["version"] if defs else "–"
        source = (
            f"cluster stars, thresholds v{strong['version']}, {strong['period']} (strong = at least "
            f"{strong['min_stars']} stars); cluster definitions v{version} (ours); "
            + (
                "categories with at least our related_min of their NACE definition in the ecosystem"
                if kind == "ecosystem"
                else "categories defined on these divisions"
                if kind in {"nace", "product"}
                else "the region's strong categories"
            )
        )
    else:
        source = "cluster stars not computed yet (load sbs_r_nuts06_r2 and recompute): no strong clusters"
    return {
        "categories": rows,
        "source": source,
        "only": only,
        "region_codes": sorted({r["geo"] for c in rows for r in c["regions"]}),
    }


def _explore(kind: str, key: str, input_version: int | None = None) -> dict | None:
    names = S.eco_names_map()
    products = S.trade_products()
    start = {"kind": kind, "key": key}
    highlight_product = None
    if kind == "ecosystem":
        if key not in names:
            return None
        start["label"] = names[key]
        divisions = _divisions_of_ecosystem(key)
        ecosystems = [{"slug": key, "name": names[key], "share": 1.0, "nace": ""}]
    elif kind in {"nace", "product"}:
        if kind == "product":
            product = products.get(key)
            if product is None:
                return None
            highlight_product = key
            # Without a NACE class (no CPA for the code), the chain is the ecosystems using it.
            code = (product.get("nace") or "")[:3]
            start["label"] = f"{key} {product.get('label', '')[:80]}"
        else:
            code = key
            name = S.nace_names([key]).get(key, "")
            known = name or any(r["nace"].startswith(key) for r in S.mapping_rows()["rows"])
            if not (re.fullmatch(r"[A-S]\d\d", key) and known):
                return None
            start["label"] = f"{key} {name}".strip()
        ecosystems = _ecosystems_of_division(code) if code else []
        divisions = (
            [{"nace": code, "name": S.nace_names([code]).get(code, ""), "share": 1.0, "ecosystem": ""}]
            if code
            else []
        )
    elif kind == "technology":
        from .technologies import technology

        tech = technology(key)
        if tech is None:
            return None
        start["label"] = tech["name"]
        divisions = _divisions_of_technology(key)
        ecosystems = []
        for d in divisions:
            ecosystems += _ecosystems_of_division(d["nace"])
    elif kind == "region":
        region_name = S.place_names().get(key)
        if region_name is None:
            return None
        start["label"] = f"{region_name} ({key})"
        divisions = S.region_top_divisions(key, MAX_DIVISIONS, MIN_REGION_EMP)
        ecosystems = []
        for d in divisions:
            ecosystems += _ecosystems_of_division(d["nace"])
    else:
        return None
    divisions = divisions[:MAX_DIVISIONS]
    codes = [d["nace"] for d in divisions]
    emp_period = S.default_period("emp")
    employment = S.nace_employment(codes, S.eu_members(), emp_period) if emp_period else {}
    for d in divisions:
        total, n = employment.get(d["nace"], (None, 0))
        d["eu_emp"] = total
        d["members"] = n
        d["url"] = reverse("indicators:nace-regions", args=[d["nace"]]) if len(d["nace"]) == 3 else ""

    # The imported inputs the chain's ecosystems USE (our concordance), and the products its
    # divisions MAKE (CN 2022 -> CPA 2.1 -> NACE): one screen query for both.
    ecosystems = _dedupe(ecosystems)
    used = value_chain_inputs.select(kind, key, ecosystems, input_version)
    own = [key] if kind == "product" else []
    screen = S.dependency_latest(codes, products=list(used["products"]) + own)
    inputs = value_chain_inputs.rows(used, screen, highlight_product)
    chain_products = [
        {
            **p,
            "division": next((c for c in codes if p["nace"].startswith(c)), ""),
            "result": screen["rows"].get(p["code"]),
            "url": reverse("indicators:dependency-product", args=[p["code"]]),
            "highlight": p["code"] == highlight_product,
        }
        for p in products.values()
        if (p.get("nace") and any(p["nace"].startswith(c) for c in codes)) or p["code"] in own
    ]
    chain_products.sort(
        key=lambda p: (not (p["result"] or {}).get("flagged"), -((p["result"] or {}).get("extra") or 0))
    )

    # Regions most specialised in each division (regional SBS by NACE division).
    regions = S.division_regions(codes, REGIONS_PER_DIVISION, MIN_REGION_EMP)
    if kind == "region":
        regions = {c: [r for r in rs if r["geo"] == key] or rs for c, rs in regions.items()}
    region_codes = sorted({r["geo"] for rs in regions.values() for r in rs})
    version = (S.mapping_rows()["version"] or {}).get("number", "–")
    edges = {
        "technology": (
            (
                f"EU27 patent families by NACE division, {divisions[0]['period']}: NCSES SEI 2020 "
                "families × our WIPO-field weights × the WIPO35–NACE concordance (estimated)"
                if divisions
                else "patent families by NACE division not computed yet (load ncses_sei2020_patents "
                "and recompute)"
            )
            if kind == "technology"
            else ""
        ),
        "mapping": f"ecosystem mapping v{version} (ours, unverified)",
        "inputs": value_chain_inputs.edge(used, screen),
        "products": "Eurostat CN 2022 → CPA 2.1 correspondence; CPA code → NACE class"
        + (
            ""
            if codes or kind != "product"
            else " — no NACE class for this product: the activities making it are unknown"
        ),
        "screen": (
            f"dependency screen, rules v{screen['rules']}, {screen['source']} release "
            f"{screen['release']}, {screen['period']}"
            if screen["rules"]
            else "dependency screen: not run yet (no trade data loaded) — products shown without flags"
        ),
        "regions": (
            f"regional SBS (sbs_r_nuts06_r2) by NACE division, location quotient, {_period(regions)}"
            if any(regions.values())
            else "regional NACE figures not computed yet (load sbs_r_nuts06_r2 and recompute)"
        ),
        "employment": f"national SBS (sbs_na_sca_r2), EU27 sum of member states, {emp_period}"
        if emp_period
        else "",
    }
    return {
        "start": start,
        "ecosystems": ecosystems,
        "divisions": divisions,
        "inputs": inputs,
        "input_ecosystems": used["ecosystems"],
        "input_groups": value_chain_inputs.by_ecosystem(used, inputs),
        "input_version": used["version"],
        "input_newest": used["newest"],
        "inputs_figure": value_chain_inputs.figure(start, inputs, screen),
        "screen": {k: screen[k] for k in ("rules", "release", "source", "period")},
        "products": chain_products,
        "regions": regions,
        "region_codes": region_codes,
        "edges": edges,
        "figure": _sankey(start, divisions, regions),
    }


def _period(regions: dict) -> str:
    return next((r["period"] for rs in regions.values() for r in rs), "")


def _dedupe(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in sorted(rows, key=lambda r: -r["share"]):
        if r["slug"] not in seen:
            seen.add(r["slug"])
            out.append(r)
    return out


def _sankey(start: dict, divisions: list[dict], regions: dict) -> dict | None:
    """Start → NACE divisions (EU persons employed × mapping share) → the regions most specialised
    in each (their persons employed in the division). One unit throughout: persons employed."""
    labels, index = [wrap(start["label"], 30)], {}
    source, target, value, text = [], [], [], []
    for d in divisions:
        if not is_number(d.get("eu_emp")):
            continue
        index[d["nace"]] = len(labels)
        labels.append(wrap(f"{d['nace']} {d['name']}", 30))
        source.append(0)
        target.append(index[d["nace"]])
        value.append(d["eu_emp"] * d["share"])
        text.append(f"share {d['share']:.0%} of the division")
    for code, rows in regions.items():
        if code not in index:
            continue
        for r in rows:
            key = f"region:{r['geo']}"
            if key not in index:
                index[key] = len(labels)
                labels.append(f"{r['name']} ({r['geo']})")
            source.append(index[code])
            target.append(index[key])
            value.append(r["emp"])
            text.append(f"LQ {fmt(r['lq'], 2)}")
    if not value:
        return None
    layout = base_layout(
        f"{start['label']}: NACE divisions and the regions most specialised in them",
        "Persons employed. Sources: Eurostat sbs_na_sca_r2 (EU27), sbs_r_nuts06_r2 (regions); "
        "ecosystem mapping (ours)",
        height=max(420, 26 * len(labels)),
    )
    return {
        "data": [
            {
                "type": "sankey",
                "arrangement": "snap",
                "node": {"label": labels, "pad": 12, "thickness": 14, "color": "#003399"},
                "link": {
                    "source": source,
                    "target": target,
                    "value": value,
                    "customdata": text,
                    "hovertemplate": "%{source.label} → %{target.label}: %{value:,.0f} persons "
                    "(%{customdata})<extra></extra>",
                },
            }
        ],
        "layout": layout,
    }
