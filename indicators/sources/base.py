"""Shared pieces of the publisher-file parsers: the error type, the parsed-dataset value and
vectorised helpers (decoding, numbers, flags, periods, duplicate keys, tidy frames).

Pure Python/pandas on purpose: no Django here, so the parsers can be used and tested alone.
"""

from __future__ import annotations

import datetime
import gzip
import re
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

GZIP_MAGIC = b"\x1f\x8b"

#: Formats a ParsedDataset can carry ('eurostat-toc' is only ever returned by detect_format).
FORMATS = (
    "eurostat-tsv",
    "eurostat-tsv-2023",
    "sdmx-csv-1",
    "sdmx-csv-2",
    "tidy-csv",
    "eurostat-dic",
    "gisco-geojson",
    "ncses-sei-wide",
    "desi-xlsx",
    "owid-csv",
    "eea-ets-csv",
)

#: Observation-status letters accepted in a cell or an OBS_FLAG column: the pre-2025 set
#: (b c d e f i n p r s u z) united with the 2025 OBS_STATUS set (b d e f i m n p u).
OBS_FLAG_CHARS = frozenset("bcdefimnprsuz")

#: 2025 CONF_STATUS codes and the letter each becomes in the tidy ``flags`` string.
#: 'C' (confidential) becomes 'c' so that "'c' in flags" means confidential for every vintage.
#: 'N' (not for publication) and 'P' (non-statistical secrecy) stay upper-case: their
#: lower-case forms already mean "not significant" and "provisional" in OBS_STATUS.
CONF_STATUS_FLAGS = {"C": "c", "N": "N", "P": "P"}

#: Every character that may appear in a tidy ``flags`` string.
FLAG_CHARS = OBS_FLAG_CHARS | frozenset(CONF_STATUS_FLAGS.values())

#: Cell texts meaning "no value" (Eurostat writes ':'; SDMX and R write an empty cell or NA).
MISSING_TOKENS = frozenset({"", ":"})

# Strict decimal number: Eurostat never writes thousands separators, so '1,234' is an error.
_NUMBER_RE = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


