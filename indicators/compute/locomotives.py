"""Innovation-driven locomotives: cross-ecosystem collaboration potential of each pair of
ecosystems (pure pandas, no Django).

The Industrial Forum asked for "areas for possible cross-border and cross-ecosystem
collaboration". For every unordered pair of ecosystems (A, B) four components are computed, each
from data the portal already holds, and each kept in the result so that a reader can check it:

1. **Shared activities** (the ecosystem mapping): the overlap coefficient of the two mapping
   share vectors over NACE divisions, ``Σ_d min(m_A(d), m_B(d)) / min(Σ_d m_A(d), Σ_d m_B(d))``
   — 1 when the smaller ecosystem's activities are all also the other's, 0 when they share none.
2. **Co-located strong clusters** (cluster stars): a cluster category *relates* to an ecosystem
   when at least ``related_min`` of its definition (Σ_d category share(d) × m_X(d) over
   Σ_d category share(d)) falls in the ecosystem's divisions. A region is *strong for* X when it
   has a strong cluster (stars method, the threshold version given) in a category related to X.
   Component: the Jaccard index of the two region sets, ``|R_A ∩ R_B| / |R_A ∪ R_B|``.
3. **Shared technologies** (our technology ↔ WIPO field weights × the WIPO35 ↔ NACE
   concordance × the mapping): the affinity of technology t to X is
   ``a(t, X) = Σ_f w(t, f) Σ_d c(f, d) m_X(d)``; X's profile ``p_X(t) = a(t, X) / Σ_t a(t, X)``;
   component: the histogram intersection ``Σ_t min(p_A(t), p_B(t))`` (0…1).
4. **Shared dependent inputs** (the dependency screen): the number of flagged imported products
   (CN8) made by a NACE division mapped to both ecosystems.

Each component is scaled to 0…1 by the largest value over all pairs, and the score is the
weighted sum with OUR weights (a versioned CSV, ``fixtures/reference/locomotive_weights.csv``);
a component that cannot be computed (no cluster results, no concordance, no screen) is left out
and the remaining weights are renormalised, and the result says so.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd

COMPONENTS = ("activities", "clusters", "technologies", "dependencies")
PAIR_COLUMNS = [
    "a", "b", "shared_divisions", "activities", "regions_both", "regions_either", "shared_regions",
    "clusters", "technologies", "shared_technologies", "dependencies", "flagged_products",
    "activities_scaled", "clusters_scaled", "technologies_scaled", "dependencies_scaled", "score", "rank",
]  # fmt: skip


def _divisions(mapping: pd.DataFrame) -> pd.DataFrame:
    """ecosystem, nace (division, e.g. C29), share — summed when finer codes share a division."""
    frame = mapping[["ecosystem", "nace", "share"]].copy()
    frame["nace"] = frame["nace"].astype(str).str[:3]
    frame["share"] = frame["share"].astype("float64")
    frame = frame[frame["share"] > 0]
    return frame.groupby(["ecosystem", "nace"], as_index=False)["share"].sum()


def activity_overlap(mapping: pd.DataFrame) -> dict[tuple[str, str], tuple[float, list[str]]]:
    """(a, b) with a < b -> (overlap coefficient, shared divisions sorted by the smaller share)."""
    frame = _divisions(mapping)
    shares = {e: dict(zip(g["nace"], g["share"], strict=True)) for e, g in frame.groupby("ecosystem")}
    out = {}
    for a, b in combinations(sorted(shares), 2):
        sa, sb = shares[a], shares[b]
        common = set(sa) & set(sb)
        mins = {d: min(sa[d], sb[d]) for d in common}
        denominator = min(sum(sa.values()), sum(sb.values()))
        value = sum(mins.values()) / denominator if denominator else 0.0
        out[(a, b)] = (value, sorted(common, key=lambda d: (-mins[d], d)))
    return out


def related_categories(
    mapping: pd.DataFrame, definitions: pd.DataFrame, related_min: float
) -> dict[str, dict[str, float]]:
    """ecosystem -> {category: part of the category's definition in the ecosystem} (≥ related_min)."""
    eco = _divisions(mapping)
    defs = definitions[["category", "nace", "share"]].copy()
    defs["nace"] = defs["nace"].astype(str).str[:3]
    defs["share"] = defs["share"].astype("float64")
    totals = defs.groupby("category")["share"].sum()
    joined = defs.merge(eco, on="nace", suffixes=("_cat", "_eco"))
    joined["part"] = joined["share_cat"] * joined["share_eco"]
    parts = joined.groupby(["ecosystem", "category"])["part"].sum()
    out: dict[str, dict[str, float]] = {e: {} for e in eco["ecosystem"].unique()}
    for (ecosystem, category), part in parts.items():
        total = totals.get(category, 0.0)
        if total and part / total >= related_min:
            out[ecosystem][category] = float(part / total)
    return out


def strong_regions(
    related: dict[str, dict[str, float]], strong: pd.DataFrame
) -> dict[str, dict[str, list[str]]]:
    """ecosystem -> {region: [strong related categories]} from strong (geo, category) rows."""
    by_region: dict[str, set[str]] = {}
    for geo, category in zip(strong["geo"], strong["category"], strict=True):
        by_region.setdefault(geo, set()).add(category)
    out = {}
    for ecosystem, cats in related.items():
        out[ecosystem] = {
            geo: sorted(found & set(cats)) for geo, found in by_region.items() if found & set(cats)
        }
    return out


def technology_profiles(
    tech_fields: pd.DataFrame, concordance: pd.DataFrame, mapping: pd.DataFrame
) -> dict[str, dict[str, float]]:
    """ecosystem -> {technology: p_X(t)} (sums to 1 over technologies; empty when no affinity)."""
    weights = tech_fields.rename(columns={"wipo_field": "field"})[["technology", "field", "weight"]]
    conc = concordance[["field", "nace", "share"]].copy()
    conc["nace"] = conc["nace"].astype(str).str[:3]
    tech_nace = weights.merge(conc, on="field")
    tech_nace["w"] = tech_nace["weight"].astype("float64") * tech_nace["share"].astype("float64")
    tech_nace = tech_nace.groupby(["technology", "nace"], as_index=False)["w"].sum()
    affinity = tech_nace.merge(_divisions(mapping), on="nace")
    affinity["a"] = affinity["w"] * affinity["share"]
    table = affinity.groupby(["ecosystem", "technology"])["a"].sum()
    out: dict[str, dict[str, float]] = {}
    for ecosystem, part in table.groupby(level=0):
        total = part.sum()
        if total > 0:
            out[ecosystem] = {t: v / total for (_e, t), v in part.items()}
    return out


def _intersection(pa: dict[str, float], pb: dict[str, float]) -> tuple[float, list[str]]:
    mins = {t: min(pa[t], pb[t]) for t in set(pa) & set(pb)}
    return sum(mins.values()), sorted(mins, key=lambda t: (-mins[t], t))


def ecosystem_pairs(
    mapping: pd.DataFrame,
    definitions: pd.DataFrame | None,
    strong: pd.DataFrame | None,
    tech_fields: pd.DataFrame | None,
    concordance: pd.DataFrame | None,
    flagged: pd.DataFrame | None,
    params: dict,
) -> pd.DataFrame:
    """One row per pair (a < b), columns PAIR_COLUMNS, best score first (rank 1 = best).

    ``params``: ``weights`` {component: weight} and ``related_min``. A None input leaves its
    component out (NaN) and the score is renormalised over the components present.
    List columns (shared_divisions, shared_regions, shared_technologies, flagged_products) hold
    Python lists, best first.
    """
    overlap = activity_overlap(mapping)
    present = {"activities": True}
    regions = {}
    if definitions is not None and strong is not None and not definitions.empty:
        related = related_categories(mapping, definitions, float(params["related_min"]))
        regions = strong_regions(related, strong)
        present["clusters"] = True
    profiles = {}
    if tech_fields is not None and concordance is not None and not tech_fields.empty:
        profiles = technology_profiles(tech_fields, concordance, mapping)
        present["technologies"] = True
    products: dict[str, list[str]] = {}
    if flagged is not None:
        for product, nace in zip(flagged["product"], flagged["nace"], strict=True):
            products.setdefault(str(nace)[:3], []).append(product)
        present["dependencies"] = True
    divisions = _divisions(mapping)
    eco_divisions = {e: set(g["nace"]) for e, g in divisions.groupby("ecosystem")}
    rows = []
    for (a, b), (value, shared) in overlap.items():
        row = {"a": a, "b": b, "shared_divisions": shared, "activities": value}
        if "clusters" in present:
            ra, rb = regions.get(a, {}), regions.get(b, {})
            both = sorted(set(ra) & set(rb))
            either = set(ra) | set(rb)
            row.update(
                regions_both=len(both),
                regions_either=len(either),
                shared_regions=both,
                clusters=len(both) / len(either) if either else 0.0,
            )
        else:
            row.update(regions_both=None, regions_either=None, shared_regions=[], clusters=float("nan"))
        if "technologies" in present:
            similarity, techs = _intersection(profiles.get(a, {}), profiles.get(b, {}))
            row.update(technologies=similarity, shared_technologies=techs)
        else:
            row.update(technologies=float("nan"), shared_technologies=[])
        if "dependencies" in present:
            common = eco_divisions.get(a, set()) & eco_divisions.get(b, set())
            found = sorted(p for d in common for p in products.get(d, []))
            row.update(dependencies=float(len(found)), flagged_products=found)
        else:
            row.update(dependencies=float("nan"), flagged_products=[])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=PAIR_COLUMNS[:12])
    if frame.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    weights = {c: float(params["weights"].get(c, 0.0)) for c in COMPONENTS if c in present}
    total_weight = sum(weights.values()) or 1.0
    frame["score"] = 0.0
    for component in COMPONENTS:
        top = frame[component].max() if component in present else float("nan")
        scaled = frame[component] / top if component in present and top > 0 else frame[component] * 0.0
        frame[f"{component}_scaled"] = scaled if component in present else float("nan")
        if component in present:
            frame["score"] += weights[component] / total_weight * scaled
    frame = frame.sort_values(["score", "a", "b"], ascending=[False, True, True], ignore_index=True)
    frame["rank"] = frame["score"].rank(method="min", ascending=False).astype(int)
    return frame[PAIR_COLUMNS]
