"""Page data for "innovation-driven locomotives": the ranked ecosystem pairs of
:func:`indicators.compute.locomotives.ecosystem_pairs`, with every component and its evidence.

Inputs are read through the selectors (mapping, cluster definitions, strong clusters as on
/clusters/regions/<nuts>/, our technology ↔ WIPO field weights, the WIPO35 ↔ NACE concordance and
the dependency screen) and the result is cached per data generation and weight version. The
registry's ANALYSES entry ``ecosystem_pairs`` runs :func:`recompute` after a recompute so the
first visitor does not pay for it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
from django.urls import reverse

from .. import selectors as S
from ..charts import grouped_bar
from ..compute import locomotives as L
from ..reference import locomotive_weights
from . import cell, fmt, label_cell

TOP = 15
LABELS = {
    "activities": "Shared activities (NACE, mapping)",
    "clusters": "Co-located strong clusters",
    "technologies": "Shared technologies (WIPO fields)",
    "dependencies": "Shared dependent imported inputs",
}


def weight_versions() -> dict[int, dict]:
    return locomotive_weights()


def resolve_weights(raw: str | None) -> dict | None:
    """The weight version asked for (``?weights=N``), else the newest; None if unknown."""
    versions = weight_versions()
    if raw in (None, ""):
        return versions[max(versions)]
    # ASCII digits only: "²".isdigit() is True and int("²") raises (a 500, not a 404).
    if not (str(raw).isascii() and str(raw).isdigit() and len(str(raw)) <= 4) or int(raw) not in versions:
        return None
    return versions[int(raw)]


def _inputs() -> dict:
    """The pure function's inputs and where each comes from (None = not available yet)."""
    from ecosystems import selectors as taxonomy

    from .. import inputs

    mapping_info = S.mapping_rows()
    mapping = pd.DataFrame(
        [(r["ecosystem__slug"], r["nace"], float(r["share"])) for r in mapping_info["rows"]],
        columns=["ecosystem", "nace", "share"],
    )
    defs = S.cached("cluster-defs", taxonomy.cluster_definition_dicts)
    strong = S.strong_clusters()
    tech = inputs.technology_weights()
    concordance = S.cached("patent-concordance-mirror", _mirror_concordance)
    screen = S.dependency_latest([""])
    products = S.trade_products()
    flagged = (
        pd.DataFrame(
            [
                (code, products[code]["nace"])
                for code, r in screen["rows"].items()
                if r.get("flagged") and (products.get(code) or {}).get("nace")
            ],
            columns=["product", "nace"],
        )
        if screen["rules"]
        else None
    )
    return {
        "mapping": mapping,
        "mapping_version": (mapping_info["version"] or {}).get("number"),
        "definitions": pd.DataFrame(defs) if defs else None,
        "definitions_version": defs[0]["version"] if defs else None,
        "strong": pd.DataFrame(strong["rows"], columns=["geo", "category", "name", "stars", "lq", "emp"])
        if strong["rows"]
        else None,
        "strong_info": strong,
        "tech": tech if not tech.empty else None,
        "concordance": concordance,
        "screen": screen,
        "flagged": flagged,
    }


def _mirror_concordance() -> pd.DataFrame | None:
    """The WIPO35 ↔ NACE concordance from the data mirror only (never a download on a page or
    in a recompute: without the mirror the technology component is left out, and says so)."""
    from .. import fetch as fetching
    from ..reference import REFERENCE_FILES
    from ..sources.base import ParseError

    root = fetching.mirror_root()
    path = root / REFERENCE_FILES["patent_concordance"].mirror_path if root is not None else None
    if path is None or not path.is_file():
        return None
    stat = path.stat()
    try:
        return _parsed_concordance(str(path), stat.st_mtime_ns, stat.st_size).copy()
    except ParseError:
        return None


