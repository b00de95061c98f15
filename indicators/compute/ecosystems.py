"""Ecosystem indicators from national structural business statistics (pure pandas).

DataFrame in, DataFrame out; no Django. The caller reads observations and the ecosystem
mapping from the database and writes the result back.

Rules (shown on the methodology page):

* An ecosystem figure is the sum over its mapped NACE codes of ``value x share``.
* **Missing is never zero.** When some mapped components (share > 0) have no value
  (confidential ``c``, ``:`` or no row at all), the figure is the sum of the available
  components — a lower bound — flagged ``i`` (incomplete). With no component available it is
  NaN (flagged ``c`` when a component was confidential).
* **EU27_2020** is not in the 2017-vintage file (its ``EU27`` is the 2007-13 membership), so
  the observatory sums the member states per NACE code, measure and period, flagged ``a``.
  The sum is made when every member has a value, or when the members without one together
  weigh at most ``max_missing_share`` (default 5%) of the members' business-economy persons
  employed in that period; then it is a lower bound flagged ``ai``. Otherwise it is NaN
  flagged ``i``. Why a tolerance: Eurostat hides a cell when few enterprises are active, so
  a missing member is usually small in that activity, while requiring all 27 would leave most
  divisions without an EU figure (motor vehicles C29 lacks LU and MT; land transport H49
  lacks MT). Were the missing members as large in the activity as in the whole business
  economy, the understatement would stay within the tolerance. A published EU27_2020 value in
  the input always wins over the computed one.
* Other geos in the input (EU28, the old EU27, NO, CH, ...) are computed as given and get no
  rank; callers filter ``obs`` if they do not want them.
* Component flags travel: a result carries every letter of ``CARRIED_FLAGS`` found in the
  inputs it was computed from (``e`` estimated, ``p`` provisional, ``b`` break, ...).

Project flags (as in ``indicators/flags.py``): ``a`` = computed by the observatory as a sum of
published figures; ``i`` = incomplete, one or more components missing or confidential. (Old
Eurostat files also use ``i`` for "see metadata"; such an input letter is carried as ``i``.)
"""

from collections.abc import Iterable

import numpy as np
import pandas as pd

EU_CODE = "EU27_2020"
# Membership since 2020-02-01, Eurostat codes (EL = Greece). Callers normally pass the list
# from the reference tables; this is the default for the regional EU reference.
# fmt: off
EU27_2020_MEMBERS = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# fmt: on
BUSINESS_ECONOMY = "B-N_S95_X_K"
# The sections (and S95) that make up B-N_S95_X_K: the fallback when the total is missing.
BUSINESS_ECONOMY_PARTS = ("B", "C", "D", "E", "F", "G", "H", "I", "J", "L", "M", "N", "S95")
MEASURES = {"emp": "V16110", "ent": "V11110", "turnover": "V12110", "va": "V12150"}

FLAG_AGGREGATED = "a"
FLAG_INCOMPLETE = "i"
FLAG_CONFIDENTIAL = "c"
# Letters carried from components to results. "c" is only kept on NaN results: a computed
# value is not confidential, it is incomplete ("i").
CARRIED_FLAGS = "abdefpsu"
TRACKED_FLAGS = "".join(sorted(CARRIED_FLAGS + FLAG_CONFIDENTIAL + FLAG_INCOMPLETE))

OBS_COLUMNS = ["geo", "nace", "measure", "period", "value", "flags"]
OUTPUT_COLUMNS = ["indicator", "ecosystem", "geo", "period", "value", "flags", "rank"]
KEYS = ["ecosystem", "geo", "measure", "period"]


