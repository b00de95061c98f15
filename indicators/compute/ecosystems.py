"""Ecosystem indicators from national structural business statistics (pure pandas).

DataFrame in, DataFrame out; no Django. The caller reads observations, the ecosystem mapping
and the EU member states (the Country reference) from the database and writes the result back.

Publisher flags and our markers are kept apart. ``flags`` holds Eurostat's letters only, carried
from the inputs a figure is computed from (``b d e f i p r s u`` from inputs that have a value;
``c`` only on a figure that has no value). ``markers`` holds ours
(:mod:`indicators.compute.markers`): ``A`` computed aggregate, ``E`` includes our estimate,
``I`` incomplete.

The method (shown on the methodology page, section "EU aggregates"):

* **Ecosystem figure.** The sum over the ecosystem's mapped NACE codes of ``value x share``.
  The share is judged on persons employed and applied unchanged to every measure
  (``SHARE_APPLIES``): the part of an activity that belongs to an ecosystem is assumed to have
  the activity's average enterprises, turnover and value added per person employed. So
  enterprise counts are weighted and can be fractional, and value added is weighted too.
* **Missing is never zero.** A country's figure with a mapped code missing or confidential is
  the sum of the codes that have a value, a lower bound marked ``I``; NaN when none has one.
  National cells are never estimated.
* **EU27_2020** (absent from the 2017-vintage file) is the sum of the member states per NACE
  code, measure and year, over the same code for every member, marked ``A``. A member cell that
  is missing although the member reports that measure and year (it has the business-economy
  total) is **estimated** when the member published that code and measure in some other year:
  between two published years, by linear interpolation of its values in the nearest years on
  each side; otherwise from its value in the nearest year it was published (ties: the earlier
  year) times the change, between that year and this one, of the sum of the other members that
  published the code in both years. The estimated members are listed (``estimated_geos``); the
  EU figure is marked ``E`` when the estimates make up more than ``MIN_ESTIMATE_SHARE`` (1%) of
  it in absolute value, so an unmarked EU figure is at least 99% published member cells.
* A cell a member **never published** (for that code and measure, in any year) is not
  estimated: it counts as missing with the member's weight (below). A member with no
  business-economy total for that measure and year has no data for the year: it is not
  estimated either, and marks the EU figure ``I``. Missing members are listed in
  ``missing_geos``. Their weight is their business-economy persons employed (each member's in
  that year, or in the nearest year it has one) over the members'. When the missing members
  together weigh more than ``max_missing_share`` (5%), the EU figure is not published (NaN,
  marked ``I`` with the list); at most that, it is the sum of the others — marked ``I`` (a
  lower bound) when a member had no data for the year, unmarked but listed when only
  never-published cells are missing. So no EU figure is published for a year where a large
  member has no data (e.g. FR 2008–09 persons employed, 2015), and none silently leaves an
  activity out.
* A published EU27_2020 value in the input always wins over the computed one.
* **Share** ``share_emp``: ecosystem persons employed / business-economy persons employed.
* **Location quotient** ``lq_emp``: the place's share over the EU's share, both over the
  **same activity set**: the mapped codes for which the place and the EU both have a value.
  A quotient over fewer codes than the ecosystem's, or against an EU reference marked ``I``,
  is marked ``I``; one against an estimated reference ``E``.
* **Change** ``emp_change``: % change of persons employed from the first year whose figure is
  complete (not ``I``) to each later complete year; ``base_period`` says the first year.
  Incomplete figures are never the base nor the end of a change.
* **Rank**: 1 = highest among the members; figures marked ``I`` and NaN values are not ranked.

Helpers that :mod:`indicators.compute.regional` imports from here with the old ``a``/``i``
flags semantics live in :mod:`indicators.compute.legacy` and are re-exported below.
"""

from collections.abc import Iterable

import numpy as np
import pandas as pd

from indicators.compute import markers as mk
from indicators.compute.legacy import (  # noqa: F401  (re-exported for regional.py)
    FLAG_AGGREGATED,
    FLAG_CONFIDENTIAL,
    FLAG_INCOMPLETE,
    OUTPUT_COLUMNS,
    TRACKED_FLAGS,
    aggregate_ecosystems,
    finish,
    flags_text,
    ratio,
    sum_components,
)

