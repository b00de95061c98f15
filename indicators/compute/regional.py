"""Ecosystem indicators for NUTS 2 regions from regional SBS, in NUTS 2021 (pure pandas).

Rules (shown on the methodology page):

* Regions are NUTS level-2 codes (two-letter country + two characters, e.g. ``AT11``);
  country codes, NUTS 1, NUTS 3, EU/EA aggregates and Extra-Regio codes (``..ZZ``) are left out.
* Every region is first harmonised to **NUTS 2021** (:mod:`indicators.compute.nuts`, JRC
  converter, population weights); each value keeps the code and version it was published in
  (``published_geo``, ``geo_version``) and our markers (``E`` estimated by a split, ``A``
  summed from several published regions). The dataset is nominally NUTS 2013; some countries'
  early years are NUTS 2006/2010 and are detected and converted.
* Ecosystem sums follow the national rules (:mod:`indicators.compute.ecosystems`): value x share
  over the mapped codes, flagged ``i`` when a component is missing or confidential. A sum
  whose available components are all 0 while another is confidential is **confidential**
  (NaN, ``c``), not 0.
* ``share_emp`` divides by the region's **business-economy total**: persons employed summed
  over the sections B–J, L–N and division S95, each section taken as **published** (so its
  confidential divisions are inside it), or, where the section itself is not published, as
  the sum of its divisions, flagged ``i`` when one of them has no value either. A share is
  flagged ``i`` when its numerator or its total is incomplete.
* ``lq_emp`` compares that share with the EU's: over the NUTS 2 regions of the EU27_2020
  members where both the ecosystem's persons employed and the region's total have a value,
  the sum of the first over the sum of the second, per ecosystem and year (the same regions
  on both sides). The reference's own flags are not spread to regions.
* ``rank`` ranks regions within their country (1 = highest; ties share the best rank);
  incomplete (``i``) and missing values get no rank. Estimated (``E``) values are ranked.
"""

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from indicators.compute import nuts
from indicators.compute.ecosystems import (
    FLAG_AGGREGATED,
    FLAG_CONFIDENTIAL,
    FLAG_INCOMPLETE,
    TRACKED_FLAGS,
    aggregate_ecosystems,
    finish,
    flags_text,
    prepare_obs,
    ratio,
    resolve_mapping,
    sum_components,
)
from indicators.compute.markers import AGGREGATE, INCOMPLETE

REGIONAL_MEASURES = {"emp": "V16110", "units": "V11210"}
NUTS2_PATTERN = r"^[A-Z]{2}[0-9A-Z]{2}$"
NOT_REGIONS = ("EU", "EA")  # 4-character aggregates such as EU28, EU27, EA19
DIVISION_PATTERN = r"^[A-Z]\d{2}$"
# The parts of the business economy (B-N, S95, without K) as the regional file publishes them.
TOTAL_PARTS = ("B", "C", "D", "E", "F", "G", "H", "I", "J", "L", "M", "N", "S95")
# The version sbs_r_nuts06_r2 says it is in; the tie-break when a country's codes fit several.
PUBLISHED_VERSION = 2013
PROVENANCE_COLUMNS = ["published_geo", "geo_version", "markers"]

CountryOf = Mapping[str, str] | Callable[[str], str] | None


