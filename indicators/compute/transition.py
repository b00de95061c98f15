"""Twin-transition scoreboard of the member states: digital and green indicators and composites.

Pure pandas, no Django. Inputs are observation frames (``geo, measure, period, value, flags``
and, for DESI, ``extra`` with ``edition=<year>`` and ``unit``); outputs are indicator values
(``indicator, ecosystem, geo, period, value, flags, markers, rank, base_period``). The column
``ecosystem`` holds the value's breakdown key: ``DESI_<edition>`` for DESI figures (the edition
the figure comes from), the Eurostat indicator code for the Digital Intensity Index (its version
3 and 4 are not comparable), ``total`` otherwise.

Method (shown on /transition/ and the methodology page):

* **DESI** (European Commission, DESI 2022 workbook). Every figure is stored under its
  **reference year**, not the DESI edition; when several editions carry a figure for the same
  reference year, the latest edition's figure is kept (it may include revisions). Shares
  (0–1 in the workbook) become %; scores stay 0–100. The EU figure is DESI's own.
* **Emissions and energy** (Our World in Data, CO2 data, 2021 vintage, to 2018). CO2 and GHG
  per capita (t), per unit of GDP (kg per international-$ of 2011, PPP; GHG per GDP is ours:
  ``total_ghg / gdp``), energy per unit of GDP (kWh per international-$) and per capita (kWh).
  OWID publishes no EU27 GDP, GHG or energy: the EU27 figure is then the **sum over the
  members** (emissions, energy, GDP, population) divided as above, marked ``A``. Members lacking
  a part are left out of both sums and listed (``missing_geos``, marker ``I``: never ranked nor
  a base), and only when they weigh at most 5% of the members' population (e.g. Czechia, which
  has no energy figures in this vintage); otherwise no EU figure.
* **Change since a base year**: % change of a level from the base year (a parameter,
  ``base_year``; 2005, the base year of the EU's 2030 effort-sharing and ETS targets) to each
  later year; ``base_period`` says the base. No change from or to a missing figure.
* **Eurostat**: SMEs (10–249 persons employed) with at least a basic level of digital
  intensity (``isoc_e_dii``, DII version 3 in odd years, 4 in even years: not comparable with
  each other), enterprises using any AI technology (``isoc_eb_ai``), CO2 per inhabitant from
  the air emissions accounts (``env_ac_ainah_r2``, kg -> t) and its change since
  ``eurostat_base_year``.
* **Rank**: 1 = best among the EU27 members by the indicator's direction (highest where higher
  is better or neutral, lowest where lower is better); missing values are never ranked.
* **Composites** (``digital_position``, ``green_position``, ``green_progress``): see
  :func:`composite`. Components, directions and weights are versioned parameters we write
  (``fixtures/reference/transition_composites.csv``), equal weights by default; min-max
  normalisation over the 27 members to 0–100; a member lacking a component gets no composite.
  The EU27 point is normalised with the members' bounds (not ranked). :func:`sensitivity`
  recomputes the ranks with z-scores and with each component left out in turn.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from indicators.sources.nace import SECTIONS, aggregate_divisions

EU = "EU27_2020"
AGGREGATE, INCOMPLETE = "A", "I"
MAX_MISSING_SHARE = 0.05
# EU27 ratios from member sums: indicator -> (numerator, denominator, scale)
EU_RATIOS = {
    "co2_per_capita": ("co2", "population", 1e6),  # Mt / persons -> t per person
    "ghg_per_capita": ("total_ghg", "population", 1e6),
    "co2_per_gdp": ("co2", "gdp", 1e9),  # Mt / int-$ -> kg per int-$
    "ghg_per_gdp": ("total_ghg", "gdp", 1e9),
    "energy_per_gdp": ("primary_energy_consumption", "gdp", 1e9),  # TWh / int-$ -> kWh per int-$
    "energy_per_capita": ("primary_energy_consumption", "population", 1e9),
}
VALUE_COLUMNS = [
    "missing_geos",
    "indicator",
    "ecosystem",
    "geo",
    "period",
    "value",
    "flags",
    "markers",
    "rank",
    "base_period",
]

# DESI workbook code -> (indicator code, higher is better)
DESI_INDICATORS = {
    "desi": "desi_index",
    "d1": "desi_human_capital",
    "d2": "desi_connectivity",
    "d3": "desi_integration",
    "d4": "desi_public_services",
    "3a1": "desi_sme_basic_di",
    "3b1": "desi_ebusiness_erp",
    "3b3": "desi_big_data",
    "3b4": "desi_cloud",
    "3b5": "desi_ai",
    "3b6": "desi_ict_green",
    "3b7": "desi_einvoices",
    "3c1": "desi_sme_online",
}
SCORES = {"desi", "d1", "d2", "d3", "d4"}

# OWID column -> our indicator (levels). GHG per GDP is ours (total_ghg / gdp).
OWID_LEVELS = {
    "co2_per_capita": "co2_per_capita",
    "ghg_per_capita": "ghg_per_capita",
    "co2_per_gdp": "co2_per_gdp",
    "ghg_per_gdp": "ghg_per_gdp",
    "energy_per_gdp": "energy_per_gdp",
    "energy_per_capita": "energy_per_capita",
}
OWID_PARTS = ("co2", "total_ghg", "primary_energy_consumption", "population", "gdp")
OWID_MEASURES = (
    *OWID_PARTS,
    "co2_per_capita",
    "ghg_per_capita",
    "co2_per_gdp",
    "energy_per_gdp",
    "energy_per_capita",
)
# level indicator -> change indicator
CHANGES = {
    "co2_per_capita": "co2_per_capita_change",
    "ghg_per_capita": "ghg_per_capita_change",
    "co2_per_gdp": "co2_per_gdp_change",
    "ghg_per_gdp": "ghg_per_gdp_change",
    "energy_per_gdp": "energy_per_gdp_change",
}
LOWER_IS_BETTER = {
    *OWID_LEVELS.values(),
    *CHANGES.values(),
    "co2_hab_eurostat",
    "co2_hab_eurostat_change",
    "ets_emissions",
    "ets_emissions_change",
}
COMPOSITES = ("digital_position", "green_position", "green_progress")
DEFAULT_BASE_YEAR = 2005
DEFAULT_EUROSTAT_BASE_YEAR = 2010


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in VALUE_COLUMNS})


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in VALUE_COLUMNS:
        if column not in out:
            out[column] = "" if column not in ("value", "rank") else np.nan
    for column in ("flags", "markers", "base_period", "ecosystem", "missing_geos"):
        out[column] = out[column].fillna("").astype(str)
    out["value"] = pd.to_numeric(out["value"]).astype("float64")
    out["rank"] = out["rank"].astype("Int64")
    return out[VALUE_COLUMNS].reset_index(drop=True)


def add_rank(values: pd.DataFrame, members: Iterable[str]) -> pd.DataFrame:
    """Rank 1 = best among MEMBERS per indicator, breakdown key and period (see module doc)."""
    members = frozenset(members)
    out = values.copy()
    out["rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    rankable = out["geo"].isin(members) & out["value"].notna() & ~out["markers"].fillna("").str.contains("I")
    if not rankable.any():
        return out
    part = out[rankable]
    ascending = part["indicator"].isin(LOWER_IS_BETTER)
    score = part["value"].where(ascending, -part["value"])
    ranks = score.groupby([part["indicator"], part["ecosystem"], part["period"]]).rank(method="min")
    out.loc[rankable, "rank"] = ranks.astype("Int64")
    return out


# ------------------------------------------------------------------------------ digital


def edition_of(extra: pd.Series) -> pd.Series:
    """The DESI edition (int) from the ``extra`` column (``edition=2022``)."""
    found = extra.fillna("").astype(str).str.extract(r"(?:^|\|)edition=(\d{4})")[0]
    if found.isna().any():
        raise ValueError("DESI observations lack their edition (extra 'edition=<year>')")
    return found.astype(int)


def latest_edition(desi: pd.DataFrame) -> pd.DataFrame:
    """One row per (geo, measure, reference year): the latest edition's; adds ``edition``."""
    frame = desi.assign(edition=edition_of(desi["extra"]))
    frame = frame[frame["value"].notna()]
    frame = frame.sort_values("edition").drop_duplicates(["geo", "measure", "period"], keep="last")
    return frame.reset_index(drop=True)


