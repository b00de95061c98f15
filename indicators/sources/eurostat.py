"""Parsers for Eurostat files: bulk TSV (old and 2023 headers), SDMX-CSV 1.0 and 2.0, the
tidy CSV written by the R ``eurostat`` package, code dictionaries (.dic) and the
table of contents (navtree XML).

Every observation parser returns a ParsedDataset whose frame is tidy: one str column per
dimension, then ``period`` (str), ``value`` (float64, NaN when missing) and ``flags`` (str).
Anything unreadable raises ParseError naming the source and, where meaningful, the 1-based
line of the file. Cells are parsed with vectorised pandas operations on their distinct
texts, never one Python call per cell.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - see parse_toc for why this is safe here
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .base import (
    CONF_STATUS_FLAGS,
    OBS_FLAG_CHARS,
    Column,
    ParsedDataset,
    ParseError,
    check_cell_counts,
    combine,
    duplicate_row,
    factorize,
    first_bad_flag,
    first_true,
    maybe_gunzip,
    normalise_flags,
    normalise_period,
    normalise_period_column,
    parse_numbers,
    read_text,
    tidy_frame,
)

# Dimension names as Eurostat writes them (lower-case codes such as nace_r2, indic_sb).
_DIM_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
# Upper-case SDMX attribute columns other than the ones we read (e.g. OBS_COMMENT).
_ATTR_NAME_RE = re.compile(r"[A-Z][A-Z0-9_]*")

# ============================================================================ bulk TSV


def parse_tsv(raw: bytes, source: str) -> ParsedDataset:
    """Parse a Eurostat bulk TSV (gzip or plain).

    Header: ``dim1,dim2,geo\\time`` (format 'eurostat-tsv') or ``freq,…,geo\\TIME_PERIOD``
    ('eurostat-tsv-2023'), then one column per period (trailing spaces allowed). Rows: the
    comma-joined key, then cells ``value[ flags]`` or ``:[ flags]``. Rows that are missing
    without a flag are dropped; the frame keeps file order (series by series).
    """
    text = read_text(raw, source)
    lines = text.split("\n")
    fmt, dims, periods = _tsv_header(lines[0], source)
    check_cell_counts(lines, "\t", len(periods) + 1, source)
    if len(lines) < 2:
        raise ParseError(source, "no data rows")
    table = pd.read_csv(
        io.StringIO(text),
        sep="\t",
        header=None,
        skiprows=1,
        names=list(range(len(periods) + 1)),
        dtype=str,
        keep_default_na=False,
        quoting=csv.QUOTE_NONE,  # Eurostat TSV never quotes; a stray '"' is just a character
    )
    keys = _tsv_keys(table[0], dims, source)
    cells = table.iloc[:, 1:].to_numpy(dtype=object)
    values, flags = _tsv_cells(cells, periods, source)
    n_periods = len(periods)
    dim_columns = {name: np.repeat(keys[name], n_periods) for name in dims}
    frame = tidy_frame(dim_columns, np.tile(np.array(periods, dtype=object), len(table)), values, flags)
    return ParsedDataset(format=fmt, dimensions=dims, frame=frame)


def _tsv_header(line: str, source: str) -> tuple[str, tuple[str, ...], list[str]]:
    """Read the TSV header: (format, dimension names, normalised periods)."""
    cells = line.split("\t")
    first = cells[0].strip()
    if "\\" not in first:
        raise ParseError(source, f"missing time column: header cell {first!r} has no '\\time' part", 1)
    dim_part, _, time_part = first.rpartition("\\")
    time_name = time_part.strip().lower()
    if time_name == "time":
        fmt = "eurostat-tsv"
    elif time_name == "time_period":
        fmt = "eurostat-tsv-2023"
    else:
        raise ParseError(source, f"unrecognised header: unknown time column {time_part!r}", 1)
    dims = _dimension_names(dim_part.split(",") if dim_part.strip() else [], source)
    periods = []
    for cell in cells[1:]:
        period = normalise_period(cell)
        if period is None:
            raise ParseError(source, f"invalid period {cell!r} in header", 1)
        if period in periods:
            raise ParseError(source, f"duplicate period {period!r} in header", 1)
        periods.append(period)
    if not periods:
        raise ParseError(source, "header has no period columns", 1)
    return fmt, dims, periods


def _dimension_names(names: list[str], source: str) -> tuple[str, ...]:
    """Validate header dimension names (lower-cased, in file order)."""
    dims = tuple(name.strip().lower() for name in names)
    if not dims:
        raise ParseError(source, "header has no dimensions", 1)
    for name in dims:
        if not _DIM_NAME_RE.fullmatch(name):
            raise ParseError(source, f"unrecognised header: bad dimension name {name!r}", 1)
    if len(set(dims)) != len(dims):
        raise ParseError(source, f"duplicate dimension in header {dims}", 1)
    return dims


def _tsv_keys(keys: pd.Series, dims: tuple[str, ...], source: str) -> dict[str, np.ndarray]:
    """Split the comma-joined series keys into one object array per dimension."""
    wrong = first_true((keys.str.count(",") != len(dims) - 1).to_numpy())
    if wrong is not None:
        key = keys.iloc[wrong].strip()
        raise ParseError(
            source,
            f"key {key!r} has {key.count(',') + 1} codes, expected {len(dims)} ({','.join(dims)})",
            wrong + 2,
        )
    parts = keys.str.split(",", expand=True) if len(dims) > 1 else keys.to_frame()
    columns = {name: Column.of(parts.iloc[:, i]) for i, name in enumerate(dims)}
    for name, column in columns.items():
        _check_codes(column, name, source, lambda row: row + 2)
    # Compare integer codes, not strings: the same key twice is a duplicate even if spaced.
    codes = pd.DataFrame({name: column.codes for name, column in columns.items()})
    dup = duplicate_row(codes, list(dims))
    if dup is not None:
        key = ",".join(columns[name].text(dup) for name in dims)
        raise ParseError(source, f"duplicate key {key!r}", dup + 2)
    return {name: column.values() for name, column in columns.items()}


def _check_codes(column: Column, name: str, source: str, line_of) -> None:
    empty = column.first_row(column.uniques == "")
    if empty is not None:
        raise ParseError(source, f"empty code for dimension {name!r}", line_of(empty))


def _tsv_cells(cells: np.ndarray, periods: list[str], source: str):
    """Parse the (series × period) grid of ``value[ flags]`` cells into flat arrays."""
    codes, uniques = factorize(cells.ravel())
    parts = uniques.str.partition(" ")
    value_texts, flag_texts = parts[0], parts[2].str.strip()
    values, bad_value = parse_numbers(value_texts)
    flag_codes, flag_uniques = factorize(flag_texts)  # a few dozen distinct flag strings
    flags, bad_flag = normalise_flags(flag_uniques)
    flags, bad_flag = flags[flag_codes], bad_flag[flag_codes]
    for bad, what in ((bad_value, "value"), (bad_flag, "flag")):
        pos = first_true(bad[codes]) if bad.any() else None
        if pos is None:
            continue
        row, col = divmod(pos, len(periods))
        cell = uniques.iloc[codes[pos]]
        if what == "value":
            reason = f"non-numeric value {value_texts.iloc[codes[pos]]!r}"
        else:
            reason = f"unknown flag {first_bad_flag(flag_texts.iloc[codes[pos]])!r}"
        raise ParseError(source, f"{reason} in cell {cell!r} (period {periods[col]})", row + 2)
    return values[codes], flags[codes]


# ============================================================================ CSV helpers


def _csv_header(text: str, source: str) -> list[str]:
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    header = [name.strip() for name in header]
    if any(name == "" for name in header):
        raise ParseError(source, "unrecognised header: empty column name", 1)
    return header


def _read_csv_table(text: str, ncols: int, source: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Read the data rows of a comma-separated file: (str frame with columns 0..n-1, line of
    each row). Checks that every row has ``ncols`` cells, naming the line of the first bad one.
    """
    if '"' not in text:
        # No quoting: one record per line, so counting commas per line is exact and fast.
        lines = text.split("\n")
        check_cell_counts(lines, ",", ncols, source)
        line_of = np.arange(2, len(lines) + 1)
    else:
        line_of = _quoted_record_lines(text, ncols, source)
    if line_of.size == 0:
        raise ParseError(source, "no data rows")
    table = pd.read_csv(
        io.StringIO(text),
        header=None,
        skiprows=1,
        names=list(range(ncols)),
        dtype=str,
        keep_default_na=False,
    )
    return table, line_of


