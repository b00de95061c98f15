"""Parsers of publisher files: hand-made samples (exact values) and the real data mirror.

The sample files in fixtures/samples/ are small hand-written files in the real formats. Tests
marked ``mirror`` read the real files (OBSERVATORY_DATA_MIRROR, else ../shared/data) and check
facts stated in the mirror's PROVENANCE.md or counted independently with zcat/cut/sort.
"""

from __future__ import annotations

import datetime
import gzip
import json
import math
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from indicators.sources import eurostat, gisco
from indicators.sources.base import ParsedDataset, ParseError, normalise_period
from indicators.sources.detect import detect_format, parse_bytes

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "fixtures" / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def rows(ds: ParsedDataset) -> list[tuple]:
    """The frame as plain tuples, NaN written as None so rows compare with ==."""
    out = []
    for record in ds.frame.itertuples(index=False):
        out.append(tuple(None if isinstance(v, float) and math.isnan(v) else v for v in record))
    return out


def assert_tidy_dtypes(ds: ParsedDataset) -> None:
    frame = ds.frame
    assert list(frame.columns) == [*ds.dimensions, "period", "value", "flags"]
    for column in [*ds.dimensions, "period", "flags"]:
        assert pd.api.types.is_string_dtype(frame[column].dtype), column
        assert not frame[column].isna().any(), column
    assert frame["value"].dtype == "float64"
    assert isinstance(frame.index, pd.RangeIndex)


# =============================================================================== base


def test_parse_error_message_names_source_and_line():
    err = ParseError("file.tsv", "bad cell", 7)
    assert str(err) == "file.tsv: line 7: bad cell"
    assert (err.source, err.reason, err.line) == ("file.tsv", "bad cell", 7)
    assert isinstance(err, ValueError)


def test_parse_error_message_omits_missing_line():
    assert str(ParseError("file.tsv", "empty file")) == "file.tsv: empty file"


@pytest.mark.parametrize(
    ("text", "freq", "expected"),
    [
        ("2015", None, "2015"),
        ("2015 ", None, "2015"),
        ("2020M01", None, "2020-01"),
        ("2020-01", None, "2020-01"),
        ("2021Q1", None, "2021-Q1"),
        ("2021-Q1", None, "2021-Q1"),
        ("2021-S2", None, "2021-S2"),
        ("2020-W05", None, "2020-W05"),
        ("2020-01-01", None, "2020-01"),
        ("2020-01-15", None, "2020-01-15"),
        ("2020-04-01", "Q", "2020-Q2"),
        ("2020-07-01", "S", "2020-S2"),
        ("2020-01-01", "A", "2020"),
        ("2020-03-01", "M", "2020-03"),
        ("2020-03-01", "D", "2020-03-01"),
        ("2020-13", None, None),
        ("2021-Q5", None, None),
        ("2024-02-30", "M", None),
        ("20x5", None, None),
        ("", None, None),
    ],
)
def test_normalise_period_examples(text, freq, expected):
    assert normalise_period(text, freq) == expected


# =============================================================================== bulk TSV

OLD_TSV_ROWS = [
    ("B", "V11110", "AT", "2015", 348.0, ""),
    ("B", "V11110", "AT", "2014", 349.0, ""),
    ("B", "V11110", "BA", "2014", 188.0, "e"),
    ("B", "V11110", "BA", "2013", 191.0, "p"),
    ("C", "V12150", "DE", "2015", None, "c"),
    ("C", "V12150", "DE", "2014", -1.5, ""),
    ("C", "V12150", "DE", "2013", 2.25, "bu"),
    ("C", "V12150", "LU", "2014", None, "z"),
]


def test_parse_tsv_old_plain_sample_exact_rows():
    ds = eurostat.parse_tsv(sample("eurostat_old.tsv"), "eurostat_old.tsv")
    assert ds.format == "eurostat-tsv"
    assert ds.dimensions == ("nace_r2", "indic_sb", "geo")
    assert rows(ds) == OLD_TSV_ROWS
    assert ds.last_update is None
    assert ds.labels == {}
    assert_tidy_dtypes(ds)