def digital_indicators(desi: pd.DataFrame, members: Iterable[str]) -> pd.DataFrame:
    """DESI indicators by reference year (breakdown key ``DESI_<edition>``), % or score."""
    frame = latest_edition(desi[desi["measure"].isin(list(DESI_INDICATORS))])
    if frame.empty:
        return _empty()
    share = ~frame["measure"].isin(SCORES) & (frame.get("unit", "SHARE") != "SCORE")
    values = frame["value"].where(~share, frame["value"] * 100.0)
    out = pd.DataFrame(
        {
            "indicator": frame["measure"].map(DESI_INDICATORS),
            "ecosystem": "DESI_" + frame["edition"].astype(str),
            "geo": frame["geo"],
            "period": frame["period"].astype(str),
            "value": values,
            "flags": frame["flags"].fillna(""),
            "markers": "",
        }
    )
    return _finish(add_rank(out, members))


def eurostat_uptake(dii: pd.DataFrame | None, ai: pd.DataFrame | None, members) -> pd.DataFrame:
    """SMEs with at least basic digital intensity (key = DII version code) and AI use, %."""
    parts = []
    if dii is not None and not dii.empty:
        d = dii[dii["measure"].isin(["E_DI3_GELO", "E_DI4_GELO"])]
        parts.append(d.assign(indicator="sme_basic_di", ecosystem=d["measure"]))
    if ai is not None and not ai.empty:
        a = ai[ai["measure"] == "E_AI_TANY"]
        parts.append(a.assign(indicator="ent_ai", ecosystem="total"))
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    out = out[out["value"].notna() | out["flags"].fillna("").str.contains("c")]
    dup = out.duplicated(["indicator", "ecosystem", "geo", "period"])
    if dup.any():
        raise ValueError("uptake observations repeat a geo/period: filter size class and activity first")
    out = out.assign(markers="")[["indicator", "ecosystem", "geo", "period", "value", "flags", "markers"]]
    return _finish(add_rank(out, members))