def compute_ecosystem_indicators(
    obs: pd.DataFrame,
    mapping: pd.DataFrame,
    members: Iterable[str],
    total_nace: str = BUSINESS_ECONOMY,
    max_missing_share: float = 0.05,
) -> pd.DataFrame:
    """Ecosystem indicators per country (and EU27_2020) and year.

    Input ``obs``: ``geo, nace, measure, period, value, flags`` — national SBS, ``measure`` an
    ``indic_sb`` code; only V16110, V11110, V12110, V12150 are used. ``mapping``:
    ``ecosystem, nace, share``. ``members``: EU27_2020 member geo codes.

    Output: ``indicator, ecosystem, geo, period, value, flags, rank`` with indicator one of
    ``emp, ent, turnover, va`` (sums with shares; money in million EUR), ``productivity`` (EUR
    per person employed, over the components that have both value added and persons employed;
    see :func:`productivity`), ``share_emp`` (% of business-economy persons employed), ``lq_emp``
    (location quotient vs EU27_2020). ``rank`` (Int64) is 1 for the highest value among the
    members, NA for other geos. Rows whose value is NaN and whose flags are empty are dropped.
    """
    members = frozenset(members)
    obs = prepare_obs(obs, MEASURES.values())
    obs = add_business_total(obs, total_nace)
    weights = member_weights(obs, members, total_nace)
    obs = add_eu_aggregate(obs, members, weights, max_missing_share)
    mapping = resolve_mapping(mapping, obs["nace"])
    sums = aggregate_ecosystems(obs, mapping)
    sums["indicator"] = sums["measure"].map({v: k for k, v in MEASURES.items()})
    sums = sums.drop(columns="measure")
    totals = business_totals(obs, total_nace)
    emp = sums[sums["indicator"] == "emp"]
    share = ratio(emp, totals, ["geo", "period"], scale=100.0)
    derived = [
        productivity(obs, mapping).assign(indicator="productivity"),
        share.assign(indicator="share_emp"),
        location_quotient(share).assign(indicator="lq_emp"),
    ]
    out = pd.concat([sums, *derived], ignore_index=True)
    return finish(add_rank(out, members))


def prepare_obs(obs: pd.DataFrame, measures: Iterable[str]) -> pd.DataFrame:
    """Keep the contract columns and the wanted measures; check for duplicate keys.

    Input and output: ``geo, nace, measure, period, value, flags`` (value float, flags str,
    ``''`` when none). Raises ValueError on missing columns or duplicated keys, because a
    duplicate would be double counted silently.
    """
    missing = set(OBS_COLUMNS) - set(obs.columns)
    if missing:
        raise ValueError(f"obs lacks columns {sorted(missing)}")
    out = obs.loc[obs["measure"].isin(list(measures)), OBS_COLUMNS].copy()
    out["value"] = pd.to_numeric(out["value"], errors="raise").astype("float64")
    out["flags"] = out["flags"].fillna("").astype(str)
    dup = out.duplicated(["geo", "nace", "measure", "period"])
    if dup.any():
        raise ValueError(f"obs has {int(dup.sum())} duplicated geo/nace/measure/period keys")
    return out.reset_index(drop=True)


def flag_bits(flags: pd.Series) -> pd.DataFrame:
    """One boolean column per letter of ``TRACKED_FLAGS`` (named by the letter)."""
    # Few distinct flag strings: test the letters once per distinct string, then index.
    codes, uniques = pd.factorize(flags.fillna("").astype(str))
    letters = pd.Series(uniques, dtype=object)
    return pd.DataFrame(
        {ch: letters.str.contains(ch, regex=False).to_numpy(dtype=bool)[codes] for ch in TRACKED_FLAGS},
        index=flags.index,
    )


def flags_text(value: pd.Series, bits: pd.DataFrame) -> pd.Series:
    """Flags string (letters in alphabetical order) from letter bits.

    Carried letters and ``i`` are kept on values; only ``c`` and ``i`` on NaN values.
    """
    has_value = value.notna().to_numpy()
    parts = []
    for ch in TRACKED_FLAGS:
        keep = has_value if ch in CARRIED_FLAGS else ~has_value if ch == FLAG_CONFIDENTIAL else True
        parts.append(np.where(bits[ch].to_numpy() & keep, ch, ""))
    text = parts[0].astype(object)
    for part in parts[1:]:
        text = text + part
    return pd.Series(text, index=value.index, dtype=object)