def test_parse_tsv_old_gzip_sample_equals_plain():
    gz = eurostat.parse_tsv(sample("eurostat_old.tsv.gz"), "eurostat_old.tsv.gz")
    plain = eurostat.parse_tsv(sample("eurostat_old.tsv"), "eurostat_old.tsv")
    assert gz.format == "eurostat-tsv"
    pd.testing.assert_frame_equal(gz.frame, plain.frame)


def test_parse_tsv_drops_bare_missing_but_keeps_flagged_missing():
    frame = eurostat.parse_tsv(sample("eurostat_old.tsv"), "s").frame
    keys = set(zip(frame["geo"], frame["period"], strict=True))
    assert ("AT", "2013") not in keys  # ': ' carries nothing
    assert ("BA", "2015") not in keys
    assert ("LU", "2015") not in keys and ("LU", "2013") not in keys
    assert ("DE", "2015") in keys  # ': c' is kept: confidential
    assert ("LU", "2014") in keys  # ': z' is kept: not applicable


def test_parse_tsv_2023_header_sample_exact_rows():
    ds = eurostat.parse_tsv(sample("eurostat_2023.tsv"), "eurostat_2023.tsv")
    assert ds.format == "eurostat-tsv-2023"
    assert ds.dimensions == ("freq", "unit", "nace_r2", "geo")
    assert rows(ds) == [
        ("Q", "I21", "C", "EU27_2020", "2021-Q1", 101.2, ""),
        ("Q", "I21", "C", "EU27_2020", "2021-Q2", 102.5, "p"),
        ("Q", "I21", "C", "FR", "2021-Q1", None, "c"),
        ("Q", "I21", "C", "FR", "2021-Q2", 99.0, ""),
    ]
    assert_tidy_dtypes(ds)


def test_parse_tsv_old_monthly_header_becomes_iso_months():
    raw = b"indic,geo\\time\t2020M02 \t2020M01 \nX,AT\t1.5 \t: p\n"
    ds = eurostat.parse_tsv(raw, "monthly.tsv")
    assert rows(ds) == [("X", "AT", "2020-02", 1.5, ""), ("X", "AT", "2020-01", None, "p")]


def test_parse_tsv_accepts_crlf_bom_and_cell_without_space():
    raw = b"\xef\xbb\xbfgeo\\time\t2015 \t2014 \r\nAT\t12\t:\r\nBE\t3 \t4 \r\n"
    ds = eurostat.parse_tsv(raw, "crlf.tsv")
    assert ds.dimensions == ("geo",)
    assert rows(ds) == [("AT", "2015", 12.0, ""), ("BE", "2015", 3.0, ""), ("BE", "2014", 4.0, "")]


def test_parse_tsv_reads_2025_confidentiality_letter():
    raw = b"geo\\TIME_PERIOD\t2025 \nAT\t: C\n"
    assert rows(eurostat.parse_tsv(raw, "new.tsv")) == [("AT", "2025", None, "c")]


def test_parse_tsv_names_line_and_period_of_bad_cell():
    raw = b"geo\\time\t2015 \t2014 \nAT\t1 \t2 \nBE\t3 \t4q \n"
    with pytest.raises(ParseError) as caught:
        eurostat.parse_tsv(raw, "bad.tsv")
    assert caught.value.line == 3
    assert "'4q'" in caught.value.reason and "period 2014" in caught.value.reason


# =============================================================================== SDMX-CSV


def test_parse_sdmx_csv_1_sample_exact_rows_and_last_update():
    ds = eurostat.parse_sdmx_csv(sample("sdmx_csv_1.csv"), "sdmx_csv_1.csv")
    assert ds.format == "sdmx-csv-1"
    assert ds.dimensions == ("freq", "airpol", "nace_r2", "unit", "geo")
    assert rows(ds) == [
        ("A", "CO2", "TOTAL", "KG_HAB", "AT", "2019", 7500.5, ""),
        ("A", "CO2", "TOTAL", "KG_HAB", "AT", "2020", 6800.25, "p"),
        ("A", "CO2", "C", "KG_HAB", "BE", "2020", None, "c"),
    ]
    # The latest of the LAST UPDATE cells (20/12/22 and 21/12/22).
    assert ds.last_update == datetime.date(2022, 12, 21)
    assert ds.labels == {}
    assert_tidy_dtypes(ds)