EU_CODE = "EU27_2020"
BUSINESS_ECONOMY = "B-N_S95_X_K"
# The sections (and S95) that make up B-N_S95_X_K: the fallback when the total is missing.
BUSINESS_ECONOMY_PARTS = ("B", "C", "D", "E", "F", "G", "H", "I", "J", "L", "M", "N", "S95")
MEASURES = {"emp": "V16110", "ent": "V11110", "turnover": "V12110", "va": "V12150"}
# Which share of the mapping applies to each measure (shown on the methodology page).
SHARE_APPLIES = {
    "emp": "the mapping's share, judged on persons employed",
    "ent": "the same employment share (enterprise counts are weighted, so can be fractional)",
    "turnover": "the same employment share (turnover per person assumed as in the whole activity)",
    "va": "the same employment share (value added per person assumed as in the whole activity)",
}
MAX_MISSING_SHARE = 0.05
# An EU figure is marked E when our estimates make up more than this share of it (in absolute
# value): on the 2017-vintage file the median estimated part of an EU ecosystem figure is 0.3%.
MIN_ESTIMATE_SHARE = 0.01

# Publisher letters: carried from inputs with a value; "c" only on results without one.
CARRIED = "bdefiprsu"
CONFIDENTIAL = "c"
FLAG_LETTERS = CARRIED + CONFIDENTIAL
# Our markers: A and E carried from inputs with a value, I from any input.
MARKER_LETTERS = mk.LETTERS
BITS = [f"f_{c}" for c in FLAG_LETTERS] + [f"m_{c}" for c in MARKER_LETTERS]
LISTS = ["missing_geos", "estimated_geos"]

OBS_COLUMNS = ["geo", "nace", "measure", "period", "value", "flags"]
CELL_COLUMNS = [*OBS_COLUMNS, "markers", *LISTS]
NATIONAL_COLUMNS = [
    "indicator",
    "ecosystem",
    "geo",
    "period",
    "value",
    "flags",
    "markers",
    "rank",
    "base_period",
    *LISTS,
]
KEYS = ["ecosystem", "geo", "measure", "period"]


def compute_ecosystem_indicators(
    obs: pd.DataFrame,
    mapping: pd.DataFrame,
    members: Iterable[str],
    total_nace: str = BUSINESS_ECONOMY,
    max_missing_share: float = MAX_MISSING_SHARE,
) -> pd.DataFrame:
    """Ecosystem indicators per country (and EU27_2020) and year, by the module's method.

    Input ``obs``: ``geo, nace, measure, period, value, flags`` — national SBS, ``measure`` an
    ``indic_sb`` code; only V16110, V11110, V12110, V12150 are used; ``period`` a year.
    ``mapping``: ``ecosystem, nace, share``. ``members``: EU27_2020 member geo codes (required,
    from the Country reference).

    Output: ``indicator, ecosystem, geo, period, value, flags, markers, rank, base_period,
    missing_geos, estimated_geos``. ``indicator`` is one of ``emp, ent, turnover, va`` (sums with
    shares; money in million EUR), ``productivity`` (EUR per person employed, over the codes
    that have both value added and persons employed), ``share_emp`` (%), ``lq_emp`` and
    ``emp_change`` (%, from ``base_period``). ``flags``: publisher letters; ``markers``: ours.
    ``rank`` (Int64): 1 = highest among the members, NA for other geos and ``I`` figures.
    ``missing_geos`` / ``estimated_geos``: space-separated member codes (EU rows only).
    Rows whose value is NaN and that carry neither flags nor markers are dropped.
    """
    members = frozenset(members)
    if not members:
        raise ValueError("members (the EU27_2020 member states) must not be empty")
    obs = prepare_obs(obs, MEASURES.values())
    obs = add_business_total(obs, total_nace)
    mapping = resolve_mapping(mapping, obs["nace"])
    codes = {*mapping["nace"], total_nace}
    obs = add_eu_aggregate(obs, members, total_nace, max_missing_share, codes=codes)
    sums = ecosystem_sums(obs, mapping)
    sums["indicator"] = sums["measure"].map({v: k for k, v in MEASURES.items()})
    sums = sums.drop(columns="measure")
    totals = business_totals(obs, total_nace)
    emp = sums[sums["indicator"] == "emp"]
    derived = [
        productivity(obs, mapping).assign(indicator="productivity"),
        ratio_of(emp, totals, ["geo", "period"], scale=100.0).assign(indicator="share_emp"),
        location_quotient(obs, mapping, totals).assign(indicator="lq_emp"),
        employment_change(emp).assign(indicator="emp_change"),
    ]
    out = pd.concat([sums, *derived], ignore_index=True)
    return finish_national(add_rank(out, members))


# ---------------------------------------------------------------- input checks


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