def add_business_total(obs: pd.DataFrame, total_nace: str = BUSINESS_ECONOMY) -> pd.DataFrame:
    """Fill a missing business-economy total with the sum of its sections.

    Input/output: obs columns. For each ``geo, measure, period`` whose ``total_nace`` row is
    absent or NaN, a row is added (or replaced) with the sum of B–N and S95 when all thirteen
    have a value, flagged ``a`` plus the sections' carried flags. Otherwise nothing changes.
    """
    keys = ["geo", "measure", "period"]
    tot = obs[(obs["nace"] == total_nace) & obs["value"].notna()]
    parts = obs[obs["nace"].isin(BUSINESS_ECONOMY_PARTS)]
    summed = sum_components(parts, keys)
    summed = summed[summed["n"] == len(BUSINESS_ECONOMY_PARTS)]
    summed = _anti_join(summed, tot, keys)
    if summed.empty:
        return obs
    bits = summed[list(TRACKED_FLAGS)].assign(**{FLAG_AGGREGATED: True})
    new = summed[keys].assign(nace=total_nace, value=summed["value"])
    new["flags"] = flags_text(new["value"], bits)
    rest = _anti_join(obs, new[keys].assign(nace=total_nace), [*keys, "nace"])
    return pd.concat([rest, new[OBS_COLUMNS]], ignore_index=True)


def sum_components(df: pd.DataFrame, keys: list[str], weight: str | None = None) -> pd.DataFrame:
    """Group sum with counts and flag bits.

    Input: ``keys``, ``value``, ``flags`` (and the ``weight`` column if given, multiplied in).
    Carried letters count only from rows with a value; ``c`` and ``i`` from any row.
    Output: ``keys``, ``value`` (sum of available values, NaN when none), ``n`` (values
    available), ``rows`` (rows in the group) and one boolean column per letter of
    ``TRACKED_FLAGS``.
    """
    bits = flag_bits(df["flags"])
    has_value = df["value"].notna()
    for ch in CARRIED_FLAGS:  # a missing component's "p" or "e" says nothing about the sum
        bits[ch] &= has_value
    work = pd.concat([df[keys], bits], axis=1)
    work["value"] = df["value"] * df[weight] if weight else df["value"]
    work["n"] = has_value
    grouped = work.groupby(keys, sort=False, observed=True)
    out = grouped[list(TRACKED_FLAGS)].any()
    out["n"] = grouped["n"].sum()
    out["rows"] = grouped.size()
    out["value"] = grouped["value"].sum(min_count=1)
    return out.reset_index()


def member_weights(obs: pd.DataFrame, members: frozenset, total_nace: str) -> pd.DataFrame:
    """Business-economy persons employed per member and period, the size used to judge gaps.

    Input: obs. Output: ``geo, period, weight`` (members with a value only).
    """
    sel = (
        (obs["nace"] == total_nace)
        & (obs["measure"] == MEASURES["emp"])
        & obs["geo"].isin(members)
        & obs["value"].notna()
    )
    return obs.loc[sel, ["geo", "period", "value"]].rename(columns={"value": "weight"})


def add_eu_aggregate(
    obs: pd.DataFrame,
    members: frozenset,
    weights: pd.DataFrame | None = None,
    max_missing_share: float = 0.0,
    eu_code: str = EU_CODE,
) -> pd.DataFrame:
    """Add ``eu_code`` rows: the sum of the members per ``nace, measure, period``.

    Input: obs columns; ``weights`` as from :func:`member_weights`. Output: obs plus
    ``eu_code`` rows. Computed when all members have a value (flags ``a`` + carried), or when
    the missing members weigh at most ``max_missing_share`` of the members' total weight in
    that period (flags ``ai``, a lower bound); else NaN flagged ``i`` (``c`` too when a member
    was confidential). Published non-NaN ``eu_code`` values are kept and not recomputed.
    """
    keys = ["nace", "measure", "period"]
    mem = obs[obs["geo"].isin(members)]
    if weights is None:  # no sizes known: only complete sums
        weights = obs.loc[obs.index[:0], ["geo", "period"]].assign(weight=np.nan)
    mem = mem.merge(weights, on=["geo", "period"], how="left")
    mem["present_weight"] = mem["weight"].where(mem["value"].notna())
    agg = sum_components(mem, keys)
    agg = agg.merge(
        mem.groupby(keys, sort=False)["present_weight"].sum().rename("present_weight"),
        on=keys,
    )
    agg = agg.merge(_weight_totals(weights, members), on="period", how="left")
    missing_share = 1.0 - agg["present_weight"] / agg["total_weight"]
    complete = agg["n"] == len(members)
    ok = complete | (missing_share <= max_missing_share + 1e-12)  # "at most", despite rounding
    agg["value"] = agg["value"].where(ok)
    bits = agg[list(TRACKED_FLAGS)].assign(
        **{FLAG_AGGREGATED: ok.to_numpy(), FLAG_INCOMPLETE: ((agg["n"] > 0) & ~complete).to_numpy()}
    )
    new = agg[keys].assign(geo=eu_code, value=agg["value"])
    new["flags"] = flags_text(new["value"], bits)
    new = new[(new["value"].notna()) | (new["flags"] != "")]
    published = obs[(obs["geo"] == eu_code) & obs["value"].notna()]
    new = _anti_join(new, published, keys)
    rest = _anti_join(obs, new, ["geo", *keys])
    return pd.concat([rest, new[OBS_COLUMNS]], ignore_index=True)