def test_parse_sdmx_csv_2_labels_sample_rows_flags_and_labels():
    ds = eurostat.parse_sdmx_csv(sample("sdmx_csv_2_labels.csv"), "labels.csv")
    assert ds.format == "sdmx-csv-2"
    assert ds.dimensions == ("freq", "size_emp", "nace_r2", "indic_is", "unit", "geo")
    prefix = ("A",)
    tail = ("C10-S951_X_K", "E_AI_TANY", "PC_ENT")
    assert rows(ds) == [
        (*prefix, "GE10", *tail, "AT", "2024", 20.21, ""),
        (*prefix, "GE10", *tail, "BE", "2024", 24.71, "p"),
        (*prefix, "GE10", *tail, "EL", "2024", 8.1, "bu"),
        (*prefix, "GE250", *tail, "ME", "2024", None, "c"),  # CONF_STATUS C
        (*prefix, "GE250", *tail, "MT", "2024", None, "pc"),  # OBS_FLAG p + CONF_STATUS C
    ]
    assert ds.last_update is None
    assert set(ds.labels) == set(ds.dimensions)
    assert ds.labels["geo"] == {
        "AT": "Austria",
        "BE": "Belgium",
        "EL": "Greece",
        "ME": "Montenegro",
        "MT": "Malta",
    }
    assert ds.labels["nace_r2"]["C10-S951_X_K"].startswith("All activities (except agriculture,")
    assert ds.labels["size_emp"] == {
        "GE10": "10 persons employed or more",
        "GE250": "250 persons employed or more",
    }
    assert ds.labels["freq"] == {"A": "Annual"}
    assert_tidy_dtypes(ds)


def test_parse_sdmx_csv_2_ids_sample_maps_2025_flags():
    ds = eurostat.parse_sdmx_csv(sample("sdmx_csv_2_ids.csv"), "ids.csv")
    assert ds.format == "sdmx-csv-2"
    assert ds.dimensions == ("freq", "size_emp", "nace_r2", "indic_is", "unit", "geo")
    assert ds.labels == {}
    got = [(r[5], r[6], r[7], r[8]) for r in rows(ds)]
    assert got == [
        ("DK", "2023", 77.12, ""),
        ("DK", "2025", 80.0, "e"),
        ("LI", "2025", None, "m"),  # 2025 OBS_STATUS m: missing, data cannot exist
        ("MK", "2025", None, "N"),  # CONF_STATUS N: not for publication (stays upper-case)
        ("RS", "2025", None, "dP"),  # OBS_FLAG d + CONF_STATUS P (non-statistical secrecy)
    ]  # TR: empty value, no flag -> dropped


def test_parse_sdmx_csv_2_without_structure_name_column():
    raw = (
        b"STRUCTURE,STRUCTURE_ID,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
        b"dataflow,ESTAT:X(1.0),A,AT,2024,1.5,,\n"
        b"dataflow,ESTAT:X(1.0),A,BE,2024,,,C\n"
    )
    ds = eurostat.parse_sdmx_csv(raw, "x.csv")
    assert ds.dimensions == ("freq", "geo")
    assert rows(ds) == [("A", "AT", "2024", 1.5, ""), ("A", "BE", "2024", None, "c")]


def test_parse_sdmx_csv_names_line_of_bad_value_after_quoted_newline():
    # A label with a line break inside quotes: the error must still name the file line.
    raw = (
        b"STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,geo,Geo,TIME_PERIOD,OBS_VALUE\n"
        b'dataflow,ESTAT:X(1.0),"two\nlines",AT,Austria,2024,1\n'
        b"dataflow,ESTAT:X(1.0),one,BE,Belgium,2024,x1\n"
    )
    with pytest.raises(ParseError) as caught:
        eurostat.parse_sdmx_csv(raw, "x.csv")
    assert caught.value.line == 4


# =============================================================================== tidy CSV


