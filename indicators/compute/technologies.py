"""Technology generation from patent families: world shares, trend, revealed technological
advantage (RTA), technology aggregates through our WIPO-field weights, and patents by NACE
division / ecosystem through the probabilistic concordance. Pure pandas, no Django.

Input: a patents table ``field, geo, period, value`` (fractional patent families; ``field`` is
``W01``…``W35`` or ``TOTAL`` for all fields, ``geo`` Eurostat codes with ``WORLD``).

Definitions (the methodology page quotes them):

* share of world = geo's families in the field ÷ WORLD's families in the field × 100;
* RTA = geo's share of world in the field ÷ geo's share of world in all fields (the ``TOTAL``
  table: NCSES's own all-fields count, within 0.2 % of the sum of the 35 fields for the world).
  Above 1: the place is relatively specialised in the field;
* trend = the share's change in percentage points over :data:`TREND_YEARS` years;
* a technology's families = Σ over its fields of weight × the field's families; its share,
  RTA and trend follow from those sums (world and all-fields totals the same way);
* by NACE: a field's families × the concordance share of each NACE division (each field's
  shares sum to 1, so the total is conserved); by ecosystem: × the ecosystem mapping share.
* ``EU27_2020`` is derived as ``EU28 − UK`` (NCSES lists the UK inside its EU-28, so the
  difference is exactly the 27 post-2020 members) and carries the marker "A"; ``EU28`` stays
  ``EU28``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.compute.markers import AGGREGATE, INCOMPLETE

WORLD = "WORLD"
ALL_FIELDS = "TOTAL"
TREND_YEARS = 10
# NCSES's notes (every table's README): "Countries with identified issues include India (missing
# data) and South Africa (no data for 2018)". Their figures are lower bounds: marked incomplete
# (I), so they are never ranked nor a growth base. geo -> the years concerned (None: all years).
UNDERCOUNTED: dict[str, frozenset[str] | None] = {"IN": None, "ZA": frozenset({"2018"})}
# Places for a technology's split over industries (NACE: the first only, to keep the table small).
INDUSTRY_GEOS = ("EU27_2020", "EU28", "US", "CN", "JP", "KR")
VALUE_COLUMNS = [
    "indicator",
    "ecosystem",
    "geo",
    "period",
    "value",
    "flags",
    "markers",
    "base_period",
    "rank",
]


class ComputeError(ValueError):
    pass


def with_eu27(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``EU27_2020 = EU28 − UK`` per field and period where both are present (marker A)."""
    table = table.assign(markers=table.get("markers", ""))
    if "EU27_2020" in set(table["geo"]):
        raise ComputeError("the patents table already holds EU27_2020: it must come from EU28 − UK only")
    eu = table[table["geo"] == "EU28"].set_index(["field", "period"])["value"]
    uk = table[table["geo"] == "UK"].set_index(["field", "period"])["value"]
    both = eu.index.intersection(uk.index)
    derived = (eu.loc[both] - uk.loc[both]).rename("value").reset_index()
    derived = derived.assign(geo="EU27_2020", markers=AGGREGATE)
    return pd.concat([table, derived], ignore_index=True)


def mark_undercounted(table: pd.DataFrame, undercounted=None) -> pd.DataFrame:
    """Add the marker I to the rows of places/years the publisher says are undercounted."""
    undercounted = UNDERCOUNTED if undercounted is None else undercounted
    hit = pd.Series(False, index=table.index)
    for geo, years in undercounted.items():
        rows = table["geo"] == geo
        hit |= rows if years is None else rows & table["period"].isin(years)
    markers = table["markers"].fillna("")
    return table.assign(markers=markers.where(~hit, markers + INCOMPLETE))


