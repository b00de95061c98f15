"""Technology uptake by ecosystem, from Eurostat's ICT-survey tables by NACE (pure; no Django).

The ICT usage survey publishes the share of enterprises (10+ persons employed) using a technology
for groups of NACE activities ('C10-C12', 'C24-C25', 'D35-E39', 'J61', 'S951'…). An ecosystem is
defined on NACE divisions (our mapping), so its uptake is built in two steps:

1. each division takes the uptake of the **narrowest** published group that contains it (the
   group with the fewest divisions that has a value for that place and year); a whole section
   counts only where no finer group covers the division, and aggregates with exclusions
   ('C10-S951_X_K', 'N77-N82_X_N79') never stand for a division;
2. the ecosystem's uptake is the **employment-weighted mean** of its divisions' uptake, each
   division weighted by the mapping share × the place's persons employed in the division (SBS,
   the latest year published for the place, at most the uptake year; the weight year is kept).

The result is an index in % (an employment-weighted average of enterprise shares), not a share
of the ecosystem's enterprises; the page says so. Divisions without an uptake value are left out
of numerator and denominator alike; when those left out weigh more than ``MIN_COVERAGE`` of the
ecosystem's employment the figure is marked incomplete (I: shown, never ranked). A confidential
or missing uptake is never read as 0.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from indicators.sources.nace import aggregate_divisions

from .markers import INCOMPLETE

MIN_COVERAGE = 0.9  # share of the ecosystem's weighted employment its uptake figure must cover


def divisions_of(code: str) -> tuple[str, ...]:
    """The NACE divisions a survey activity code covers (:func:`aggregate_divisions`), and 'S951'
    (repair of computers and communication equipment, the survey's only class of S95) -> (S95,)."""
    return ("S95",) if code.strip().upper() == "S951" else aggregate_divisions(code)


def division_uptake(uptake: pd.DataFrame) -> pd.DataFrame:
    """Each division's uptake from the narrowest published group containing it.

    ``uptake``: ``geo, nace, measure, period, value, flags`` (one measure). Output: ``geo,
    measure, period, division, value, group`` — one row per division that some group with a
    value covers. Confidential or missing values (NaN) never count as a group's value.
    """
    frame = uptake[uptake["value"].notna()][["geo", "nace", "measure", "period", "value"]]
    if frame.empty:
        return pd.DataFrame(columns=["geo", "measure", "period", "division", "value", "group"])
    cover = pd.DataFrame(
        [(code, d, len(ds)) for code in frame["nace"].unique() for ds in [divisions_of(code)] for d in ds],
        columns=["nace", "division", "width"],
    )
    joined = frame.merge(cover, on="nace")
    joined = joined.sort_values(["width", "nace"], kind="stable")
    best = joined.drop_duplicates(["geo", "measure", "period", "division"], keep="first")
    return best.rename(columns={"nace": "group"})[["geo", "measure", "period", "division", "value", "group"]]


def employment_weights(sbs: pd.DataFrame, upto: int) -> pd.DataFrame:
    """Persons employed by place and division, the latest year ≤ ``upto`` the place publishes.

    ``sbs``: ``geo, nace, measure (V16110), period, value``. Output ``geo, division, emp,
    weight_year``. Confidential cells are missing, never 0.
    """
    frame = sbs[(sbs["measure"] == "V16110") & sbs["value"].notna() & sbs["nace"].str.fullmatch(r"[A-U]\d\d")]
    frame = frame.assign(year=pd.to_numeric(frame["period"], errors="coerce"))
    frame = frame[frame["year"] <= upto]
    if frame.empty:
        return pd.DataFrame(columns=["geo", "division", "emp", "weight_year"])
    last = frame.groupby("geo")["year"].transform("max")
    frame = frame[frame["year"] == last]
    return frame.rename(columns={"nace": "division", "value": "emp"}).assign(
        weight_year=frame["year"].astype(int).astype(str)
    )[["geo", "division", "emp", "weight_year"]]


def eu_weights(weights: pd.DataFrame, members: Iterable[str], eu: str = "EU27_2020") -> pd.DataFrame:
    """The EU's division employment as the sum of its members' (each at its own weight year)."""
    m = weights[weights["geo"].isin(set(members))]
    if m.empty:
        return weights.iloc[0:0]
    summed = m.groupby("division", as_index=False)["emp"].sum()
    return summed.assign(geo=eu, weight_year=m["weight_year"].max())[
        ["geo", "division", "emp", "weight_year"]
    ]


def ecosystem_uptake(
    uptake: pd.DataFrame,
    sbs: pd.DataFrame,
    mapping: pd.DataFrame,
    members: Iterable[str],
    indicator: str,
    eu: str = "EU27_2020",
) -> pd.DataFrame:
    """The employment-weighted uptake of each ecosystem, by place and year (module docstring).

    Output: ``indicator, ecosystem, geo, period, value, flags, markers, rank, base_period`` —
    ``base_period`` holds the SBS year of the weights. Places without employment weights get no
    value (an equal-weight guess would be a different figure).
    """
    columns = ["indicator", "ecosystem", "geo", "period", "value", "flags", "markers", "rank", "base_period"]
    divisions = division_uptake(uptake.assign(measure=indicator))  # one series: the caller picks the measure
    if divisions.empty or mapping.empty:
        return pd.DataFrame(columns=columns)
    members = frozenset(members)
    shares = mapping.groupby(["ecosystem", "nace"], as_index=False)["share"].sum()
    shares = shares.rename(columns={"nace": "division"})
    parts = []
    for period, per_year in divisions.groupby("period"):
        year = int(str(period)[:4])
        weights = employment_weights(sbs, year)
        weights = pd.concat([weights, eu_weights(weights, members, eu)], ignore_index=True)
        if weights.empty:
            continue
        # every ecosystem division the place employs people in: the coverage denominator
        base = shares.merge(weights, on="division")
        base = base.assign(w=base["share"] * base["emp"])
        base = base[base["w"] > 0]
        joined = base.merge(per_year[["geo", "division", "value"]], on=["geo", "division"], how="left")
        joined = joined[joined["geo"].isin(set(per_year["geo"]))]
        if joined.empty:
            continue
        joined = joined.assign(
            wv=joined["w"] * joined["value"], wc=np.where(joined["value"].notna(), joined["w"], 0.0)
        )
        sums = joined.groupby(["ecosystem", "geo"], as_index=False).agg(
            wv=("wv", "sum"), wc=("wc", "sum"), w=("w", "sum"), weight_year=("weight_year", "first")
        )
        sums = sums[sums["wc"] > 0]
        parts.append(
            sums.assign(
                indicator=indicator,
                period=str(period),
                value=sums["wv"] / sums["wc"],
                coverage=sums["wc"] / sums["w"],
            )
        )
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["markers"] = np.where(out["coverage"] < MIN_COVERAGE - 1e-12, INCOMPLETE, "")
    out["flags"] = ""
    out["base_period"] = out["weight_year"]
    ranked = out[out["geo"].isin(members) & (out["markers"] == "")]
    rank = ranked.groupby(["indicator", "ecosystem", "period"])["value"].rank(ascending=False, method="min")
    out["rank"] = pd.Series(rank, dtype="Int64").reindex(out.index)
    return out[columns].reset_index(drop=True)


def newest_measure(uptake: pd.DataFrame) -> pd.DataFrame:
    """Keep one measure per place, activity and year: the last in code order (E_DI4_GELO over
    E_DI3_GELO: the survey's newer definition), so a year never averages two definitions."""
    if uptake.empty:
        return uptake
    ordered = uptake.sort_values("measure", kind="stable")
    return ordered.drop_duplicates(["geo", "nace", "period"], keep="last")