def compute_regional_indicators(
    obs: pd.DataFrame,
    mapping: pd.DataFrame,
    country_of: CountryOf = None,
    *,
    members: Iterable[str],
    converter: pd.DataFrame | None = None,
    nominal_version: int = PUBLISHED_VERSION,
) -> pd.DataFrame:
    """Ecosystem indicators per NUTS 2 region and year.

    Input ``obs``: ``geo, nace, measure, period, value, flags`` (geo NUTS codes of any level;
    V16110 persons employed and V11210 local units are used). ``mapping``: ``ecosystem, nace,
    share``. ``country_of``: overrides of the country of a code (dict or function; default the
    first two letters). ``members``: countries whose regions make up the EU reference.
    ``converter``: the JRC NUTS 2 converter (``from_version, to_version, from_code, to_code,
    pop18``); without it codes stay as published. ``nominal_version``: the version the dataset
    says it is in.

    Output: ``indicator, ecosystem, geo, period, value, flags, rank, published_geo,
    geo_version, markers`` with indicator ``emp``, ``units``, ``share_emp`` (% of the
    business-economy total) and ``lq_emp``; ``rank`` (Int64) is the rank within the region's
    country; ``geo`` is NUTS 2021 when a converter is given.
    """
    obs = prepare_obs(obs, REGIONAL_MEASURES.values())
    obs = obs[nuts2_mask(obs["geo"])]
    provenance = None
    if converter is not None:
        obs, provenance, _ = nuts.harmonise(obs, converter, nominal_version)
    mapping = resolve_mapping(mapping, obs["nace"])
    sums = confidential_zeros(aggregate_ecosystems(obs, mapping), obs, mapping)
    sums["indicator"] = sums["measure"].map({v: k for k, v in REGIONAL_MEASURES.items()})
    sums = sums.drop(columns="measure")
    emp = sums[sums["indicator"] == "emp"]
    totals = region_totals(obs)
    share = ratio(emp, totals, ["geo", "period"], scale=100.0)
    countries = country_codes(obs["geo"], country_of)
    lq = regional_lq(emp, totals, share, countries, frozenset(members))
    out = pd.concat(
        [sums, share.assign(indicator="share_emp"), lq.assign(indicator="lq_emp")],
        ignore_index=True,
    )
    return markers_apart(with_provenance(finish(rank_in_country(out, countries)), provenance))


def markers_apart(values: pd.DataFrame) -> pd.DataFrame:
    """Move our own letters out of the publisher's ``flags`` into ``markers``: the shared sum
    helpers mark a sum ``a`` (computed by us) and ``i`` (incomplete); the publisher's own "i"
    (see metadata) is not carried by them (CARRIED_FLAGS), so both letters here are ours."""
    ours = {FLAG_AGGREGATED: AGGREGATE, FLAG_INCOMPLETE: INCOMPLETE}
    out = values.copy()
    flags = out["flags"].fillna("").astype(str)
    markers = out["markers"].fillna("").astype(str)
    # A few distinct (markers, flags) pairs over many rows: work them out once per pair.
    pairs = pd.MultiIndex.from_arrays([markers, flags])
    codes, distinct = pairs.factorize()
    merged = ["".join(sorted(set(m) | {ours[letter] for letter in ours if letter in f})) for m, f in distinct]
    kept = ["".join(letter for letter in f if letter not in ours) for _, f in distinct]
    out["markers"] = pd.Series(merged, dtype=object).to_numpy()[codes]
    out["flags"] = pd.Series(kept, dtype=object).to_numpy()[codes]
    return out


def with_provenance(values: pd.DataFrame, provenance: pd.DataFrame | None) -> pd.DataFrame:
    """Add ``published_geo, geo_version, markers`` per region-year (empty without a converter)."""
    if provenance is None:
        return values.assign(**dict.fromkeys(PROVENANCE_COLUMNS, ""))
    out = values.merge(provenance[["geo", "period", *PROVENANCE_COLUMNS]], on=["geo", "period"], how="left")
    out[PROVENANCE_COLUMNS] = out[PROVENANCE_COLUMNS].fillna("").astype(object)
    return out