# ------------------------------------------------------------------------------ green


def change_since(levels: pd.DataFrame, base_year: int, names: dict[str, str]) -> pd.DataFrame:
    """% change of each level indicator from BASE_YEAR to every later year (same geo, key).

    Rows without a base value or an end value give nothing; an incomplete (``I``) base or end
    neither. ``base_period`` is the base year.
    """
    frame = levels[levels["indicator"].isin(list(names)) & levels["value"].notna()]
    frame = frame[~frame["markers"].fillna("").str.contains("I")]
    base = frame[frame["period"] == str(base_year)][["indicator", "ecosystem", "geo", "value", "markers"]]
    later = frame[frame["period"].astype(int) > base_year]
    merged = later.merge(base, on=["indicator", "ecosystem", "geo"], suffixes=("", "_base"))
    merged = merged[merged["value_base"] != 0]
    if merged.empty:
        return _empty()
    out = pd.DataFrame(
        {
            "indicator": merged["indicator"].map(names),
            "ecosystem": merged["ecosystem"],
            "geo": merged["geo"],
            "period": merged["period"],
            "value": (merged["value"] / merged["value_base"] - 1.0) * 100.0,
            "flags": merged["flags"].fillna(""),
            "markers": [
                "".join(sorted(set(a) | set(b)))
                for a, b in zip(merged["markers"].fillna(""), merged["markers_base"].fillna(""), strict=True)
            ],
            "base_period": str(base_year),
        }
    )
    return _finish(out)


def _wide(owid: pd.DataFrame) -> pd.DataFrame:
    dup = owid.duplicated(["geo", "measure", "period"])
    if dup.any():
        raise ValueError(f"OWID observations repeat {int(dup.sum())} geo/measure/year keys")
    return owid.pivot_table(index=["geo", "period"], columns="measure", values="value", aggfunc="first")


