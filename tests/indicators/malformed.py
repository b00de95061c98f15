"""Corpus of malformed publisher files that must be refused at parse level.

``CASES`` is a list of ``(name, raw_bytes, expected_substring_of_message)``: feeding
``raw_bytes`` to ``indicators.sources.detect.parse_bytes`` must raise ParseError whose message
contains the substring. Everything is built here in code (no files). Unknown codes and
implausible values are deliberately absent: those are checked later, against the reference
data in the database, not by the parsers.

Reuse: ``from tests.indicators.malformed import CASES`` (e.g. to check that ingesting each
case changes zero rows).
"""

from __future__ import annotations

import gzip
import json

# ----------------------------------------------------------------------------- building blocks

TSV_HEADER = "nace_r2,indic_sb,geo\\time\t2015 \t2014 \t2013 \n"
TSV_ROWS = [
    "B,V11110,AT\t348 \t349 \t353 \n",
    "B,V11110,BA\t: \t188 e\t191 p\n",
    "C,V12150,DE\t: c\t-1.5 \t2.25 \n",
]


def tsv(*rows: str, header: str = TSV_HEADER) -> bytes:
    """An old-style bulk TSV: the header, then the given rows (default: three good rows)."""
    return (header + "".join(rows or TSV_ROWS)).encode()


def tsv_with_row(index: int, row: str) -> bytes:
    """The good TSV with data row ``index`` (0-based, so file line index + 2) replaced."""
    rows = list(TSV_ROWS)
    rows[index] = row
    return tsv(*rows)


SDMX1_HEADER = "DATAFLOW,LAST UPDATE,freq,airpol,nace_r2,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
SDMX1_PREFIX = "ESTAT:ENV_AC_AINAH_R2(1.0),20/12/22 23:00:00,A,CO2,TOTAL,KG_HAB"
SDMX1_ROWS = [
    f"{SDMX1_PREFIX},AT,2019,7500.5,\n",
    f"{SDMX1_PREFIX},AT,2020,6800.25,p\n",
    f"{SDMX1_PREFIX},BE,2020,,c\n",
]


def sdmx1(*rows: str, header: str = SDMX1_HEADER) -> bytes:
    """An SDMX-CSV 1.0 file: the header, then the given rows (default: three good rows)."""
    return (header + "".join(rows or SDMX1_ROWS)).encode()


SDMX2_HEADER = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,geo,"
    "Geopolitical entity (reporting),TIME_PERIOD,Time,OBS_VALUE,Observation value,"
    "OBS_FLAG,Observation status (Flag) V2 structure,CONF_STATUS,"
    "Confidentiality status (flag)\n"
)
SDMX2_PREFIX = 'dataflow,ESTAT:ISOC_EB_AI(1.0),"Artificial intelligence, by size",A,Annual'


def sdmx2(*rows: str, header: str = SDMX2_HEADER) -> bytes:
    """An SDMX-CSV 2.0 file with label columns (quoted cells included)."""
    return (header + "".join(rows)).encode()


def sdmx2_row(geo: str, value: str = "20.5", flag: str = "", conf: str = "") -> str:
    return f"{SDMX2_PREFIX},{geo},{geo} name,2024,,{value},,{flag},,{conf},\n"


TIDY_HEADER = "freq,partner,geo,TIME_PERIOD,values\n"


def tidy(*rows: str, header: str = TIDY_HEADER) -> bytes:
    """A tidy CSV as written by the R eurostat package."""
    return (header + "".join(rows)).encode()


def feature(nuts_id: object = "AT13", level: object = 2, geometry: object = "default") -> dict:
    """A GISCO NUTS feature; pass None to leave a property (or the geometry) out."""
    props = {"CNTR_CODE": "AT", "NAME_LATN": "Wien", "NUTS_NAME": "Wien"}
    if nuts_id is not None:
        props["NUTS_ID"] = nuts_id
    if level is not None:
        props["LEVL_CODE"] = level
    if geometry == "default":
        geometry = {"type": "Point", "coordinates": [16.4, 48.2]}
    return {"type": "Feature", "geometry": geometry, "properties": props}


def geojson(*features: dict, kind: str = "FeatureCollection") -> bytes:
    return json.dumps({"type": kind, "features": list(features)}).encode()


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def gzip_bad_crc(data: bytes) -> bytes:
    """A complete gzip stream whose CRC-32 trailer is wrong (corrupt, not truncated)."""
    good = gzip_bytes(data)
    return good[:-8] + bytes(b ^ 0xFF for b in good[-8:-4]) + good[-4:]


# ----------------------------------------------------------------------------------- the corpus

