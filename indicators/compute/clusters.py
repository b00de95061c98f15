"""Regional cluster indicators, stars and the US "strong cluster" rule (pure pandas, no Django).

Rules (shown on the methodology page and beside every badge):

* **Regions**: NUTS 2, harmonised to NUTS 2021 exactly as the ecosystem figures
  (:func:`indicators.compute.nuts.harmonise`, JRC converter, population weights; split
  regions' figures are estimates, marker ``E``).
* **Category figures**: ``Σ division value × traded_share × weight`` over the category's NACE
  divisions (definitions: ``indicators/compute/cluster_definitions.py``), for persons employed
  (V16110), local units (V11210) and wages and salaries (V13320). A component missing or
  confidential makes the figure **incomplete** (marker ``I``, a lower bound); with no component
  available it is NaN, ``c`` when one was confidential — never 0.
* **Traded employment** of a region = Σ over the traded categories = ``Σ division emp ×
  traded_share``, confidential divisions estimated from section or country residuals
  (:func:`traded_totals`, marker ``E``). **LQ** (traded categories) = (category emp /
  traded emp) / (the same for the EU), the EU pooled over the EU27_2020 regions with both
  figures complete. Emerging industries (which overlap) are compared with the region's
  business-economy total instead (:func:`indicators.compute.regional.region_totals`).
* **Wages** per person employed (wages × 10⁶ / persons employed; the file has no employee
  counts) over the category's EU level (pooled the same way): ``wage_ratio``.
* **Growth**: % change of the category's persons employed over ``growth_window`` years, both
  ends complete; the EU's growth pooled over EU regions complete at both ends.
* **Reference set** of every percentile: the EU27_2020 regions whose figure is complete and
  > 0 in that category and year; regions outside the EU are judged against the same cut-offs.
  The *percentile* of a value is the share of the reference set at or below it.
* **Stars** (one per rule met; a rule whose inputs are incomplete or confidential is *not
  assessed* and never gives a star):
  ``size`` — employment ≥ the employment of the region at position ⌈top_share × n⌉ of the
  reference set sorted descending (ties at the cut-off all pass);
  ``specialisation`` — LQ ≥ ``specialisation_lq``;
  ``productivity`` — wage_ratio ≥ ``productivity_ratio``;
  ``dynamism`` — growth ≥ EU growth + ``dynamism_margin`` percentage points.
* **US strong cluster** (clustermapping.us): LQ ≥ the ``us_lq_percentile`` quantile of the
  reference LQs (linear interpolation, numpy's default) and LQ ≥ ``us_lq_min``, and
  employment and local units ≥ their ``us_size_percentile`` quantiles. Traded categories only.
* **Cluster strength** of a region: the share of its traded employment in categories that are
  strong (US rule), or that have at least ``strong_min_stars`` stars (stars method).
"""

import math

import numpy as np
import pandas as pd

from indicators.compute import nuts
from indicators.compute.ecosystems import (
    FLAG_CONFIDENTIAL,
    aggregate_ecosystems,
    prepare_obs,
    ratio,
    resolve_mapping,
)
from indicators.compute.markers import INCOMPLETE
from indicators.compute.regional import (
    DIVISION_PATTERN,
    PUBLISHED_VERSION,
    confidential_zeros,
    country_codes,
    markers_apart,
    nuts2_mask,
    rank_in_country,
    region_totals,
    with_provenance,
)

MEASURES = {"emp": "V16110", "units": "V11210", "wages": "V13320"}
TRADED, EMERGING = "traded", "emerging"
STARS = ("size", "specialisation", "productivity", "dynamism")
DEFAULT_PARAMETERS = {
    "size_top_share": 0.10,
    "specialisation_lq": 2.0,
    "productivity_ratio": 1.0,
    "dynamism_margin": 0.0,
    "growth_window": 3,
    "us_lq_percentile": 0.75,
    "us_lq_min": 1.0,
    "us_size_percentile": 0.25,
    "strong_min_stars": 2,
}
STRENGTH_KEY = "all-traded"  # the breakdown key of a region's overall cluster strength
KEYS = ["category", "geo", "period"]


