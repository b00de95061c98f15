"""The probabilistic patent concordance "Transnational Patents in WIPO35 classes by NACE Rev.2
sectors (2-digit), 2014-2016" (sheet ``WIPO35 classes by NACE sectors``; data/PROVENANCE.md,
reference/patent_nace_concordance/; Fraunhofer ISI, Neuhäusler, Frietsch & Kroll 2019).

Layout: a title and a source line, then a header row ``NACE/WIPO35, <35 field names>``, a row
of field codes ``W35F01 … W35F35``, one row per NACE division number (1 … 99) and ``Total``.
Each field's column is its distribution over the divisions (sums to 1).

Returns ``field (W01…W35), nace (Eurostat code, e.g. C26), share``. Pure pandas, no Django.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from .base import ParseError

SHEET = "WIPO35 classes by NACE sectors"
_CODE = re.compile(r"W35F(\d{2})")
TOLERANCE = 0.01

# NACE Rev. 2 sections by division number.
_SECTIONS = [
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
]  # fmt: skip


def nace_division(number: int) -> str | None:
    """'C26' for 26; None for a number that is not a NACE Rev. 2 division (4, 34, 40…)."""
    for letter, low, high in _SECTIONS:
        if low <= number <= high:
            return f"{letter}{number:02d}"
    return None


def parse_concordance(raw: bytes, source: str) -> pd.DataFrame:
    """Read the WIPO35 × NACE sheet; ParseError naming the row for anything unexpected."""
    try:
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, header=None, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for every kind of broken workbook
        raise ParseError(source, f"not a readable xlsx workbook ({exc.__class__.__name__})") from exc
    if SHEET not in sheets:
        raise ParseError(source, f"no sheet {SHEET!r} (sheets: {', '.join(sheets)})")
    grid = sheets[SHEET]
    code_rows = [
        i for i in range(min(len(grid), 10)) if grid.iloc[i].astype(str).str.fullmatch(_CODE.pattern).any()
    ]
    if not code_rows:
        raise ParseError(source, "no row of field codes W35F01…W35F35")
    header = code_rows[0]
    codes = {}
    for col, cell in grid.iloc[header].items():
        match = _CODE.fullmatch(str(cell))
        if match:
            codes[col] = f"W{match[1]}"
    if sorted(codes.values()) != [f"W{n:02d}" for n in range(1, 36)]:
        raise ParseError(source, f"expected the 35 field codes, found {len(codes)}", header + 1)
    label_col = next(c for c in grid.columns if str(grid.iloc[header - 1, c]).startswith("NACE"))
    cells = grid.to_numpy(dtype=object)  # header=None: column labels are positions
    rows = []
    for i in range(header + 1, len(grid)):
        label = cells[i, label_col]
        if pd.isna(label):
            continue
        if str(label).strip().lower() == "total":
            break
        try:
            number = int(float(label))
        except ValueError:
            raise ParseError(source, f"row label {label!r} is not a NACE division number", i + 1) from None
        nace = nace_division(number)
        if nace is None:
            raise ParseError(source, f"{number} is not a NACE Rev. 2 division", i + 1)
        for col, field in codes.items():
            value = pd.to_numeric(cells[i, col], errors="coerce")
            if pd.isna(value) or value < 0 or value > 1:
                raise ParseError(source, f"share {cells[i, col]!r} for {field} × {nace} is not in 0…1", i + 1)
            rows.append((field, nace, float(value)))
    frame = pd.DataFrame(rows, columns=["field", "nace", "share"])
    if frame.empty:
        raise ParseError(source, "no NACE rows")
    if frame.duplicated(["field", "nace"]).any():
        raise ParseError(source, "a NACE division appears twice")
    sums = frame.groupby("field")["share"].sum()
    off = sums[(sums - 1).abs() > TOLERANCE]
    if not off.empty:
        raise ParseError(source, f"shares of {off.index[0]} sum to {off.iloc[0]:.4f}, not 1")
    return frame