def world_shares(table: pd.DataFrame) -> pd.DataFrame:
    """``field, geo, period, value (families), share (% of WORLD), rta`` for every geo."""
    table = table[["field", "geo", "period", "value", *(["markers"] if "markers" in table else [])]]
    world = table[table["geo"] == WORLD].set_index(["field", "period"])["value"].rename("world")
    out = table.join(world, on=["field", "period"])
    out["share"] = np.where(out["world"] > 0, out["value"] / out["world"] * 100, np.nan)
    total = out[out["field"] == ALL_FIELDS].set_index(["geo", "period"])["share"].rename("total_share")
    out = out.join(total, on=["geo", "period"])
    out["rta"] = np.where(out["total_share"] > 0, out["share"] / out["total_share"], np.nan)
    return out.drop(columns=["world", "total_share"])


def share_change(shares: pd.DataFrame, key: str = "field", years: int = TREND_YEARS) -> pd.DataFrame:
    """Change of ``share`` in percentage points from ``period − years`` to ``period``."""
    frame = shares.assign(year=shares["period"].astype(int))
    base = frame.assign(year=frame["year"] + years)[[key, "geo", "year", "share", "period"]]
    base = base.rename(columns={"share": "base_share", "period": "base_period"})
    out = frame.merge(base, on=[key, "geo", "year"], how="inner")
    out["change"] = out["share"] - out["base_share"]
    if "markers" in out:
        base_markers = frame.assign(year=frame["year"] + years).set_index([key, "geo", "year"])["markers"]
        base_markers = base_markers[~base_markers.index.duplicated()]
        incomplete = out.set_index([key, "geo", "year"]).index.map(
            lambda k: INCOMPLETE in str(base_markers.get(k, ""))
        )
        out = out[
            ~(out["markers"].fillna("").str.contains(INCOMPLETE) | pd.Series(incomplete, index=out.index))
        ]
    return out.dropna(subset=["change"])


