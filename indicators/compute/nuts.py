"""Harmonise regional figures to one NUTS version with the JRC converter matrices (pure pandas).

Rules (ours, shown on the methodology page; see also data/PROVENANCE.md §15):

* The converter has one row per overlap of an old region A and a new region B, with its
  2018 population (``pop18``). A's figure flows to B with weight
  ``pop18(A, B) / sum over B' of pop18(A, B')``.
* **Slivers** are dropped first: an overlap holding less than ``SLIVER_SHARE`` (0.2%) of A's
  population is boundary-drawing noise of the overlay (FI18→FI1D: 630 people; ITH3→ITH4:
  1,315), not a transfer; the smallest real transfer in the matrices is NO05→NO06 at 0.42%.
  The remaining weights of A are rescaled to sum to 1, so totals are conserved.
* Then, per target region B and source version:
  ``renamed`` (or unchanged) — one source, wholly inside B: the figure is recoded;
  ``merged`` — several sources, each wholly inside B: summed, marker ``A``;
  ``split`` — a source only partly inside B: its figure times the weight, marker ``E``
  (estimated). A merged value is computed only when every part has a value; a missing
  part makes it missing (``c`` when a part was confidential), never a lower bound.
* **One version per country-year.** The version a country-year was published in is the one
  whose code list holds the most of the NUTS 2 codes with data (value or flag) in that
  country-year; on a tie, the newest. Codes of other versions in that country-year are
  dropped: Finland 2010 has both its NUTS 2006 (FI13, FI18, FI1A) and NUTS 2013 (FI1B, FI1C,
  FI1D) regions; the 2013 ones are kept, because every later year is in NUTS 2013 and they
  need no estimate.

Frames: ``converter`` has ``from_version, to_version, from_code, to_code, pop18`` (level 2,
as loaded by ``manage.py load_reference``); ``obs`` the usual ``geo, nace, measure, period,
value, flags``.
"""

import numpy as np
import pandas as pd

TARGET_VERSION = 2021
SLIVER_SHARE = 0.002
MARKER_AGGREGATE = "A"  # as in the IndicatorValue.markers contract: computed by us from parts
MARKER_ESTIMATED = "E"  # includes our estimate (a population-weighted split)
CONVERTER_COLUMNS = ["from_version", "to_version", "from_code", "to_code", "pop18"]


def conversion_weights(converter: pd.DataFrame, to_version: int = TARGET_VERSION) -> pd.DataFrame:
    """Population weights from each source version to ``to_version``, slivers dropped.

    Input: ``converter``. Output: ``from_version, from_code, to_code, weight, whole``
    (``whole``: the source lies wholly inside the target); the ``to_version`` codes map onto
    themselves with weight 1.
    """
    m = converter.loc[converter["to_version"] == to_version, CONVERTER_COLUMNS].copy()
    m["pop18"] = pd.to_numeric(m["pop18"]).astype("float64")
    m = m.groupby(["from_version", "from_code", "to_code"], as_index=False)["pop18"].sum()
    src_pop = m.groupby(["from_version", "from_code"])["pop18"].transform("sum")
    m["weight"] = np.where(src_pop > 0, m["pop18"] / src_pop.where(src_pop > 0), np.nan)
    # A source without population (none in the matrices today) keeps its largest flow only.
    m = m[(m["weight"] >= SLIVER_SHARE) | m["weight"].isna()]
    m["weight"] = m["weight"] / m.groupby(["from_version", "from_code"])["weight"].transform("sum")
    m["weight"] = m["weight"].fillna(1.0)
    m["whole"] = m["weight"] >= 1.0 - 1e-12
    same = pd.DataFrame({"to_code": sorted(set(m["to_code"]))})
    same = same.assign(from_version=to_version, from_code=same["to_code"], weight=1.0, whole=True)
    cols = ["from_version", "from_code", "to_code", "weight", "whole"]
    return pd.concat([m[cols], same[cols]], ignore_index=True)


def version_codes(weights: pd.DataFrame) -> pd.DataFrame:
    """The NUTS 2 code list of each version: ``version, code`` (from the converter itself)."""
    out = weights[["from_version", "from_code"]].drop_duplicates()
    return out.rename(columns={"from_version": "version", "from_code": "code"}).reset_index(drop=True)


def detect_versions(obs: pd.DataFrame, codes: pd.DataFrame, nominal: int | None = None) -> pd.DataFrame:
    """The NUTS version each country-year was published in.

    Input: ``obs`` (NUTS 2 rows only) and ``codes`` from :func:`version_codes`. A code counts
    when it has a value or a flag in that year. The version holding most of the codes wins;
    on a tie the dataset's ``nominal`` version (the one it says it is published in), else the
    newest. The nominal version matters where codes stayed but borders moved (NL31/NL33 in
    2021): a NUTS 2013 dataset whose Dutch codes also exist in 2021 is still NUTS 2013.
    Output: ``country, period, version, codes, dropped`` — ``codes`` the number of codes
    with data, ``dropped`` how many of them are not in the chosen version (published twice,
    in another version) and are left out.
    """
    seen = obs.loc[obs["value"].notna() | (obs["flags"] != ""), ["geo", "period"]].drop_duplicates()
    seen = seen.assign(country=seen["geo"].str[:2])
    hits = seen.merge(codes, left_on="geo", right_on="code", how="inner")
    score = hits.groupby(["country", "period", "version"], as_index=False).size()
    score["nominal"] = score["version"] == nominal
    score = score.sort_values(
        ["country", "period", "size", "nominal", "version"], ascending=[True, True, False, False, False]
    )
    best = score.drop_duplicates(["country", "period"])[["country", "period", "version"]]
    total = seen.groupby(["country", "period"], as_index=False).size().rename(columns={"size": "codes"})
    kept = hits.merge(best, on=["country", "period", "version"]).groupby(["country", "period"]).size()
    out = best.merge(total, on=["country", "period"])
    out["dropped"] = out["codes"] - kept.reindex(pd.MultiIndex.from_frame(out[["country", "period"]])).fillna(
        0
    ).to_numpy(dtype=int)
    return out.reset_index(drop=True)


