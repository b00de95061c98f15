"""Tests of the NACE and NUTS reference-data parsers (indicators.sources.nace / .nuts).

Unit tests use tiny hand-made inputs (fixtures/samples/nace_sample.csv and workbooks built
here with openpyxl, with invented country codes XA/XB). Tests marked ``mirror`` read the real
files of the data mirror (env OBSERVATORY_DATA_MIRROR, else ../shared/data next to the
project) and are skipped when it is absent.
"""

from __future__ import annotations

import io
import json
import os
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from indicators.sources.base import ParseError
from indicators.sources.nace import (
    DIVISIONS,
    SECTIONS,
    aggregate_codes,
    aggregate_components,
    dotted_code,
    eurostat_code,
    is_plain_code,
    parse_nace_structure,
)
from indicators.sources.nuts import (
    CHANGE_COLUMNS,
    CHANGES,
    CODE_COLUMNS,
    chain_recoding,
    parse_nuts_2013_from_correspondence,
    parse_nuts_2016_tsv,
    parse_nuts_2021_labels,
    parse_nuts_changes,
    recoding_table,
)

PROJECT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT / "fixtures" / "samples"

NACE_CSV = "reference/eurostat_classifications/Nace2_long.csv"
NACE_DIC = "eurostat/dic/en/nace_r2.dic"
NUTS_LB_2021 = "gisco/NUTS_LB_2021_4326.geojson"
NUTS_2016_TSV = "reference/eurostat_nuts_classification/nuts-2016.tsv"
NUTS_2013_2016 = "reference/eurostat_nuts_classification/NUTS2013-NUTS2016.xlsx"
NUTS_2021 = "reference/eurostat_nuts_classification/NUTS2021.xlsx"