def _quoted_record_lines(text: str, ncols: int, source: str) -> np.ndarray:
    """First line of every data record of a quoted CSV, checking each record's cell count.

    Quoted fields may hold commas or line breaks, so records are counted with the csv
    module (one pass at C speed per record) rather than by splitting lines.
    """
    reader = csv.reader(io.StringIO(text))
    next(reader)
    starts = []
    previous_end = 1
    for row in reader:
        start = previous_end + 1
        if len(row) != ncols:
            raise ParseError(source, f"expected {ncols} cells, found {len(row)}", start)
        starts.append(start)
        previous_end = reader.line_num
    return np.array(starts, dtype=np.int64)


def _column(table: pd.DataFrame, idx: int) -> Column:
    return Column.of(table[idx])


def _observations(
    source: str,
    dims: dict[str, Column],
    periods: Column,
    values: Column,
    flags: Column,
    line_of: np.ndarray,
) -> pd.DataFrame:
    """Validate the columns of a row-per-observation file and build its tidy frame."""
    for name, column in dims.items():
        _check_codes(column, name, source, lambda row: int(line_of[row]))
    normalised, bad = normalise_period_column(periods, dims.get("freq"))
    if bad is not None:
        raise ParseError(source, f"invalid period {periods.text(bad)!r}", int(line_of[bad]))
    keys = pd.DataFrame({name: column.codes for name, column in dims.items()})
    keys["period"] = normalised.codes
    dup = duplicate_row(keys, list(keys.columns))
    if dup is not None:
        key = ",".join([*(c.text(dup) for c in dims.values()), normalised.text(dup)])
        raise ParseError(source, f"duplicate key {key!r}", int(line_of[dup]))
    numbers, bad_value = parse_numbers(pd.Series(values.uniques, dtype=object))
    row = values.first_row(bad_value)
    if row is not None:
        raise ParseError(source, f"non-numeric value {values.text(row)!r}", int(line_of[row]))
    flag_texts, bad_flag = normalise_flags(pd.Series(flags.uniques, dtype=object))
    row = flags.first_row(bad_flag)
    if row is not None:
        text = flags.text(row)
        raise ParseError(source, f"unknown flag {first_bad_flag(text)!r} in {text!r}", int(line_of[row]))
    return tidy_frame(
        {name: column.values() for name, column in dims.items()},
        normalised.values(),
        numbers[values.codes],
        flag_texts[flags.codes],
    )