def confidential_zeros(sums: pd.DataFrame, obs: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """A sum whose only non-zero part may be a confidential one is confidential, not 0.

    Input: ecosystem sums (``ecosystem, geo, measure, period, value, flags``), the obs and the
    resolved mapping they came from. Output: the same rows; a 0 flagged ``i`` becomes NaN
    flagged ``c`` when one of its components was confidential, and is dropped otherwise (its
    missing components are simply unknown).
    """
    zero = (sums["value"] == 0) & sums["flags"].str.contains(FLAG_INCOMPLETE, regex=False)
    if not zero.any():
        return sums
    keys = ["ecosystem", "geo", "measure", "period"]
    cand = sums.loc[zero, keys]
    parts = obs.merge(mapping, on="nace").merge(cand, on=keys)
    conf = sum_components(parts, keys)[[*keys, FLAG_CONFIDENTIAL]]
    marked = sums.merge(conf, on=keys, how="left")[FLAG_CONFIDENTIAL].fillna(False).to_numpy(dtype=bool)
    out = sums.copy()
    out.loc[zero, "value"] = float("nan")
    out.loc[zero, "flags"] = [FLAG_CONFIDENTIAL if m else "" for m in marked[zero.to_numpy()]]
    return out[out["value"].notna() | (out["flags"] != "")].reset_index(drop=True)


def nuts2_mask(geo: pd.Series) -> pd.Series:
    """True for NUTS 2 region codes; False for other levels, aggregates and Extra-Regio."""
    code = pd.Series(pd.unique(geo), dtype=object).astype(str)
    keep = code.str.match(NUTS2_PATTERN) & ~code.str[:2].isin(NOT_REGIONS) & ~code.str.endswith("ZZ")
    return geo.isin(code[keep])


def country_codes(geo: pd.Series, country_of: CountryOf = None) -> pd.Series:
    """Country per distinct code: the first two letters unless ``country_of`` says otherwise.

    Output: a Series indexed by code. A dict overrides only the codes it lists; a function is
    applied to every code.
    """
    codes = pd.Index(geo.unique())
    if callable(country_of):
        return pd.Series([country_of(c) for c in codes], index=codes, dtype=object)
    out = pd.Series(codes.str[:2], index=codes, dtype=object)
    if country_of:
        overrides = pd.Series(dict(country_of), dtype=object)
        out.update(overrides[overrides.index.isin(codes)])
    return out


def section_parts(obs: pd.DataFrame, measure: str) -> tuple[pd.DataFrame, set[str]]:
    """Each region-year's business-economy parts (``TOTAL_PARTS``) for MEASURE: ``geo, period,
    nace (the part), value, flags`` — the section as published, else the sum of its 2-digit
    divisions that have a value (flagged ``i`` when some are missing, ``c`` when none has one);
    and the parts the file has at all."""
    emp = obs[obs["measure"] == measure]
    nace = pd.Series(pd.unique(emp["nace"]), dtype=object).astype(str)
    divisions = nace[
        nace.str.match(DIVISION_PATTERN) & ~nace.isin(TOTAL_PARTS) & nace.str[0].isin(TOTAL_PARTS)
    ]
    sections = emp[emp["nace"].isin(TOTAL_PARTS)][["geo", "period", "nace", "value", "flags"]]
    divs = emp[emp["nace"].isin(divisions)].assign(section=lambda d: d["nace"].str[0])
    by_div = sum_components(divs, ["geo", "period", "section"])
    expected = divisions.str[0].value_counts().rename("expected")
    by_div = by_div.merge(expected, left_on="section", right_index=True)
    by_div = by_div.assign(flags=np.where(by_div["n"] < by_div["expected"], FLAG_INCOMPLETE, ""))
    by_div = by_div.rename(columns={"section": "nace"})[["geo", "period", "nace", "value", "flags"]]
    frame = pd.concat([sections.assign(src=0), by_div.assign(src=1)], ignore_index=True)
    # Only parts the file has at all count: a region without any row for one is short of it.
    present = set(frame["nace"])
    # A published section wins; its divisions fill in only where it has no value.
    frame = frame[frame["value"].notna() | (frame["src"] == 1)]
    frame = frame.sort_values("src").drop_duplicates(["geo", "period", "nace"])
    frame = frame.assign(flags=frame["flags"].where(frame["value"].notna(), "c"))
    return frame, present


def region_totals(obs: pd.DataFrame, measure: str = REGIONAL_MEASURES["emp"]) -> pd.DataFrame:
    """Business-economy MEASURE (persons employed unless told) per region and year (the share's
    denominator; the wages computation sums wages and salaries the same way).

    Input: obs. Output: ``geo, period, value, flags``: the sum over ``TOTAL_PARTS`` of each
    section as published, or, for a section without a value, of its 2-digit divisions that
    have one — flagged ``i`` when a section is neither published nor fully covered by its
    divisions (a lower bound). NaN (and dropped) when nothing has a value.
    """
    frame, present = section_parts(obs, measure)
    agg = sum_components(frame, ["geo", "period"])
    counted = frame.groupby(["geo", "period"], sort=False).size().rename("k").reset_index()
    agg = agg.merge(counted, on=["geo", "period"])
    short = (agg["k"] < len(present)) | (agg["n"] < agg["k"]) | agg[FLAG_INCOMPLETE]
    bits = agg[list(TRACKED_FLAGS)].assign(**{FLAG_CONFIDENTIAL: False, FLAG_INCOMPLETE: short.to_numpy()})
    out = agg[["geo", "period"]].assign(value=agg["value"])
    out["flags"] = flags_text(out["value"], bits)
    return out[out["value"].notna()].reset_index(drop=True)


def regional_lq(
    emp: pd.DataFrame,
    totals: pd.DataFrame,
    share: pd.DataFrame,
    countries: pd.Series,
    members: frozenset,
) -> pd.DataFrame:
    """Location quotient of each region's share against the EU regions' pooled share.

    Input: ecosystem ``emp`` and ``share`` rows (``ecosystem, geo, period, value, flags``),
    ``totals`` from :func:`region_totals`, ``countries`` by code. Output: ``ecosystem, geo,
    period, value, flags`` (flags = the region's share flags).
    """
    both = emp[["ecosystem", "geo", "period", "value", "flags"]].merge(
        totals[["geo", "period", "value", "flags"]], on=["geo", "period"], suffixes=("", "_tot")
    )
    # The EU pool counts a region only where both its figure and its total are complete: a lower
    # bound (flag i) in either would put a different coverage in the numerator and denominator.
    complete = ~(
        both["flags"].fillna("").str.contains(FLAG_INCOMPLETE, regex=False)
        | both["flags_tot"].fillna("").str.contains(FLAG_INCOMPLETE, regex=False)
    )
    both = both[
        both["geo"].map(countries).isin(members)
        & both["value"].notna()
        & both["value_tot"].notna()
        & complete
    ]
    eu_share = both.groupby(["ecosystem", "period"], as_index=False)[["value", "value_tot"]].sum()
    eu_share = eu_share.assign(value=eu_share["value"] / eu_share["value_tot"] * 100.0, flags="")[
        ["ecosystem", "period", "value", "flags"]
    ]
    return ratio(share, eu_share, ["ecosystem", "period"])


def rank_in_country(df: pd.DataFrame, countries: pd.Series) -> pd.DataFrame:
    """Rank regions within their country per ``indicator, ecosystem, period`` (1 = highest).

    Output: the input plus ``rank`` (Int64, NA where the value is NaN or incomplete: flag
    ``i`` or marker ``I``).
    """
    out = df.copy()
    out["country"] = out["geo"].map(countries)
    flags = out["flags"] if "flags" in out else pd.Series("", index=out.index)
    incomplete = flags.fillna("").astype(str).str.contains(FLAG_INCOMPLETE, regex=False)
    if "markers" in out:
        incomplete |= out["markers"].fillna("").astype(str).str.contains("I", regex=False)
    ranked = (
        out[out["value"].notna() & ~incomplete]
        .groupby(["indicator", "ecosystem", "period", "country"], sort=False)["value"]
        .rank(method="min", ascending=False)
    )
    out["rank"] = ranked.reindex(out.index).astype("Int64")
    return out.drop(columns="country")


WAGES = "V13320"  # wages and salaries, million euro
MIN_WAGE_COVERAGE = 0.9  # share of the region's persons employed the wage figure must cover
WAGE_KEY = "business-economy"  # the value's key: sections B-N and S95 without K, as the totals


def region_wages(
    obs: pd.DataFrame,
    *,
    members: Iterable[str],
    converter: pd.DataFrame | None = None,
    nominal_version: int = PUBLISHED_VERSION,
) -> pd.DataFrame:
    """Average wages and salaries per person employed in each region's business economy, in EUR
    thousand: wages (V13320) over persons employed (V16110) summed over the same business-economy
    parts (:func:`section_parts`: a section, or its divisions when all are published) where both
    are complete — the same coverage above and below. Marked I (shown, never ranked) when those
    parts employ less than MIN_WAGE_COVERAGE of the region's persons employed. ``EU27_2020``: the
    member regions' complete (not I) figures pooled (marker A). NUTS 2021 with a converter (both
    measures split by population, so a split region keeps its wage level; marked E).

    Output: ``indicator`` = ``wage_emp``, ``ecosystem`` = WAGE_KEY, ``geo, period, value, flags,
    rank`` (within the country), ``published_geo, geo_version, markers``.
    """
    obs = prepare_obs(obs, [REGIONAL_MEASURES["emp"], WAGES])
    obs = obs[nuts2_mask(obs["geo"])]
    provenance = None
    if converter is not None:
        obs, provenance, _ = nuts.harmonise(obs, converter, nominal_version)
    # Same coverage above and below: the parts (sections) where both wages and persons employed
    # are complete; the figure is incomplete (I, not ranked) when those parts employ less than
    # MIN_WAGE_COVERAGE of the region's business-economy persons employed, or that total is a
    # lower bound itself.
    emp_parts, _ = section_parts(obs, REGIONAL_MEASURES["emp"])
    wage_parts, _ = section_parts(obs, WAGES)

    def complete(parts):
        ok = parts["value"].notna() & ~parts["flags"].str.contains(FLAG_INCOMPLETE, regex=False)
        return parts[ok]

    keys = ["geo", "period", "nace"]
    paired = complete(emp_parts).merge(complete(wage_parts), on=keys, suffixes=("_emp", "_wages"))
    both = paired.groupby(["geo", "period"], as_index=False).agg(
        value_emp=("value_emp", "sum"),
        value_wages=("value_wages", "sum"),
        flags_emp=("flags_emp", "sum"),
        flags_wages=("flags_wages", "sum"),
    )
    totals = region_totals(obs).rename(columns={"value": "total", "flags": "total_flags"})
    both = both.merge(totals, on=["geo", "period"], how="left")
    both = both[both["value_emp"] > 0]
    coverage = both["value_emp"] / both["total"]
    short = (
        (coverage < MIN_WAGE_COVERAGE)
        | both["total"].isna()
        | both["total_flags"].fillna("").str.contains(FLAG_INCOMPLETE, regex=False)
    )
    flags = [
        "".join(sorted((set(a) | set(b)) - {FLAG_INCOMPLETE})) + (FLAG_INCOMPLETE if s else "")
        for a, b, s in zip(both["flags_emp"], both["flags_wages"], short, strict=True)
    ]
    out = pd.DataFrame(
        {
            "indicator": "wage_emp",
            "ecosystem": WAGE_KEY,
            "geo": both["geo"],
            "period": both["period"],
            "value": both["value_wages"] / both["value_emp"] * 1000.0,
            "flags": flags,
        }
    )
    both = both[~short.to_numpy()]
    countries = country_codes(obs["geo"], None)
    in_eu = both[both["geo"].map(countries).isin(frozenset(members))]
    pooled = in_eu.groupby("period", as_index=False)[["value_wages", "value_emp"]].sum()
    eu = pd.DataFrame(
        {
            "indicator": "wage_emp",
            "ecosystem": WAGE_KEY,
            "geo": "EU27_2020",
            "period": pooled["period"],
            "value": pooled["value_wages"] / pooled["value_emp"] * 1000.0,
            "flags": FLAG_AGGREGATED,
        }
    )
    ranked = finish(rank_in_country(out, countries))
    values = markers_apart(with_provenance(ranked, provenance))
    eu_rows = markers_apart(finish(eu.assign(rank=pd.NA)).assign(**dict.fromkeys(PROVENANCE_COLUMNS, "")))
    return pd.concat([values, eu_rows], ignore_index=True)