def test_parse_tidy_csv_sample_months_and_na():
    ds = eurostat.parse_tidy_csv(sample("tidy.csv"), "tidy.csv")
    assert ds.format == "tidy-csv"
    assert ds.dimensions == ("freq", "stk_flow", "indic_et", "partner", "sitc06", "geo")
    assert rows(ds) == [
        ("M", "IMP", "TRD_VAL", "CN_X_HK", "SITC5", "EA20", "2024-11", 1728.2, ""),
        ("M", "IMP", "TRD_VAL", "CN_X_HK", "SITC5", "EA20", "2024-12", 1801.0, ""),
        ("M", "IMP", "TRD_VAL", "US", "SITC7", "EA20", "2024-12", 5012.75, ""),
    ]  # the NA row is missing without a flag -> dropped
    assert_tidy_dtypes(ds)


def test_parse_tidy_csv_reads_dates_with_freq_and_time_column_named_time():
    raw = b"freq,geo,time,values,flags\nA,AT,2019-01-01,1,\nQ,AT,2019-04-01,2,p\nQ,BE,2019-10-01,NA,c\n"
    ds = eurostat.parse_tidy_csv(raw, "r.csv")
    assert ds.dimensions == ("freq", "geo")
    assert rows(ds) == [
        ("A", "AT", "2019", 1.0, ""),
        ("Q", "AT", "2019-Q2", 2.0, "p"),
        ("Q", "BE", "2019-Q4", None, "c"),
    ]


# =============================================================================== dictionaries


def test_parse_dic_sample():
    assert eurostat.parse_dic(sample("geo.dic"), "geo.dic") == {
        "AT": "Austria",
        "BE": "Belgium",
        "EU27_2020": "European Union - 27 countries (from 2020)",
        "EL": "Greece",
    }


def test_parse_dic_strips_crlf_and_skips_blank_lines():
    raw = b"A\tSection A - Human necessities\r\n\r\nB\tSection B\r\n"
    assert eurostat.parse_dic(raw, "ipc.dic") == {
        "A": "Section A - Human necessities",
        "B": "Section B",
    }


def test_parse_dic_rejects_line_without_tab():
    with pytest.raises(ParseError, match=r"x\.dic: line 2: expected code<TAB>label"):
        eurostat.parse_dic(b"AT\tAustria\nBE Belgium\n", "x.dic")


def test_parse_dic_rejects_duplicate_code():
    with pytest.raises(ParseError, match="line 3: duplicate code 'AT'"):
        eurostat.parse_dic(b"AT\tAustria\nBE\tBelgium\nAT\tAutriche\n", "x.dic")


def test_parse_dic_rejects_latin1():
    with pytest.raises(ParseError, match="line 1: not valid UTF-8"):
        eurostat.parse_dic("AT\t\u00d6sterreich\n".encode("latin-1"), "x.dic")


# =============================================================================== table of contents


def test_parse_toc_sample_keeps_latest_date_and_tables():
    toc = eurostat.parse_toc(sample("toc.xml"), "toc.xml")
    assert toc == {
        "sbs_na_sca_r2": datetime.date(2024, 3, 1),  # listed twice: 01.03.2024 and 15.01.2024
        "ei_bpm6ca_q": datetime.date(2024, 8, 8),  # a leaf of type table
    }  # xx_empty has an empty lastUpdate and is left out


def test_parse_toc_sample_gzipped():
    raw = gzip.compress(sample("toc.xml"), mtime=0)
    assert eurostat.parse_toc(raw, "toc.xml.gz") == eurostat.parse_toc(sample("toc.xml"), "t")


def test_parse_toc_rejects_other_xml():
    with pytest.raises(ParseError, match="not a Eurostat table of contents"):
        eurostat.parse_toc(b"<root><leaf/></root>", "x.xml")


def test_parse_toc_rejects_malformed_xml_with_line():
    raw = sample("toc.xml").replace(b"</nt:leaf>", b"</nt:leaves>", 1)
    with pytest.raises(ParseError) as caught:
        eurostat.parse_toc(raw, "toc.xml")
    assert "malformed XML" in caught.value.reason
    assert caught.value.line == 14  # the first </nt:leaf>


def test_parse_toc_rejects_bad_date():
    raw = sample("toc.xml").replace(b"08.08.2024", b"2024-08-08")
    with pytest.raises(ParseError, match="bad lastUpdate '2024-08-08' for 'ei_bpm6ca_q'"):
        eurostat.parse_toc(raw, "toc.xml")


# =============================================================================== GISCO


