"""JRC NUTS converter matrices (``n{level}_cm_v<from>_v<to>.csv``): overlaps of the regions of
two NUTS versions with their area, population and artificial-surface weights.

Pure pandas, no Django. See data/PROVENANCE.md §15 and :mod:`indicators.compute.nuts`.
"""

import io
import re

import pandas as pd

from indicators.sources.base import ParseError, read_text

NAME_RE = re.compile(r"n([123])_cm_v(\d{4})_v(\d{4})\.csv$")
VERSIONS = (2006, 2010, 2013, 2016, 2021)
WEIGHTS = ["areaKm", "pop18", "pop11", "artif_surf18", "artif_surf12"]
#: Columns of the parsed frame (weights renamed to snake case).
COLUMNS = ["level", "from_version", "to_version", "from_code", "to_code", *(w.lower() for w in WEIGHTS)]
CODE_RE = r"^[A-Z]{2}[0-9A-Z]{1,3}$"


def matrix_name(name: str) -> tuple[int, int, int]:
    """``(level, from_version, to_version)`` from a file name; ParseError when it is not one."""
    match = NAME_RE.search(name)
    if not match:
        raise ParseError(name, "not a JRC converter file name (n<level>_cm_v<from>_v<to>.csv)")
    level, old, new = (int(g) for g in match.groups())
    if old not in VERSIONS or new not in VERSIONS or old >= new:
        raise ParseError(name, f"versions {old} -> {new} are not two NUTS versions, older first")
    return level, old, new


def parse_converter(raw: bytes, source: str) -> pd.DataFrame:
    """One converter matrix as ``COLUMNS`` (one row per overlap of an old and a new region).

    Raises ParseError for a bad name, missing columns, codes that are not NUTS codes of the
    file's level, negative or non-numeric weights, or a duplicated overlap.
    """
    level, old, new = matrix_name(source)
    text = read_text(raw, source)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(source, f"not CSV ({exc})") from exc
    codes = [f"code_v{old}", f"code_v{new}"]
    missing = [c for c in [*codes, *WEIGHTS] if c not in frame.columns]
    if missing:
        raise ParseError(source, f"missing column(s) {', '.join(missing)}", 1)
    for column in codes:
        bad = ~frame[column].str.match(CODE_RE) | (frame[column].str.len() != 2 + level)
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise ParseError(source, f"{frame[column].iloc[row]!r} is not a NUTS {level} code", row + 2)
    out = pd.DataFrame(
        {
            "level": level,
            "from_version": old,
            "to_version": new,
            "from_code": frame[codes[0]],
            "to_code": frame[codes[1]],
        }
    )
    for weight in WEIGHTS:
        values = pd.to_numeric(frame[weight].replace("", "0"), errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise ParseError(source, f"{weight} {frame[weight].iloc[row]!r} is not a weight", row + 2)
        out[weight.lower()] = values.astype("float64")
    dup = out.duplicated(["from_code", "to_code"])
    if dup.any():
        row = int(dup.to_numpy().argmax())
        raise ParseError(
            source, f"overlap {out['from_code'].iloc[row]}->{out['to_code'].iloc[row]} listed twice", row + 2
        )
    return out[COLUMNS]
