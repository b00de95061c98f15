"""The twin-transition readers: DESI workbook (edition vs reference year), OWID CO2, EEA ETS.

Hand-made files in the real formats (tests/indicators/transition_samples.py); malformed
samples are refused with a message, and through ingest nothing changes.
"""

import pytest

from indicators import refresh
from indicators.models import Observation, Run, Source
from indicators.sources.base import ParseError
from indicators.sources.detect import detect_format, parse_bytes
from tests.indicators import transition_samples as S


def test_desi_workbook_is_detected_and_read_by_reference_year_with_the_edition_kept():
    raw = S.desi_workbook()
    assert detect_format(raw) == "desi-xlsx"
    parsed = parse_bytes(raw, "desi.xlsx")
    frame = parsed.frame
    assert parsed.dimensions == ("indicator", "geo", "edition", "unit")
    ai = frame[(frame["indicator"] == "3b5") & (frame["geo"] == "DK")]
    assert ai[["edition", "period", "value"]].values.tolist() == [["2022", "2021", 0.24]]
    # Big data: two editions, one reference year (2020): both kept, told apart by edition.
    big = frame[(frame["indicator"] == "3b3") & (frame["geo"] == "AT")].sort_values("edition")
    assert big[["edition", "period", "value"]].values.tolist() == [
        ["2021", "2020", 0.07],
        ["2022", "2020", 0.09],
    ]
    # The price index is a score (0-100), its reference year moves with the edition.
    price = frame[(frame["indicator"] == "2d1") & (frame["geo"] == "DE")].sort_values("edition")
    assert price[["edition", "period", "unit"]].values.tolist() == [
        ["2021", "2020", "SCORE"],
        ["2022", "2021", "SCORE"],
    ]
    assert set(frame["geo"]) == {"AT", "DE", "DK", "EU27_2020"}  # DESI's 'EU' is the EU27 (2020)
    # Scores of Data 3: the reference year most of the dimension's indicators have (2021).
    desi = frame[(frame["indicator"] == "desi") & (frame["geo"] == "DK")]
    assert desi[["edition", "period", "value"]].values.tolist() == [["2022", "2021", 69.3]]
    assert parsed.labels["indicator"]["3b5"] == "AI"
    assert parsed.labels["desi_reference_years"]["3b3"].endswith("2021:2020 2022:2020")


def test_desi_values_are_served_by_reference_year_from_the_latest_edition():
    from indicators.compute.transition import digital_indicators
    from indicators.loading import to_observations
    from indicators.registry import SOURCES

    parsed = parse_bytes(S.desi_workbook(), "desi.xlsx")
    obs = to_observations(parsed, SOURCES["desi_2022"], "desi.xlsx")
    values = digital_indicators(obs, ["AT", "DE", "DK"])
    big = values[(values["indicator"] == "desi_big_data") & (values["geo"] == "AT")]
    assert big[["ecosystem", "period"]].values.tolist() == [["DESI_2022", "2020"]]
    assert big["value"].iloc[0] == pytest.approx(9.0)  # DESI 2022's figure, as a %
    ai = values[(values["indicator"] == "desi_ai")].set_index("geo")
    assert ai.loc["DK", "rank"] == 1 and ai.loc["AT", "rank"] == 3
    assert pd_isna(ai.loc["EU27_2020", "rank"])  # the EU is never ranked
    assert values[values["indicator"] == "desi_index"].set_index("geo").loc["DK", "value"] == 69.3


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


DESI_BAD = [
    (
        "a value without a reference year",
        lambda: S.desi_workbook(metadata_years={"3b5": [None] * 6}),
        "gives no reference year",
    ),
    (
        "text in a value cell",
        lambda: S.desi_workbook(values={**S.VALUES, ("y6", "AT"): [0.64, "n/a", 0.29, 0.09, 73.8]}),
        "is not a number",
    ),
    (
        "an unknown edition",
        lambda: S.desi_workbook(values={("y9", "AT"): [0.1, 0.1, 0.1, 0.1, 50]}),
        "edition 'y9'",
    ),
    (
        "a country that is not a code",
        lambda: S.desi_workbook(values={("y6", "Austria"): [0.1] * 4 + [50]}),
        "two-letter",
    ),
    ("no Data 3 sheet", lambda: S.desi_workbook(drop_sheet="Data 3"), "not the DESI workbook"),
    (
        "a reference year that is not a year",
        lambda: S.desi_workbook(metadata_years={"3b4": [None, None, None, None, None, "2021/22"]}),
        "is not a year",
    ),
    ("a truncated workbook", lambda: S.desi_workbook()[:2000], "xlsx"),
]