def _weight_totals(weights: pd.DataFrame, members: frozenset) -> pd.DataFrame:
    """Total member weight per period, only for periods where every member has one."""
    w = weights[weights["geo"].isin(members)]
    tot = w.groupby("period").agg(total_weight=("weight", "sum"), k=("weight", "count"))
    return tot[tot["k"] == len(members)][["total_weight"]].reset_index()


def _anti_join(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of ``left`` whose ``keys`` do not occur in ``right``."""
    if right.empty:
        return left
    marks = left[keys].merge(right[keys].drop_duplicates(), on=keys, how="left", indicator=True)["_merge"]
    return left[(marks == "left_only").to_numpy()]


def resolve_mapping(mapping: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Validate the mapping and keep the rows whose NACE code the dataset has.

    Input: ``ecosystem, nace, share``; ``codes`` = the dataset's NACE codes. Output: the same
    columns, rows with share > 0 and a code present in the data. Raises ValueError on shares
    outside [0, 1], duplicated ecosystem/nace rows, a code allocated more than once over
    (shares summing above 1), or a code mapped together with one of its ancestors (e.g. C25
    and C254), all of which would double count.
    """
    m = mapping[["ecosystem", "nace", "share"]].copy()
    m["share"] = pd.to_numeric(m["share"], errors="raise").astype("float64")
    if not m["share"].between(0.0, 1.0).all():
        raise ValueError("mapping shares must lie in [0, 1]")
    if m.duplicated(["ecosystem", "nace"]).any():
        raise ValueError("mapping has duplicated ecosystem/nace rows")
    over = m.groupby("nace")["share"].sum()
    if (over > 1.0 + 1e-9).any():
        raise ValueError(f"mapping shares sum above 1 for {sorted(over[over > 1 + 1e-9].index)}")
    m = m[(m["share"] > 0) & m["nace"].isin(pd.unique(codes))].reset_index(drop=True)
    used = sorted(set(m["nace"]))
    nested = [(a, b) for a in used for b in used if a != b and b.startswith(a)]
    if nested:
        raise ValueError(f"mapping uses a code and its parent together: {nested[:5]}")
    return m


def aggregate_ecosystems(obs: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Ecosystem sums: value x share over the mapped NACE codes.

    Input: obs columns; ``mapping`` as from :func:`resolve_mapping`. Output: ``ecosystem,
    geo, measure, period, value, flags``. A code without a value, or without a row, counts as
    missing: value = sum of the available components flagged ``i``; NaN when none is
    available (flagged ``c`` if a component was confidential, else dropped).
    """
    expected = mapping.groupby("ecosystem").size().rename("expected")
    joined = obs.merge(mapping, on="nace", how="inner")
    agg = sum_components(joined, KEYS, weight="share")
    agg = agg.merge(expected, left_on="ecosystem", right_index=True)
    bits = agg[list(TRACKED_FLAGS)].assign(
        **{
            FLAG_INCOMPLETE: (
                agg[FLAG_INCOMPLETE] | ((agg["n"] > 0) & (agg["n"] < agg["expected"]))
            ).to_numpy()
        }
    )
    out = agg[KEYS].assign(value=agg["value"])
    out["flags"] = flags_text(out["value"], bits)
    return out[(out["value"].notna()) | (out["flags"] != "")].reset_index(drop=True)


def productivity(obs: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Apparent labour productivity: value added x 1e6 / persons employed (EUR per person).

    Input: obs (V12150 in million EUR, V16110) and a resolved mapping. Output: ``ecosystem,
    geo, period, value, flags``. Only components with both value added and persons employed
    enter numerator and denominator alike, so a confidential value added does not pull the
    ratio down; leaving a component out flags the result ``i``.
    """
    keys = ["geo", "nace", "period"]
    va = obs[obs["measure"] == MEASURES["va"]]
    emp = obs[obs["measure"] == MEASURES["emp"]]
    both = va[keys + ["value"]].merge(emp[keys + ["value"]], on=keys, suffixes=("_va", "_emp"))
    both = both.loc[both["value_va"].notna() & both["value_emp"].notna(), keys]
    paired = []
    for part in (va, emp):
        matched = part.merge(both.assign(_pair=True), on=keys, how="left")["_pair"].notna()
        paired.append(part.assign(value=part["value"].where(matched.to_numpy())))
    sums = aggregate_ecosystems(pd.concat(paired, ignore_index=True), mapping)
    num = sums[sums["measure"] == MEASURES["va"]].drop(columns="measure")
    den = sums[sums["measure"] == MEASURES["emp"]].drop(columns="measure")
    return ratio(num, den, ["ecosystem", "geo", "period"], scale=1e6)


def business_totals(obs: pd.DataFrame, total_nace: str = BUSINESS_ECONOMY) -> pd.DataFrame:
    """Business-economy persons employed per geo and period.

    Input: obs (after :func:`add_business_total`). Output: ``geo, period, value, flags``.
    """
    sel = (obs["nace"] == total_nace) & (obs["measure"] == MEASURES["emp"])
    return obs.loc[sel, ["geo", "period", "value", "flags"]]


def ratio(num: pd.DataFrame, den: pd.DataFrame, on: list[str], scale: float = 1.0) -> pd.DataFrame:
    """``num.value / den.value * scale`` matched on ``on``, with the union of both flags.

    Input: frames with ``on`` columns, ``value``, ``flags`` (``num`` may have more key
    columns, which are kept). Output: ``num``'s key columns, ``value``, ``flags``. NaN when
    either side is missing or the denominator is 0; such rows are dropped unless flagged.
    """
    keys = [c for c in num.columns if c not in ("value", "flags", "indicator")]
    merged = num[[*keys, "value", "flags"]].merge(
        den[[*on, "value", "flags"]], on=on, how="inner", suffixes=("", "_den")
    )
    den_value = merged["value_den"].where(merged["value_den"] != 0)
    value = merged["value"] / den_value * scale
    bits = flag_bits(merged["flags"]) | flag_bits(merged["flags_den"])
    out = merged[keys].assign(value=value)
    out["flags"] = flags_text(out["value"], bits)
    return out[(out["value"].notna()) | (out["flags"] != "")].reset_index(drop=True)


def location_quotient(share: pd.DataFrame, eu_code: str = EU_CODE) -> pd.DataFrame:
    """Location quotient: a geo's share divided by the EU's share, same ecosystem and period.

    Input: ``ecosystem, geo, period, value, flags`` (shares, any unit). Output: same columns;
    the EU's own LQ is 1. Flags are the geo's own plus ``i`` when the EU reference is
    incomplete; the reference's other letters (``a``, ``e``, ``b``...) are not spread to every
    country's quotient.
    """
    eu = share[share["geo"] == eu_code].drop(columns="geo")
    eu = eu.assign(flags=np.where(eu["flags"].str.contains(FLAG_INCOMPLETE), FLAG_INCOMPLETE, ""))
    return ratio(share, eu, ["ecosystem", "period"])


def add_rank(df: pd.DataFrame, members: frozenset) -> pd.DataFrame:
    """Rank members per ``indicator, ecosystem, period``: 1 = highest, ties share the best rank.

    Input: ``indicator, ecosystem, geo, period, value`` (+ any). Output: the same plus ``rank``
    (Int64); NA for non-members, aggregates and NaN values.
    """
    is_member = df["geo"].isin(members) & df["value"].notna()
    ranked = (
        df[is_member]
        .groupby(["indicator", "ecosystem", "period"], sort=False)["value"]
        .rank(method="min", ascending=False)
    )
    out = df.copy()
    out["rank"] = ranked.reindex(df.index).astype("Int64")
    return out


def finish(df: pd.DataFrame) -> pd.DataFrame:
    """Output column order, plain dtypes and a stable sort."""
    out = df[OUTPUT_COLUMNS].sort_values(["indicator", "ecosystem", "geo", "period"])
    out["flags"] = out["flags"].astype(str)
    return out.reset_index(drop=True)
