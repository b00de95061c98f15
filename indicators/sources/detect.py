"""Recognise a publisher file from its content (never its name) and parse it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from . import comext, desi, eurostat, gisco, ncses, owid
from .base import ParsedDataset, ParseError, maybe_gunzip

_HEAD_BYTES = 64 * 1024  # the header line is all detection needs

_PARSERS: dict[str, Callable[[bytes, str], ParsedDataset]] = {
    "eurostat-tsv": eurostat.parse_tsv,
    "eurostat-tsv-2023": eurostat.parse_tsv,
    "sdmx-csv-1": eurostat.parse_sdmx_csv,
    "sdmx-csv-2": eurostat.parse_sdmx_csv,
    "tidy-csv": eurostat.parse_tidy_csv,
    "gisco-geojson": gisco.parse_geojson,
    comext.FORMAT: comext.parse,
    ncses.FORMAT: ncses.parse_ncses,
    "desi-xlsx": desi.parse_desi_xlsx,
    "owid-csv": owid.parse_owid_csv,
    "eea-ets-csv": owid.parse_ets_csv,
}

# Formats that are not observation datasets, and the function to use instead.
_NOT_DATASETS = {
    "eurostat-dic": "a code dictionary; use eurostat.parse_dic",
    "eurostat-toc": "a table of contents; use eurostat.parse_toc",
}


def detect_format(raw: bytes, source: str = "<bytes>") -> str:
    """Name the format of ``raw`` from its content (gunzipped first if gzip magic).

    Returns one of 'eurostat-tsv', 'eurostat-tsv-2023', 'sdmx-csv-1', 'sdmx-csv-2',
    'tidy-csv', 'comext-csv', 'ncses-sei-wide', 'eurostat-dic', 'gisco-geojson', 'eurostat-toc',
    'desi-xlsx', 'owid-csv' or 'eea-ets-csv'. Only the first line (or
    first character for JSON/XML) is looked at; full validation is the parser's job.
    Raises ParseError (naming ``source``) for empty, bad-gzip or unrecognised input.
    """
    data = maybe_gunzip(raw, source)
    if data.startswith(desi.ZIP_MAGIC):
        if desi.looks_like_desi(data):
            return "desi-xlsx"
        raise ParseError(source, "unrecognised format: a zip/xlsx file that is not the DESI workbook", 1)
    head = data[:_HEAD_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    stripped = head.lstrip()
    if not stripped:
        raise ParseError(source, "empty file")
    if stripped.startswith("{"):
        return "gisco-geojson"  # the only JSON we read; the parser checks it is NUTS GeoJSON
    if stripped.startswith("<"):
        if "eurostat.navtree" in head:
            return "eurostat-toc"
        raise ParseError(source, "unrecognised format: XML that is not a Eurostat navtree", 1)
    first_line = head.split("\n", 1)[0].rstrip("\r")
    if "\t" in first_line or "\\" in first_line:
        # Tab-separated, or a TSV header whose period columns are missing ('geo\\time').
        return _detect_tab_separated(first_line, source)
    return _detect_csv(first_line, source)


def _detect_tab_separated(line: str, source: str) -> str:
    cells = line.split("\t")
    first = cells[0]
    if "\\" in first:
        time_name = first.rpartition("\\")[2].strip().lower()
        return "eurostat-tsv-2023" if time_name == "time_period" else "eurostat-tsv"
    if "," in first:
        return "eurostat-tsv"  # a TSV key header missing its '\time' part: the parser says so
    if len(cells) == 2:
        return "eurostat-dic"
    raise ParseError(source, f"unrecognised format: tab-separated header {line[:80]!r}", 1)


def _detect_csv(line: str, source: str) -> str:
    header = [name.strip() for name in next(csv.reader(io.StringIO(line)), [])]
    if ncses.is_ncses_header(line):
        return ncses.FORMAT
    if header[:1] == ["DATAFLOW"]:
        return "sdmx-csv-1"
    if header[:1] == ["STRUCTURE"]:
        return "sdmx-csv-2"
    if owid.looks_like_owid(header):
        return "owid-csv"
    if owid.looks_like_ets(header):
        return "eea-ets-csv"
    if "values" in header:
        return "tidy-csv"  # the parser reports a missing time column
    if comext.is_header(line):
        return comext.FORMAT
    raise ParseError(source, f"unrecognised format: header {line[:80]!r}", 1)


def parse_bytes(raw: bytes, source: str) -> ParsedDataset:
    """Detect the format of ``raw`` and parse it with the matching parser.

    Dictionaries (.dic) and the table of contents are not datasets: ParseError, use
    eurostat.parse_dic / eurostat.parse_toc for them.
    """
    data = maybe_gunzip(raw, source)  # decompress once, not in detection and parser both
    fmt = detect_format(data, source)
    if fmt in _NOT_DATASETS:
        raise ParseError(source, f"not an observation dataset: {_NOT_DATASETS[fmt]}")
    return _PARSERS[fmt](data, source)