# ---------------------------------------------------------------- flags, markers, member lists


def letter_bits(df: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per tracked letter (``f_x`` publisher flag, ``m_X`` our marker).

    Input: ``value``, ``flags`` and optionally ``markers``. Carried letters (publisher ``b d e
    ...``, our ``A E``) count only on rows with a value; ``c`` and ``I`` on any row.
    """
    has_value = df["value"].notna().to_numpy()
    marks = df["markers"] if "markers" in df else pd.Series("", index=df.index)
    out = {}
    for prefix, text, letters in (("f_", df["flags"], FLAG_LETTERS), ("m_", marks, MARKER_LETTERS)):
        # Few distinct strings: test the letters once per distinct string, then index.
        codes, uniques = pd.factorize(text.fillna("").astype(str))
        distinct = pd.Series(uniques, dtype=object)
        for ch in letters:
            bit = distinct.str.contains(ch, regex=False).to_numpy(dtype=bool)[codes]
            carried = ch not in (CONFIDENTIAL, mk.INCOMPLETE)
            out[prefix + ch] = bit & has_value if carried else bit
    return pd.DataFrame(out, index=df.index)


def bits_text(value: pd.Series, bits: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """``flags`` and ``markers`` strings from letter bits.

    Carried publisher letters and ``A``/``E`` only on values; ``c`` only on NaN; ``I`` always.
    """
    has_value = value.notna().to_numpy()
    texts = []
    for prefix, letters in (("f_", FLAG_LETTERS), ("m_", MARKER_LETTERS)):
        text = np.full(len(value), "", dtype=object)
        for ch in sorted(letters) if prefix == "f_" else letters:
            keep = ~has_value if ch == CONFIDENTIAL else True if ch == mk.INCOMPLETE else has_value
            text = text + np.where(bits[prefix + ch].to_numpy() & keep, ch, "")
        texts.append(pd.Series(text, index=value.index, dtype=object))
    return texts[0], texts[1]


def union_lists(df: pd.DataFrame, keys: list[str], names: Iterable[str] = LISTS) -> pd.DataFrame:
    """Per ``keys``: the sorted union of the space-separated codes in each list column.

    Input: ``keys`` and list columns (missing columns count as empty). Output: ``keys`` plus
    the list columns, one row per group that has a non-empty list.
    """
    parts = []
    for name in names:
        col = df[name] if name in df else pd.Series("", index=df.index)
        filled = df.loc[col.fillna("") != "", keys].assign(_codes=col[col.fillna("") != ""])
        if filled.empty:
            continue
        joined = filled.groupby(keys, sort=False)["_codes"].agg(
            lambda s: " ".join(sorted(set(" ".join(s).split())))
        )
        parts.append(joined.rename(name))
    if not parts:
        return pd.DataFrame(columns=[*keys, *names])
    out = pd.concat(parts, axis=1).reset_index()
    for name in names:
        out[name] = out[name].fillna("") if name in out else ""
    return out


def group_cells(df: pd.DataFrame, keys: list[str], weight: str | None = None) -> pd.DataFrame:
    """Group sum with counts, letter bits and member lists.

    Input: ``keys``, ``value``, ``flags`` (+ optional ``markers``, list columns, and the
    ``weight`` column multiplied in). Output: ``keys``, ``value`` (sum of available values,
    NaN when none), ``n`` (values available), ``BITS`` columns and the list columns.
    """
    work = pd.concat([df[keys], letter_bits(df)], axis=1)
    work["value"] = df["value"] * df[weight] if weight else df["value"]
    work["n"] = df["value"].notna()
    grouped = work.groupby(keys, sort=False, observed=True)
    out = grouped[BITS].any()
    out["n"] = grouped["n"].sum()
    out["value"] = grouped["value"].sum(min_count=1)
    out = out.reset_index()
    return _with_lists(out, union_lists(df, keys), keys)


def _with_lists(df: pd.DataFrame, lists: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = df.drop(columns=[c for c in LISTS if c in df]).merge(lists, on=keys, how="left")
    for name in LISTS:
        out[name] = out[name].fillna("").astype(object)
    return out


def _texts(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``keys, value, flags, markers`` + lists from a frame with value and BITS; drop empties."""
    out = df[[*keys, "value"]].copy()
    out["flags"], out["markers"] = bits_text(df["value"], df[BITS])
    for name in LISTS:
        out[name] = df.get(name, "")
    keep = out["value"].notna() | (out["flags"] != "") | (out["markers"] != "")
    return out[keep].reset_index(drop=True)


def _anti_join(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of ``left`` whose ``keys`` do not occur in ``right``."""
    if right.empty:
        return left
    marks = left[keys].merge(right[keys].drop_duplicates(), on=keys, how="left", indicator=True)["_merge"]
    return left[(marks == "left_only").to_numpy()]


def _cells(obs: pd.DataFrame) -> pd.DataFrame:
    """Obs with the markers and list columns present (empty when absent)."""
    out = obs.copy()
    for name in ("markers", *LISTS):
        out[name] = out[name].fillna("").astype(object) if name in out else ""
    return out[CELL_COLUMNS]


# ---------------------------------------------------------------- totals


def add_business_total(obs: pd.DataFrame, total_nace: str = BUSINESS_ECONOMY) -> pd.DataFrame:
    """Fill a missing business-economy total with the sum of its sections.

    Input: obs columns. Output: obs columns plus ``markers`` and list columns. For each ``geo,
    measure, period`` whose ``total_nace`` row is absent or NaN, a row is added (or replaced)
    with the sum of B–N and S95 when all thirteen have a value, marked ``A`` and carrying the
    sections' flags. Otherwise nothing changes.
    """
    obs = _cells(obs)
    keys = ["geo", "measure", "period"]
    tot = obs[(obs["nace"] == total_nace) & obs["value"].notna()]
    summed = group_cells(obs[obs["nace"].isin(BUSINESS_ECONOMY_PARTS)], keys)
    summed = summed[summed["n"] == len(BUSINESS_ECONOMY_PARTS)]
    summed = _anti_join(summed, tot, keys)
    if summed.empty:
        return obs
    summed = summed.assign(**{f"m_{mk.AGGREGATE}": True})
    new = _texts(summed, keys).assign(nace=total_nace)
    rest = _anti_join(obs, new, [*keys, "nace"])
    return pd.concat([rest, new[CELL_COLUMNS]], ignore_index=True)


def business_totals(obs: pd.DataFrame, total_nace: str = BUSINESS_ECONOMY) -> pd.DataFrame:
    """Business-economy persons employed per geo and period.

    Input: cells (after :func:`add_business_total`). Output: ``geo, period, value, flags,
    markers`` and the list columns.
    """
    sel = (obs["nace"] == total_nace) & (obs["measure"] == MEASURES["emp"])
    return obs.loc[sel, ["geo", "period", "value", "flags", "markers", *LISTS]]


# ---------------------------------------------------------------- the EU aggregate


def _years(period: pd.Series) -> np.ndarray:
    """Numeric year of each period (``2014`` or ``"2014"``); ValueError when not a year."""
    years = pd.to_numeric(period.astype(str).str[:4], errors="coerce")
    if years.isna().any():
        raise ValueError(f"periods must be years, got {sorted(set(period[years.isna()]))[:3]}")
    return years.to_numpy(dtype="float64")


def member_sizes(obs: pd.DataFrame, members: frozenset, total_nace: str) -> pd.DataFrame:
    """Business-economy persons employed per member and period: the size that judges a gap.

    Input: cells; output: ``geo, period, weight`` for every member and every period of
    ``obs``: the member's value in that period, or in the nearest period that has one (ties:
    the earlier); NaN for a member that never has one.
    """
    sel = (
        (obs["nace"] == total_nace)
        & (obs["measure"] == MEASURES["emp"])
        & obs["geo"].isin(members)
        & obs["value"].notna()
    )
    known = obs.loc[sel, ["geo", "period", "value"]]
    periods = pd.Series(sorted(pd.unique(obs["period"])))
    grid = pd.MultiIndex.from_product([sorted(members), periods], names=["geo", "period"]).to_frame(
        index=False
    )
    grid["year"] = _years(grid["period"])
    known = known.assign(year=_years(known["period"]))
    grid["weight"] = np.nan
    for geo, rows in known.groupby("geo"):
        at = (grid["geo"] == geo).to_numpy()
        years, values = rows["year"].to_numpy(), rows["value"].to_numpy()
        order = np.argsort(years, kind="stable")
        years, values = years[order], values[order]
        dist = np.abs(grid.loc[at, "year"].to_numpy()[:, None] - years[None, :])
        grid.loc[at, "weight"] = values[dist.argmin(axis=1)]  # argmin: first = earlier year
    return grid[["geo", "period", "weight"]]


def add_eu_aggregate(
    obs: pd.DataFrame,
    members: frozenset,
    total_nace: str = BUSINESS_ECONOMY,
    max_missing_share: float = MAX_MISSING_SHARE,
    eu_code: str = EU_CODE,
    codes: Iterable[str] | None = None,
    min_estimate_share: float = MIN_ESTIMATE_SHARE,
) -> pd.DataFrame:
    """Add ``eu_code`` rows: the members' sum per ``nace, measure, period`` (module rules).

    Input: obs or cells; ``codes``: NACE codes to aggregate (default all). Output: cells plus
    ``eu_code`` rows with ``markers`` (``A``, ``E``, ``I``), ``missing_geos`` and
    ``estimated_geos``. Published non-NaN ``eu_code`` values are kept and not recomputed.
    """
    obs = _cells(obs)
    members = frozenset(members)
    keys = ["nace", "measure", "period"]
    grid = member_grid(obs, members, total_nace, codes)
    if grid.empty:
        return obs
    grid["estimate"] = estimate_missing(grid)
    sizes = member_sizes(obs, members, total_nace)
    grid = grid.merge(sizes, on=["geo", "period"], how="left")
    estimated = grid["value"].isna() & grid["estimate"].notna()
    missing = grid["value"].isna() & grid["estimate"].isna()
    work = grid[[*keys, "flags"]].assign(
        value=grid["value"].fillna(grid["estimate"]),
        weight=grid["weight"],
        missing_weight=grid["weight"].where(missing, 0.0),
        n_missing=missing,
        n_unreported=missing & ~grid["reports"],  # no data for the year at all: always I
        n_estimated=estimated,
        estimated_size=grid["estimate"].abs().where(estimated, 0.0),
        size=grid["value"].fillna(grid["estimate"]).abs(),
        n_unsized=missing & grid["weight"].isna(),  # a member of unknown size: never "small"
        missing_geos=grid["geo"].where(missing, ""),
        estimated_geos=grid["geo"].where(estimated, ""),
    )
    # Flags come from the published member cells only, not from the estimates' source years.
    work["flags"] = work["flags"].where(grid["value"].notna() | grid["flags"].str.contains(CONFIDENTIAL), "")
    agg = group_cells(work, keys)
    grouped = work.groupby(keys, sort=False)
    counts = ["weight", "missing_weight", "n_missing", "n_unreported", "n_estimated", "n_unsized"]
    counts += ["estimated_size", "size"]
    agg = agg.merge(grouped[counts].sum(min_count=1).reset_index(), on=keys)
    share = agg["missing_weight"] / agg["weight"]
    small = (share <= max_missing_share + 1e-12) & (agg["n_unsized"] == 0)  # "at most", despite rounding
    ok = (agg["n_missing"] == 0) | small
    agg["value"] = agg["value"].where(ok)
    agg[f"m_{mk.AGGREGATE}"] = True
    # Estimated: our estimates make up more than min_estimate_share of the figure (all estimated
    # members are listed either way), so an unmarked figure is at most that share estimates.
    agg[f"m_{mk.ESTIMATE}"] = (agg["estimated_size"] > min_estimate_share * agg["size"]).to_numpy()
    # Incomplete: a member without data for the year, or unestimated cells weighing too much.
    agg[f"m_{mk.INCOMPLETE}"] = ((agg["n_unreported"] > 0) | ~ok).to_numpy()
    new = _texts(agg, keys).assign(geo=eu_code)
    published = obs[(obs["geo"] == eu_code) & obs["value"].notna()]
    new = _anti_join(new, published, keys)
    rest = _anti_join(obs, new, ["geo", *keys])
    return pd.concat([rest, new[CELL_COLUMNS]], ignore_index=True)


def member_grid(
    obs: pd.DataFrame, members: frozenset, total_nace: str, codes: Iterable[str] | None
) -> pd.DataFrame:
    """Every member for every ``nace, measure, period`` that some member has a row for.

    Output: ``nace, measure, period, geo, value, flags, total, reports`` sorted by geo;
    ``total`` = the member's business-economy total of that measure in that period (NaN when
    it has none), ``reports`` = it has one.
    """
    keys = ["nace", "measure", "period"]
    mem = obs[obs["geo"].isin(members)]
    if codes is not None:
        mem = mem[mem["nace"].isin(list(codes))]
    cells = mem[keys].drop_duplicates()
    grid = cells.merge(pd.DataFrame({"geo": sorted(members)}), how="cross")
    grid = grid.merge(mem[["geo", *keys, "value", "flags"]], on=["geo", *keys], how="left")
    grid["flags"] = grid["flags"].fillna("").astype(str)
    rep = obs.loc[
        (obs["nace"] == total_nace) & obs["geo"].isin(members) & obs["value"].notna(),
        ["geo", "measure", "period"],
    ]
    rep = rep.assign(total=obs.loc[rep.index, "value"].to_numpy())
    grid = grid.merge(rep, on=["geo", "measure", "period"], how="left")
    grid["reports"] = grid["total"].notna()
    return grid.sort_values(["nace", "measure", "period", "geo"]).reset_index(drop=True)


def estimate_missing(grid: pd.DataFrame) -> pd.Series:
    """Estimates for the missing cells of reporting members (NaN where none is made).

    Input: :func:`member_grid`. A missing cell of member g in year t, for a code and measure g
    published in some other year:

    * between two years g published it (t1 < t < t2, the nearest on each side): the linear
      interpolation of g's values in t1 and t2;
    * otherwise (published only before, or only after): g's value in the nearest year t' it
      has one (ties: the earlier year) times S(t) / S(t'), S the sum of the other members that
      have a published value in both years; none when no other member has both or S(t') <= 0.

    A cell g never published for that code and measure is not estimated.
    """
    out = np.full(len(grid), np.nan)
    todo = (grid["value"].isna() & grid["reports"]).to_numpy()
    if not todo.any():
        return pd.Series(out, index=grid.index)
    geo_code, geos = pd.factorize(grid["geo"])
    per_code, periods = pd.factorize(grid["period"])
    years = _years(pd.Series(periods))
    values = grid["value"].to_numpy()
    wanted = grid.loc[todo, ["nace", "measure"]].drop_duplicates()
    groups = grid.groupby(["nace", "measure"], sort=False).indices
    for nace, measure in wanted.itertuples(index=False):
        pos = groups[(nace, measure)]
        table = np.full((len(geos), len(periods)), np.nan)
        table[geo_code[pos], per_code[pos]] = values[pos]
        present = ~np.isnan(table)
        for k in pos[todo[pos]]:
            if present[geo_code[k]].any():
                out[k] = _estimate_cell(table, present, years, geo_code[k], per_code[k])
    return pd.Series(out, index=grid.index)


def _estimate_cell(table: np.ndarray, present: np.ndarray, years: np.ndarray, g: int, t: int) -> float:
    """One member-cell estimate (see :func:`estimate_missing`): TABLE is member x period values
    of one code and measure, PRESENT its published mask, YEARS the periods' years."""
    mine = present[g]
    before = np.flatnonzero(mine & (years < years[t]))
    after = np.flatnonzero(mine & (years > years[t]))
    if before.size and after.size:
        t1, t2 = before[np.argmax(years[before])], after[np.argmin(years[after])]
        weight = (years[t] - years[t1]) / (years[t2] - years[t1])
        return table[g, t1] + weight * (table[g, t2] - table[g, t1])
    dist = np.where(mine, np.abs(years - years[t]), np.inf)
    near = np.flatnonzero(dist == dist.min())
    t2 = near[np.argmin(years[near])]
    others = present[:, t] & present[:, t2]
    others[g] = False
    base = table[others, t2].sum()
    if others.any() and base > 0:
        return table[g, t2] * table[others, t].sum() / base
    return np.nan


# ---------------------------------------------------------------- ecosystem figures


def ecosystem_sums(obs: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Ecosystem sums: value x share over the mapped NACE codes.

    Input: cells; ``mapping`` as from :func:`resolve_mapping`. Output: ``ecosystem, geo,
    measure, period, value, flags, markers`` and the list columns. A code without a value, or
    without a row, counts as missing: value = sum of the available components marked ``I``;
    NaN when none is available.
    """
    expected = mapping.groupby("ecosystem").size().rename("expected")
    joined = _cells(obs).merge(mapping, on="nace", how="inner")
    agg = group_cells(joined, KEYS, weight="share")
    agg = agg.merge(expected, left_on="ecosystem", right_index=True)
    short = ((agg["n"] > 0) & (agg["n"] < agg["expected"])).to_numpy()
    agg[f"m_{mk.INCOMPLETE}"] = agg[f"m_{mk.INCOMPLETE}"].to_numpy() | short
    return _texts(agg, KEYS)


def ratio_of(num: pd.DataFrame, den: pd.DataFrame, on: list[str], scale: float = 1.0) -> pd.DataFrame:
    """``num.value / den.value * scale`` matched on ``on``, with both sides' letters and lists.

    Input: frames with ``on``, ``value``, ``flags``, ``markers`` (+ lists; ``num`` may have
    more key columns, which are kept). Output: ``num``'s keys, ``value``, ``flags``,
    ``markers``, lists. NaN when a side is missing or the denominator is 0.
    """
    meta = {"value", "flags", "markers", "indicator", "base_period", *LISTS}
    keys = [c for c in num.columns if c not in meta]
    num, den = _cells_like(num), _cells_like(den)
    merged = num[[*keys, "value", "flags", "markers", *LISTS]].merge(
        den[[*on, "value", "flags", "markers", *LISTS]], on=on, how="inner", suffixes=("", "_den")
    )
    den_value = merged["value_den"].where(merged["value_den"] != 0)
    merged["ratio"] = merged["value"] / den_value * scale
    bits = letter_bits(merged) | letter_bits(
        merged[["value_den", "flags_den", "markers_den"]].set_axis(["value", "flags", "markers"], axis=1)
    )
    out = pd.concat([merged[keys].assign(value=merged["ratio"]), bits], axis=1)
    for name in LISTS:
        out[name] = _join_codes(merged[name], merged[f"{name}_den"])
    return _texts(out, keys)


def _cells_like(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for name in ("markers", *LISTS):
        out[name] = out[name].fillna("").astype(object) if name in out else ""
    return out


def _join_codes(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise sorted union of two space-separated code lists."""
    out = a.astype(object).copy()
    both = (a != "") & (b != "")
    out[a == ""] = b[a == ""]
    out[both] = [
        " ".join(sorted(set(x.split()) | set(y.split()))) for x, y in zip(a[both], b[both], strict=True)
    ]
    return out


def productivity(obs: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Apparent labour productivity: value added x 1e6 / persons employed (EUR per person).

    Input: cells (V12150 in million EUR, V16110) and a resolved mapping. Output: ``ecosystem,
    geo, period, value, flags, markers`` + lists. Only codes with both value added and persons
    employed enter numerator and denominator alike (the same activity set), so a
    confidential value added does not pull the ratio down; leaving a code out marks ``I``.
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
    sums = ecosystem_sums(pd.concat(paired, ignore_index=True), mapping)
    num = sums[sums["measure"] == MEASURES["va"]].drop(columns="measure")
    den = sums[sums["measure"] == MEASURES["emp"]].drop(columns="measure")
    return ratio_of(num, den, ["ecosystem", "geo", "period"], scale=1e6)


def location_quotient(
    obs: pd.DataFrame, mapping: pd.DataFrame, totals: pd.DataFrame, eu_code: str = EU_CODE
) -> pd.DataFrame:
    """Location quotient of persons employed vs the EU, over the same activity set.

    For geo g, ecosystem e, year t, with A = the mapped codes where both g and the EU have a
    value: ``(sum_A share x emp_g / total_g) / (sum_A share x emp_EU / total_EU)``.

    Input: cells (with the EU rows), a resolved mapping, ``totals`` from
    :func:`business_totals`. Output: ``ecosystem, geo, period, value, flags, markers`` +
    lists. Flags are the geo's own (components and total); markers: ``I`` when A is not every
    mapped code or a side is marked ``I``, ``E`` when a side includes an estimate. Member
    lists only on the EU's own row (the EU figures list them).
    """
    sel = (obs["measure"] == MEASURES["emp"]) & obs["nace"].isin(mapping["nace"]) & obs["value"].notna()
    emp = _cells(obs[sel])
    ref = emp.loc[emp["geo"] == eu_code, ["nace", "period", "value", "markers"]]
    ref = ref.rename(columns={"value": "ref_value", "markers": "ref_markers"})
    pairs = emp.merge(ref, on=["nace", "period"]).merge(mapping, on="nace")
    keys = ["ecosystem", "geo", "period"]
    num = group_cells(pairs, keys, weight="share")
    ref_bits = letter_bits(
        pairs[["ref_value", "ref_markers"]].set_axis(["value", "markers"], axis=1).assign(flags="")
    )
    refs = pd.concat([pairs[keys], ref_bits, (pairs["ref_value"] * pairs["share"]).rename("ref")], axis=1)
    grouped = refs.groupby(keys, sort=False)
    den = grouped[["ref"]].sum().join(grouped[BITS].any().add_prefix("ref_")).reset_index()
    num = num.merge(den, on=keys).merge(
        mapping.groupby("ecosystem").size().rename("expected"), on="ecosystem"
    )
    tot = _cells_like(totals)
    eu_tot = tot[tot["geo"] == eu_code][["period", "value", "markers"]]
    num = num.merge(
        tot[["geo", "period", "value", "flags", "markers"]].rename(
            columns={"value": "tot", "flags": "tot_flags", "markers": "tot_markers"}
        ),
        on=["geo", "period"],
    ).merge(eu_tot.rename(columns={"value": "eu_tot", "markers": "eu_tot_markers"}), on="period")
    share_g = num["value"] / num["tot"].where(num["tot"] != 0)
    share_eu = num["ref"] / num["eu_tot"].where(num["eu_tot"] != 0)
    num["value"] = share_g / share_eu.where(share_eu != 0)
    tot_bits = letter_bits(
        num[["value", "tot_flags", "tot_markers"]].set_axis(["value", "flags", "markers"], axis=1)
    )
    eu_bits = letter_bits(
        num[["value", "eu_tot_markers"]].set_axis(["value", "markers"], axis=1).assign(flags="")
    )
    for col in BITS:
        num[col] = num[col] | tot_bits[col]
    for ch in (mk.ESTIMATE, mk.INCOMPLETE):
        col = f"m_{ch}"
        num[col] = num[col] | num[f"ref_{col}"] | eu_bits[col]
    num[f"m_{mk.INCOMPLETE}"] |= (num["n"] < num["expected"]).to_numpy()
    for name in LISTS:
        num[name] = num[name].where(num["geo"] == eu_code, "")
    return _texts(num, keys)


def employment_change(emp: pd.DataFrame) -> pd.DataFrame:
    """% change of persons employed from the first complete year to each later complete year.

    Input: ecosystem ``emp`` rows (``ecosystem, geo, period, value, flags, markers`` + lists).
    A year is complete when its figure has a value and is not marked ``I``: both ends then
    cover the ecosystem's whole activity set. Output: ``ecosystem, geo, period, value, flags,
    markers, base_period`` + lists (flags, markers and lists of both ends; ``I`` never occurs).
    """
    emp = _cells_like(emp)
    ok = emp["value"].notna() & ~emp["markers"].str.contains(mk.INCOMPLETE, regex=False)
    ok &= emp["value"] > 0
    done = emp[ok].assign(year=_years(emp.loc[ok, "period"])).sort_values("year")
    base = done.groupby(["ecosystem", "geo"], sort=False).head(1)
    keep = ["ecosystem", "geo", "period", "value", "flags", "markers", *LISTS]
    base = base[keep].rename(columns={"period": "base_period"})
    later = done[keep].merge(base, on=["ecosystem", "geo"], suffixes=("", "_b"))
    later = later[later["period"] != later["base_period"]]
    later["base_period"] = later["base_period"].astype(str)
    later["ratio"] = (later["value"] / later["value_b"] - 1.0) * 100.0
    bits = letter_bits(later) | letter_bits(
        later[["value_b", "flags_b", "markers_b"]].set_axis(["value", "flags", "markers"], axis=1)
    )
    keys = ["ecosystem", "geo", "period", "base_period"]
    out = pd.concat([later[keys].assign(value=later["ratio"]), bits], axis=1)
    for name in LISTS:
        out[name] = _join_codes(later[name], later[f"{name}_b"])
    return _texts(out, keys)


# ---------------------------------------------------------------- rank and output


def add_rank(df: pd.DataFrame, members: frozenset) -> pd.DataFrame:
    """Rank members per ``indicator, ecosystem, period``: 1 = highest, ties share the best rank.

    Input: ``indicator, ecosystem, geo, period, value`` (+ ``markers``). Output: the same plus
    ``rank`` (Int64); NA for non-members, aggregates, NaN values and figures marked ``I``.
    """
    marks = df["markers"].fillna("").astype(str) if "markers" in df else pd.Series("", index=df.index)
    is_member = (
        df["geo"].isin(members) & df["value"].notna() & ~marks.str.contains(mk.INCOMPLETE, regex=False)
    )
    ranked = (
        df[is_member]
        .groupby(["indicator", "ecosystem", "period"], sort=False)["value"]
        .rank(method="min", ascending=False)
    )
    out = df.copy()
    out["rank"] = ranked.reindex(df.index).astype("Int64")
    return out


def finish_national(df: pd.DataFrame) -> pd.DataFrame:
    """Output column order, plain dtypes and a stable sort."""
    out = df.copy()
    for name in ("flags", "markers", "base_period", *LISTS):
        out[name] = out[name].fillna("").astype(str) if name in out else ""
    out = out[NATIONAL_COLUMNS].sort_values(["indicator", "ecosystem", "geo", "period"])
    return out.reset_index(drop=True)