def test_parse_geojson_sample_columns_and_values():
    ds = gisco.parse_geojson(sample("nuts.geojson"), "nuts.geojson")
    assert ds.format == "gisco-geojson"
    assert ds.dimensions == ("nuts_id",)
    frame = ds.frame
    assert list(frame.columns) == ["nuts_id", "level", "country", "name_latn", "name", "geometry"]
    assert frame["level"].dtype == "int64"
    assert frame[["nuts_id", "level", "country", "name_latn", "name"]].values.tolist() == [
        ["AT", 0, "AT", "Österreich", "Österreich"],
        ["AT13", 2, "AT", "Wien", "Wien"],
        ["EL52", 2, "EL", "Kentriki Makedonia", "Κεντρική Μακεδονία"],
    ]
    assert frame["geometry"][1] == (
        '{"type":"Polygon","coordinates":[[[16.2,48.1],[16.6,48.3],[16.5,48.1],[16.2,48.1]]]}'
    )
    assert json.loads(frame["geometry"][0])["type"] == "MultiPolygon"


# =============================================================================== detection


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("eurostat_old.tsv", "eurostat-tsv"),
        ("eurostat_old.tsv.gz", "eurostat-tsv"),
        ("eurostat_2023.tsv", "eurostat-tsv-2023"),
        ("sdmx_csv_1.csv", "sdmx-csv-1"),
        ("sdmx_csv_2_labels.csv", "sdmx-csv-2"),
        ("sdmx_csv_2_ids.csv", "sdmx-csv-2"),
        ("tidy.csv", "tidy-csv"),
        ("geo.dic", "eurostat-dic"),
        ("toc.xml", "eurostat-toc"),
        ("nuts.geojson", "gisco-geojson"),
    ],
)
def test_detect_format_reads_content_of_sample(name, expected):
    assert detect_format(sample(name)) == expected


def test_detect_format_ignores_file_name():
    # The same bytes give the same answer whatever they are called: detection has no name.
    assert detect_format(gzip.compress(sample("sdmx_csv_1.csv"))) == "sdmx-csv-1"


@pytest.mark.parametrize(
    ("name", "parser"),
    [
        ("eurostat_old.tsv.gz", eurostat.parse_tsv),
        ("eurostat_2023.tsv", eurostat.parse_tsv),
        ("sdmx_csv_1.csv", eurostat.parse_sdmx_csv),
        ("sdmx_csv_2_labels.csv", eurostat.parse_sdmx_csv),
        ("tidy.csv", eurostat.parse_tidy_csv),
        ("nuts.geojson", gisco.parse_geojson),
    ],
)
def test_parse_bytes_dispatches_to_matching_parser(name, parser):
    via_dispatch = parse_bytes(sample(name), name)
    direct = parser(sample(name), name)
    assert via_dispatch.format == direct.format
    assert via_dispatch.dimensions == direct.dimensions
    assert via_dispatch.last_update == direct.last_update
    assert via_dispatch.labels == direct.labels
    pd.testing.assert_frame_equal(via_dispatch.frame, direct.frame)


@pytest.mark.parametrize("name", ["geo.dic", "toc.xml"])
def test_parse_bytes_refuses_dictionary_and_toc(name):
    with pytest.raises(ParseError, match="not an observation dataset"):
        parse_bytes(sample(name), name)


# =============================================================================== real mirror


def mirror_dir() -> Path:
    """The data mirror (OBSERVATORY_DATA_MIRROR, else ../shared/data), or skip."""
    env = os.environ.get("OBSERVATORY_DATA_MIRROR")
    path = Path(env) if env else ROOT.parent / "shared" / "data"
    if not (path / "eurostat").is_dir():
        pytest.skip(f"data mirror not found at {path} (set OBSERVATORY_DATA_MIRROR)")
    return path


@pytest.fixture(scope="module")
def data_mirror() -> Path:
    return mirror_dir()


@pytest.fixture(scope="module")
def parse_mirror(data_mirror):
    """Parse a mirror file once per module (the big SBS files take about a second each);
    the cache goes away with the module, so the big frames do not outlive these tests."""
    cache: dict[Path, ParsedDataset] = {}

    def parse(path: Path) -> ParsedDataset:
        if path not in cache:
            cache[path] = parse_bytes(path.read_bytes(), path.name)
        return cache[path]

    return parse


