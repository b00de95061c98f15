"""Ecosystem indicators for NUTS 2 regions from regional SBS, and NUTS recoding (pure pandas).

Rules (shown on the methodology page):

* Regions are NUTS level-2 codes (two-letter country + two characters, e.g. ``AT11``);
  country codes, NUTS 1, NUTS 3, EU/EA aggregates and Extra-Regio codes (``..ZZ``) are left out.
* Ecosystem sums follow the national rules (:mod:`indicators.compute.ecosystems`): value x share
  over the mapped codes, flagged ``i`` when a component is missing or confidential.
* ``share_emp`` divides by the region's **observed division total**: the sum of persons
  employed over the 2-digit divisions (B05…S95) that have a value for that region and year.
  Regional SBS hides many cells, so this total leaves out confidential divisions; the
  numerator is built from the same cells, so both sides cover the same observed employment.
  This is a definition, not a flagged gap: ``i`` on a share comes from its numerator.
* ``lq_emp`` compares that share with the EU's: the sum over every NUTS 2 region of the
  EU27_2020 member countries of the ecosystem's persons employed, divided by the sum of their
  observed division totals, per year. The reference's own flags are not spread to regions.
* ``rank`` ranks regions within their country (1 = highest; ties share the best rank).
"""

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from indicators.compute.ecosystems import (
    EU27_2020_MEMBERS,
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

REGIONAL_MEASURES = {"emp": "V16110", "units": "V11210"}
NUTS2_PATTERN = r"^[A-Z]{2}[0-9A-Z]{2}$"
NOT_REGIONS = ("EU", "EA")  # 4-character aggregates such as EU28, EU27, EA19
DIVISION_PATTERN = r"^[A-Z]\d{2}$"

CountryOf = Mapping[str, str] | Callable[[str], str] | None


def compute_regional_indicators(
    obs: pd.DataFrame,
    mapping: pd.DataFrame,
    country_of: CountryOf = None,
    members: Iterable[str] = EU27_2020_MEMBERS,
) -> pd.DataFrame:
    """Ecosystem indicators per NUTS 2 region and year.

    Input ``obs``: ``geo, nace, measure, period, value, flags`` (geo NUTS codes of any level;
    V16110 persons employed and V11210 local units are used). ``mapping``: ``ecosystem, nace,
    share``. ``country_of``: overrides of the country of a code (dict or function; default the
    first two letters). ``members``: countries whose regions make up the EU reference.

    Output: ``indicator, ecosystem, geo, period, value, flags, rank`` with indicator ``emp``,
    ``units``, ``share_emp`` (% of the observed division total) and ``lq_emp``; ``rank`` (Int64)
    is the rank within the region's country.
    """
    obs = prepare_obs(obs, REGIONAL_MEASURES.values())
    obs = obs[nuts2_mask(obs["geo"])]
    mapping = resolve_mapping(mapping, obs["nace"])
    sums = aggregate_ecosystems(obs, mapping)
    sums["indicator"] = sums["measure"].map({v: k for k, v in REGIONAL_MEASURES.items()})
    sums = sums.drop(columns="measure")
    emp = sums[sums["indicator"] == "emp"]
    totals = division_totals(obs)
    share = ratio(emp, totals, ["geo", "period"], scale=100.0)
    countries = country_codes(obs["geo"], country_of)
    lq = regional_lq(emp, totals, share, countries, frozenset(members))
    out = pd.concat(
        [sums, share.assign(indicator="share_emp"), lq.assign(indicator="lq_emp")],
        ignore_index=True,
    )
    return finish(rank_in_country(out, countries))


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


def division_totals(obs: pd.DataFrame) -> pd.DataFrame:
    """Observed division total of persons employed per region and year.

    Input: obs. Output: ``geo, period, value, flags``: the sum over 2-digit division codes that
    have a value (groups such as G451 are not added, so nothing counts twice), with their
    carried flags. NaN (and dropped) when no division has a value.
    """
    nace = pd.Series(pd.unique(obs["nace"]), dtype=object).astype(str)
    divisions = nace[nace.str.match(DIVISION_PATTERN)]
    sel = (obs["measure"] == REGIONAL_MEASURES["emp"]) & obs["nace"].isin(divisions)
    agg = sum_components(obs[sel], ["geo", "period"])
    out = agg[["geo", "period"]].assign(value=agg["value"])
    bits = agg[list(TRACKED_FLAGS)].assign(**{FLAG_CONFIDENTIAL: False, FLAG_INCOMPLETE: False})
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
    ``totals`` from :func:`division_totals`, ``countries`` by code. Output: ``ecosystem, geo,
    period, value, flags`` (flags = the region's share flags).
    """
    in_eu = emp["geo"].map(countries).isin(members)
    eu_emp = emp[in_eu].groupby(["ecosystem", "period"], as_index=False)["value"].sum()
    tot_in_eu = totals["geo"].map(countries).isin(members)
    eu_tot = totals[tot_in_eu].groupby("period", as_index=False)["value"].sum()
    eu_share = eu_emp.merge(eu_tot, on="period", suffixes=("", "_tot"))
    eu_share = eu_share.assign(value=eu_share["value"] / eu_share["value_tot"] * 100.0, flags="")[
        ["ecosystem", "period", "value", "flags"]
    ]
    return ratio(share, eu_share, ["ecosystem", "period"])


def rank_in_country(df: pd.DataFrame, countries: pd.Series) -> pd.DataFrame:
    """Rank regions within their country per ``indicator, ecosystem, period`` (1 = highest).

    Output: the input plus ``rank`` (Int64, NA where the value is NaN).
    """
    out = df.copy()
    out["country"] = out["geo"].map(countries)
    ranked = (
        out[out["value"].notna()]
        .groupby(["indicator", "ecosystem", "period", "country"], sort=False)["value"]
        .rank(method="min", ascending=False)
    )
    out["rank"] = ranked.reindex(out.index).astype("Int64")
    return out.drop(columns="country")


def recode_nuts(obs: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Recode geo codes with a NUTS change table, summing codes that merge.

    Input ``obs``: ``geo, value, flags`` plus any key columns (e.g. ``nace, measure, period``);
    ``changes``: ``old_code, new_code``. Output: the same columns.

    * A code listed once is renamed to its ``new_code``.
    * When several rows end up with the same key (several old codes merged into one new code,
      or an old code renamed onto a code that is already there), they are summed and flagged
      ``a``; if some of them have no value the sum is a lower bound flagged ``i``, and NaN when
      none has one.
    * Codes not in the table stay as they are. A code listed with several new codes (a split)
      also stays as it is: its figures cannot be divided without weights.
    Nothing is dropped.
    """
    table = changes[["old_code", "new_code"]].dropna().drop_duplicates()
    table = table[~table["old_code"].duplicated(keep=False)]
    renamed = obs["geo"].map(dict(zip(table["old_code"], table["new_code"], strict=True)))
    out = obs.assign(geo=renamed.fillna(obs["geo"]))
    keys = [c for c in out.columns if c not in ("value", "flags")]
    merged = out.duplicated(keys, keep=False)
    if not merged.any():
        return out.reset_index(drop=True)
    summed = sum_components(out[merged], keys)
    bits = summed[list(TRACKED_FLAGS)].assign(
        **{FLAG_AGGREGATED: summed["value"].notna().to_numpy()},
        **{FLAG_INCOMPLETE: ((summed["n"] > 0) & (summed["n"] < summed["rows"])).to_numpy()},
    )
    summed["flags"] = flags_text(summed["value"], bits)
    return pd.concat([out[~merged], summed[out.columns]], ignore_index=True)