# ============================================================================ SDMX-CSV

_SDMX1_META = ("DATAFLOW", "LAST UPDATE")
_SDMX2_META = ("STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION")
_SDMX_SPECIAL = ("TIME_PERIOD", "OBS_VALUE", "OBS_FLAG", "CONF_STATUS")


@dataclass
class _SdmxLayout:
    """Where things are in an SDMX-CSV header (column positions)."""

    format: str
    dims: list[str] = field(default_factory=list)
    dim_index: dict[str, int] = field(default_factory=dict)
    label_index: dict[str, int] = field(default_factory=dict)
    special: dict[str, int] = field(default_factory=dict)
    last_update: int | None = None


def parse_sdmx_csv(raw: bytes, source: str) -> ParsedDataset:
    """Parse Eurostat SDMX-CSV 1.0 or 2.0 (with or without label columns).

    1.0: ``DATAFLOW,LAST UPDATE,freq,<dims>,TIME_PERIOD,OBS_VALUE,OBS_FLAG``; ``last_update``
    is the latest LAST UPDATE (dd/mm/yy hh:mm:ss). 2.0: ``STRUCTURE,STRUCTURE_ID[,
    STRUCTURE_NAME]``, the dimensions each optionally followed by its label column, then
    ``TIME_PERIOD[,Time],OBS_VALUE[,label],OBS_FLAG[,label][,CONF_STATUS[,label]]``; the
    labels go to ``ParsedDataset.labels``.

    Flags (2025 convention): ``flags`` = OBS_FLAG letters (b d e f i m n p u, and the
    pre-2025 letters) followed by the CONF_STATUS code mapped as C -> 'c' (confidential,
    the same letter as ': c' in the TSV), N -> 'N' (not for publication) and P -> 'P'
    (non-statistical secrecy). N and P stay upper-case because 'n' and 'p' already mean
    "not significant" and "provisional". E.g. OBS_FLAG 'p' + CONF_STATUS 'C' -> 'pc'.
    """
    text = read_text(raw, source)
    header = _csv_header(text, source)
    layout = _sdmx_layout(header, source)
    table, line_of = _read_csv_table(text, len(header), source)
    dims = {name: _column(table, layout.dim_index[name]) for name in layout.dims}
    frame = _observations(
        source,
        dims,
        _column(table, layout.special["TIME_PERIOD"]),
        _column(table, layout.special["OBS_VALUE"]),
        _sdmx_flags(table, layout, line_of, source),
        line_of,
    )
    return ParsedDataset(
        format=layout.format,
        dimensions=tuple(layout.dims),
        frame=frame,
        last_update=_last_update(table, layout, line_of, source),
        labels=_labels(table, layout, dims),
    )