def cell(ds: ParsedDataset, period: str, **codes: str) -> tuple[float | None, str] | None:
    """(value, flags) of one observation, or None when the parser dropped/never had it."""
    mask = ds.frame["period"] == period
    for name, code in codes.items():
        mask &= ds.frame[name] == code
    hits = ds.frame[mask]
    assert len(hits) <= 1
    if hits.empty:
        return None
    value = float(hits["value"].iloc[0])
    return (None if math.isnan(value) else value, hits["flags"].iloc[0])


# file -> (format, dimensions, rows kept). Rows kept = cells minus bare ': ' cells, both
# counted independently with zcat | cut | tr | sort | uniq (e.g. sbs_na_sca_r2: PROVENANCE's
# 1,162,557 cells - 458,885 bare ':' = 703,672); CSV files: their data-line counts.
MIRROR_EXPECTED = {
    "sbs_na_sca_r2.tsv.gz": ("eurostat-tsv", ("nace_r2", "indic_sb", "geo"), 703_672),
    "sbs_r_nuts06_r2.tsv.gz": ("eurostat-tsv", ("nace_r2", "indic_sb", "geo"), 1_217_532),
    "sbs_r_3k_my_r2.tsv.gz": ("eurostat-tsv", ("nace_r2", "indic_sb", "geo"), 26_678),
    "env_ac_ainah_r2.csv": ("sdmx-csv-1", ("freq", "airpol", "nace_r2", "unit", "geo"), 606),
    "isoc_e_dii.csv": (
        "sdmx-csv-2",
        ("freq", "size_emp", "nace_r2", "indic_is", "unit", "geo"),
        2_860,
    ),
    "isoc_eb_ai.csv": (
        "sdmx-csv-2",
        ("freq", "size_emp", "nace_r2", "indic_is", "unit", "geo"),
        81,
    ),
    "ext_st_easitc.csv": (
        "tidy-csv",
        ("freq", "stk_flow", "indic_et", "partner", "sitc06", "geo"),
        1_136,
    ),
}


@pytest.mark.mirror
def test_mirror_every_eurostat_dataset_parses_with_known_shape(data_mirror, parse_mirror):
    files = sorted((data_mirror / "eurostat").glob("*.tsv.gz")) + sorted(
        (data_mirror / "eurostat").glob("*.csv")
    )
    assert set(MIRROR_EXPECTED) <= {f.name for f in files}
    for path in files:  # files added to the mirror later must at least parse cleanly
        ds = parse_mirror(path)
        assert detect_format(path.read_bytes()) == ds.format
        assert_tidy_dtypes(ds)
        # Every kept missing value carries a flag; confidential cells never carry a value.
        missing = ds.frame["value"].isna()
        assert (ds.frame.loc[missing, "flags"] != "").all(), path.name
        assert ds.frame.loc[ds.frame["flags"].str.contains("c"), "value"].isna().all()
        if path.name in MIRROR_EXPECTED:
            fmt, dims, n_rows = MIRROR_EXPECTED[path.name]
            assert (ds.format, ds.dimensions, len(ds.frame)) == (fmt, dims, n_rows), path.name


@pytest.mark.mirror
def test_mirror_sbs_na_sca_r2_known_cells(data_mirror, parse_mirror):
    ds = parse_mirror(data_mirror / "eurostat" / "sbs_na_sca_r2.tsv.gz")
    at = {"nace_r2": "B", "indic_sb": "V11110", "geo": "AT"}
    ba = {"nace_r2": "B", "indic_sb": "V11110", "geo": "BA"}
    assert cell(ds, "2015", **at) == (348.0, "")
    assert cell(ds, "2008", **at) == (349.0, "")
    assert cell(ds, "2014", **ba) == (188.0, "e")
    assert cell(ds, "2013", **ba) == (191.0, "p")
    assert cell(ds, "2015", **ba) is None  # ': ' -> dropped
    frame = ds.frame
    assert sorted(frame["period"].unique()) == [str(y) for y in range(2005, 2016)]
    assert (frame["nace_r2"].nunique(), frame["indic_sb"].nunique(), frame["geo"].nunique()) == (
        110,
        33,
        35,
    )
    assert (frame["flags"] == "c").sum() == 65_554  # the ': c' cells (~66 k in PROVENANCE)