CASES: list[tuple[str, bytes, str]] = [
    # --- bytes and compression
    ("empty_file", b"", "empty file"),
    ("whitespace_only", b"\n \n\t\n", "empty file"),
    ("gzip_of_empty_file", gzip_bytes(b""), "empty file"),
    ("truncated_gzip", gzip_bytes(tsv())[:60], "truncated gzip"),
    ("corrupt_gzip_crc", gzip_bad_crc(tsv()), "corrupt gzip"),
    ("bad_utf8_in_row", tsv().replace(b"191 p", b"19\xff1 p"), "line 3: not valid UTF-8"),
    (
        "latin1_inside_gzip",
        gzip_bytes("geo\\time\t2015 \nK\u00f6ln\t1 \n".encode("latin-1")),
        "line 2: not valid UTF-8",
    ),
    ("binary_junk", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unrecognised format"),
    # --- headers and formats
    ("unknown_csv_header", b"foo,bar,baz\n1,2,3\n", "unrecognised format"),
    ("unknown_tab_header", b"a\tb\tc\n1\t2\t3\n", "unrecognised format"),
    ("xml_not_navtree", b"<?xml version='1.0'?><root><a/></root>", "unrecognised format"),
    ("dictionary_not_dataset", b"AT\tAustria\nBE\tBelgium\n", "not an observation dataset"),
    (
        "toc_not_dataset",
        b'<nt:tree xmlns:nt="urn:eu.europa.ec.eurostat.navtree"></nt:tree>',
        "not an observation dataset",
    ),
    (
        "tsv_missing_time_column",
        tsv(header="nace_r2,indic_sb,geo\t2015 \t2014 \t2013 \n"),
        "line 1: missing time column",
    ),
    (
        "tsv_unknown_time_column",
        tsv(header="nace_r2,indic_sb,geo\\year\t2015 \t2014 \t2013 \n"),
        "unknown time column",
    ),
    (
        "tsv_no_dimensions",
        tsv("AT\t1 \t2 \t3 \n", header="\\time\t2015 \t2014 \t2013 \n"),
        "header has no dimensions",
    ),
    (
        "tsv_no_period_columns",
        tsv("B,V11110,AT\n", header="nace_r2,indic_sb,geo\\time\n"),
        "no period columns",
    ),
    (
        "tsv_bad_period_header",
        tsv(header="nace_r2,indic_sb,geo\\time\t2015 \t20x4 \t2013 \n"),
        "invalid period '20x4 '",
    ),
    (
        "tsv_duplicate_period_header",
        tsv(header="nace_r2,indic_sb,geo\\time\t2015 \t2014 \t2015 \n"),
        "duplicate period",
    ),
    ("tsv_header_only", TSV_HEADER.encode(), "no data rows"),
    # --- rows
    (
        "tsv_row_too_short",
        tsv_with_row(1, "B,V11110,BA\t: \t188 e\n"),
        "line 3: expected 4 cells, found 3",
    ),
    (
        "tsv_row_too_long",
        tsv_with_row(2, "C,V12150,DE\t1 \t2 \t3 \t4 \n"),
        "line 4: expected 4 cells, found 5",
    ),
    ("tsv_blank_line_inside", tsv(TSV_ROWS[0], "\n", TSV_ROWS[1]), "line 3: expected 4 cells"),
    (
        "tsv_key_too_few_codes",
        tsv_with_row(0, "B,AT\t348 \t349 \t353 \n"),
        "line 2: key 'B,AT' has 2 codes, expected 3",
    ),
    (
        "tsv_empty_code",
        tsv_with_row(2, "C,,DE\t1 \t2 \t3 \n"),
        "line 4: empty code for dimension 'indic_sb'",
    ),
    (
        "tsv_non_numeric_value",
        tsv_with_row(1, "B,V11110,BA\t12a3 \t188 e\t191 p\n"),
        "line 3: non-numeric value '12a3'",
    ),
    (
        "tsv_thousands_separator",
        tsv_with_row(0, "B,V11110,AT\t348 \t1,234 \t353 \n"),
        "line 2: non-numeric value '1,234'",
    ),
    (
        "tsv_decimal_comma",
        tsv_with_row(2, "C,V12150,DE\t: c\t-1,5 \t2.25 \n"),
        "non-numeric value '-1,5'",
    ),
    (
        "tsv_unknown_flag",
        tsv_with_row(2, "C,V12150,DE\t: c\t-1.5 x\t2.25 \n"),
        "line 4: unknown flag 'x'",
    ),
    (
        "tsv_unknown_flag_upper",
        tsv_with_row(0, "B,V11110,AT\t348 E\t349 \t353 \n"),
        "unknown flag 'E'",
    ),
    (
        "tsv_duplicate_key",
        tsv(TSV_ROWS[0], TSV_ROWS[1], TSV_ROWS[0]),
        "line 4: duplicate key 'B,V11110,AT'",
    ),
    (
        "tsv2023_duplicate_key",
        tsv(
            "A,C,AT\t1 \n",
            "A,C,BE\t2 \n",
            "A,C,AT\t3 \n",
            header="freq,nace_r2,geo\\TIME_PERIOD\t2021 \n",
        ),
        "line 4: duplicate key",
    ),
    # --- SDMX-CSV
    (
        "sdmx1_missing_obs_value",
        sdmx1(header="DATAFLOW,LAST UPDATE,freq,airpol,nace_r2,unit,geo,TIME_PERIOD,OBS_FLAG\n"),
        "missing OBS_VALUE column",
    ),
    (
        "sdmx1_missing_time_period",
        sdmx1(header="DATAFLOW,LAST UPDATE,freq,airpol,nace_r2,unit,geo,YEAR,OBS_VALUE,OBS_FLAG\n"),
        "unexpected column 'YEAR'",
    ),
    (
        "sdmx1_no_time_column_at_all",
        sdmx1(
            "X,20/12/22 23:00:00,A,AT,1,\n",
            header="DATAFLOW,LAST UPDATE,freq,geo,OBS_VALUE,OBS_FLAG\n",
        ),
        "missing time column",
    ),
    (
        "sdmx1_no_dimensions",
        sdmx1(
            "X,20/12/22 23:00:00,2020,1,\n",
            header="DATAFLOW,LAST UPDATE,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n",
        ),
        "header has no dimensions",
    ),
    (
        "sdmx1_row_too_short",
        sdmx1(SDMX1_ROWS[0], f"{SDMX1_PREFIX},AT,2020,6800.25\n"),
        "line 3: expected 10 cells, found 9",
    ),
    (
        "sdmx1_empty_geo",
        sdmx1(SDMX1_ROWS[0], f"{SDMX1_PREFIX},,2020,1,\n"),
        "line 3: empty code for dimension 'geo'",
    ),
    (
        "sdmx1_non_numeric_quoted",
        sdmx1(SDMX1_ROWS[0], f'{SDMX1_PREFIX},BE,2020,"1,234",\n'),
        "line 3: non-numeric value '1,234'",
    ),
    (
        "sdmx1_unknown_flag",
        sdmx1(SDMX1_ROWS[0], f"{SDMX1_PREFIX},BE,2020,1.5,q\n"),
        "line 3: unknown flag 'q'",
    ),
    ("sdmx1_duplicate_key", sdmx1(*SDMX1_ROWS, SDMX1_ROWS[1]), "line 5: duplicate key"),
    (
        "sdmx1_invalid_period",
        sdmx1(SDMX1_ROWS[0], f"{SDMX1_PREFIX},BE,2020-13,1,\n"),
        "line 3: invalid period '2020-13'",
    ),
    (
        "sdmx1_bad_last_update",
        sdmx1(SDMX1_ROWS[0].replace("20/12/22 23:00:00", "yesterday")),
        "bad LAST UPDATE",
    ),
    (
        "sdmx2_unexpected_column",
        sdmx2(sdmx2_row("AT"), header=SDMX2_HEADER.replace("STRUCTURE_NAME,", "STRUCTURE_NAME,Note,")),
        "unexpected column 'Note'",
    ),
    (
        "sdmx2_row_too_short",
        sdmx2(sdmx2_row("AT"), sdmx2_row("BE")[:-2] + "\n"),
        "line 3: expected 15 cells, found 14",
    ),
    (
        "sdmx2_unknown_conf_status",
        sdmx2(sdmx2_row("AT"), sdmx2_row("BE", "", "", "X")),
        "line 3: unknown flag 'X' in CONF_STATUS",
    ),
    (
        "sdmx2_unknown_obs_flag",
        sdmx2(sdmx2_row("AT", flag="pk")),
        "line 2: unknown flag 'k' in OBS_FLAG",
    ),
    (
        "sdmx2_duplicate_key",
        sdmx2(sdmx2_row("AT"), sdmx2_row("BE"), sdmx2_row("AT", "3")),
        "line 4: duplicate key",
    ),
    ("sdmx2_non_numeric", sdmx2(sdmx2_row("AT", "n/a")), "non-numeric value 'n/a'"),
    ("sdmx2_empty_dimension_code", sdmx2(sdmx2_row(" ")), "empty code for dimension 'geo'"),
    # --- tidy CSV
    ("tidy_missing_time_column", b"freq,geo,values\nM,AT,1\n", "missing time column"),
    ("tidy_non_numeric", tidy("M,US,EA20,2024-11-01,12a3\n"), "line 2: non-numeric value"),
    (
        "tidy_duplicate_key",
        tidy("M,US,EA20,2024-11-01,1\n", "M,CN,EA20,2024-11-01,2\n", "M,US,EA20,2024-11-01,3\n"),
        "line 4: duplicate key",
    ),
    ("tidy_invalid_date", tidy("M,US,EA20,2024-02-30,1\n"), "invalid period '2024-02-30'"),
    # --- GISCO GeoJSON
    ("geojson_invalid_json", b'{"type": "FeatureCollection", "features": [', "invalid JSON"),
    (
        "geojson_not_feature_collection",
        json.dumps(feature()).encode(),
        "not a GeoJSON FeatureCollection",
    ),
    ("geojson_no_features", geojson(), "has no features"),
    ("geojson_missing_nuts_id", geojson(feature(), feature(nuts_id=None)), "missing NUTS_ID"),
    ("geojson_missing_levl_code", geojson(feature(level=None)), "missing LEVL_CODE"),
    ("geojson_bad_level", geojson(feature(level=7)), "LEVL_CODE 7"),
    ("geojson_no_geometry", geojson(feature(geometry=None)), "has no geometry"),
    ("geojson_duplicate_nuts_id", geojson(feature(), feature()), "duplicate NUTS_ID 'AT13'"),
]