def _sdmx_layout(header: list[str], source: str) -> _SdmxLayout:
    """Classify the header columns of an SDMX-CSV file.

    A lower-case code before TIME_PERIOD is a dimension; a column that is neither a code
    nor a known SDMX column and directly follows a dimension or a known column is that
    column's label (Eurostat's 'labels=both' layout). Anything else is an error.
    """
    if header[0] == "DATAFLOW":
        layout, meta = _SdmxLayout("sdmx-csv-1"), _SDMX1_META
    elif header[:2] == ["STRUCTURE", "STRUCTURE_ID"]:
        layout, meta = _SdmxLayout("sdmx-csv-2"), _SDMX2_META
    else:
        raise ParseError(source, f"unrecognised header starting {header[:3]}", 1)
    i = 1
    while i < len(header) and header[i] in meta:
        if header[i] == "LAST UPDATE":
            layout.last_update = i
        i += 1
    labelled: str | None = None  # the column still waiting for its label, if any
    for idx in range(i, len(header)):
        labelled = _classify_column(layout, header[idx], idx, labelled, source)
    _check_layout(layout, source)
    return layout


def _classify_column(
    layout: _SdmxLayout, name: str, idx: int, labelled: str | None, source: str
) -> str | None:
    """Record one header column in ``layout``; return the column that may take a label."""
    if name in _SDMX_SPECIAL:
        if name in layout.special:
            raise ParseError(source, f"duplicate column {name!r}", 1)
        layout.special[name] = idx
        return name
    time_seen = "TIME_PERIOD" in layout.special
    is_code = _DIM_NAME_RE.fullmatch(name) is not None
    is_attribute = _ATTR_NAME_RE.fullmatch(name) is not None
    if is_code and not time_seen:
        if name in layout.dim_index:
            raise ParseError(source, f"duplicate dimension {name!r}", 1)
        layout.dims.append(name)
        layout.dim_index[name] = idx
        return name
    if is_attribute and time_seen:
        return name  # another attribute (ignored), possibly followed by its label
    # Labels are prose ('Time frequency', 'Time'), never identifiers, and exist only in 2.0:
    # so a stray 'YEAR' in a 1.0 header is reported instead of being taken for a label.
    if labelled is not None and layout.format == "sdmx-csv-2" and not (is_code or is_attribute):
        if labelled in layout.dim_index:
            layout.label_index[labelled] = idx
        return None
    raise ParseError(source, f"unrecognised header: unexpected column {name!r}", 1)