@pytest.mark.mirror
def test_mirror_sbs_r_nuts06_r2_known_cells(data_mirror, parse_mirror):
    ds = parse_mirror(data_mirror / "eurostat" / "sbs_r_nuts06_r2.tsv.gz")
    assert cell(ds, "2015", nace_r2="B", indic_sb="V11210", geo="AT") == (708.0, "")
    assert cell(ds, "2008", nace_r2="B", indic_sb="V11210", geo="AT1") == (214.0, "")
    frame = ds.frame
    assert sorted(frame["period"].unique()) == [str(y) for y in range(2008, 2016)]
    assert frame["geo"].nunique() == 467
    assert frame["nace_r2"].nunique() == 101
    assert set(frame["indic_sb"].unique()) == {"V11210", "V16110", "V13320", "V91290", "V94310"}
    assert (frame["flags"] == "c").sum() == 93_421  # ~93 k ': c' in PROVENANCE


@pytest.mark.mirror
def test_mirror_sbs_r_3k_my_r2_known_cells(data_mirror, parse_mirror):
    ds = parse_mirror(data_mirror / "eurostat" / "sbs_r_3k_my_r2.tsv.gz")
    assert cell(ds, "2014", nace_r2="G45", indic_sb="V11210", geo="AT") == (13195.0, "")
    assert cell(ds, "2009", nace_r2="G45", indic_sb="V11210", geo="AT1") == (4217.0, "")
    assert set(ds.frame["period"].unique()) == {"2009", "2014"}
    assert set(ds.frame["indic_sb"].unique()) == {"V11210", "V12110", "V17331"}
    assert ds.frame["nace_r2"].nunique() == 24


@pytest.mark.mirror
def test_mirror_env_ac_ainah_r2_sdmx1(data_mirror, parse_mirror):
    ds = parse_mirror(data_mirror / "eurostat" / "env_ac_ainah_r2.csv")
    assert ds.last_update == datetime.date(2022, 12, 20)
    assert cell(ds, "2008", geo="AT", airpol="CO2") == (6598.95421, "")
    assert ds.frame["geo"].nunique() == 34
    assert ds.frame["flags"].value_counts().to_dict() == {"": 577, "s": 27, "e": 2}
    assert ds.frame["period"].min() == "1995" and ds.frame["period"].max() == "2021"


@pytest.mark.mirror
def test_mirror_isoc_e_dii_sdmx2_labels_and_confidential(data_mirror, parse_mirror):
    ds = parse_mirror(data_mirror / "eurostat" / "isoc_e_dii.csv")
    key = {"size_emp": "10-249", "indic_is": "E_DI3_GELO", "geo": "AT"}
    assert cell(ds, "2021", **key) == (64.43, "")
    assert cell(ds, "2023", size_emp="GE250", indic_is="E_DI3_GELO", geo="ME") == (None, "c")
    assert (ds.frame["flags"] == "c").sum() == 9
    assert set(ds.frame["flags"].unique()) == {"", "b", "d", "u", "bu", "c"}
    assert ds.frame["geo"].nunique() == 35
    assert sorted(ds.frame["period"].unique()) == ["2021", "2022", "2023", "2024", "2025"]
    assert ds.labels["geo"]["AT"] == "Austria"
    assert ds.labels["size_emp"]["GE250"] == "250 persons employed or more"
    assert ds.labels["unit"] == {"PC_ENT": "Percentage of enterprises"}


@pytest.mark.mirror
def test_mirror_isoc_eb_ai_sdmx2(data_mirror, parse_mirror):
    ds = parse_mirror(data_mirror / "eurostat" / "isoc_eb_ai.csv")
    assert set(ds.frame["period"].unique()) == {"2025"}
    assert ds.frame["geo"].nunique() == 34
    assert set(ds.frame["indic_is"].unique()) == {"E_AI_TANY", "E_AI_EC", "E_AI_ADOWN"}
    assert cell(ds, "2025", indic_is="E_AI_ADOWN", geo="AT") == (4.98, "")