class ClusterInputError(ValueError):
    """Definitions or parameters that cannot be used."""


# ---------------------------------------------------------------- category figures


def check_definitions(definitions: pd.DataFrame) -> pd.DataFrame:
    """``category, kind, nace, weight, traded_share`` -> the same plus ``share`` (float).

    Raises ClusterInputError on missing columns, an unknown kind, weights outside [0, 1], or
    traded weights not summing to 1 (± 1e-4) per division.
    """
    need = ["category", "kind", "nace", "weight", "traded_share"]
    missing = [c for c in need if c not in definitions.columns]
    if missing:
        raise ClusterInputError(f"cluster definitions lack column(s) {', '.join(missing)}")
    d = definitions[need].copy()
    for col in ("weight", "traded_share"):
        d[col] = pd.to_numeric(d[col], errors="raise").astype("float64")
        if not d[col].between(0.0, 1.0).all():
            raise ClusterInputError(f"cluster definitions: {col} must lie in [0, 1]")
    bad = set(d["kind"]) - {TRADED, EMERGING}
    if bad:
        raise ClusterInputError(f"cluster definitions: unknown kind(s) {sorted(bad)}")
    sums = d[d["kind"] == TRADED].groupby("nace")["weight"].sum()
    off = sums[(sums - 1.0).abs() > 1e-4]
    if not off.empty:
        raise ClusterInputError(f"traded weights do not sum to 1 for {sorted(off.index)[:5]}")
    d["share"] = d["weight"] * d["traded_share"]
    return d


def category_sums(obs: pd.DataFrame, definitions: pd.DataFrame) -> pd.DataFrame:
    """Category sums: ``category, geo, measure, period, value, flags`` (legacy ``i`` flag on
    incomplete sums; confidential-only sums NaN ``c``). Each traded set and each emerging
    industry is summed on its own (they overlap)."""
    groups = [definitions[definitions["kind"] == TRADED]] + [
        g for _, g in definitions[definitions["kind"] == EMERGING].groupby("category")
    ]
    out = []
    for g in groups:
        if g.empty:
            continue
        mapping = resolve_mapping(g.rename(columns={"category": "ecosystem"}), obs["nace"])
        if mapping.empty:
            continue
        out.append(confidential_zeros(aggregate_ecosystems(obs, mapping), obs, mapping))
    if not out:
        return pd.DataFrame(columns=["category", "geo", "measure", "period", "value", "flags"])
    return pd.concat(out, ignore_index=True).rename(columns={"ecosystem": "category"})