def _check_layout(layout: _SdmxLayout, source: str) -> None:
    if "TIME_PERIOD" not in layout.special:
        raise ParseError(source, "missing time column TIME_PERIOD", 1)
    if "OBS_VALUE" not in layout.special:
        raise ParseError(source, "missing OBS_VALUE column", 1)
    if not layout.dims:
        raise ParseError(source, "header has no dimensions", 1)
    if layout.label_index and len(layout.label_index) != len(layout.dims):
        # Labels come for every dimension or for none; a gap means we misread a column.
        unlabelled = [d for d in layout.dims if d not in layout.label_index]
        raise ParseError(source, f"unrecognised header: no label column for {unlabelled}", 1)


def _sdmx_flags(table: pd.DataFrame, layout: _SdmxLayout, line_of: np.ndarray, source: str) -> Column:
    """OBS_FLAG + CONF_STATUS as one raw flag string per row (normalised later)."""
    empty = Column.constant("", len(table))
    obs = _column(table, layout.special["OBS_FLAG"]) if "OBS_FLAG" in layout.special else empty
    conf = _column(table, layout.special["CONF_STATUS"]) if "CONF_STATUS" in layout.special else empty
    # OBS_FLAG holds lower-case status letters only; CONF_STATUS one code (C, N or P).
    bad_obs = np.array([not set(text) <= OBS_FLAG_CHARS for text in obs.uniques])
    row = obs.first_row(bad_obs)
    if row is not None:
        text = obs.text(row)
        bad = next(ch for ch in text if ch not in OBS_FLAG_CHARS)
        raise ParseError(source, f"unknown flag {bad!r} in OBS_FLAG {text!r}", int(line_of[row]))
    bad_conf = np.array([text not in ("", *CONF_STATUS_FLAGS) for text in conf.uniques])
    row = conf.first_row(bad_conf)
    if row is not None:
        raise ParseError(source, f"unknown flag {conf.text(row)!r} in CONF_STATUS", int(line_of[row]))
    return combine(obs, conf)


def _last_update(
    table: pd.DataFrame, layout: _SdmxLayout, line_of: np.ndarray, source: str
) -> datetime.date | None:
    """The latest LAST UPDATE date of an SDMX-CSV 1.0 file (dd/mm/yy hh:mm:ss)."""
    if layout.last_update is None:
        return None
    column = _column(table, layout.last_update)
    dates = [_parse_last_update(text) if text else None for text in column.uniques]
    bad = np.array([text != "" and date is None for text, date in zip(column.uniques, dates, strict=True)])
    row = column.first_row(bad)
    if row is not None:
        raise ParseError(source, f"bad LAST UPDATE {column.text(row)!r}", int(line_of[row]))
    return max((d for d in dates if d is not None), default=None)


