"""Reader for the European Commission's DESI calculation workbook (DESI 2022, editions 2017–2022).

The workbook (``DESI_2022_final.xlsx``, DG CONNECT) holds, per DESI **edition** ``y1``…``y6``
(= DESI 2017…2022) and place (27 member states + ``EU``):

* sheet ``Data``: the 33 indicators (``1a1`` … ``4a5``), shares as fractions 0–1 of
  individuals/enterprises/households, or scores 0–100;
* sheet ``Metadata``: per indicator its definition, unit, source and, per edition, the
  **reference year** of the data (``Year 1`` … ``Year 6``; empty when the edition has no value);
* sheet ``Data 3``: the aggregated scores (DESI and the four dimensions, 0–100).

Only cached values are read (``openpyxl`` with ``data_only=True``): some formulas point to an
external workbook and would not recalculate. Each value is stored under its **reference year**
(``period``); the edition is kept as the ``edition`` dimension, so a figure that two editions
repeat for the same reference year is kept twice and the computation picks the latest edition.
A dimension score has no single reference year: it is stored under the year most of the
dimension's indicators in that edition refer to (ties: the later year).

Pure Python (no Django). Anything unexpected raises ParseError naming the sheet and cell.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter

import numpy as np
import pandas as pd

from .base import ParsedDataset, ParseError

ZIP_MAGIC = b"PK\x03\x04"
REQUIRED_SHEETS = ("Data", "Metadata", "Data 3")
EDITIONS = {f"y{k}": 2016 + k for k in range(1, 7)}  # y1 = DESI 2017 … y6 = DESI 2022
GEO_RENAME = {"EU": "EU27_2020"}  # DESI 2022 recalculated every edition for the EU27 (2020)
INDICATOR_RE = re.compile(r"^(\d[a-d]\d)\s+(.+?)\s*$")
DIMENSIONS = {
    "desi": "DESI (overall index)",
    "d1": "1 Human capital",
    "d2": "2 Connectivity",
    "d3": "3 Integration of digital technology",
    "d4": "4 Digital public services",
}
UNIT_SHARE, UNIT_SCORE = "SHARE", "SCORE"
UNIT_LABELS = {
    UNIT_SHARE: "share (0–1) of individuals, households or enterprises",
    UNIT_SCORE: "score (0–100)",
}
DIMS = ("indicator", "geo", "edition", "unit")


def looks_like_desi(raw: bytes) -> bool:
    """True when RAW is an xlsx (zip) whose workbook lists the DESI sheets."""
    if not raw.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            workbook = z.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return all(f'name="{s}"' in workbook for s in REQUIRED_SHEETS)


def _open(raw: bytes, source: str):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(raw), data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ParseError(source, f"not a readable xlsx workbook ({exc})") from exc


def _rows(book, name: str, source: str) -> list[tuple]:
    if name not in book.sheetnames:
        raise ParseError(source, f"sheet {name!r} is missing (sheets: {', '.join(book.sheetnames)})")
    return [tuple(r) for r in book[name].iter_rows(values_only=True)]


def _cell(col: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col + 1)}{row + 1}"


def read_metadata(rows: list[tuple], source: str) -> dict[str, dict]:
    """Metadata sheet -> code -> {name, definition, unit_text, source_text, unit, years}.

    ``years`` maps an edition (2017…2022) to the reference year (int) or None.
    """
    header = [str(c).strip() if c is not None else "" for c in rows[0]] if rows else []
    wanted = ["Indicator", "Definition", "Unit of measure", "Source"] + [f"Year {k}" for k in range(1, 7)]
    missing = [w for w in wanted if w not in header]
    if missing:
        raise ParseError(source, f"sheet 'Metadata': header lacks {', '.join(missing)}")
    at = {w: header.index(w) for w in wanted}
    out: dict[str, dict] = {}
    for r_i, row in enumerate(rows[1:], start=1):
        name = row[at["Indicator"]] if len(row) > at["Indicator"] else None
        m = INDICATOR_RE.match(str(name)) if isinstance(name, str) else None
        if not m:
            if out:
                break  # the indicator block ends; below are helper rows (i2…i30, weights…)
            continue
        code = m[1]
        if code in out:
            raise ParseError(
                source, f"sheet 'Metadata' cell {_cell(at['Indicator'], r_i)}: indicator {code} twice"
            )
        years = {}
        for k in range(1, 7):
            col = at[f"Year {k}"]
            year = row[col] if len(row) > col else None
            if year in (None, ""):
                years[2016 + k] = None
            elif isinstance(year, int | float) and float(year).is_integer() and 2000 <= year <= 2030:
                years[2016 + k] = int(year)
            else:
                raise ParseError(
                    source,
                    f"sheet 'Metadata' cell {_cell(col, r_i)}: reference year {year!r} of {code} "
                    "is not a year",
                )
        unit_text = str(row[at["Unit of measure"]] or "").strip()
        out[code] = {
            "name": m[2],
            "definition": str(row[at["Definition"]] or "").strip(),
            "unit_text": unit_text,
            "source_text": " ".join(str(row[at["Source"]] or "").split()),
            "unit": UNIT_SCORE if unit_text.lower().startswith("score") else UNIT_SHARE,
            "years": years,
        }
    if not out:
        raise ParseError(source, "sheet 'Metadata': no indicator rows (e.g. '3b5 AI')")
    return out


def _number(value, where: str, source: str) -> float | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(source, f"{where}: {value!r} is not a number")
    return float(value)


def _place(year, geo, where: str, source: str) -> tuple[int, str] | None:
    if not isinstance(year, str):
        return None  # a blank or helper row (the data block has a text edition 'y1'…'y6')
    if year not in EDITIONS:
        raise ParseError(source, f"{where}: edition {year!r} is not one of {', '.join(EDITIONS)}")
    if not (isinstance(geo, str) and re.fullmatch(r"[A-Z]{2}", geo)):
        raise ParseError(source, f"{where}: country {geo!r} is not a two-letter code")
    return EDITIONS[year], GEO_RENAME.get(geo, geo)


def read_data(rows: list[tuple], meta: dict[str, dict], source: str) -> list[tuple]:
    """Data sheet -> (indicator, geo, edition, unit, period, value) for every non-empty value."""
    if not rows:
        raise ParseError(source, "sheet 'Data' is empty")
    header = rows[0]
    if [str(c).strip() for c in header[:2]] != ["Year", "Country"]:
        raise ParseError(source, f"sheet 'Data' cell A1: expected 'Year', 'Country', found {header[:2]!r}")
    columns = {}
    for col, name in enumerate(header):
        m = INDICATOR_RE.match(str(name)) if isinstance(name, str) else None
        if m:
            if m[1] not in meta:
                raise ParseError(
                    source, f"sheet 'Data' cell {_cell(col, 0)}: indicator {m[1]} has no Metadata row"
                )
            columns[m[1]] = col
    absent = sorted(set(meta) - set(columns))
    if absent:
        raise ParseError(source, f"sheet 'Data': no column for indicator(s) {', '.join(absent)}")
    out, seen = [], set()
    for r_i, row in enumerate(rows[1:], start=1):
        place = _place(row[0], row[1] if len(row) > 1 else None, f"sheet 'Data' row {r_i + 1}", source)
        if place is None:
            if seen:
                break  # the data block ends; below are the sheet's helper tables
            continue
        edition, geo = place
        if (edition, geo) in seen:
            raise ParseError(source, f"sheet 'Data' row {r_i + 1}: {geo} edition {edition} twice")
        seen.add((edition, geo))
        for code, col in columns.items():
            where = f"sheet 'Data' cell {_cell(col, r_i)}"
            value = _number(row[col] if len(row) > col else None, where, source)
            if value is None:
                continue
            year = meta[code]["years"][edition]
            if year is None:
                raise ParseError(
                    source,
                    f"{where}: {code} has a value in DESI {edition} but Metadata gives no reference year",
                )
            out.append((code, geo, str(edition), meta[code]["unit"], str(year), value))
    if not out:
        raise ParseError(source, "sheet 'Data': no values")
    return out


def score_year(meta: dict[str, dict], edition: int, prefix: str) -> int | None:
    """The reference year most indicators of a dimension (code PREFIX; '' = all) refer to."""
    years = Counter(
        m["years"][edition] for c, m in meta.items() if c.startswith(prefix) and m["years"][edition]
    )
    if not years:
        return None
    top = max(years.values())
    return max(y for y, n in years.items() if n == top)


def read_scores(rows: list[tuple], meta: dict[str, dict], source: str) -> list[tuple]:
    """'Data 3' -> (measure, geo, edition, SCORE, period, value) for the DESI and its 4 dimensions."""
    head = next((i for i, r in enumerate(rows) if r and r[0] == "Year" and "DESI" in r), None)
    if head is None:
        raise ParseError(source, "sheet 'Data 3': no header row with 'Year' and 'DESI'")
    header = [str(c).strip() if c is not None else "" for c in rows[head]]
    cols = {}
    for code, name in DIMENSIONS.items():
        label = "DESI" if code == "desi" else name
        if label not in header:
            raise ParseError(source, f"sheet 'Data 3' row {head + 1}: no column {label!r}")
        cols[code] = header.index(label)
    out = []
    for r_i in range(head + 1, len(rows)):
        row = rows[r_i]
        place = _place(row[0], row[1] if len(row) > 1 else None, f"sheet 'Data 3' row {r_i + 1}", source)
        if place is None:
            if out:
                break
            continue
        edition, geo = place
        for code, col in cols.items():
            value = _number(row[col], f"sheet 'Data 3' cell {_cell(col, r_i)}", source)
            year = score_year(meta, edition, "" if code == "desi" else code[1])
            if value is not None and year is not None:
                out.append((code, geo, str(edition), UNIT_SCORE, str(year), value))
    return out


def parse_desi_xlsx(raw: bytes, source: str) -> ParsedDataset:
    """Parse the DESI workbook into a tidy frame (indicator, geo, edition, unit, period, value, flags)."""
    if not raw.startswith(ZIP_MAGIC):
        raise ParseError(source, "not an xlsx workbook (no zip signature)")
    book = _open(raw, source)
    try:
        meta = read_metadata(_rows(book, "Metadata", source), source)
        records = read_data(_rows(book, "Data", source), meta, source)
        records += read_scores(_rows(book, "Data 3", source), meta, source)
    finally:
        book.close()
    frame = pd.DataFrame(records, columns=[*DIMS, "period", "value"])
    dup = frame.duplicated(["indicator", "geo", "edition"])
    if dup.any():
        r = frame[dup].iloc[0]
        raise ParseError(source, f"{r['indicator']} {r['geo']} edition {r['edition']} given twice")
    frame = frame.astype({c: "str" for c in [*DIMS, "period"]})
    frame["value"] = frame["value"].astype(np.float64)
    frame["flags"] = pd.array([""] * len(frame), dtype="str")
    labels = {
        "indicator": {c: m["name"] for c, m in meta.items()} | DIMENSIONS,
        "unit": UNIT_LABELS,
        "desi_reference_years": {
            c: " ".join(f"{e}:{y or '-'}" for e, y in m["years"].items()) for c, m in meta.items()
        },
        "desi_units": {c: m["unit_text"] for c, m in meta.items()},
        "desi_sources": {c: m["source_text"] for c, m in meta.items()},
    }
    return ParsedDataset(format="desi-xlsx", dimensions=DIMS, frame=frame, labels=labels)