@pytest.mark.parametrize(("name", "build", "message"), DESI_BAD, ids=[c[0] for c in DESI_BAD])
def test_malformed_desi_workbooks_are_refused_with_a_message(name, build, message):
    with pytest.raises(ParseError, match=message):
        parse_bytes(build(), "desi.xlsx")


def test_owid_csv_maps_iso3_to_eurostat_codes_and_reads_only_european_places():
    raw = S.owid_csv()
    assert detect_format(raw) == "owid-csv"
    parsed = parse_bytes(raw, "owid.csv")
    frame = parsed.frame
    assert set(frame["geo"]) == {"AT", "DE", "DK", "EL", "EU27_2020"}  # 'Europe' is not read
    eu = frame[(frame["geo"] == "EU27_2020") & (frame["period"] == "2016")].set_index("indicator")["value"]
    assert eu.to_dict() == {"co2": 3000.0, "co2_per_capita": 6.9}  # empty cells are not zeros
    el = frame[(frame["geo"] == "EL") & (frame["indicator"] == "gdp") & (frame["period"] == "2005")]
    assert el["value"].iloc[0] == 3.0e11


OWID_BAD = [
    ("a text value", ["AUT,Austria,2017,abc,,,,,,,,,"], "column co2: 'abc' is not a number"),
    ("a bad year", ["AUT,Austria,20x7,1,,,,,,,,,"], "is not a year"),
    ("a repeated country-year", ["AUT,Austria,2005,1,,,,,,,,,"], "AT 2005 repeated"),
    ("an iso code that is not one", ["A1,Nowhere,2005,1,,,,,,,,,"], "not an ISO 3166 alpha-3 code"),
    ("a short row", ["AUT,Austria,2018,1,2,3,4,5,6,7,8,9,10,11,12"], "malformed CSV"),
]


@pytest.mark.parametrize(("name", "extra", "message"), OWID_BAD, ids=[c[0] for c in OWID_BAD])
def test_malformed_owid_files_are_refused_with_a_message(name, extra, message):
    with pytest.raises(ParseError, match=message):
        parse_bytes(S.owid_csv(extra=extra), "owid.csv")


def test_ets_csv_reads_activities_with_their_names():
    parsed = parse_bytes(S.ets_csv(), "ets.csv")
    assert parsed.format == "eea-ets-csv"
    assert parsed.labels["activity"]["ETS24"] == "Production of pig iron or steel"
    assert set(parsed.frame["geo"]) == {"EU_ETS"}
    for extra, message in [
        (["Aviation,2014,50"], "is not '<code> <activity name>'"),
        (["10 Aviation,2012,1"], "repeated"),
        (["10 Aviation,2015,lots"], "is not a number"),
    ]:
        with pytest.raises(ParseError, match=message):
            parse_bytes(S.ets_csv(extra), "ets.csv")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "good", "bad"),
    [
        ("desi_2022", S.desi_workbook, lambda: S.desi_workbook(metadata_years={"3b5": [None] * 6})),
        ("owid_co2", S.owid_csv, lambda: S.owid_csv(extra=["AUT,Austria,2005,1,,,,,,,,,"])),
        ("eea_ets_sectors", S.ets_csv, lambda: S.ets_csv(["10 Aviation,2012,1"])),
    ],
)
def test_malformed_files_change_nothing_through_ingest(reference, tmp_path, source, good, bad):
    path = tmp_path / "good"
    path.write_bytes(good())
    first = refresh.ingest(source, path=path)
    assert first.status == Run.Status.SUCCEEDED, first.error
    rows = Observation.objects.count()
    path.write_bytes(bad())
    second = refresh.ingest(source, path=path)
    assert second.status == Run.Status.FAILED
    assert "nothing changed" in second.message and second.error
    assert Observation.objects.count() == rows
    assert Source.objects.get(code=source).current_release_id == first.release_id
