"""NCSES Science & Engineering Indicators 2020, tables S8-4 … S8-39: USPTO patents and
PATSTAT patent families granted, by inventor region/country × year, one table per WIPO
technical field (data/PROVENANCE.md, reference/patents_ncses_sei2020_wipo35/).

The wide layout (``table_id, row_id, region_country_or_economy_full_path, …_level_1…4,
…_hierarchy_depth, field_<year>_uspto_patents, field_<year>_patent_families, …``) becomes the
tidy frame ``wipo35, geo, count, period, value, flags``:

* ``wipo35`` — ``W01`` … ``W35`` (the WIPO 2008 field numbering, the same as the
  concordance's ``W35F01`` …) from the table id (the data file does not name its field; the
  table README's title does, and a mirror test checks :data:`TABLE_FIELDS` against it);
  ``TOTAL`` for table 1917 (all fields).
* ``geo`` — Eurostat geo codes from the ``->``-joined region path (:data:`REGION_GEO`).
  NCSES's "EU" is the **EU-28** (its notes: "The EU includes 28 member countries"; the UK is
  listed under it), so it is ``EU28``, never ``EU27_2020``. "EU -> All others" (the 15 member
  states not listed) is ``EU_OTH``. "China" includes Hong Kong: ``CN`` (Eurostat: "China
  including Hong Kong"). NCSES's continental groups do not match Eurostat's aggregates (its
  "North America" has Mexico, its "Asia" no Middle East) and its other "All others" rows have
  no Eurostat code: those rows are listed in :data:`SKIPPED_PATHS` and not loaded. A path in
  neither table is an error, so a new row can never slip in unmapped.
* ``count`` — ``patent_families`` or ``uspto_patents`` (fractional counts by inventor residence).

Several tables can come in one input (the source fetches its 36 parts and joins them): each
part starts with its own header line. Pure pandas, no Django.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from .base import ParsedDataset, ParseError, read_text, tidy_frame

FORMAT = "ncses-sei-wide"
HEADER_START = ("table_id", "row_id", "region_country_or_economy_full_path")
LEVELS = tuple(f"region_country_or_economy_level_{i}" for i in range(1, 5))
DEPTH = "region_country_or_economy_hierarchy_depth"
_YEAR_COLUMN = re.compile(r"field_(\d{4})_(uspto_patents|patent_families)")
COUNTS = ("patent_families", "uspto_patents")
ALL_FIELDS = "TOTAL"

#: NCSES table id -> WIPO technical field (2008 numbering 1-35). From each table's README title.
TABLE_FIELDS: dict[str, str] = {
    "1917": ALL_FIELDS,
    "1918": "W01",  # Electrical machinery, apparatus, energy (S8-5)
    "1919": "W02",  # Audio-visual technology
    "1920": "W03",  # Telecommunications
    "1921": "W04",  # Digital communication
    "1902": "W05",  # Basic communication processes
    "1903": "W06",  # Computer technology
    "1904": "W07",  # IT methods for management
    "1905": "W08",  # Semiconductors
    "1906": "W09",  # Optics
    "1907": "W10",  # Measurement
    "1908": "W11",  # Analysis of biological materials
    "1909": "W12",  # Control
    "1910": "W13",  # Medical technology
    "1911": "W14",  # Organic fine chemistry
    "1912": "W15",  # Biotechnology
    "1913": "W16",  # Pharmaceuticals
    "1923": "W17",  # Macromolecular chemistry, polymers
    "1924": "W18",  # Food chemistry
    "1925": "W19",  # Basic materials chemistry
    "1926": "W20",  # Materials, metallurgy
    "1927": "W21",  # Surface technology, coating
    "1928": "W22",  # Microstructural and nanotechnology
    "1929": "W23",  # Chemical engineering
    "1930": "W24",  # Environmental technology
    "1931": "W25",  # Handling
    "1932": "W26",  # Machine tools
    "1933": "W27",  # Engines, pumps, turbines
    "1934": "W28",  # Textile and paper machines
    "1935": "W29",  # Other special machines
    "1936": "W30",  # Thermal processes and apparatus
    "1937": "W31",  # Mechanical elements
    "1938": "W32",  # Transport
    "1939": "W33",  # Furniture, games
    "1940": "W34",  # Other consumer goods
    "1941": "W35",  # Civil engineering
}

#: WIPO field code -> name (WIPO 2008 / NCSES table 10550 wording) and its sector.
WIPO_FIELDS: dict[str, tuple[str, str]] = {
    "W01": ("Electrical machinery, apparatus, energy", "Electrical engineering"),
    "W02": ("Audio-visual technology", "Electrical engineering"),
    "W03": ("Telecommunications", "Electrical engineering"),
    "W04": ("Digital communication", "Electrical engineering"),
    "W05": ("Basic communication processes", "Electrical engineering"),
    "W06": ("Computer technology", "Electrical engineering"),
    "W07": ("IT methods for management", "Electrical engineering"),
    "W08": ("Semiconductors", "Electrical engineering"),
    "W09": ("Optics", "Instruments"),
    "W10": ("Measurement", "Instruments"),
    "W11": ("Analysis of biological materials", "Instruments"),
    "W12": ("Control", "Instruments"),
    "W13": ("Medical technology", "Instruments"),
    "W14": ("Organic fine chemistry", "Chemistry"),
    "W15": ("Biotechnology", "Chemistry"),
    "W16": ("Pharmaceuticals", "Chemistry"),
    "W17": ("Macromolecular chemistry, polymers", "Chemistry"),
    "W18": ("Food chemistry", "Chemistry"),
    "W19": ("Basic materials chemistry", "Chemistry"),
    "W20": ("Materials, metallurgy", "Chemistry"),
    "W21": ("Surface technology, coating", "Chemistry"),
    "W22": ("Microstructural and nanotechnology", "Chemistry"),
    "W23": ("Chemical engineering", "Chemistry"),
    "W24": ("Environmental technology", "Chemistry"),
    "W25": ("Handling", "Mechanical engineering"),
    "W26": ("Machine tools", "Mechanical engineering"),
    "W27": ("Engines, pumps, turbines", "Mechanical engineering"),
    "W28": ("Textile and paper machines", "Mechanical engineering"),
    "W29": ("Other special machines", "Mechanical engineering"),
    "W30": ("Thermal processes and apparatus", "Mechanical engineering"),
    "W31": ("Mechanical elements", "Mechanical engineering"),
    "W32": ("Transport", "Mechanical engineering"),
    "W33": ("Furniture, games", "Other fields"),
    "W34": ("Other consumer goods", "Other fields"),
    "W35": ("Civil engineering", "Other fields"),
}

_W = "World"
_EU = f"{_W} -> Europe -> EU"
#: Region path -> Eurostat geo code (the rows we load).
REGION_GEO: dict[str, str] = {
    _W: "WORLD",
    f"{_W} -> North America -> Canada": "CA",
    f"{_W} -> North America -> Mexico": "MX",
    f"{_W} -> North America -> Puerto Rico": "PR",
    f"{_W} -> North America -> United States": "US",
    f"{_W} -> Central and South America -> Argentina": "AR",
    f"{_W} -> Central and South America -> Brazil": "BR",
    _EU: "EU28",
    f"{_EU} -> Austria": "AT",
    f"{_EU} -> Belgium": "BE",
    f"{_EU} -> Denmark": "DK",
    f"{_EU} -> Finland": "FI",
    f"{_EU} -> France": "FR",
    f"{_EU} -> Germany": "DE",
    f"{_EU} -> Hungary": "HU",
    f"{_EU} -> Ireland": "IE",
    f"{_EU} -> Italy": "IT",
    f"{_EU} -> Netherlands": "NL",
    f"{_EU} -> Spain": "ES",
    f"{_EU} -> Sweden": "SE",
    f"{_EU} -> United Kingdom": "UK",
    f"{_EU} -> All others": "EU_OTH",
    f"{_W} -> Europe -> Other Europe -> Norway": "NO",
    f"{_W} -> Europe -> Other Europe -> Russia": "RU",
    f"{_W} -> Europe -> Other Europe -> Switzerland": "CH",
    f"{_W} -> Asia -> China": "CN",
    f"{_W} -> Asia -> India": "IN",
    f"{_W} -> Asia -> Japan": "JP",
    f"{_W} -> Asia -> Malaysia": "MY",
    f"{_W} -> Asia -> Singapore": "SG",
    f"{_W} -> Asia -> South Korea": "KR",
    f"{_W} -> Asia -> Taiwan": "TW",
    f"{_W} -> Middle East -> Israel": "IL",
    f"{_W} -> Africa -> South Africa": "ZA",
    f"{_W} -> Australia and Oceania -> Australia": "AU",
    f"{_W} -> Australia and Oceania -> New Zealand": "NZ",
}

#: Rows deliberately not loaded: NCSES groupings with no Eurostat geo code of the same content.
SKIPPED_PATHS: frozenset[str] = frozenset(
    {
        f"{_W} -> North America",
        f"{_W} -> North America -> All others",
        f"{_W} -> Central and South America",
        f"{_W} -> Central and South America -> All others",
        f"{_W} -> Europe",
        f"{_W} -> Europe -> Other Europe",
        f"{_W} -> Europe -> Other Europe -> Former Soviet Union",
        f"{_W} -> Europe -> Other Europe -> All others",
        f"{_W} -> Asia",
        f"{_W} -> Asia -> All others",
        f"{_W} -> Middle East",
        f"{_W} -> Middle East -> All others",
        f"{_W} -> Africa",
        f"{_W} -> Africa -> All others",
        f"{_W} -> Australia and Oceania",
        f"{_W} -> Australia and Oceania -> All others",
        f"{_W} -> Unclassified",
    }
)

#: NCSES special values (table READMEs) -> our flag letters: i imputed -> e (estimated),
#: r revised -> r, D suppressed (disclosure) -> c (confidential, no value).
SPECIAL_FLAGS = {"i": "e", "r": "r", "D": "c"}
_CELL = re.compile(r"\s*(-?\d+(?:\.\d+)?)?\s*([irD]?)\s*")


def is_ncses_header(first_line: str) -> bool:
    return first_line.replace('"', "").startswith(",".join(HEADER_START))


def parse_ncses(raw: bytes, source: str) -> ParsedDataset:
    """Parse one or more concatenated NCSES SEI wide tables (see the module docstring).

    Raises ParseError naming the line for: an unknown header or table id, a header that
    differs between tables, a region path whose levels or depth disagree, an unknown region
    path, a table or region twice, a non-numeric or negative count.
    """
    text = read_text(raw, source)
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith(HEADER_START[0] + ",")]
    if not starts or starts[0] != 0:
        raise ParseError(source, f"unrecognised header: expected it to start {','.join(HEADER_START)}", 1)
    header = _header(lines[0], source)
    columns = header[1]
    parts = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if _header(lines[start], source, start + 1) != header:
            raise ParseError(source, "header differs from the first table's header", start + 1)
        parts.append(_table(lines[start:end], start, columns, source))
    table = pd.concat(parts, ignore_index=True)
    if table.empty:
        raise ParseError(source, "no data rows")
    dup = table.duplicated(subset=["table_id", "path"], keep="first")
    if dup.any():
        row = table[dup].iloc[0]
        raise ParseError(
            source, f"table {row['table_id']} has region {row['path']!r} twice", int(row["line"])
        )
    table = table[table["path"].isin(REGION_GEO)]
    return _tidy(table, columns, source)


def _header(line: str, source: str, number: int = 1) -> tuple[list[str], list[tuple[str, str]]]:
    cells = next(csv.reader(io.StringIO(line)))
    fixed = [*HEADER_START, *LEVELS, DEPTH]
    if cells[: len(fixed)] != fixed:
        raise ParseError(source, f"unrecognised header: expected the columns {', '.join(fixed)}", number)
    columns = []
    for cell in cells[len(fixed) :]:
        match = _YEAR_COLUMN.fullmatch(cell)
        if not match:
            raise ParseError(source, f"unrecognised header: unexpected column {cell!r}", number)
        columns.append((match[1], match[2]))
    if not columns:
        raise ParseError(source, "header has no year columns", number)
    if len(set(columns)) != len(columns):
        raise ParseError(source, "header repeats a year column", number)
    years = sorted({year for year, _ in columns})
    return years, columns


def _table(lines: list[str], offset: int, columns, source: str) -> pd.DataFrame:
    width = len(HEADER_START) + len(LEVELS) + 1 + len(columns)
    records = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    rows = []
    for i, cells in enumerate(records):
        number = offset + i + 2
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            raise ParseError(source, f"expected {width} cells, found {len(cells)}", number)
        table_id, path = cells[0].strip(), cells[2].strip()
        if table_id not in TABLE_FIELDS:
            raise ParseError(
                source, f"unknown table id {table_id!r} (not a WIPO-field table of SEI 2020)", number
            )
        levels = [c.strip() for c in cells[3:7] if c.strip()]
        if " -> ".join(levels) != path:
            raise ParseError(source, f"region path {path!r} disagrees with its levels {levels}", number)
        if cells[7].strip() != str(len(levels)):
            raise ParseError(
                source, f"region {path!r}: hierarchy depth {cells[7]!r}, expected {len(levels)}", number
            )
        if path not in REGION_GEO and path not in SKIPPED_PATHS:
            raise ParseError(
                source, f"unknown region path {path!r} (not mapped to a Eurostat geo code)", number
            )
        rows.append([table_id, path, number, *cells[8:]])
    return pd.DataFrame(rows, columns=["table_id", "path", "line", *range(len(columns))])


def _tidy(table: pd.DataFrame, columns: list[tuple[str, str]], source: str) -> ParsedDataset:
    n = len(columns)
    cells = table[list(range(n))].to_numpy(dtype=object).ravel()
    uniques, codes = np.unique(cells.astype(str), return_inverse=True)
    parsed_value = np.full(len(uniques), np.nan)
    parsed_flag = np.empty(len(uniques), dtype=object)
    for k, text in enumerate(map(str, uniques)):
        match = _CELL.fullmatch(text)
        if not match:
            pos = int(np.flatnonzero(codes == k)[0])
            raise ParseError(source, f"non-numeric value {text!r}", int(table["line"].iloc[pos // n]))
        number, letter = match[1], match[2]
        if number is not None and float(number) < 0:
            pos = int(np.flatnonzero(codes == k)[0])
            raise ParseError(source, f"negative count {text!r}", int(table["line"].iloc[pos // n]))
        parsed_value[k] = float(number) if number is not None else np.nan
        parsed_flag[k] = SPECIAL_FLAGS.get(letter, "")
    values, flags = parsed_value[codes], parsed_flag[codes]
    rows = len(table)
    dims = {
        "wipo35": np.repeat(table["table_id"].map(TABLE_FIELDS).to_numpy(dtype=object), n),
        "geo": np.repeat(table["path"].map(REGION_GEO).to_numpy(dtype=object), n),
        "count": np.tile(np.array([c for _, c in columns], dtype=object), rows),
    }
    period = np.tile(np.array([y for y, _ in columns], dtype=object), rows)
    frame = tidy_frame(dims, period, values, flags.astype(object))
    return ParsedDataset(format=FORMAT, dimensions=("wipo35", "geo", "count"), frame=frame)