def technology_families(table: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """``technology, geo, period, value``: Σ weight × field families (``weights``: technology,
    wipo_field, weight). ``TOTAL`` is carried along as the technology ``TOTAL`` so shares and RTA
    can be computed the same way."""
    if weights.empty:
        return pd.DataFrame(columns=["technology", "geo", "period", "value", "markers"])
    bad = weights[(weights["weight"] <= 0) | (weights["weight"] > 1)]
    if not bad.empty:
        row = bad.iloc[0]
        raise ComputeError(
            f"weight {row['weight']} of {row['technology']}/{row['wipo_field']} is not in (0, 1]"
        )
    fields = table[table["field"] != ALL_FIELDS]
    joined = fields.merge(weights, left_on="field", right_on="wipo_field", how="inner")
    joined["value"] = joined["value"] * joined["weight"]
    # A technology is complete in a place and year only when every one of its fields is there.
    needed = weights.groupby("technology")["wipo_field"].nunique()
    grouped = joined.groupby(["technology", "geo", "period"])
    out = grouped.agg(value=("value", "sum"), fields=("field", "nunique"), markers=("markers", "max"))
    out = out.reset_index()
    out = out[out["fields"] == out["technology"].map(needed)].drop(columns="fields")
    total = table[table["field"] == ALL_FIELDS].rename(columns={"field": "technology"})
    return pd.concat([out, total[["technology", "geo", "period", "value", "markers"]]], ignore_index=True)


def concordance_check(concordance: pd.DataFrame, tolerance: float = 0.01) -> list[str]:
    """Fields whose NACE shares do not sum to 1 (± tolerance), or with negative shares."""
    problems = []
    if (concordance["share"] < 0).any():
        problems.append("negative share in the concordance")
    sums = concordance.groupby("field")["share"].sum()
    problems += [f"{f}: shares sum to {s:.4f}, not 1" for f, s in sums.items() if abs(s - 1) > tolerance]
    return problems


def families_by_nace(table: pd.DataFrame, concordance: pd.DataFrame) -> pd.DataFrame:
    """``nace, geo, period, value``: Σ over fields of families × concordance share.

    The concordance's shares of each field are rescaled to sum to exactly 1 (the published
    table rounds to 6 decimals), so Σ over NACE = Σ over fields: totals are conserved.
    """
    problems = concordance_check(concordance)
    if problems:
        raise ComputeError("concordance: " + "; ".join(problems))
    conc = concordance.assign(
        share=concordance["share"] / concordance.groupby("field")["share"].transform("sum")
    )
    fields = table[table["field"] != ALL_FIELDS]
    uncovered = sorted(set(fields["field"]) - set(conc["field"]))
    if uncovered:
        raise ComputeError(
            f"concordance has no shares for {', '.join(uncovered)}: totals would not be conserved"
        )
    joined = fields.merge(conc[conc["share"] > 0], on="field", how="inner")
    joined["value"] = joined["value"] * joined["share"]
    out = joined.groupby(["nace", "geo", "period"], as_index=False).agg(
        value=("value", "sum"), markers=("markers", "max")
    )
    return out


def families_by_ecosystem(by_nace: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """``ecosystem, geo, period, value``: NACE-division families × the ecosystem mapping share
    (only the mapping's division-level rows are used; what it leaves unallocated stays so)."""
    joined = by_nace.merge(mapping[["ecosystem", "nace", "share"]], on="nace", how="inner")
    joined["value"] = joined["value"] * joined["share"]
    return joined.groupby(["ecosystem", "geo", "period"], as_index=False).agg(
        value=("value", "sum"), markers=("markers", "max")
    )


def technology_by_industry(
    table: pd.DataFrame,
    weights: pd.DataFrame,
    concordance: pd.DataFrame,
    mapping: pd.DataFrame | None,
    geos: tuple[str, ...],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A technology's weighted families spread over NACE divisions (concordance) and ecosystems
    (mapping), for GEOS: (``key=slug|nace, geo, period, value``, ``key=slug|ecosystem, …``).
    Σ over NACE of a technology = its weighted families (totals conserved)."""
    fields = table[(table["field"] != ALL_FIELDS) & table["geo"].isin(geos)]
    weighted = fields.merge(weights, left_on="field", right_on="wipo_field", how="inner")
    weighted = weighted.assign(value=weighted["value"] * weighted["weight"])
    nace_parts = []
    for slug, part in weighted.groupby("technology"):
        by_nace = families_by_nace(part[["field", "geo", "period", "value", "markers"]], concordance)
        nace_parts.append(by_nace.assign(technology=slug))
    if not nace_parts:
        empty = pd.DataFrame(columns=["key", "geo", "period", "value", "markers"])
        return empty, empty
    by_nace = pd.concat(nace_parts, ignore_index=True)
    by_eco = pd.DataFrame(columns=["key", "geo", "period", "value", "markers"])
    if mapping is not None and not mapping.empty:
        eco = by_nace.merge(mapping[["ecosystem", "nace", "share"]], on="nace", how="inner")
        eco = eco.assign(value=eco["value"] * eco["share"])
        eco = eco.groupby(["technology", "ecosystem", "geo", "period"], as_index=False).agg(
            value=("value", "sum"), markers=("markers", "max")
        )
        by_eco = eco.assign(key=eco["technology"] + "|" + eco["ecosystem"])
    by_nace = by_nace[by_nace["geo"] == geos[0]]
    return by_nace.assign(key=by_nace["technology"] + "|" + by_nace["nace"]), by_eco


def _values(frame: pd.DataFrame, indicator: str, key: str, column: str, **extra) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "indicator": indicator,
            "ecosystem": frame[key].astype(str),
            "geo": frame["geo"],
            "period": frame["period"].astype(str),
            "value": frame[column].astype("float64"),
            "flags": "",
            "markers": frame["markers"].fillna("") if "markers" in frame else "",
            "base_period": frame.get("base_period", ""),
            "rank": pd.NA,
        }
    )
    return out.dropna(subset=["value"])


def compute_patent_indicators(
    table: pd.DataFrame,
    weights: pd.DataFrame | None = None,
    concordance: pd.DataFrame | None = None,
    mapping: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All patent indicators from the patents table (see the module docstring for each)."""
    required = {"field", "geo", "period", "value"}
    if not required <= set(table.columns):
        raise ComputeError(f"patents table lacks {sorted(required - set(table.columns))}")
    if WORLD not in set(table["geo"]):
        raise ComputeError("patents table has no WORLD rows: shares of world cannot be computed")
    table = mark_undercounted(with_eu27(table.dropna(subset=["value"])))
    out = []
    shares = world_shares(table)
    out += [
        _values(shares, "pat_fam", "field", "value"),
        _values(shares, "pat_fam_share_world", "field", "share"),
        _values(shares, "pat_fam_rta", "field", "rta"),
        _values(share_change(shares), "pat_fam_share_change", "field", "change"),
    ]
    if weights is not None and not weights.empty:
        tech = technology_families(table, weights).rename(columns={"technology": "field"})
        tech_shares = world_shares(tech)
        tech_shares = tech_shares[tech_shares["field"] != ALL_FIELDS]
        out += [
            _values(tech_shares, "tech_pat_fam", "field", "value"),
            _values(tech_shares, "tech_pat_share_world", "field", "share"),
            _values(tech_shares, "tech_pat_rta", "field", "rta"),
            _values(share_change(tech_shares), "tech_pat_share_change", "field", "change"),
        ]
    if concordance is not None and not concordance.empty and weights is not None and not weights.empty:
        tech_nace, tech_eco = technology_by_industry(table, weights, concordance, mapping, INDUSTRY_GEOS)
        out.append(_values(tech_nace, "tech_pat_fam_nace", "key", "value"))
        if not tech_eco.empty:
            out.append(_values(tech_eco, "tech_pat_fam_ecosystem", "key", "value"))
    if concordance is not None and not concordance.empty:
        by_nace = families_by_nace(table, concordance)
        out.append(_values(by_nace, "pat_fam_nace", "nace", "value"))
        if mapping is not None and not mapping.empty:
            out.append(
                _values(families_by_ecosystem(by_nace, mapping), "pat_fam_ecosystem", "ecosystem", "value")
            )
    values = pd.concat(out, ignore_index=True)
    values["value"] = values["value"].replace([np.inf, -np.inf], np.nan)
    return values.dropna(subset=["value"])[VALUE_COLUMNS]


def uptake_values(frames: dict[str, pd.DataFrame], uptake: dict[str, list[str]]) -> pd.DataFrame:
    """``tech_uptake``: per technology, the first of its ``source:measure`` codes whose source
    frame (in ``frames``, already limited to all enterprises of 10+) has values; % of enterprises.
    Confidential or missing cells stay out (never shown as 0)."""
    out = []
    for slug, codes in uptake.items():
        for code in codes:
            source, _, measure = code.partition(":")
            frame = frames.get(source)
            if frame is None or frame.empty:
                continue
            rows = frame[(frame["measure"] == measure) & frame["value"].notna()]
            if rows.empty:
                continue
            out.append(
                pd.DataFrame(
                    {
                        "indicator": "tech_uptake",
                        "ecosystem": slug,
                        "geo": rows["geo"],
                        "period": rows["period"],
                        "value": rows["value"],
                        "flags": rows["flags"].fillna(""),
                        "markers": "",
                        "base_period": "",
                        "rank": pd.NA,
                    }
                )
            )
            break
    if not out:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return pd.concat(out, ignore_index=True)[VALUE_COLUMNS]


def epo_intensity(obs: pd.DataFrame) -> pd.DataFrame:
    """EPO patent applications per million inhabitants (Eurostat pat_ep_rtot, unit P_MHAB) for
    countries (2-letter codes): ``pat_ep_mhab``, key ``TOTAL`` (all technology fields: the table
    has no field breakdown). Regions are not here: ``region_patents_pmhab`` (compute/patents.py)
    gives them in NUTS 2021, so the portal has one regional patent figure, not two versions."""
    part = obs[(obs["measure"] == "P_MHAB") & obs["value"].notna() & (obs["geo"].str.len() == 2)]
    return pd.DataFrame(
        {
            "indicator": "pat_ep_mhab",
            "ecosystem": ALL_FIELDS,
            "geo": part["geo"],
            "period": part["period"],
            "value": part["value"],
            "flags": part["flags"].fillna(""),
            "markers": "",
            "base_period": "",
            "rank": pd.NA,
        }
    ).reset_index(drop=True)


def _is_division(code: str) -> bool:
    return len(code) == 3 and code[0].isalpha() and code[1:].isdigit()


def patent_intensity(
    table: pd.DataFrame, employment: pd.DataFrame, concordance: pd.DataFrame, mapping: pd.DataFrame | None
) -> pd.DataFrame:
    """Patent families per 1,000 persons employed, by NACE division and by ecosystem.

    ``employment``: ``geo, nace, period, value`` (SBS persons employed, V16110). Families by
    division come from the concordance (:func:`families_by_nace`). A division without a published
    employment figure (missing or confidential) gets no intensity; an ecosystem gets one only when
    every division it maps to has both figures (never a partial ratio). Only places and years the
    two sources share are computed.
    """
    emp = employment[employment["value"].notna() & employment["nace"].map(_is_division)]
    emp = emp[["geo", "nace", "period", "value"]].rename(columns={"value": "emp"})
    if emp.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    fields = table[table["geo"].isin(set(emp["geo"])) & table["period"].isin(set(emp["period"]))]
    by_nace = families_by_nace(fields, concordance)
    joined = by_nace.merge(emp, on=["geo", "nace", "period"], how="inner")
    joined = joined[joined["emp"] > 0]
    joined = joined.assign(intensity=joined["value"] / joined["emp"] * 1000)
    out = [_values(joined, "pat_intensity_nace", "nace", "intensity")]
    if mapping is not None and not mapping.empty:
        divisions = mapping[mapping["nace"].map(_is_division)][["ecosystem", "nace", "share"]]
        needed = divisions.groupby("ecosystem")["nace"].nunique()
        eco = joined.merge(divisions, on="nace", how="inner")
        eco = eco.assign(fam=eco["value"] * eco["share"], staff=eco["emp"] * eco["share"])
        agg = eco.groupby(["ecosystem", "geo", "period"], as_index=False).agg(
            fam=("fam", "sum"), staff=("staff", "sum"), n=("nace", "nunique"), markers=("markers", "max")
        )
        agg = agg[(agg["n"] == agg["ecosystem"].map(needed)) & (agg["staff"] > 0)]
        agg = agg.assign(intensity=agg["fam"] / agg["staff"] * 1000)
        out.append(_values(agg, "pat_intensity_ecosystem", "ecosystem", "intensity"))
    return pd.concat(out, ignore_index=True)[VALUE_COLUMNS]


def high_tech_intensity(obs: pd.DataFrame, members) -> pd.DataFrame:
    """High-tech EPO applications per million inhabitants (pat_ep_ntec, P_MHAB) as published:
    ``pat_ht_mhab``, key = the high-tech group (HT, AVI…), countries and EU aggregates only.
    Ranked among MEMBERS per group and year; a missing or confidential cell is no value (never 0)
    and never ranked."""
    part = obs[obs["value"].notna() & ((obs["geo"].str.len() == 2) | obs["geo"].str.startswith("EU"))]
    out = pd.DataFrame(
        {
            "indicator": "pat_ht_mhab",
            "ecosystem": part["measure"],
            "geo": part["geo"],
            "period": part["period"],
            "value": part["value"],
            "flags": part["flags"].fillna(""),
            "markers": "",
        }
    ).reset_index(drop=True)
    ranked = out[out["geo"].isin(set(members))]
    rank = ranked.groupby(["ecosystem", "period"])["value"].rank(ascending=False, method="min")
    out["rank"] = pd.Series(rank, dtype="Int64").reindex(out.index)
    return out