def green_levels(owid: pd.DataFrame, members: Iterable[str]) -> pd.DataFrame:
    """Levels per country and year from OWID, with the EU27 filled from member sums (marked A)."""
    members = frozenset(members)
    wide = _wide(owid[owid["measure"].isin(OWID_MEASURES)])
    for column in OWID_MEASURES:
        if column not in wide:
            wide[column] = np.nan
    wide["ghg_per_gdp"] = wide["total_ghg"] * 1e9 / wide["gdp"]  # Mt -> kg, per int-$
    wide = wide.reset_index()
    # EU27: published EU figures win; else member sums over the members having both parts,
    # when the others weigh at most MAX_MISSING_SHARE of the members' population (marked I).
    member_rows = wide[wide["geo"].isin(members)].set_index(["period", "geo"])
    published = wide[wide["geo"] == EU].set_index("period")
    rows = []
    for period, part in member_rows.groupby(level="period"):
        part = part.droplevel("period")
        weight = part["population"].reindex(sorted(members))
        for indicator, (num, den, scale) in EU_RATIOS.items():
            have = published[indicator].get(period, np.nan) if indicator in published else np.nan
            if pd.notna(have):
                rows.append((indicator, EU, period, have, "", ""))
                continue
            both = part[[num, den]].dropna()
            missing = sorted(members - set(both.index))
            if len(missing) == len(members):
                continue
            lost = weight.reindex(missing).sum() / weight.sum() if weight.sum() else 1.0
            if lost > MAX_MISSING_SHARE:
                continue
            value = both[num].sum() * scale / both[den].sum()
            marks = AGGREGATE + (INCOMPLETE if missing else "")
            rows.append((indicator, EU, period, value, marks, " ".join(missing)))
    countries = wide[wide["geo"] != EU].melt(
        id_vars=["geo", "period"], value_vars=list(OWID_LEVELS), var_name="indicator", value_name="value"
    )
    countries = countries[countries["value"].notna()].assign(markers="")
    eu_frame = pd.DataFrame(rows, columns=["indicator", "geo", "period", "value", "markers", "missing_geos"])
    out = pd.concat([countries, eu_frame], ignore_index=True).assign(ecosystem="total", flags="")
    return _finish(out)


def green_indicators(
    owid: pd.DataFrame, members: Iterable[str], base_year: int = DEFAULT_BASE_YEAR
) -> pd.DataFrame:
    levels = green_levels(owid, members)
    changes = change_since(levels, base_year, CHANGES)
    return _finish(add_rank(pd.concat([levels, changes], ignore_index=True), members))


def eurostat_co2(env: pd.DataFrame, members, base_year: int = DEFAULT_EUROSTAT_BASE_YEAR) -> pd.DataFrame:
    """CO2 per inhabitant (t) from the air emissions accounts, and its % change since BASE_YEAR."""
    frame = env[(env["measure"] == "CO2") & env["value"].notna()]
    if frame.empty:
        return _empty()
    dup = frame.duplicated(["geo", "period"])
    if dup.any():
        raise ValueError("air emissions repeat a geo/year: filter nace TOTAL and unit KG_HAB first")
    levels = _finish(
        pd.DataFrame(
            {
                "indicator": "co2_hab_eurostat",
                "ecosystem": "total",
                "geo": frame["geo"],
                "period": frame["period"],
                "value": frame["value"] / 1000.0,
                "flags": frame["flags"].fillna(""),
                "markers": "",
            }
        )
    )
    changes = change_since(levels, base_year, {"co2_hab_eurostat": "co2_hab_eurostat_change"})
    return _finish(add_rank(pd.concat([levels, changes], ignore_index=True), members))


# ------------------------------------------------------------------------------ composites


def check_weights(weights: pd.DataFrame) -> pd.DataFrame:
    """Validate the composites' parameters: ``composite, indicator, direction (+/-), weight``.

    Raises ValueError for an unknown composite, a direction other than + or -, a negative
    weight, a repeated component, or weights of a composite not summing to 1.
    """
    w = weights[["composite", "indicator", "direction", "weight"]].copy()
    w["weight"] = pd.to_numeric(w["weight"], errors="raise").astype(float)
    unknown = sorted(set(w["composite"]) - set(COMPOSITES))
    if unknown:
        raise ValueError(f"unknown composite(s) {unknown}; expected {list(COMPOSITES)}")
    if not w["direction"].isin(["+", "-"]).all():
        raise ValueError("direction must be + (higher is better) or - (lower is better)")
    if (w["weight"] < 0).any():
        raise ValueError("weights must not be negative")
    if w.duplicated(["composite", "indicator"]).any():
        raise ValueError("a composite lists a component twice")
    sums = w.groupby("composite")["weight"].sum()
    bad = sums[(sums - 1.0).abs() > 1e-9]
    if not bad.empty:
        raise ValueError(f"weights of {', '.join(bad.index)} sum to {bad.iloc[0]:g}, not 1")
    return w