@pytest.mark.mirror
def test_mirror_ext_st_easitc_tidy_monthly(data_mirror, parse_mirror):
    ds = parse_mirror(data_mirror / "eurostat" / "ext_st_easitc.csv")
    assert ds.frame["period"].min() == "2020-01" and ds.frame["period"].max() == "2025-11"
    assert set(ds.frame["partner"].unique()) == {"CN_X_HK", "US", "VN", "EU27_2020_NEA20"}
    assert set(ds.frame["sitc06"].unique()) == {"SITC5", "SITC6", "SITC7", "SITC8"}
    assert cell(ds, "2020-01", partner="CN_X_HK", sitc06="SITC5") == (1728.2, "")


@pytest.mark.mirror
@pytest.mark.parametrize(
    ("name", "n_features", "levels"),
    [
        ("NUTS_RG_60M_2021_4326_LEVL_0.geojson", 37, {0: 37}),
        ("NUTS_RG_60M_2021_4326_LEVL_2.geojson", 334, {2: 334}),
        ("NUTS_LB_2021_4326.geojson", 2_010, {0: 37, 1: 125, 2: 334, 3: 1_514}),
    ],
)
def test_mirror_gisco_geojson_counts(data_mirror, parse_mirror, name, n_features, levels):
    ds = parse_mirror(data_mirror / "gisco" / name)
    assert ds.format == "gisco-geojson"
    assert len(ds.frame) == n_features
    assert ds.frame["level"].value_counts().to_dict() == levels
    assert ds.frame["nuts_id"].is_unique


@pytest.mark.mirror
def test_mirror_gisco_level_0_known_countries(data_mirror, parse_mirror):
    frame = parse_mirror(data_mirror / "gisco" / "NUTS_RG_60M_2021_4326_LEVL_0.geojson").frame
    by_id = frame.set_index("nuts_id")
    assert {"EL", "UK", "DE", "NO", "TR"} <= set(by_id.index)  # Eurostat codes, not ISO
    assert by_id.loc["EL", "name_latn"] == "Elláda"
    assert by_id.loc["EL", "name"] == "Ελλάδα"
    assert json.loads(by_id.loc["DK", "geometry"])["type"] == "MultiPolygon"


@pytest.mark.mirror
def test_mirror_gisco_level_2_known_region(data_mirror, parse_mirror):
    frame = parse_mirror(data_mirror / "gisco" / "NUTS_RG_60M_2021_4326_LEVL_2.geojson").frame
    region = frame.set_index("nuts_id").loc["BE31"]
    assert (region["level"], region["country"], region["name_latn"]) == (
        2,
        "BE",
        "Prov. Brabant Wallon",
    )


@pytest.mark.mirror
def test_mirror_every_dictionary_parses(data_mirror):
    dics = sorted((data_mirror / "eurostat" / "dic" / "en").glob("*.dic"))
    assert len(dics) == 18
    parsed = {p.stem: eurostat.parse_dic(p.read_bytes(), p.name) for p in dics}
    assert len(parsed["geo"]) == 4_041
    assert len(parsed["nace_r2"]) == 1_338
    assert len(parsed["indic_sb"]) == 487
    assert parsed["indic_sb"]["V11110"] == "Enterprises - number"
    assert parsed["obs_status"]["c"] == "confidential"
    assert parsed["geo"]["EL"] == "Greece"
    assert all("\r" not in label for labels in parsed.values() for label in labels.values())


@pytest.mark.mirror
def test_mirror_table_of_contents_dates_and_speed(data_mirror):
    raw = (data_mirror / "eurostat" / "table_of_contents.xml.gz").read_bytes()
    started = time.perf_counter()
    toc = eurostat.parse_toc(raw, "table_of_contents.xml.gz")
    elapsed = time.perf_counter() - started
    # 8,159 dataset leaves + 1,424 table leaves, many listed under several themes:
    # 6,267 distinct dataset codes + 961 distinct table codes.
    assert len(toc) == 7_228
    assert toc["sbs_na_sca_r2"] == datetime.date(2024, 3, 1)
    assert toc["isoc_e_dii"] == datetime.date(2024, 5, 7)
    assert toc["ei_bpm6ca_q"] == datetime.date(2024, 8, 8)
    print(f"parse_toc: {elapsed:.2f} s")  # speed is measured by make bench, not asserted here