def harmonise(
    obs: pd.DataFrame,
    converter: pd.DataFrame,
    nominal: int | None = None,
    to_version: int = TARGET_VERSION,
):
    """Convert NUTS 2 observations of any version to ``to_version``.

    Input: ``obs`` with NUTS 2 codes only (``geo, nace, measure, period, value, flags``),
    ``converter``; ``nominal`` the version the dataset says it is in (the tie-break of
    :func:`detect_versions`). Codes of a country the converter does not know are kept as published.
    Output: ``(converted, provenance, versions)`` —

    * ``converted``: obs columns, ``geo`` now in ``to_version``;
    * ``provenance``: ``geo, period, published_geo, geo_version, markers, kind`` per converted
      region-year (``published_geo`` the source code(s) joined by ``+``, empty when the same
      code; ``markers`` ``A`` several parts summed, ``E`` includes a split part; ``kind``
      ``unchanged, renamed, merged, split``);
    * ``versions``: from :func:`detect_versions`.
    """
    # Cells with neither a value nor a flag say nothing, and would keep years without data
    # (no version to detect) under their published codes.
    obs = obs[obs["value"].notna() | (obs["flags"] != "")]
    weights = conversion_weights(converter, to_version)
    versions = detect_versions(obs, version_codes(weights), nominal)
    work = obs.assign(country=obs["geo"].str[:2]).merge(
        versions[["country", "period", "version"]], on=["country", "period"], how="left"
    )
    unknown = work["version"].isna()
    flows = work[~unknown].merge(
        weights, left_on=["version", "geo"], right_on=["from_version", "from_code"], how="inner"
    )
    flows = flows.assign(value=flows["value"] * flows["weight"])
    converted = _combine(flows)
    kept = work.loc[unknown, obs.columns]
    converted = pd.concat([converted[obs.columns], kept], ignore_index=True)
    provenance = _provenance(flows)
    return converted, provenance, versions


def _combine(flows: pd.DataFrame) -> pd.DataFrame:
    """Sum the parts of each target cell; any part without a value makes the cell missing."""
    keys = ["to_code", "nace", "measure", "period"]
    multi = flows.duplicated(keys, keep=False)
    single = flows.loc[~multi, [*keys, "value", "flags"]]
    parts = flows[multi]
    if parts.empty:
        return single.rename(columns={"to_code": "geo"})
    g = parts.groupby(keys, sort=False)
    out = g["value"].sum(min_count=1).rename("value").to_frame()
    out["complete"] = g["value"].count() == g.size()
    joined = g["flags"].sum().astype(object)
    letters = {t: "".join(sorted(set(t))) for t in pd.unique(joined)}
    out["flags"] = joined.map(letters)
    out = out.reset_index()
    out["value"] = out["value"].where(out["complete"])
    # On a missing result only "c" says something; on a value every carried letter stays.
    conf = out["flags"].str.contains("c", regex=False)
    out["flags"] = np.where(
        out["value"].isna(), np.where(conf, "c", ""), out["flags"].str.replace("c", "", regex=False)
    )
    combined = pd.concat([single, out[[*keys, "value", "flags"]]], ignore_index=True)
    return combined.rename(columns={"to_code": "geo"})


def _provenance(flows: pd.DataFrame) -> pd.DataFrame:
    parts = flows[["to_code", "period", "from_code", "version", "whole"]].drop_duplicates()
    g = parts.groupby(["to_code", "period"], sort=False)
    out = g.agg(
        published_geo=("from_code", lambda s: "+".join(sorted(set(s)))),
        geo_version=("version", "first"),
        parts=("from_code", "nunique"),
        whole=("whole", "all"),
    ).reset_index()
    out["geo_version"] = out["geo_version"].astype(int).astype(str)
    out = out.rename(columns={"to_code": "geo"})
    same = out["published_geo"] == out["geo"]
    out["kind"] = np.select(
        [~out["whole"], out["parts"] > 1, ~same], ["split", "merged", "renamed"], "unchanged"
    )
    out["markers"] = np.where(out["parts"] > 1, MARKER_AGGREGATE, "") + np.where(
        out["whole"], "", MARKER_ESTIMATED
    )
    out["published_geo"] = np.where(same, "", out["published_geo"])
    return out[["geo", "period", "published_geo", "geo_version", "markers", "kind"]]


def conversion_counts(provenance: pd.DataFrame) -> dict[str, int]:
    """Region-years by kind of conversion (``unchanged, renamed, merged, split``)."""
    return {k: int(v) for k, v in provenance["kind"].value_counts().items()}
