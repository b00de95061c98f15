"""The regional compute's flag helpers: our ``a``/``i`` written into the flags string.

Kept as they were for :mod:`indicators.compute.regional` (imported there through
:mod:`indicators.compute.ecosystems`) until the regional figures move to separate markers
(:mod:`indicators.compute.markers`) like the national ones. Do not use for new figures.
"""

import numpy as np
import pandas as pd

FLAG_AGGREGATED = "a"
FLAG_INCOMPLETE = "i"
FLAG_CONFIDENTIAL = "c"
CARRIED_FLAGS = "abdefpsu"
TRACKED_FLAGS = "".join(sorted(CARRIED_FLAGS + FLAG_CONFIDENTIAL + FLAG_INCOMPLETE))
KEYS = ["ecosystem", "geo", "measure", "period"]
OUTPUT_COLUMNS = ["indicator", "ecosystem", "geo", "period", "value", "flags", "rank"]


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


def finish(df: pd.DataFrame) -> pd.DataFrame:
    """Output column order, plain dtypes and a stable sort."""
    out = df[OUTPUT_COLUMNS].sort_values(["indicator", "ecosystem", "geo", "period"])
    out["flags"] = out["flags"].astype(str)
    return out.reset_index(drop=True)