def normalise(column: pd.Series, members: Iterable[str], direction: str, method: str = "minmax") -> pd.Series:
    """Scale COLUMN (indexed by geo) with the members' values: min-max to 0–100 (best member 100)
    or z-scores (mean 0, sd 1). ``direction`` '-' flips it so that higher is always better."""
    ref = column[column.index.isin(list(members))].dropna()
    sign = 1.0 if direction == "+" else -1.0
    if method == "minmax":
        low, high = ref.min(), ref.max()
        if not np.isfinite(high - low) or high == low:
            return pd.Series(np.nan, index=column.index)
        scaled = (column - low) / (high - low)
        return 100.0 * (scaled if sign > 0 else 1.0 - scaled)
    if method == "zscore":
        sd = ref.std(ddof=0)
        if not sd:
            return pd.Series(np.nan, index=column.index)
        return sign * (column - ref.mean()) / sd
    raise ValueError(f"unknown normalisation {method!r}: use minmax or zscore")


def composite(
    table: pd.DataFrame, weights: pd.DataFrame, members: Iterable[str], method: str = "minmax"
) -> pd.Series:
    """Weighted sum of the normalised components (columns of TABLE, index geo).

    ``weights``: ``indicator, direction, weight`` of one composite. A geo missing any component
    gets NaN (never a partial score). Min-max scores lie in 0–100 for members.
    """
    members = list(members)
    missing = [c for c in weights["indicator"] if c not in table]
    if missing:
        raise ValueError(f"composite components without values: {missing}")
    parts = [
        normalise(table[row.indicator], members, row.direction, method) * row.weight
        for row in weights.itertuples(index=False)
    ]
    total = pd.concat(parts, axis=1)
    return total.sum(axis=1, min_count=len(parts)).where(total.notna().all(axis=1))


def sensitivity(table: pd.DataFrame, weights: pd.DataFrame, members: Iterable[str]) -> pd.DataFrame:
    """Members' ranks under the default method and its variants (index geo, one column each):
    ``minmax`` (default), ``zscore``, and ``without <component>`` for each component (the others
    re-weighted to sum to 1); then ``rank_min``, ``rank_max`` and ``spread`` (max - min)."""
    members = list(members)
    variants = {
        "minmax": composite(table, weights, members),
        "zscore": composite(table, weights, members, "zscore"),
    }
    if len(weights) > 1:
        for left_out in weights["indicator"]:
            rest = weights[weights["indicator"] != left_out].copy()
            if rest["weight"].sum() <= 0:
                continue
            rest["weight"] = rest["weight"] / rest["weight"].sum()
            variants[f"without {left_out}"] = composite(table, rest, members)
    scores = pd.DataFrame(variants)
    scores = scores[scores.index.isin(members)]
    ranks = scores.rank(ascending=False, method="min")
    ranks["rank_min"] = ranks.min(axis=1)
    ranks["rank_max"] = ranks.drop(columns="rank_min").max(axis=1)
    ranks["spread"] = ranks["rank_max"] - ranks["rank_min"]
    return ranks


def latest_table(
    values: pd.DataFrame, indicators: Iterable[str], members: Iterable[str]
) -> tuple[pd.DataFrame, dict]:
    """Wide table (index geo, one column per indicator) at each indicator's latest year that
    most members have a value for (ties: later); returns it and indicator -> year used.

    Members' figures marked incomplete (I) are left out; the EU27's are kept (it is only placed,
    never ranked) and the caller marks its composite I (see :func:`composites`)."""
    members = frozenset(members)
    columns, years = {}, {}
    for indicator in indicators:
        rows = values[(values["indicator"] == indicator) & values["value"].notna()]
        rows = rows[~rows["markers"].fillna("").str.contains("I") | (rows["geo"] == EU)]
        counts = rows[rows["geo"].isin(members)].groupby("period")["geo"].nunique()
        if counts.empty:
            continue
        year = max(p for p, n in counts.items() if n == counts.max())
        years[indicator] = year
        at = rows[rows["period"] == year].drop_duplicates("geo", keep="last")
        columns[indicator] = at.set_index("geo")["value"]
    return pd.DataFrame(columns), years