class ParseError(ValueError):
    """Raised for any unreadable/invalid input.

    ``str(err) == f"{source}: line {line}: {reason}"`` (the line part is omitted when None).
    """

    def __init__(self, source: str, reason: str, line: int | None = None):
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}: line {line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class ParsedDataset:
    """A parsed observation file (or GISCO geometry file).

    ``frame`` has one str column per dimension (named as in ``dimensions``), then ``period``
    (str), ``value`` (float64, NaN when missing) and ``flags`` (str, '' when none); GISCO
    frames have their own columns (see gisco.parse_geojson).
    """

    format: str
    dimensions: tuple[str, ...]
    frame: pd.DataFrame
    last_update: datetime.date | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- bytes -> text


def maybe_gunzip(raw: bytes, source: str) -> bytes:
    """Return ``raw`` decompressed when it starts with the gzip magic bytes, else unchanged.

    Raises ParseError for an empty input or a truncated/corrupt gzip stream.
    """
    if not raw:
        raise ParseError(source, "empty file")
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError as exc:
        raise ParseError(source, "truncated gzip stream") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise ParseError(source, f"corrupt gzip stream ({exc})") from exc


def read_text(raw: bytes, source: str) -> str:
    """Decode a (possibly gzipped) UTF-8 file into text with '\\n' line ends.

    Strips a BOM and the trailing line breaks. Raises ParseError for an empty file, a bad
    gzip stream or bytes that are not UTF-8 (naming the line of the first bad byte).
    """
    data = maybe_gunzip(raw, source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 4]
        raise ParseError(source, f"not valid UTF-8 (bytes {bad!r})", line) from exc
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    text = text.rstrip("\n")
    if not text.strip():
        raise ParseError(source, "empty file")
    return text


def first_true(mask: np.ndarray) -> int | None:
    """Index of the first True in a boolean array, or None."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def check_cell_counts(lines: list[str], sep: str, expected: int, source: str) -> None:
    """Raise ParseError for the first line (1-based, header is line 1) whose number of
    ``sep``-separated cells differs from ``expected``. For files without quoting only."""
    want = expected - 1
    counts = np.fromiter((line.count(sep) for line in lines), dtype=np.int64, count=len(lines))
    bad = first_true(counts != want)
    if bad is not None:
        raise ParseError(source, f"expected {expected} cells, found {counts[bad] + 1}", bad + 1)


# ------------------------------------------------------------------- vectorised cell parsing


def factorize(values: np.ndarray | pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes and unique strings (as an object Series) of a string array.

    Parsing the few distinct cell texts instead of every cell is what keeps the big SBS
    files fast: 1.56 M cells have ~110 k distinct texts.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes, pd.Series(np.asarray(uniques, dtype=object), dtype=object)


@dataclass(frozen=True)
class Column:
    """A text column as (codes, distinct stripped texts): ``uniques[codes]`` is the column.

    Validation and conversion run on ``uniques`` (vectorised, few values); ``first_row``
    turns a per-unique problem back into the first row that has it.
    """

    codes: np.ndarray
    uniques: np.ndarray  # object array of str

    @classmethod
    def of(cls, values: np.ndarray | pd.Series) -> Column:
        """Factorize and strip; equal texts after stripping share one code."""
        codes, uniques = factorize(values)
        stripped = uniques.str.strip().to_numpy(dtype=object)
        canonical, merged = pd.factorize(stripped)
        return cls(canonical[codes], np.asarray(merged, dtype=object))

    @classmethod
    def constant(cls, text: str, length: int) -> Column:
        return cls(np.zeros(length, dtype=np.intp), np.array([text], dtype=object))

    def values(self) -> np.ndarray:
        return self.uniques[self.codes]

    def text(self, row: int) -> str:
        return self.uniques[self.codes[row]]

    def first_row(self, bad_unique: np.ndarray) -> int | None:
        """First row whose text is marked in ``bad_unique`` (a mask over uniques)."""
        return first_true(bad_unique[self.codes]) if bad_unique.any() else None

    def map_uniques(self, func) -> Column:
        """A column with ``func`` applied to the distinct texts (object array -> array)."""
        return Column(self.codes, np.asarray(func(self.uniques), dtype=object))


def combine(left: Column, right: Column) -> Column:
    """Row-wise concatenation of two text columns, computed on distinct pairs only."""
    pairs = left.codes.astype(np.int64) * len(right.uniques) + right.codes
    codes, pair_uniques = pd.factorize(pairs)
    width = len(right.uniques)
    texts = [left.uniques[p // width] + right.uniques[p % width] for p in pair_uniques]
    return Column(codes, np.array(texts, dtype=object))


def parse_numbers(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse stripped value texts: (float64 values, bad mask).

    ':' and '' give NaN; anything that is not a plain decimal number is marked bad.
    """
    texts = texts.astype(object)
    missing = texts.isin(MISSING_TOKENS).to_numpy()
    numeric = texts.str.fullmatch(_NUMBER_RE).fillna(False).to_numpy(dtype=bool)
    values = np.full(len(texts), np.nan)
    if numeric.any():
        values[numeric] = texts[numeric].astype(float).to_numpy()
    return values, ~(missing | numeric)


def normalise_flags(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Validate and normalise flag strings: (normalised object array, bad mask).

    Each character must be an OBS_FLAG letter or a CONF_STATUS code; 'C' becomes 'c'
    (see CONF_STATUS_FLAGS), repeated letters are kept once, order is preserved.
    Called on distinct flag strings only, so the loop runs over a few dozen values.
    """
    out = np.empty(len(texts), dtype=object)
    bad = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts.to_numpy(dtype=object)):
        letters = [CONF_STATUS_FLAGS.get(ch, ch) for ch in text]
        if not set(letters) <= FLAG_CHARS:
            bad[i] = True
            out[i] = text
            continue
        out[i] = "".join(dict.fromkeys(letters))
    return out, bad


def first_bad_flag(text: str) -> str:
    """The first character of a flag string that is not an allowed flag."""
    return next((ch for ch in text if ch not in FLAG_CHARS and ch not in CONF_STATUS_FLAGS), "")


# ---------------------------------------------------------------------------- periods

_YEAR = re.compile(r"(\d{4})")
_MONTH = re.compile(r"(\d{4})(?:-|M)(\d{2})")
_SUB = re.compile(r"(\d{4})-?([QSW])(\d{1,2})")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SUB_MAX = {"Q": 4, "S": 2, "W": 53}


def normalise_period(text: str, freq: str | None = None) -> str | None:
    """Eurostat period text -> canonical form, or None when it is not a period.

    '2015' stays; '2020M01'/'2020-01' -> '2020-01'; '2021Q1'/'2021-Q1' -> '2021-Q1' (also S
    and W). A date 'YYYY-MM-DD' (the R eurostat package writes every period as a date) is
    read with ``freq``: A -> '2020', S/Q -> '2020-S1'/'2020-Q3', M -> '2020-01', D keeps the
    date; without freq a first-of-month date becomes 'YYYY-MM' and other dates stay.
    """
    text = text.strip()
    if _YEAR.fullmatch(text):
        return text
    if m := _MONTH.fullmatch(text):
        return f"{m[1]}-{m[2]}" if 1 <= int(m[2]) <= 12 else None
    if m := _SUB.fullmatch(text):
        n = int(m[3])
        if not 1 <= n <= _SUB_MAX[m[2]]:
            return None
        return f"{m[1]}-{m[2]}{n:02d}" if m[2] == "W" else f"{m[1]}-{m[2]}{n}"
    if m := _DATE.fullmatch(text):
        return _normalise_date(m[1], int(m[2]), int(m[3]), text, freq)
    return None


def _normalise_date(year: str, month: int, day: int, text: str, freq: str | None) -> str | None:
    try:
        datetime.date(int(year), month, day)
    except ValueError:
        return None
    # Only the frequency says what a date stands for; R writes 2020-Q2 as 2020-04-01.
    if freq == "A":
        return year
    if freq == "S":
        return f"{year}-S{(month - 1) // 6 + 1}"
    if freq == "Q":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if freq == "M" or (freq is None and day == 1):
        return f"{year}-{month:02d}"
    return text


def normalise_period_column(periods: Column, freqs: Column | None) -> tuple[Column, int | None]:
    """Normalise a period column: (normalised column, first bad row or None).

    Works on distinct (period, freq) pairs, so it is cheap on big files.
    """
    freqs = freqs or Column.constant("", len(periods.codes))
    pairs = periods.codes.astype(np.int64) * len(freqs.uniques) + freqs.codes
    codes, pair_uniques = pd.factorize(pairs)
    width = len(freqs.uniques)
    normalised = np.array(
        [
            normalise_period(periods.uniques[p // width], freqs.uniques[p % width] or None)
            for p in pair_uniques
        ],
        dtype=object,
    )
    column = Column(codes, normalised)
    bad = column.first_row(pd.isna(normalised))
    if bad is not None:
        return column, bad
    # '2020M01' and '2020-01' are one period: make equal periods share a code again.
    canonical, merged = pd.factorize(normalised)
    return Column(canonical[codes], np.asarray(merged, dtype=object)), None


# ------------------------------------------------------------------------------ frames


def tidy_frame(
    dims: dict[str, np.ndarray],
    period: np.ndarray,
    value: np.ndarray,
    flags: np.ndarray,
) -> pd.DataFrame:
    """Assemble the tidy observation frame, dropping rows that are missing without a flag.

    Eurostat's ': ' with no flag carries nothing; a missing cell with a flag (': c',
    ': z') says something and is kept.
    """
    keep = ~(np.isnan(value) & (flags == ""))
    columns: dict[str, object] = {name: pd.array(codes[keep], dtype="str") for name, codes in dims.items()}
    columns["period"] = pd.array(period[keep], dtype="str")
    columns["value"] = value[keep].astype("float64")
    columns["flags"] = pd.array(flags[keep], dtype="str")
    return pd.DataFrame(columns)


def duplicate_row(frame: pd.DataFrame, columns: list[str]) -> int | None:
    """Index of the first row whose ``columns`` repeat an earlier row, or None."""
    return first_true(frame.duplicated(subset=columns, keep="first").to_numpy())