@lru_cache(maxsize=2)
def _parsed_concordance(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    """The parsed workbook, kept per process while the file is unchanged: reading the xlsx is
    ~1.3 s of a cold ecosystem-pairs build, and the mirror file does not change between data
    generations (the cached pairs do)."""
    from ..sources.concordance import parse_concordance

    return parse_concordance(Path(path).read_bytes(), Path(path).name)


def pairs(weights: dict) -> dict:
    return S.cached(f"eco-pairs:{weights['number']}", lambda: _pairs(weights))


def _pairs(weights: dict) -> dict:
    data = _inputs()
    if data["mapping"].empty:
        return {"rows": [], "sources": {}, "weights": weights, "missing": ["the ecosystem mapping"]}
    frame = L.ecosystem_pairs(
        data["mapping"],
        data["definitions"],
        data["strong"],
        data["tech"],
        data["concordance"],
        data["flagged"],
        {"weights": weights["weights"], "related_min": weights["related_min"]},
    )
    names = S.eco_names_map()
    places = S.place_names()
    strong = data["strong_info"]
    by_region: dict[str, list[dict]] = {}
    for r in strong["rows"]:
        by_region.setdefault(r["geo"], []).append(r)
    related = (
        L.related_categories(data["mapping"], data["definitions"], weights["related_min"])
        if data["definitions"] is not None
        else {}
    )
    from observatory.models import Technology

    tech_names = dict(Technology.objects.values_list("slug", "name"))
    products = S.trade_products()
    rows = []
    for rec in frame.to_dict("records"):
        a, b = rec["a"], rec["b"]
        cats = set(related.get(a, {})) | set(related.get(b, {}))

        def stars(geo: str, cats=cats) -> int:
            return sum(c["stars"] or 0 for c in by_region.get(geo, []) if c["category"] in cats)

        # Most stars in the related categories first (the compute function lists them by code).
        rec["shared_regions"] = sorted(rec["shared_regions"], key=lambda g: (-stars(g), g))
        regions = [
            {
                "geo": g,
                "name": places.get(g, g),
                "url": reverse("indicators:cluster-region", args=[g]),
                "clusters": [
                    f"{c['name']} ({c['stars']}★)" for c in by_region.get(g, []) if c["category"] in cats
                ],
            }
            for g in rec["shared_regions"]
        ]
        rows.append(
            {
                **rec,
                "key": f"{a}--{b}",
                "a_name": names.get(a, a),
                "b_name": names.get(b, b),
                "regions": regions,
                "technology_names": [tech_names.get(t, t) for t in rec["shared_technologies"]],
                "products": [
                    {
                        "code": p,
                        "label": (products.get(p) or {}).get("label", ""),
                        "url": reverse("indicators:dependency-product", args=[p]),
                    }
                    for p in rec["flagged_products"]
                ],
                "reasons": _reasons(rec, names, places, tech_names),
            }
        )
    screen = data["screen"]
    sources = {
        "activities": f"ecosystem mapping v{data['mapping_version']} (ours, unverified)",
        "clusters": (
            f"cluster stars, thresholds v{strong['version']}, {strong['period']} (strong = at least "
            f"{strong['min_stars']} stars); cluster definitions v{data['definitions_version']}; a "
            f"category relates to an ecosystem when ≥ {weights['related_min']:.0%} of its definition "
            "lies in the ecosystem's divisions"
            if data["strong"] is not None and data["definitions"] is not None
            else "cluster stars not computed yet (load sbs_r_nuts06_r2 and recompute): component left out"
        ),
        "technologies": (
            "our technology ↔ WIPO field weights × the Fraunhofer ISI WIPO35 ↔ NACE concordance × the mapping"
            if data["tech"] is not None and data["concordance"] is not None
            else "technology weights or the WIPO ↔ NACE concordance (data mirror) not available: "
            "component left out"
        ),
        "dependencies": (
            f"dependency screen, rules v{screen['rules']}, {screen['source']} release {screen['release']}, "
            f"{screen['period']} (EU27 importer)"
            if screen["rules"]
            else "dependency screen not run yet (no trade data loaded): component left out"
        ),
    }
    missing = [k for k in L.COMPONENTS if rows and pd.isna(rows[0][k])]
    return {
        "rows": rows,
        "sources": sources,
        "weights": weights,
        "missing": missing,
        "strong_version": strong["version"],
    }


def _reasons(rec: dict, names: dict, places: dict, tech_names: dict) -> list[str]:
    out = []
    if rec["shared_divisions"]:
        out.append(
            f"share {len(rec['shared_divisions'])} NACE divisions ({', '.join(rec['shared_divisions'][:4])}"
            f"{'…' if len(rec['shared_divisions']) > 4 else ''}); overlap {rec['activities']:.0%}"
        )
    if rec["regions_both"]:
        shown = ", ".join(rec["shared_regions"][:4])
        out.append(
            f"strong related clusters in {rec['regions_both']} of {rec['regions_either']} regions "
            f"for both ({shown}{'…' if rec['regions_both'] > 4 else ''})"
        )
    if rec["shared_technologies"] and not pd.isna(rec["technologies"]):
        out.append(
            f"technology profiles overlap {rec['technologies']:.0%} (mostly "
            f"{', '.join(tech_names.get(t, t) for t in rec['shared_technologies'][:3])})"
        )
    if rec["flagged_products"]:
        out.append(
            f"{len(rec['flagged_products'])} dependency-flagged imported inputs made by shared divisions"
        )
    return out


def panel_of(result: dict) -> dict | None:
    """The top pairs as stacked bars of the weighted components, with the full table (all pairs)."""
    rows = result["rows"]
    if not rows:
        return None
    weights = result["weights"]
    present = [c for c in L.COMPONENTS if c not in result["missing"]]
    total = sum(weights["weights"][c] for c in present) or 1.0
    top = rows[:TOP]
    title = f"Cross-ecosystem collaboration potential: the top {len(top)} ecosystem pairs"
    short = {e["slug"]: e.get("short_name") or e["name"] for e in S.ecosystem_rows()}
    figure = grouped_bar(
        [f"{short.get(r['a'], r['a_name'])} × {short.get(r['b'], r['b_name'])}" for r in top],
        [
            {
                "name": f"{LABELS[c]} (weight {weights['weights'][c] / total:.0%})",
                "values": [weights["weights"][c] / total * r[f"{c}_scaled"] for r in top],
                "flags": ["" for _ in top],
            }
            for c in present
        ],
        title=title,
        source_line=f"Score = weighted sum of components scaled to the best pair; weights "
        f"v{weights['number']} (ours). Sources: ecosystem mapping (ours), cluster stars, "
        "WIPO35–NACE concordance, dependency screen",
        unit="score (0–1)",
        decimals=2,
    )
    figure["layout"]["barmode"] = "stack"
    # One colour per component (the builder's palette has three), two label lines per bar.
    for trace, colour in zip(figure["data"], ("#003399", "#8a94a6", "#ffcc00", "#b2182b"), strict=False):
        trace["marker"] = {"color": colour}
    figure["layout"]["height"] += 16 * len(top)
    columns = [
        "Ecosystem pair",
        "Rank",
        "Score",
        "Activity overlap",
        "Shared NACE divisions",
        "Regions strong for both",
        "Regions strong for either",
        "Co-location (Jaccard)",
        "Technology overlap",
        "Shared technologies",
        "Shared flagged inputs",
    ]
    table = [
        [
            label_cell(f"{r['a_name']} × {r['b_name']}", f"?weights={weights['number']}&pair={r['key']}"),
            cell(r["rank"]),
            cell(r["score"], 3),
            cell(r["activities"], 3),
            label_cell(" ".join(r["shared_divisions"]) or "–"),
            cell(r["regions_both"]),
            cell(r["regions_either"]),
            cell(r["clusters"], 3),
            cell(r["technologies"], 3),
            label_cell(", ".join(r["technology_names"][:5]) or "–"),
            cell(r["dependencies"]),
        ]
        for r in rows
    ]
    best = top[0]
    return {
        "id": "pairs",
        "title": title,
        "figure": figure,
        "summary": f"{len(rows)} pairs of ecosystems ranked by a weighted score of "
        f"{len(present)} components. The highest: {best['a_name']} × {best['b_name']} "
        f"(score {fmt(best['score'], 2)}): " + "; ".join(best["reasons"]) + ".",
        "columns": columns,
        "rows": table,
        "source": S.release_infos().get("sbs_r_nuts06_r2", {"code": "sbs_r_nuts06_r2"}),
        "api": {"indicator": "cluster_stars", "parameter_version": result.get("strong_version") or ""},
    }


def recompute(run=None) -> int:
    """The registry's ANALYSES hook: build the ranking of the newest weights (cached per data
    generation) and return the number of pairs."""
    import logging

    versions = weight_versions()
    try:
        return len(pairs(versions[max(versions)])["rows"])
    except Exception:  # a derived, cached view: never fail the recompute that stored the figures
        logging.getLogger(__name__).exception("ecosystem pairs not built; the page builds them on demand")
        return 0
