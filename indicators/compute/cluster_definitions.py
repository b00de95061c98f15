"""Translate the US cluster definitions (NAICS) to NACE Rev. 2 divisions (pure pandas).

Rules (ours; shown on the methodology page and in fixtures/reference/README.md):

* Input: the US benchmark definitions (Delgado, Porter & Stern 2016, as redistributed in
  ``NAICS_crosswalks_to_Cluster_system.xlsx``): one row per NAICS industry with its cluster and
  its Traded/Local flag; and the official NAICS 2017 → NACE Rev. 2 correspondence (Eurostat
  ``NAICS2017_NACE.csv``), one row per NAICS × NACE class pair.
* A NAICS code of the definitions is matched to the correspondence **exactly**; else by
  **prefix** after dropping its trailing zeros (the non-standard ``111000`` "Crop Production"
  stands for every ``111…``); else by its first five digits (a 2012 code split in 2017, e.g.
  ``482110`` → ``482111, 482112``); the Emsi government codes (``90x6yy``) are matched through
  ``GOVERNMENT_NAICS`` (state/local colleges → 6113, other schools → 6116, ...). Codes that still
  do not match are reported (``unmatched``) and left out.
* **Each NAICS industry counts once**: a NAICS industry linked to *n* NACE classes gives
  ``1/n`` to each (when it matched several NAICS 2017 codes, each of those gets ``1/m`` first).
  So the *mass* of a NACE division in a cluster is the (fractional) **number of the cluster's
  NAICS industries** that link to it. We use the count, not employment: the correspondence
  carries no employment, and US employment would weight the US economy's structure.
* Per NACE division: ``traded_share`` = traded mass / (traded + local mass), the part of the
  division that the US definitions call traded; ``weight`` (per traded cluster) = the
  cluster's mass / the division's traded mass. **Weights sum to 1 per division over the traded
  clusters.** A category's employment is then ``Σ_division emp × traded_share × weight``; the
  local part ``emp × (1 − traded_share)`` stays outside the traded categories.
* Divisions are NACE Rev. 2 codes in Eurostat's form (``C10``), the detail of the regional SBS
  (divisions B–N and S95; finer G groups are not used, divisions are).
"""

import pandas as pd

# Emsi's non-standard government NAICS (9 0 s yyy: s=1 federal, 2 state, 3 local) -> a NAICS
# 2017 prefix with the same activity; federal/general government stays unmatched (NACE O).
GOVERNMENT_NAICS = {"611": "6111", "612": "6113", "619": "6116", "622": "622"}

SECTIONS = [
    ("A", 1, 3),
    ("B", 5, 9),
    ("C", 10, 33),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 43),
    ("G", 45, 47),
    ("H", 49, 53),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 69, 75),
    ("N", 77, 82),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 88),
    ("R", 90, 93),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
]
# Divisions the regional SBS publish (business economy B–N without K, plus S95).
SBS_SECTIONS = tuple("BCDEFGHIJLMN")


class DefinitionError(ValueError):
    """The definitions or the crosswalk cannot be used (missing columns, empty, bad codes)."""


def division_code(nace: str) -> str:
    """``01.11`` / ``0111`` / ``01`` -> Eurostat's division form ``A01``."""
    digits = str(nace).replace(".", "").strip()
    if len(digits) < 2 or not digits[:2].isdigit():
        raise DefinitionError(f"not a NACE code: {nace!r}")
    number = int(digits[:2])
    for letter, low, high in SECTIONS:
        if low <= number <= high:
            return f"{letter}{digits[:2]}"
    raise DefinitionError(f"not a NACE division: {nace!r}")


def in_sbs(division: str) -> bool:
    """Whether the regional SBS publish this division (B–N without K, and S95)."""
    return division[0] in SBS_SECTIONS or division == "S95"


def match_naics(code: str, known: pd.Index) -> list[str]:
    """The NAICS 2017 codes of the correspondence a definitions' code stands for (see rules)."""
    code = str(code).strip()
    if code in known:
        return [code]
    if len(code) == 6 and code.startswith("90") and code[3:] in GOVERNMENT_NAICS:
        prefix = GOVERNMENT_NAICS[code[3:]]
        return [k for k in known if k.startswith(prefix)]
    stripped = code.rstrip("0")
    if stripped and stripped != code:
        hits = [k for k in known if k.startswith(stripped)]
        if hits:
            return hits
    return [k for k in known if k.startswith(code[:5])]


def translate(definitions: pd.DataFrame, crosswalk: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """NAICS cluster definitions -> NACE division weights.

    Input ``definitions``: ``naics, traded (bool), cluster``; ``crosswalk``: ``naics, nace``
    (NACE classes, any form). Output ``(rows, unmatched)``: rows ``cluster, nace, mass,
    weight, traded_share, naics_count`` for the traded clusters (``mass`` the fractional
    NAICS count, ``naics_count`` the number of distinct NAICS industries touching the
    division); ``unmatched`` the definitions' codes without a match.
    """
    for frame, cols, name in (
        (definitions, ("naics", "traded", "cluster"), "definitions"),
        (crosswalk, ("naics", "nace"), "crosswalk"),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise DefinitionError(f"{name} lacks column(s) {', '.join(missing)}")
        if frame.empty:
            raise DefinitionError(f"{name} is empty")
    cw = crosswalk.assign(
        naics=crosswalk["naics"].astype(str).str.strip(),
        nace=crosswalk["nace"].astype(str).str.strip().map(division_code),
    )
    known = pd.Index(sorted(cw["naics"].unique()))
    # Per NAICS 2017 code: each of its NACE links gets 1/n.
    cw["part"] = 1.0 / cw.groupby("naics")["nace"].transform("size")
    links, unmatched = [], []
    defs = definitions.dropna(subset=["cluster"])
    for row in defs.itertuples(index=False):
        hits = match_naics(row.naics, known)
        if not hits:
            unmatched.append(str(row.naics))
            continue
        part = cw[cw["naics"].isin(hits)]
        links.append(
            pd.DataFrame(
                {
                    "source_naics": str(row.naics),
                    "cluster": row.cluster,
                    "traded": bool(row.traded),
                    "nace": part["nace"].to_numpy(),
                    "mass": part["part"].to_numpy() / len(hits),
                }
            )
        )
    if not links:
        raise DefinitionError("no NAICS code of the definitions matches the crosswalk")
    allrows = pd.concat(links, ignore_index=True)
    by_div = allrows.groupby(["nace", "traded"])["mass"].sum().unstack(fill_value=0.0)
    for flag in (True, False):
        if flag not in by_div.columns:
            by_div[flag] = 0.0
    traded_share = (by_div[True] / (by_div[True] + by_div[False])).rename("traded_share")
    traded = allrows[allrows["traded"]]
    out = traded.groupby(["cluster", "nace"], as_index=False).agg(
        mass=("mass", "sum"), naics_count=("source_naics", "nunique")
    )
    out["weight"] = out["mass"] / out.groupby("nace")["mass"].transform("sum")
    out = out.merge(traded_share, left_on="nace", right_index=True)
    out = out.sort_values(["cluster", "nace"]).reset_index(drop=True)
    return out[["cluster", "nace", "mass", "weight", "traded_share", "naics_count"]], unmatched