def composites(values: pd.DataFrame, weights: pd.DataFrame, members: Iterable[str]) -> pd.DataFrame:
    """The three composites per member (and the EU27, with the members' bounds, unranked).

    ``period`` is the latest year of the components used; each composite's components and
    their years are in :func:`latest_table`'s second result (the page states them).
    """
    members = list(members)
    weights = check_weights(weights)
    rows = []
    for name in COMPOSITES:
        w = weights[weights["composite"] == name]
        if w.empty:
            continue
        table, years = latest_table(values, w["indicator"], members)
        if set(w["indicator"]) - set(table.columns):
            continue  # a component has no values at all: no composite
        score = composite(table, w, members)
        period = max(years.values())
        base = ""
        if name == "green_progress":
            bases = values[values["indicator"].isin(list(w["indicator"]))]["base_period"]
            base = bases[bases != ""].min() if (bases != "").any() else ""
        eu_rows = values[
            (values["geo"] == EU)
            & values["indicator"].isin(list(w["indicator"]))
            & values["period"].isin(list(years.values()))
        ]
        eu_incomplete = any(
            INCOMPLETE in m
            for i, p, m in zip(eu_rows["indicator"], eu_rows["period"], eu_rows["markers"], strict=True)
            if years.get(i) == p
        )
        for geo, value in score.dropna().items():
            if geo in members or geo == EU:
                marks = INCOMPLETE if geo == EU and eu_incomplete else ""
                rows.append((name, "total", geo, period, value, "", marks, base))
    if not rows:
        return _empty()
    out = pd.DataFrame(
        rows, columns=["indicator", "ecosystem", "geo", "period", "value", "flags", "markers", "base_period"]
    )
    return _finish(add_rank(out, members))


# ------------------------------------------------------------------------------ EU ETS


def ets_by_ecosystem(
    ets: pd.DataFrame, mapping: pd.DataFrame, base_year: int = DEFAULT_BASE_YEAR
) -> pd.DataFrame:
    """EU ETS verified emissions (Mt CO2-eq) allocated to ecosystems by our activity map.

    ``ets``: ``geo, measure (ETS<nn>), period, value``; ``mapping``: ``activity, ecosystem,
    share``. An ecosystem-year is the sum of value x share over its mapped activities; a year in
    which one of them has no figure (aviation before 2012) gives no value, never a smaller sum.
    Also the % change since BASE_YEAR (``ets_emissions_change``) where both years are complete.
    Raises ValueError when an activity's shares sum above 1 (it would be counted twice).
    """
    m = mapping[["activity", "ecosystem", "share"]].copy()
    m["share"] = pd.to_numeric(m["share"]).astype(float)
    over = m.groupby("activity")["share"].sum()
    if (over > 1 + 1e-9).any():
        raise ValueError(f"ETS map shares sum above 1 for {sorted(over[over > 1 + 1e-9].index)}")
    frame = ets[ets["value"].notna()].merge(m, left_on="measure", right_on="activity")
    if frame.empty:
        return _empty()
    frame = frame.assign(part=frame["value"] * frame["share"])
    sums = frame.groupby(["ecosystem", "geo", "period"]).agg(value=("part", "sum"), n=("activity", "nunique"))
    needed = m.groupby("ecosystem")["activity"].nunique()
    sums = sums.reset_index()
    sums = sums[sums["n"].to_numpy() == needed.reindex(sums["ecosystem"]).to_numpy()]
    levels = _finish(
        sums.assign(indicator="ets_emissions", flags="", markers="")[
            ["indicator", "ecosystem", "geo", "period", "value", "flags", "markers"]
        ]
    )
    changes = change_since(levels, base_year, {"ets_emissions": "ets_emissions_change"})
    return _finish(pd.concat([levels, changes], ignore_index=True))


# ------------------------------------------------------------------------------ air emissions by ecosystem