EU27 = frozenset(
    {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU"}
    | {"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
)


def mirror_root() -> Path:
    configured = os.environ.get("OBSERVATORY_DATA_MIRROR")
    return Path(configured) if configured else PROJECT.parent / "shared" / "data"


@cache
def _mirror_bytes(relative: str) -> bytes | None:
    path = mirror_root() / relative
    return path.read_bytes() if path.is_file() else None


def mirror_bytes(relative: str) -> bytes:
    """Bytes of a mirror file; skips the test when the mirror (or the file) is absent."""
    raw = _mirror_bytes(relative)
    if raw is None:
        pytest.skip(
            f"data mirror file {mirror_root() / relative} not found "
            "(set OBSERVATORY_DATA_MIRROR to the shared/data folder)"
        )
    return raw


@cache
def _changes(relative: str, from_version: int, to_version: int) -> pd.DataFrame:
    return parse_nuts_changes(mirror_bytes(relative), relative, from_version, to_version)


def real_changes_2013_2016() -> pd.DataFrame:
    return _changes(NUTS_2013_2016, 2013, 2016).copy()


def real_changes_2016_2021() -> pd.DataFrame:
    return _changes(NUTS_2021, 2016, 2021).copy()


def change_of(changes: pd.DataFrame, old: str, new: str) -> str:
    rows = changes[(changes["old_code"] == old) & (changes["new_code"] == new)]
    assert len(rows) == 1, f"{old!r} -> {new!r}: {len(rows)} rows"
    return rows["change"].iloc[0]


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """An xlsx workbook with one sheet per entry, rows written as given."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- NACE codes


@pytest.mark.parametrize(
    ("given", "eurostat", "dotted"),
    [
        ("C", "C", "C"),
        ("C25", "C25", "25"),
        ("25", "C25", "25"),
        ("25.4", "C254", "25.4"),
        ("C254", "C254", "25.4"),
        ("25.40", "C2540", "25.40"),
        ("C2540", "C2540", "25.40"),
        ("01.1", "A011", "01.1"),
        ("01.11", "A0111", "01.11"),
        ("99", "U99", "99"),
        ("2540", "C2540", "25.40"),
        (" 47.1 ", "G471", "47.1"),
        ("B-N_S95_X_K", "B-N_S95_X_K", "B-N_S95_X_K"),
        ("C10-C12", "C10-C12", "C10-C12"),
        ("TOTAL", "TOTAL", "TOTAL"),
    ],
)
def test_eurostat_code_and_dotted_code_convert_both_ways(given, eurostat, dotted):
    assert eurostat_code(given) == eurostat
    assert eurostat_code(eurostat) == eurostat  # idempotent
    assert dotted_code(eurostat) == dotted
    assert dotted_code(dotted) == dotted  # idempotent
    assert eurostat_code(dotted_code(eurostat)) == eurostat


@pytest.mark.parametrize("given", ["04", "34.1", "00.11", "40"])
def test_eurostat_code_rejects_unused_division_numbers(given):
    with pytest.raises(ValueError, match="not a NACE Rev. 2 division"):
        eurostat_code(given)


@pytest.mark.parametrize(
    ("code", "plain"),
    [
        ("C", True),
        ("C25", True),
        ("C2540", True),
        ("A25", False),
        ("L68A", False),
        ("C10-C12", False),
        ("TOTAL", False),
        ("V", False),
    ],
)
def test_is_plain_code_checks_division_against_section(code, plain):
    assert is_plain_code(code) is plain


def test_nace_structure_constants_match_the_classification():
    assert len(SECTIONS) == 21
    assert len(DIVISIONS) == 88
    assert DIVISIONS[0] == "A01" and DIVISIONS[-1] == "U99"


# --------------------------------------------------------------------------- NACE structure


def test_parse_nace_structure_reads_hand_made_sample():
    raw = (SAMPLES / "nace_sample.csv").read_bytes()
    frame = parse_nace_structure(raw, "nace_sample.csv")
    assert list(frame.columns) == ["code", "dotted", "level", "parent", "section", "name"]
    assert frame["code"].tolist() == ["A", "A01", "A011", "A0111", "C", "C25", "C254", "C2540"]
    by_code = frame.set_index("code")
    assert by_code.loc["C2540", "dotted"] == "25.40"
    assert by_code.loc["C2540", "parent"] == "C254"
    assert by_code.loc["C254", "parent"] == "C25"
    assert by_code.loc["C25", "parent"] == "C"
    assert by_code.loc["C", "parent"] == ""
    assert by_code.loc["A011", "level"] == 3
    assert by_code.loc["A01", "section"] == "A"
    assert by_code.loc["A01", "name"] == "Farming of crops and animals"


def test_parse_nace_structure_raises_on_missing_column():
    raw = b'"nace2","Name","Level"\n"A","AGRICULTURE","1"\n'
    with pytest.raises(ParseError, match="missing column.*Parent"):
        parse_nace_structure(raw, "no_parent.csv")


@pytest.mark.parametrize(
    "raw", [b"", b"\n\n", b'"nace2","Name","Level","Parent"\n'], ids=["empty", "blank", "header"]
)
def test_parse_nace_structure_raises_on_empty_input(raw):
    with pytest.raises(ParseError):
        parse_nace_structure(raw, "empty.csv")


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ('"25","Metal","2","C"\n', "parent 'C' of 'C25' does not exist"),
        ('"C","MANUF","1",NA\n"25.4","Arms","3","25"\n', "parent 'C25' of 'C254' does not exist"),
        ('"A","AGRI","1",NA\n"25","Metal","2","A"\n', "cannot be the parent"),
        ('"C","MANUF","1",NA\n"25","Metal","5","C"\n', "not 1-4"),
        ('"C","MANUF","1",NA\n"25.4","Metal","2","C"\n', "not a level-2 code"),
        ('"C","MANUF","1",NA\n"C","Again","1",NA\n', "duplicate code"),
    ],
    ids=["no-section", "no-division", "wrong-section", "bad-level", "bad-form", "duplicate"],
)
def test_parse_nace_structure_raises_on_inconsistent_tree(rows, reason):
    raw = ('"nace2","Name","Level","Parent"\n' + rows).encode()
    with pytest.raises(ParseError, match=reason):
        parse_nace_structure(raw, "bad.csv")


@pytest.mark.mirror
def test_parse_nace_structure_reads_real_file():
    frame = parse_nace_structure(mirror_bytes(NACE_CSV), NACE_CSV)
    assert len(frame) == 996
    assert frame["level"].value_counts().to_dict() == {1: 21, 2: 88, 3: 272, 4: 615}
    assert frame["code"].is_unique
    by_code = frame.set_index("code")
    assert by_code.loc["C254", "parent"] == "C25"
    assert by_code.loc["C25", "parent"] == "C"
    assert by_code.loc["C", "parent"] == ""
    assert by_code.loc["C", "name"] == "MANUFACTURING"
    assert by_code.loc["A011", "dotted"] == "01.1"
    assert by_code.loc["C2540", "dotted"] == "25.40"
    assert set(frame.loc[frame["level"] == 1, "code"]) == set(SECTIONS)
    assert set(frame.loc[frame["level"] == 2, "code"]) == set(DIVISIONS)
    assert set(frame.loc[frame["level"] > 1, "parent"]) <= set(frame["code"])
    assert (frame["dotted"].map(eurostat_code) == frame["code"]).all()
    assert (frame["code"].map(dotted_code) == frame["dotted"]).all()
    assert (frame["name"] != "").all()


# --------------------------------------------------------------------------- NACE aggregates


@pytest.mark.parametrize(
    ("code", "components"),
    [
        ("C10-C12", ["C10", "C11", "C12"]),
        ("B-E", ["B", "C", "D", "E"]),
        ("B-N_S95_X_K", ["B", "C", "D", "E", "F", "G", "H", "I", "J", "L", "M", "N", "S95"]),
        ("B-E36_F", ["B", "C", "D", "E36", "F"]),
        ("C31_C32", ["C31", "C32"]),
        ("B06-B09", ["B06", "B07", "B08", "B09"]),
        ("N77-N82_X_N79", ["N77", "N78", "N80", "N81", "N82"]),
        ("C244_C2453_C2454", ["C244", "C2453", "C2454"]),
        ("TOTAL", list(SECTIONS)),
        ("C25_X_C254", []),  # part of a component excluded
        ("B-N_X_K642", []),
        ("C_HTC", []),  # thematic
        ("B-M71_INN", []),  # unknown suffix
        ("C241-C243", []),  # range of groups
        ("TOT", []),  # depends on the dataset
        ("C_C25", []),  # overlapping terms
        ("E-B", []),  # reversed range
    ],
)
def test_aggregate_components_expands_simple_ranges_only(code, components):
    assert aggregate_components(code) == components


def test_aggregate_codes_keeps_only_aggregates():
    dic = {
        "TOTAL": "Total - all NACE activities",
        "C": "Manufacturing",
        "C25": "Manufacture of fabricated metal products",
        "C254": "Manufacture of weapons and ammunition",
        "C10-C12": "Food, beverages and tobacco",
        "B-N_S95_X_K": "Business economy except finance",
        "C_HTC": "High-technology manufacturing",
    }
    frame = aggregate_codes(dic)
    assert list(frame.columns) == ["code", "name", "components"]
    assert frame["code"].tolist() == ["TOTAL", "C10-C12", "B-N_S95_X_K", "C_HTC"]
    components = dict(zip(frame["code"], frame["components"], strict=True))
    assert components["C10-C12"] == ["C10", "C11", "C12"]
    assert components["C_HTC"] == []
    assert "K" not in components["B-N_S95_X_K"] and "S95" in components["B-N_S95_X_K"]
    assert frame.set_index("code").loc["C10-C12", "name"] == "Food, beverages and tobacco"


def test_aggregate_codes_of_empty_dict_is_empty_frame():
    frame = aggregate_codes({})
    assert frame.empty
    assert list(frame.columns) == ["code", "name", "components"]


@pytest.mark.mirror
def test_aggregate_codes_reads_real_dictionary():
    lines = mirror_bytes(NACE_DIC).decode("utf-8").splitlines()
    dic = dict(line.split("\t", 1) for line in lines if line.strip())
    frame = aggregate_codes(dic)
    assert len(frame) == 342
    components = dict(zip(frame["code"], frame["components"], strict=True))
    assert components["B-N_S95_X_K"] == [*"BCDEFGHIJLMN", "S95"]
    assert components["C10-C12"] == ["C10", "C11", "C12"]
    assert components["C_HTC"] == []
    assert "C25" not in components and "C2540" not in components
    known = [c for c in components.values() if c]
    assert len(known) == 146
    assert all(is_plain_code(code) for comps in known for code in comps)


# --------------------------------------------------------------------------- NUTS code lists


def _geojson(*props: dict[str, object]) -> bytes:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}, "properties": p}
        for p in props
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_parse_nuts_2021_labels_reads_properties():
    raw = _geojson(
        {"NUTS_ID": "XA11", "LEVL_CODE": 2, "CNTR_CODE": "XA", "NAME_LATN": "Region One "},
        {"NUTS_ID": "XA", "LEVL_CODE": 0, "CNTR_CODE": "XA", "NAME_LATN": "Xaland"},
    )
    frame = parse_nuts_2021_labels(raw, "lb.geojson")
    assert list(frame.columns) == CODE_COLUMNS
    assert frame.to_dict("records") == [
        {"code": "XA", "level": 0, "country": "XA", "name": "Xaland", "version": 2021},
        {"code": "XA11", "level": 2, "country": "XA", "name": "Region One", "version": 2021},
    ]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "invalid JSON"),
        (b'{"type": "FeatureCollection", "features": []}', "FeatureCollection"),
        (
            _geojson({"NUTS_ID": "XA1", "LEVL_CODE": 2, "CNTR_CODE": "XA", "NAME_LATN": "x"}),
            "LEVL_CODE",
        ),
        (_geojson({"NUTS_ID": "XA1", "LEVL_CODE": 1, "CNTR_CODE": "XA"}), "lacks NAME_LATN"),
        (
            _geojson(*[{"NUTS_ID": "XA", "LEVL_CODE": 0, "CNTR_CODE": "XA", "NAME_LATN": "x"}] * 2),
            "duplicate",
        ),
    ],
    ids=["json", "no-features", "level", "property", "duplicate"],
)
def test_parse_nuts_2021_labels_raises_on_bad_input(raw, reason):
    with pytest.raises(ParseError, match=reason):
        parse_nuts_2021_labels(raw, "bad.geojson")


def test_parse_nuts_2016_tsv_takes_level_from_code_length():
    raw = "nuts-2016\tcountry\tname\nXA\tXA\tXALAND\nXA1\tXA\tLAND\nXA12\tXA\tR\nXA123\tXA\tD\n"
    frame = parse_nuts_2016_tsv(raw.encode(), "nuts.tsv")
    assert list(frame.columns) == CODE_COLUMNS
    assert frame["level"].tolist() == [0, 1, 2, 3]
    assert set(frame["version"]) == {2016}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("code\tname\nXA\tX\n", "missing column"),
        ("nuts-2016\tcountry\tname\nXA1234\tXA\tX\n", "not a NUTS code"),
        ("nuts-2016\tcountry\tname\nXA1\tXB\tX\n", "country 'XB'"),
        ("nuts-2016\tcountry\tname\n", "no NUTS codes"),
    ],
)
def test_parse_nuts_2016_tsv_raises_on_bad_input(raw, reason):
    with pytest.raises(ParseError, match=reason):
        parse_nuts_2016_tsv(raw.encode(), "bad.tsv")


@pytest.mark.mirror
def test_parse_nuts_2021_labels_reads_real_file():
    frame = parse_nuts_2021_labels(mirror_bytes(NUTS_LB_2021), NUTS_LB_2021)
    assert len(frame) == 2010
    assert frame["level"].value_counts().to_dict() == {0: 37, 1: 125, 2: 334, 3: 1514}
    # The 334 NUTS-2 codes include the statistical regions of the 10 non-EU countries;
    # the EU-27 has 242. GISCO leaves out the extra-regio codes (…Z/ZZ/ZZZ).
    eu_level2 = frame[(frame["level"] == 2) & frame["country"].isin(EU27)]
    assert len(eu_level2) == 242
    assert not frame["code"].str.endswith("ZZ").any()
    by_code = frame.set_index("code")
    assert by_code.loc["HR05", "name"] == "Grad Zagreb"
    assert by_code.loc["EL", "country"] == "EL"


@pytest.mark.mirror
def test_parse_nuts_2016_tsv_reads_real_file():
    frame = parse_nuts_2016_tsv(mirror_bytes(NUTS_2016_TSV), NUTS_2016_TSV)
    assert len(frame) == 2016
    assert frame["level"].value_counts().to_dict() == {0: 37, 1: 125, 2: 332, 3: 1522}
    assert {"FRB0", "IE05", "LT01", "HR04", "PL92"} <= set(frame["code"])
    # This third-party list already has the 2018 Norwegian merge (NO060, no NO061/NO062).
    assert "NO060" in set(frame["code"]) and "NO061" not in set(frame["code"])


@pytest.mark.mirror
def test_parse_nuts_2013_from_correspondence_reads_real_file():
    frame = parse_nuts_2013_from_correspondence(mirror_bytes(NUTS_2013_2016), NUTS_2013_2016)
    assert len(frame) == 1828  # EU-28 only, extra-regio codes included
    assert frame["level"].value_counts().to_dict() == {0: 28, 1: 126, 2: 304, 3: 1370}
    regular = frame[~frame["code"].str[2:].str.contains("Z")]
    assert regular["level"].value_counts().to_dict() == {0: 28, 1: 98, 2: 276, 3: 1342}
    assert set(frame["version"]) == {2013}
    by_code = frame.set_index("code")
    assert by_code.loc["FR7", "name"] == "Centre-Est"  # from the discontinued (italic) row
    assert by_code.loc["IE01", "name"] == "Border, Midland and Western"
    assert by_code.loc["FR24", "name"] == ""  # relabelled in 2016, 2013 name not in the file
    assert {"LT00", "HU10", "UKM3", "DE915"} <= set(frame["code"])
    assert not {"FRB0", "IE05", "DE91C"} & set(frame["code"])


# --------------------------------------------------------------------------- NUTS changes

SAMPLE_2013_2016 = {
    "Version Date": [[None, "Change log:", "invented sample"]],
    "NUTS2013-NUTS2016": [
        [None, None, None, None, "Labels (version 2016 except in italics = version 2013)"],
        [
            None,
            "Code 2013",
            "Code 2016",
            "Country",
            "NUTS level 1",
            "NUTS level 2",
            "NUTS level 3",
            "Change",
            "level",
        ],
        [1, "XA", "XA", "XALAND ", None, None, None, None, 0],
        [2, "XA1", "XA1", None, "LAND ONE", None, None, None, 1],
        [3, "XA11", "XA14", None, None, "Recoded region", None, "recoded", 2],
        [4, "XA111", "XA141", None, None, None, "Recoded district", "recoded", 3],
        [5, "XA112", None, None, None, None, "District B", "discontinued; merged with ex-XA113", 3],
        [6, "XA113", None, None, None, None, "District C", "discontinued; merged with ex-XA112", 3],
        [
            7,
            None,
            "XA142",
            None,
            None,
            None,
            "Merged district",
            "new region, merge of ex-XA112 and XA113",
            3,
        ],
        [8, "XA12", None, None, None, "Split region", None, "split into new XA15 and XA16", 2],
        [9, None, "XA15", None, None, "Part one", None, "new region, equals ex-XA121", 2],
        [10, None, "XA16", None, None, "Part two", None, "new region", 2],
        [11, "XA121", "XA151", None, None, None, "Shifted district", "boundary shift", 3],
        [12, "XA2", "XA2", None, "LAND TWO NEW NAME", None, None, "relabelled", 1],
        [13, "XA3", None, None, "Gone land", None, None, "discontinued", 1],
        [
            14,
            None,
            "XA4",
            None,
            "NEW LAND",
            None,
            None,
            "new NUTS 1 region, identical to ex-NUTS 2 region XA11",
            1,
        ],
    ],
    "Correspondence NUTS-3": [
        ["Code 2013", "Code 2016", "Label", "Change", "Explanation (new = old)"],
        [
            None,
            "XA142",
            "Merged district",
            "new region, merge of ex-XA112 and XA113",
            "XA142=XA112+XA113",
        ],
        ["XA121", "XA151", "Shifted district", "boundary shift", None],
    ],
    "Correspondence NUTS-1": [
        ["Code 2013", "Code 2016", "Label", "Change", "Explanation (new = old)"],
        [
            None,
            "XA4",
            "NEW LAND",
            "new NUTS 1 region, identical to ex-NUTS 2 region XA11",
            "XA4=XA11",
        ],
    ],
}

SAMPLE_2016_2021 = {
    "Changes detailed NUTS 2016-2021": [
        [
            "Code 2016",
            "Code 2021",
            "Country",
            "NUTS level 1",
            "NUTS level 2",
            "NUTS level 3",
            "Change codes*",
            "Change comments",
            "NUTS level",
            None,
            "* Change codes:",
        ],
        ["XB", "XB", "Xbland", None, None, None, None, None, 0, None, "1: renamed"],
        ["XB1", "XB1", None, "Land", None, None, 1, "renamed", 1],
        ["XB11 ", "XB13", None, None, "Region", None, 2, None, 2],
        ["XB111", None, None, None, None, "D1", 5, "discontinued; now part of XB131", 3],
        ["XB112", None, None, None, None, "D2", 5, "discontinued; now part of XB131", 3],
        [None, "XB131", None, None, None, "D12", 6, "new; merge of ex-XB111 and XB112", 3],
        ["XB113", "XB132", None, None, None, "D3", 3, "recode, boundary change", 3],
        ["Statistical regions (EFTA countries, …):"],
    ],
}


def test_parse_nuts_changes_normalises_sample_2013_2016():
    raw = workbook_bytes(SAMPLE_2013_2016)
    changes = parse_nuts_changes(raw, "sample.xlsx", 2013, 2016)
    assert list(changes.columns) == CHANGE_COLUMNS
    assert set(changes["change"]) <= set(CHANGES)
    assert set(changes["from_version"]) == {2013} and set(changes["to_version"]) == {2016}
    got = {(r.old_code, r.new_code): r.change for r in changes.itertuples()}
    assert got == {
        ("XA11", "XA14"): "recoded",
        ("XA111", "XA141"): "recoded",
        ("XA112", "XA142"): "merged",
        ("XA113", "XA142"): "merged",
        ("XA12", "XA15"): "split",
        ("XA12", "XA16"): "split",
        ("XA121", "XA151"): "boundary shift",
        ("XA2", "XA2"): "relabelled",
        ("XA3", ""): "discontinued",
        ("", "XA4"): "new",  # equal to a NUTS-2 region: kept in the note only
    }
    notes = changes.set_index("new_code")["note"]
    assert "XA4=XA11" in notes["XA4"]
    assert "XA142=XA112+XA113" in notes["XA142"].iloc[0]
    assert changes.set_index("old_code").loc["XA3", "level"] == 1


def test_parse_nuts_changes_reads_change_comments_and_codes():
    raw = workbook_bytes(SAMPLE_2016_2021)
    changes = parse_nuts_changes(raw, "sample.xlsx", 2016, 2021)
    got = {(r.old_code, r.new_code): r.change for r in changes.itertuples()}
    assert got == {
        ("XB1", "XB1"): "relabelled",
        ("XB11", "XB13"): "recoded",  # no comment: change code 2 means 'recoded'
        ("XB111", "XB131"): "merged",
        ("XB112", "XB131"): "merged",
        ("XB113", "XB132"): "boundary shift",
    }


@pytest.mark.parametrize(
    ("raw", "versions", "reason"),
    [
        (workbook_bytes(SAMPLE_2013_2016), (2016, 2021), "no sheet has the columns"),
        (b"PK\x03\x04 not really a zip", (2013, 2016), "not an xlsx workbook"),
        (b"", (2013, 2016), "empty file"),
        (
            workbook_bytes({"S": [["Code 2013", "Code 2016", "Change"], ["XA1", "X-1", "recoded"]]}),
            (2013, 2016),
            "not a NUTS code",
        ),
    ],
    ids=["versions", "not-xlsx", "empty", "bad-code"],
)
def test_parse_nuts_changes_raises_on_bad_input(raw, versions, reason):
    with pytest.raises(ParseError, match=reason):
        parse_nuts_changes(raw, "bad.xlsx", *versions)


def test_parse_nuts_2013_from_correspondence_reads_sample():
    frame = parse_nuts_2013_from_correspondence(workbook_bytes(SAMPLE_2013_2016), "sample.xlsx")
    assert list(frame.columns) == CODE_COLUMNS
    assert frame["code"].tolist() == [
        "XA",
        "XA1",
        "XA11",
        "XA111",
        "XA112",
        "XA113",
        "XA12",
        "XA121",
        "XA2",
        "XA3",
    ]
    names = frame.set_index("code")["name"]
    assert names["XA"] == "XALAND"
    assert names["XA3"] == "Gone land"
    assert names["XA2"] == ""  # relabelled: the workbook only has the 2016 name


def test_recoding_table_keeps_recodes_and_merges_only():
    changes = parse_nuts_changes(workbook_bytes(SAMPLE_2013_2016), "sample.xlsx", 2013, 2016)
    table = recoding_table(changes)
    assert list(table.columns) == ["old_code", "new_code"]
    assert table.to_dict("records") == [
        {"old_code": "XA11", "new_code": "XA14"},
        {"old_code": "XA111", "new_code": "XA141"},
        {"old_code": "XA112", "new_code": "XA142"},
        {"old_code": "XA113", "new_code": "XA142"},
    ]


def test_recoding_table_drops_old_codes_with_two_targets():
    changes = pd.DataFrame(
        {
            "old_code": ["A1", "A1", "B1"],
            "new_code": ["C1", "C2", "D1"],
            "change": ["recoded", "merged", "recoded"],
        }
    )
    assert recoding_table(changes).to_dict("records") == [{"old_code": "B1", "new_code": "D1"}]


def test_chain_recoding_composes_steps():
    first = pd.DataFrame({"old_code": ["A1", "A2"], "new_code": ["B1", "B2"]})
    second = pd.DataFrame({"old_code": ["B1", "D1", "A2"], "new_code": ["C1", "E1", "F2"]})
    chained = chain_recoding(first, second)
    assert chained.to_dict("records") == [
        {"old_code": "A1", "new_code": "C1"},
        {"old_code": "A2", "new_code": "B2"},  # a code reused by the second step: first wins
        {"old_code": "B1", "new_code": "C1"},
        {"old_code": "D1", "new_code": "E1"},  # unchanged in the first step
    ]
    valid = chain_recoding(first, second, valid_codes={"C1", "E1"})
    assert valid["old_code"].tolist() == ["A1", "B1", "D1"]


def test_recoding_table_chains_concatenated_steps():
    changes = pd.DataFrame(
        {
            "from_version": [2013, 2013, 2016],
            "to_version": [2016, 2016, 2021],
            "old_code": ["A1", "A2", "B1"],
            "new_code": ["B1", "B2", "C1"],
            "change": ["recoded", "split", "recoded"],
        }
    )
    assert recoding_table(changes).to_dict("records") == [
        {"old_code": "A1", "new_code": "C1"},
        {"old_code": "B1", "new_code": "C1"},
    ]
    gap = changes.assign(from_version=[2010, 2010, 2016], to_version=[2013, 2013, 2021])
    with pytest.raises(ValueError, match="not consecutive"):
        recoding_table(gap)


@pytest.mark.mirror
def test_parse_nuts_changes_2013_2016_real_file_counts():
    changes = real_changes_2013_2016()
    assert changes["change"].value_counts().to_dict() == {
        "recoded": 181,
        "new": 27,
        "boundary shift": 21,
        "discontinued": 13,
        "split": 8,
        "relabelled": 4,
        "merged": 2,
    }
    level2 = changes[changes["level"] == 2]
    assert level2["change"].value_counts().to_dict() == {
        "recoded": 31,
        "split": 8,
        "new": 3,
        "discontinued": 2,
        "boundary shift": 1,
    }


@pytest.mark.mirror
@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        ("FR24", "FRB0", "recoded"),  # Centre -> Centre — Val de Loire
        ("FR71", "FRK2", "recoded"),
        ("FRA1", "FRY1", "recoded"),
        ("PL11", "PL71", "recoded"),
        ("FR7", "FRK", "recoded"),  # NUTS 1 'relabelled and recoded'
        ("IE021", "IE061", "recoded"),
        ("DE915", "DE91C", "merged"),
        ("DE919", "DE91C", "merged"),
        ("HU10", "HU11", "split"),
        ("HU10", "HU12", "split"),
        ("LT00", "LT02", "split"),
        ("PL12", "PL91", "split"),
        ("UKM3", "UKM9", "split"),
        ("UKM2", "UKM7", "boundary shift"),
        ("IE023", "IE051", "boundary shift"),
        ("PL12E", "PL925", "boundary shift"),  # formula says '=', change log says shift
        ("PL3", "PL8", "boundary shift"),
        ("PL2", "PL2", "relabelled"),
        ("IE01", "", "discontinued"),
        ("UKN02", "", "discontinued"),
        ("", "IE04", "new"),
        ("", "IE05", "new"),  # = IE023+IE024+IE025 (NUTS 3): in the note only
        ("", "FRC", "new"),
        ("", "PL926", "new"),
    ],
)
def test_parse_nuts_changes_2013_2016_real_file_known_changes(old, new, change):
    assert change_of(real_changes_2013_2016(), old, new) == change


@pytest.mark.mirror
def test_parse_nuts_changes_2016_2021_real_file_counts():
    changes = real_changes_2016_2021()
    assert changes["change"].value_counts().to_dict() == {
        "boundary shift": 24,
        "recoded": 24,
        "merged": 19,
        "relabelled": 14,
        "new": 5,
        "split": 3,
        "discontinued": 3,
    }


@pytest.mark.mirror
@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        ("HR04", "HR02", "split"),
        ("HR04", "HR05", "split"),
        ("HR04", "HR06", "split"),
        ("HR041", "HR050", "recoded"),
        ("UKN10", "UKN0A", "recoded"),
        ("NO011", "NO081", "recoded"),
        ("NO021", "NO020", "merged"),
        ("NO012", "NO082", "merged"),
        ("ITG25", "ITG2D", "merged"),  # 'recode, boundary change: merge of …' + formula
        ("ITG29", "ITG2D", "merged"),
        ("BE324", "BE328", "merged"),
        ("ITG2A", "ITG2E", "boundary shift"),
        ("ITG27", "ITG2H", "boundary shift"),
        ("BE321", "BE32A", "boundary shift"),
        ("EE006", "EE009", "boundary shift"),
        ("UKK21", "UKK24", "boundary shift"),
        ("NO05", "NO0A", "boundary shift"),
        ("CZ", "CZ", "relabelled"),
        ("FRE", "FRE", "relabelled"),
        ("NO01", "", "discontinued"),
        ("", "NO08", "new"),
        ("", "NO0B1", "new"),
    ],
)
def test_parse_nuts_changes_2016_2021_real_file_known_changes(old, new, change):
    assert change_of(real_changes_2016_2021(), old, new) == change


@pytest.mark.mirror
def test_parse_nuts_changes_real_codes_exist_in_their_versions():
    codes_2013 = set(parse_nuts_2013_from_correspondence(mirror_bytes(NUTS_2013_2016), "x")["code"])
    codes_2016 = set(parse_nuts_2016_tsv(mirror_bytes(NUTS_2016_TSV), "x")["code"])
    codes_2021 = set(parse_nuts_2021_labels(mirror_bytes(NUTS_LB_2021), "x")["code"])
    first, second = real_changes_2013_2016(), real_changes_2016_2021()
    assert set(first["old_code"]) - {""} <= codes_2013
    assert set(first["new_code"]) - {""} <= codes_2016
    # NO061/NO062 were merged in 2018 and are missing from the third-party 2016 list.
    assert set(second["old_code"]) - {""} - codes_2016 == {"NO061", "NO062"}
    assert set(second["new_code"]) - {""} <= codes_2021
    assert not set(first.loc[first["change"] == "discontinued", "old_code"]) & codes_2016
    assert not set(second.loc[second["change"] == "discontinued", "old_code"]) & codes_2021
    # Every code that appears or disappears between versions is explained by the table.
    eu28 = {code for code in codes_2013 if len(code) == 2}
    appeared = {c for c in codes_2016 - codes_2013 if c[:2] in eu28}
    assert appeared <= set(first["new_code"])
    assert codes_2021 - codes_2016 <= set(second["new_code"])
    assert codes_2016 - codes_2021 <= set(second["old_code"])


@pytest.mark.mirror
def test_recoding_table_real_files_chain_2013_to_2021():
    first, second = real_changes_2013_2016(), real_changes_2016_2021()
    step1, step2 = recoding_table(first), recoding_table(second)
    assert (len(step1), len(step2)) == (183, 43)
    chained = recoding_table(pd.concat([first, second], ignore_index=True))
    assert len(chained) == 226
    mapping = dict(zip(chained["old_code"], chained["new_code"], strict=True))
    assert mapping["FR24"] == "FRB0"
    assert mapping["DE915"] == mapping["DE919"] == "DE91C"
    assert mapping["HR041"] == "HR050"  # unchanged in 2016, recoded in 2021
    assert mapping["NO061"] == "NO060"
    for excluded in ("HU10", "LT00", "UKM2", "IE01", "HR04", "EE006", "ITG27", "PL2"):
        assert excluded not in mapping
    codes_2021 = set(parse_nuts_2021_labels(mirror_bytes(NUTS_LB_2021), "x")["code"])
    assert set(chained["new_code"]) <= codes_2021
    assert chained.equals(chain_recoding(step1, step2, valid_codes=codes_2021))