def traded_totals(
    obs: pd.DataFrame, definitions: pd.DataFrame, national: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Traded persons employed per region-year: ``geo, period, value, flags, markers``.

    ``Σ division emp × traded_share`` over the divisions with a value; a division without one
    (confidential or missing) is estimated — marker ``E`` — from its **section's residual**:
    the section as published minus its divisions with a value (≥ 0), times the mean traded
    share of the section's missing divisions. Where the section has no published total either
    (Germany's D and E), from the **country's residual** (``national``: the country's own
    figure for the division minus its regions' published ones, ≥ 0), shared among the regions
    missing it in proportion to their employment in the divisions they publish. Otherwise the
    total is incomplete (flag ``i``, a lower bound) and gives no LQ a star.
    """
    ts = definitions[definitions["kind"] == TRADED].drop_duplicates("nace").set_index("nace")["traded_share"]
    emp = obs[obs["measure"] == MEASURES["emp"]]
    is_div = emp["nace"].astype(str).str.match(DIVISION_PATTERN)
    divs = emp[is_div].assign(section=lambda d: d["nace"].str[0], ts=lambda d: d["nace"].map(ts).fillna(0.0))
    divs = divs[divs["section"].isin(list("BCDEFGHIJLMN")) | (divs["nace"] == "S95")]
    divs.loc[divs["nace"] == "S95", "section"] = "S95"
    sections = emp[emp["nace"].isin([*"BCDEFGHIJLMN", "S95"])][["geo", "period", "nace", "value"]]
    sections = sections.rename(columns={"nace": "section", "value": "section_total"})
    known = divs["value"].notna()
    per = (
        divs.assign(
            traded=divs["value"] * divs["ts"],
            known_emp=divs["value"].where(known, 0.0),
            miss=~known,
            miss_ts=divs["ts"].where(~known),
        )
        .groupby(["geo", "period", "section"], as_index=False)
        .agg(
            traded=("traded", "sum"),
            known_emp=("known_emp", "sum"),
            miss=("miss", "sum"),
            miss_ts=("miss_ts", "mean"),
        )
    )
    per = per.merge(sections, on=["geo", "period", "section"], how="left")
    s95 = per["section"] == "S95"  # a division standing for itself: its own cell or nothing
    per.loc[s95, "section_total"] = np.nan
    residual = (per["section_total"] - per["known_emp"]).clip(lower=0)
    per["estimate"] = np.where(per["miss"] > 0, residual * per["miss_ts"].fillna(0.0), 0.0)
    per["short"] = (per["miss"] > 0) & per["estimate"].isna()
    if national is not None and per["short"].any():
        per = _national_fill(per, divs, national)
    per["estimate"] = per["estimate"].fillna(0.0)
    per["estimated"] = (per["miss"] > 0) & ~per["short"]
    g = per.groupby(["geo", "period"], as_index=False).agg(
        traded=("traded", "sum"),
        estimate=("estimate", "sum"),
        short=("short", "any"),
        estimated=("estimated", "any"),
    )
    out = g[["geo", "period"]].assign(value=g["traded"] + g["estimate"])
    out["flags"] = np.where(g["short"], "i", "")
    out["markers"] = np.where(g["estimated"] & ~g["short"], nuts.MARKER_ESTIMATED, "")
    return out


def _national_fill(per: pd.DataFrame, divs: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    """Estimate the short sections of ``per`` from the country residual (see traded_totals)."""
    keys = ["geo", "period", "section"]
    short = per.loc[per["short"], keys]
    missing = divs[divs["value"].isna()].merge(short, on=keys)
    if missing.empty:
        return per
    known = divs[divs["value"].notna()].assign(country=lambda d: d["geo"].str[:2])
    published = known.groupby(["country", "period", "nace"])["value"].sum().rename("published")
    nat = national[national["measure"] == MEASURES["emp"]][["geo", "period", "nace", "value"]]
    nat = nat.rename(columns={"geo": "country", "value": "national"}).set_index(["country", "period", "nace"])
    size = known.groupby(["geo", "period"])["value"].sum().rename("size")
    m = missing.assign(country=missing["geo"].str[:2]).merge(
        size, left_on=["geo", "period"], right_index=True
    )
    m = m.join(nat, on=["country", "period", "nace"]).join(published, on=["country", "period", "nace"])
    residual = (m["national"] - m["published"].fillna(0.0)).clip(lower=0)
    share = m["size"] / m.groupby(["country", "period", "nace"])["size"].transform("sum")
    m["est"] = residual * share * m["ts"]
    got = m.groupby(keys).agg(est=("est", "sum"), ok=("est", lambda e: e.notna().all()))
    out = per.merge(got, left_on=keys, right_index=True, how="left")
    fill = out["short"] & out["ok"].fillna(False).astype(bool)
    out.loc[fill, "estimate"] = out.loc[fill, "est"]
    out.loc[fill, "short"] = False
    return out.drop(columns=["est", "ok"])


def pooled_ratio(num, den, on, members, countries, join=("geo", "period"), scale=1.0):
    """EU level per ``on``: Σ num / Σ den over the member regions where both are complete
    (a value, no ``i`` flag), matched on ``join``."""
    join = list(join)
    both = num.merge(den[[*join, "value", "flags"]], on=join, suffixes=("", "_d"))
    ok = (
        both["geo"].map(countries).isin(members)
        & both["value"].notna()
        & both["value_d"].notna()
        & ~both["flags"].str.contains("i", regex=False)
        & ~both["flags_d"].str.contains("i", regex=False)
    )
    eu = both[ok].groupby(on, as_index=False)[["value", "value_d"]].sum()
    return eu.assign(value=eu["value"] / eu["value_d"].where(eu["value_d"] != 0) * scale, flags="")[
        [*on, "value", "flags"]
    ]


def compute_cluster_figures(
    obs: pd.DataFrame,
    definitions: pd.DataFrame,
    members,
    converter: pd.DataFrame | None = None,
    nominal_version: int = PUBLISHED_VERSION,
) -> pd.DataFrame:
    """Per NUTS 2 region × category × year, threshold-free figures.

    Input: obs (``geo, nace, measure, period, value, flags``; V16110, V11210, V13320),
    definitions (see :func:`check_definitions`), ``members`` the EU reference countries,
    ``converter`` the JRC NUTS 2 converter. Output (long): ``indicator, ecosystem (= category
    slug), geo, period, value, flags, markers, rank, published_geo, geo_version`` with
    indicators ``emp``, ``units``, ``wages`` (million EUR), ``lq`` (vs the EU, on traded
    employment for traded categories, on the business economy for emerging ones),
    ``wage_ratio`` (wages per person employed over the category's EU level), ``share`` (% of
    the region's business-economy persons employed) and ``traded_emp`` (key ``all-traded``).
    """
    defs = check_definitions(definitions)
    obs = prepare_obs(obs, MEASURES.values())
    national = obs[obs["geo"].str.len() == 2].assign(period=lambda d: d["period"].astype(str))
    obs = obs[nuts2_mask(obs["geo"])].assign(period=lambda d: d["period"].astype(str))
    provenance = None
    if converter is not None:
        obs, provenance, _ = nuts.harmonise(obs, converter, nominal_version)
    divisions = obs[obs["nace"].astype(str).str.match(DIVISION_PATTERN)]
    sums = category_sums(divisions, defs)
    name = {v: k for k, v in MEASURES.items()}
    sums["indicator"] = sums["measure"].map(name)
    sums = sums.drop(columns="measure")
    emp = sums[sums["indicator"] == "emp"].drop(columns="indicator")
    wages = sums[sums["indicator"] == "wages"].drop(columns="indicator")
    countries = country_codes(obs["geo"])
    members = frozenset(members)
    kinds = defs.drop_duplicates("category").set_index("category")["kind"]

    traded = traded_totals(obs[obs["nace"].astype(str).str.len() <= 3], defs, national)
    business = region_totals(obs)
    parts = [sums]
    for kind, total in ((TRADED, traded), (EMERGING, business)):
        e = emp[emp["category"].map(kinds) == kind]
        if e.empty:
            continue
        share = ratio(e, total, ["geo", "period"])
        eu = pooled_ratio(e, total, ["category", "period"], members, countries)
        parts.append(ratio(share, eu, ["category", "period"]).assign(indicator="lq"))
    parts.append(ratio(emp, business, ["geo", "period"], scale=100.0).assign(indicator="share"))
    # Wages per person employed (EUR) over the category's EU level.
    wpe = ratio(wages, emp, ["category", "geo", "period"], scale=1e6)
    join = ["category", "geo", "period"]
    eu_wpe = pooled_ratio(wages, emp, ["category", "period"], members, countries, join=join, scale=1e6)
    parts.append(ratio(wpe, eu_wpe, ["category", "period"]).assign(indicator="wage_ratio"))
    parts.append(traded.drop(columns="markers").assign(category=STRENGTH_KEY, indicator="traded_emp"))
    out = pd.concat(parts, ignore_index=True).rename(columns={"category": "ecosystem"})
    out["flags"] = out["flags"].fillna("").astype(str)
    out = rank_in_country(out, countries)
    out = out[["indicator", "ecosystem", "geo", "period", "value", "flags", "rank"]]
    out = out.sort_values(["indicator", "ecosystem", "geo", "period"]).reset_index(drop=True)
    out = markers_apart(with_provenance(out, provenance))
    # Our estimate of the traded total (section residuals) shows on it and on the traded LQs.
    est = traded.loc[traded["markers"] != "", ["geo", "period"]].assign(est=True)
    out = out.merge(est, on=["geo", "period"], how="left")
    on_total = out["est"].fillna(False).astype(bool) & (
        (out["indicator"] == "traded_emp")
        | ((out["indicator"] == "lq") & (out["ecosystem"].map(kinds) == TRADED))
    )
    out.loc[on_total, "markers"] = [
        "".join(sorted(set(m) | {nuts.MARKER_ESTIMATED})) for m in out.loc[on_total, "markers"]
    ]
    return out.drop(columns="est")


# ---------------------------------------------------------------- stars


def wide(figures: pd.DataFrame) -> pd.DataFrame:
    """Long figures -> one row per ``category, geo, period`` with ``emp, units, lq,
    wage_ratio`` and, per figure, ``ok_<name>`` (complete: has a value, no marker ``I``, no
    flag ``c``)."""
    f = figures[figures["ecosystem"] != STRENGTH_KEY]
    f = f[f["indicator"].isin(["emp", "units", "lq", "wage_ratio"])]
    markers = f["markers"] if "markers" in f else pd.Series("", index=f.index)
    ok = (
        f["value"].notna()
        & ~markers.fillna("").astype(str).str.contains(INCOMPLETE, regex=False)
        & ~f["flags"].fillna("").astype(str).str.contains(FLAG_CONFIDENTIAL, regex=False)
    )
    f = f.assign(ok=ok, period=f["period"].astype(str)).rename(columns={"ecosystem": "category"})
    values = f.pivot_table(index=KEYS, columns="indicator", values="value", aggfunc="first")
    oks = f.pivot_table(index=KEYS, columns="indicator", values="ok", aggfunc="first")
    out = values.join(oks.add_prefix("ok_")).reset_index()
    for col in ("emp", "units", "lq", "wage_ratio"):
        if col not in out:
            out[col] = np.nan
        out[f"ok_{col}"] = out.get(f"ok_{col}", pd.Series(False, index=out.index))
        out[f"ok_{col}"] = out[f"ok_{col}"].astype("boolean").fillna(False).astype(bool)
    out.columns.name = None
    return out


def growth(w: pd.DataFrame, window: int, members, countries) -> pd.DataFrame:
    """``growth`` (% change of emp over ``window`` years, both ends complete), ``base_period``
    and ``eu_growth`` (pooled over member regions complete at both ends) per row of ``w``."""
    w = w.copy()
    w["base_period"] = (pd.to_numeric(w["period"]) - window).astype(int).astype(str)
    base = w[["category", "geo", "period", "emp", "ok_emp"]].rename(
        columns={"period": "base_period", "emp": "emp_base", "ok_emp": "ok_base"}
    )
    w = w.merge(base, on=["category", "geo", "base_period"], how="left")
    w["ok_base"] = w["ok_base"].astype("boolean").fillna(False).astype(bool)
    both = w["ok_emp"] & w["ok_base"] & (w["emp_base"] > 0)
    w["growth"] = np.where(both, (w["emp"] / w["emp_base"].where(w["emp_base"] > 0) - 1) * 100, np.nan)
    member = w["geo"].map(countries).isin(members)
    pool = w[both & member].groupby(["category", "period"])[["emp", "emp_base"]].sum()
    eu = ((pool["emp"] / pool["emp_base"] - 1) * 100).rename("eu_growth")
    w = w.merge(eu, left_on=["category", "period"], right_index=True, how="left")
    w["ok_growth"] = both & w["eu_growth"].notna()
    return w.drop(columns=["ok_base"])


def percentile_of(values: pd.Series, reference: pd.Series) -> pd.Series:
    """Share of ``reference`` at or below each value (NaN where the value is NaN)."""
    found = _percentile(values.to_numpy(dtype=float), reference.dropna().to_numpy(dtype=float))
    return pd.Series(found, index=values.index)


def _percentile(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """percentile_of on numpy arrays (``reference`` without NaN), as assess() uses it per group."""
    if len(reference) == 0:
        return np.full(len(values), np.nan)
    pos = np.searchsorted(np.sort(reference), values, side="right")
    return np.where(np.isnan(values), np.nan, pos / len(reference))


def size_cutoff(reference: pd.Series, top_share: float) -> float:
    """The employment a region needs for the size star: the value at position
    ⌈top_share × n⌉ of the reference sorted descending (NaN for an empty reference)."""
    ref = np.sort(reference.dropna().to_numpy())[::-1]
    if len(ref) == 0 or top_share <= 0:
        return np.nan
    k = max(1, math.ceil(top_share * len(ref) - 1e-9))
    return float(ref[min(k, len(ref)) - 1])


def assess(
    figures: pd.DataFrame,
    parameters: dict,
    kinds: dict[str, str] | None = None,
    *,
    members,
    periods=None,
) -> pd.DataFrame:
    """Stars and the US rule per ``category, geo, period`` (only PERIODS when given: the others
    serve as growth bases).

    Input: ``figures`` as from :func:`compute_cluster_figures` (long; needs emp, units, lq,
    wage_ratio), ``parameters`` (keys of DEFAULT_PARAMETERS; missing ones take the default),
    ``kinds`` category -> traded|emerging (the US rule is for traded ones; default all traded).
    Output: one row per ``category, geo, period`` with the figures, ``growth, base_period,
    eu_growth``; per rule ``<rule>`` (True / False / NA = not assessed), ``<rule>_cut`` (the
    threshold in the rule's unit) and ``<rule>_pct`` (the value's percentile); ``stars``
    (Int64: rules met; NA when employment itself is not complete), ``assessed`` (rules
    assessed), ``us_strong`` (boolean, NA when not assessed) and the US cut-offs
    ``us_lq_cut, us_emp_cut, us_units_cut``.
    """
    p = {**DEFAULT_PARAMETERS, **{k: v for k, v in parameters.items() if v is not None}}
    members = frozenset(members)
    w = wide(figures)
    if w.empty:
        return w
    countries = country_codes(w["geo"])
    w = growth(w, int(p["growth_window"]), members, countries)
    if periods is not None:
        w = w[w["period"].isin([str(x) for x in periods])]
        if w.empty:
            return w
    member = w["geo"].map(countries).isin(members).to_numpy(dtype=bool)
    # Per category x period, on numpy arrays (one group is a few hundred regions; hundreds of
    # groups): the reference sets are the member regions whose figure is complete.
    val = {c: w[c].to_numpy(dtype=float) for c in ("emp", "units", "lq", "wage_ratio", "growth")}
    ok = {c: w[f"ok_{c}"].to_numpy(dtype=bool) for c in val}
    with np.errstate(invalid="ignore"):
        positive = {c: val[c] > 0 for c in ("emp", "units")}
    refs = {
        "emp": member & ok["emp"] & positive["emp"],
        "units": member & ok["units"] & positive["units"],
        "lq": member & ok["lq"] & ok["emp"] & positive["emp"],
        "wage_ratio": member & ok["wage_ratio"],
        "growth": member & ok["growth"],
    }
    names = ("size_cut", "size_pct", "specialisation_pct", "productivity_pct", "dynamism_pct")
    names += ("us_lq_cut", "us_emp_cut", "us_units_cut", "units_pct")
    out = {name: np.full(len(w), np.nan) for name in names}
    pct_of = {"size_pct": "emp", "specialisation_pct": "lq", "productivity_pct": "wage_ratio"}
    pct_of |= {"dynamism_pct": "growth", "units_pct": "units"}
    cut_of = {"us_lq_cut": ("lq", "us_lq_percentile"), "us_emp_cut": ("emp", "us_size_percentile")}
    cut_of |= {"us_units_cut": ("units", "us_size_percentile")}
    for rows in w.groupby(["category", "period"], sort=False).indices.values():
        ref = {c: val[c][rows][refs[c][rows]] for c in refs}
        out["size_cut"][rows] = size_cutoff(pd.Series(ref["emp"]), p["size_top_share"])
        for name, c in pct_of.items():
            out[name][rows] = _percentile(np.where(ok[c][rows], val[c][rows], np.nan), ref[c])
        for name, (c, q) in cut_of.items():
            if len(ref[c]):
                out[name][rows] = np.quantile(ref[c], p[q])
    w = w.assign(
        size_cut=out["size_cut"],
        size_pct=out["size_pct"],
        specialisation_cut=p["specialisation_lq"],
        specialisation_pct=out["specialisation_pct"],
        productivity_cut=p["productivity_ratio"],
        productivity_pct=out["productivity_pct"],
        dynamism_cut=w["eu_growth"] + p["dynamism_margin"],
        dynamism_pct=out["dynamism_pct"],
        us_lq_cut=out["us_lq_cut"],
        us_emp_cut=out["us_emp_cut"],
        us_units_cut=out["us_units_cut"],
        units_pct=out["units_pct"],
    )
    rules = {
        "size": (w["ok_emp"] & w["size_cut"].notna(), w["emp"] >= w["size_cut"]),
        "specialisation": (w["ok_lq"] & w["ok_emp"], w["lq"] >= w["specialisation_cut"]),
        "productivity": (w["ok_wage_ratio"] & w["ok_emp"], w["wage_ratio"] >= w["productivity_cut"]),
        "dynamism": (w["ok_growth"], w["growth"] >= w["dynamism_cut"]),
    }
    for rule, (assessable, met) in rules.items():
        w[rule] = pd.array(np.where(assessable, met, False), dtype="boolean")
        w.loc[~assessable.to_numpy(), rule] = pd.NA
    star_cols = w[list(STARS)]
    w["assessed"] = star_cols.notna().sum(axis=1).astype(int)
    w["stars"] = star_cols.fillna(False).astype(int).sum(axis=1).astype("Int64")
    w.loc[~w["ok_emp"].to_numpy(), "stars"] = pd.NA
    kinds = kinds or {}
    traded = w["category"].map(lambda c: kinds.get(c, TRADED) == TRADED)
    us_ok = traded & w["ok_emp"] & w["ok_lq"] & w["ok_units"] & w["us_lq_cut"].notna()
    us_met = (
        (w["lq"] >= w["us_lq_cut"])
        & (w["lq"] >= p["us_lq_min"])
        & (w["emp"] >= w["us_emp_cut"])
        & (w["units"] >= w["us_units_cut"])
    )
    w["us_strong"] = pd.array(np.where(us_ok, us_met, False), dtype="boolean")
    w.loc[~us_ok.to_numpy(), "us_strong"] = pd.NA
    return w.sort_values(KEYS).reset_index(drop=True)


def strength(assessed: pd.DataFrame, figures: pd.DataFrame, min_stars: int, kinds=None) -> pd.DataFrame:
    """A region's cluster strength: % of its traded employment in strong clusters.

    Output: ``geo, period, method (stars|us), value`` (NaN where the traded total is not
    complete). Categories not assessed count as not strong.
    """
    kinds = kinds or {}
    a = assessed[assessed["category"].map(lambda c: kinds.get(c, TRADED) == TRADED)]
    tot = figures[(figures["indicator"] == "traded_emp") & (figures["ecosystem"] == STRENGTH_KEY)]
    ok = tot["value"].notna() & ~tot["markers"].fillna("").str.contains(INCOMPLETE, regex=False)
    tot = tot.loc[ok, ["geo", "period", "value"]].rename(columns={"value": "traded"})
    tot = tot.assign(period=tot["period"].astype(str))
    out = []
    for method, strong in (
        ("stars", a["stars"].fillna(0) >= min_stars),
        ("us", a["us_strong"].fillna(False).astype(bool)),
    ):
        emp = a["emp"].where(strong & a["ok_emp"], 0.0)
        s = emp.groupby([a["geo"], a["period"]]).sum().rename("strong").reset_index()
        s = s.merge(tot, on=["geo", "period"])
        out.append(s.assign(method=method, value=s["strong"] / s["traded"] * 100))
    return pd.concat(out, ignore_index=True)[["geo", "period", "method", "value"]]


def star_values(assessed: pd.DataFrame, figures: pd.DataFrame, parameters: dict, version: int, kinds=None):
    """Stored values for one parameter version: ``stars``, ``us_strong`` (1/0), ``growth``
    (%, ``base_period``), ``strength_stars``, ``strength_us`` (key ``all-traded``), each with
    ``parameter_version`` = VERSION. Not-assessed values are NaN with marker ``I``."""
    p = {**DEFAULT_PARAMETERS, **parameters}
    prov = figures[figures["indicator"] == "emp"][
        ["ecosystem", "geo", "period", "published_geo", "geo_version", "markers"]
    ].rename(columns={"ecosystem": "category"})
    prov = prov.assign(period=prov["period"].astype(str))
    a = assessed.merge(prov, on=KEYS, how="left")
    a["markers"] = a["markers"].fillna("")
    partial = a["assessed"] < len(STARS)
    base = a[[*KEYS, "published_geo", "geo_version"]].assign(flags="", rank=pd.NA, base_period="")
    stars = base.assign(
        indicator="stars",
        value=a["stars"].astype("float64"),
        markers=np.where(partial, a["markers"].str.replace(INCOMPLETE, "") + INCOMPLETE, a["markers"]),
    )
    us = base.assign(
        indicator="us_strong",
        value=a["us_strong"].astype("float64"),
        markers=np.where(a["us_strong"].isna(), INCOMPLETE, ""),
    )
    us = us[a["category"].map(lambda c: (kinds or {}).get(c, TRADED) == TRADED).to_numpy()]
    gr = base.assign(
        indicator="growth",
        value=a["growth"],
        markers="",
        base_period=a["base_period"].where(a["ok_growth"], ""),
    )
    gr = gr[a["ok_growth"].to_numpy()]
    st = strength(assessed, figures, int(p["strong_min_stars"]), kinds)
    st = st.assign(
        indicator="strength_" + st["method"],
        category=STRENGTH_KEY,
        flags="",
        rank=pd.NA,
        markers="",
        base_period="",
        published_geo="",
        geo_version="",
    ).drop(columns="method")
    out = pd.concat([stars, us, gr, st], ignore_index=True)
    out = out[out["value"].notna() | (out["markers"] != "")]
    return out.rename(columns={"category": "ecosystem"}).assign(parameter_version=version)


def compute_cluster_indicators(
    obs: pd.DataFrame,
    definitions: pd.DataFrame,
    parameter_sets: list[dict],
    members,
    converter: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Everything stored: the figures once, and the star values for each parameter set
    (``{"number": n, **thresholds}``). Indicators are prefixed ``cluster_``. No definitions
    (not loaded yet): no values."""
    if definitions.empty:
        return pd.DataFrame(
            {
                "indicator": pd.Series(dtype=object),
                "ecosystem": pd.Series(dtype=object),
                "geo": pd.Series(dtype=object),
                "period": pd.Series(dtype=object),
                "value": pd.Series(dtype="float64"),
                "flags": pd.Series(dtype=object),
                "rank": pd.Series(dtype="Int64"),
            }
        )
    figures = compute_cluster_figures(obs, definitions, members, converter)
    kinds = definitions.drop_duplicates("category").set_index("category")["kind"].to_dict()
    parts = [figures[figures["indicator"] != "wages"]]
    for params in parameter_sets:
        assessed = assess(figures, params, kinds, members=members)
        if assessed.empty:
            continue
        parts.append(star_values(assessed, figures, params, int(params["number"]), kinds))
    out = pd.concat(parts, ignore_index=True)
    out["indicator"] = "cluster_" + out["indicator"].astype(str)
    return out