def _parse_last_update(text: str) -> datetime.date | None:
    for fmt in ("%d/%m/%y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - date only
        except ValueError:
            continue
    return None


def _labels(table: pd.DataFrame, layout: _SdmxLayout, dims: dict[str, Column]) -> dict[str, dict[str, str]]:
    """dimension -> {code: label} from the label columns (first label of a code wins)."""
    labels = {}
    for name, idx in layout.label_index.items():
        codes = dims[name]
        label = _column(table, idx)
        # The first row of every distinct code, then that row's label.
        code_ids, first_rows = np.unique(codes.codes, return_index=True)
        labels[name] = {
            codes.uniques[code]: label.text(row) for code, row in zip(code_ids, first_rows, strict=True)
        }
    return labels


# ============================================================================ tidy CSV

_TIDY_TIME = ("TIME_PERIOD", "time")
_TIDY_NA = frozenset({"NA"})  # R writes missing values as NA


def parse_tidy_csv(raw: bytes, source: str) -> ParsedDataset:
    """Parse the tidy CSV written by the R ``eurostat`` package.

    Columns: dimensions (codes), ``TIME_PERIOD`` or ``time``, ``values`` and optionally
    ``flags``. Dates are turned into Eurostat periods with the ``freq`` column when present
    (2020-04-01 with freq Q -> '2020-Q2'); without it first-of-month dates become 'YYYY-MM'.
    """
    text = read_text(raw, source)
    header = _csv_header(text, source)
    time_idx = next((header.index(t) for t in _TIDY_TIME if t in header), None)
    if time_idx is None:
        raise ParseError(source, "missing time column (TIME_PERIOD or time)", 1)
    if "values" not in header:
        raise ParseError(source, "unrecognised header: no 'values' column", 1)
    value_idx = header.index("values")
    flag_idx = header.index("flags") if "flags" in header else None
    dim_idx = [i for i in range(len(header)) if i not in (time_idx, value_idx, flag_idx)]
    dims = _dimension_names([header[i] for i in dim_idx], source)
    table, line_of = _read_csv_table(text, len(header), source)
    values = _column(table, value_idx).map_uniques(_blank_na)
    flags = (
        _column(table, flag_idx).map_uniques(_blank_na)
        if flag_idx is not None
        else Column.constant("", len(table))
    )
    frame = _observations(
        source,
        {name: _column(table, i) for name, i in zip(dims, dim_idx, strict=True)},
        _column(table, time_idx),
        values,
        flags,
        line_of,
    )
    return ParsedDataset(format="tidy-csv", dimensions=dims, frame=frame)


def _blank_na(texts: np.ndarray) -> np.ndarray:
    return np.array(["" if text in _TIDY_NA else text for text in texts], dtype=object)


# ============================================================================ dictionaries


def parse_dic(raw: bytes, source: str) -> dict[str, str]:
    """Parse a Eurostat code dictionary: ``code<TAB>label`` lines, no header.

    Returns {code: label} in file order. Blank lines are skipped; a line without a tab, an
    empty code or a code given twice raises ParseError.
    """
    text = read_text(raw, source)
    labels: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        code, tab, label = line.partition("\t")
        code = code.strip()
        if not tab:
            raise ParseError(source, "expected code<TAB>label", number)
        if not code:
            raise ParseError(source, "empty code", number)
        if code in labels:
            raise ParseError(source, f"duplicate code {code!r}", number)
        labels[code] = label.strip()
    return labels


# ============================================================================ table of contents

_NT = "{urn:eu.europa.ec.eurostat.navtree}"


def parse_toc(raw: bytes, source: str) -> dict[str, datetime.date]:
    """Parse Eurostat's table_of_contents.xml(.gz): {dataset or table code: lastUpdate}.

    Every ``nt:leaf`` (type dataset or table) with a code and a ``dd.mm.yyyy`` lastUpdate
    is kept; a code listed under several themes keeps its latest date. Streams the XML with
    iterparse and clears each leaf, so the 19 MB file takes about a second.
    """
    data = maybe_gunzip(raw, source)
    dates: dict[str, datetime.date] = {}
    # xml.etree does not fetch external entities and expat >= 2.4 refuses entity-expansion
    # bombs, which covers what defusedxml would add for a file from Eurostat.
    events = ET.iterparse(io.BytesIO(data), events=("end",))  # noqa: S314
    try:
        for _, elem in events:
            if elem.tag == f"{_NT}leaf":
                _toc_leaf(elem, dates, source)
                elem.clear()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ParseError(source, f"malformed XML ({exc})", line) from exc
    if events.root is None or events.root.tag != f"{_NT}tree":
        raise ParseError(source, "not a Eurostat table of contents (no nt:tree root)")
    return dates


def _toc_leaf(elem: ET.Element, dates: dict[str, datetime.date], source: str) -> None:
    code = (elem.findtext(f"{_NT}code") or "").strip()
    text = (elem.findtext(f"{_NT}lastUpdate") or "").strip()
    if not code or not text:
        return
    try:
        date = datetime.datetime.strptime(text, "%d.%m.%Y").date()  # noqa: DTZ007 - date only
    except ValueError as exc:
        raise ParseError(source, f"bad lastUpdate {text!r} for {code!r}") from exc
    if code not in dates or date > dates[code]:
        dates[code] = date