AIR_UNITS = {"T": 1e-3, "THS_T": 1.0}  # -> thousand tonnes


def divisions_of(code: str) -> tuple[str, ...]:
    """The NACE divisions an air-emissions activity code covers: 'C19' -> (C19,), 'C10-C12' ->
    (C10, C11, C12), 'C31_C32' -> (C31, C32), 'D' -> (D35,); () for TOTAL, HH and the like."""
    return aggregate_divisions(code)


def emission_mapping(codes, mapping: pd.DataFrame) -> pd.DataFrame:
    """Our division-level ecosystem mapping carried to the codes the accounts publish.

    A code covering several divisions takes, for each ecosystem, the mean of its divisions'
    shares (divisions assumed to weigh alike: an approximation, said on the page). A whole
    section is used only when the data has none of its divisions. Output: ``nace, ecosystem,
    share`` (share > 0).
    """
    codes = set(codes)
    shares = mapping.groupby(["nace", "ecosystem"])["share"].sum()
    rows = []
    for code in sorted(codes):
        divisions = divisions_of(code)
        if not divisions:
            continue
        if code in SECTIONS and any(c != code and c.startswith(code) and c[1:2].isdigit() for c in codes):
            continue  # finer codes of the section are published: the section would count twice
        for ecosystem in mapping["ecosystem"].unique():
            total = sum(float(shares.get((d, ecosystem), 0.0)) for d in divisions)
            if total > 0:
                rows.append((code, ecosystem, total / len(divisions)))
    return pd.DataFrame(rows, columns=["nace", "ecosystem", "share"])


def air_emissions_by_ecosystem(
    env: pd.DataFrame, mapping: pd.DataFrame, members: Iterable[str]
) -> pd.DataFrame:
    """CO2 (and GHG) from the air emissions accounts by NACE, summed into ecosystems.

    ``env``: ``geo, nace, measure (airpol), unit (T or THS_T), period, value, flags``. Output
    ``eco_co2`` (thousand tonnes) and ``eco_co2_share`` (% of all NACE activities, code TOTAL,
    households excluded) and the same for GHG (``eco_ghg``, ``eco_ghg_share``). A code of the
    ecosystem without a value gives a lower bound marked I (never ranked, never a share's base);
    none of them published: no value. Empty when the file has no NACE breakdown (the mirror's
    extract has TOTAL only).
    """
    frame = env[env["unit"].isin(list(AIR_UNITS)) & env["measure"].isin(["CO2", "GHG"])].copy()
    if frame.empty:
        return _empty()
    frame["value"] = frame["value"] * frame["unit"].map(AIR_UNITS)
    if frame.duplicated(["geo", "nace", "measure", "period"]).any():
        frame = frame.sort_values("unit").drop_duplicates(["geo", "nace", "measure", "period"], keep="first")
    emap = emission_mapping(frame["nace"].unique(), mapping)
    if emap.empty:
        return _empty()
    joined = frame.merge(emap, on="nace")
    joined = joined.assign(part=joined["value"] * joined["share"])
    keys = ["ecosystem", "geo", "measure", "period"]
    sums = joined.groupby(keys).agg(value=("part", lambda s: s.sum(min_count=1)), n=("value", "count"))
    expected = emap.groupby("ecosystem").size()
    sums = sums.reset_index()
    sums["markers"] = np.where(
        sums["n"].to_numpy() < expected.reindex(sums["ecosystem"]).to_numpy(), INCOMPLETE, ""
    )
    sums = sums[sums["value"].notna()]
    totals = frame[frame["nace"] == "TOTAL"][["geo", "measure", "period", "value"]].rename(
        columns={"value": "total"}
    )
    shares = sums.merge(totals, on=["geo", "measure", "period"])
    shares = shares[(shares["total"] > 0) & (shares["markers"] == "")]
    name = {"CO2": "eco_co2", "GHG": "eco_ghg"}
    out = pd.concat(
        [
            sums.assign(indicator=sums["measure"].map(name)),
            shares.assign(
                indicator=shares["measure"].map(name) + "_share",
                value=shares["value"] / shares["total"] * 100,
            ),
        ],
        ignore_index=True,
    ).assign(flags="")
    return _finish(add_rank(_finish(out), members))
