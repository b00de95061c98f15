"""Regional ecosystem indicators and NUTS recoding: pure pandas, no database.

The test universe: regions AT11, AT12 (Austria), DE11 (Germany), NO01 (Norway, not a member);
EU members = AT and DE; ecosystems agri-food (C10 + half of C11) and mobility (C29); 2014.
Persons employed by division:

    region  C10  C11  C29  F41  observed total   agri-food   mobility
    AT11    100   40   60  800            1000         120         60
    AT12     50    c  150  300             500     50 (i)        150
    DE11    200  100  500 1200            2000         250        500
    NO01     10    0    0   90             100          10          0

EU reference: the AT and DE regions whose figure and total are both complete (AT12's total is a
lower bound, and so is its agri-food figure, so AT12 is left out of both pools):
agri-food 370 / 3000, mobility 560 / 3000.
"""

import time

import numpy as np
import pandas as pd
import pytest

from indicators.compute.ecosystems import OUTPUT_COLUMNS
from indicators.compute.regional import (
    compute_regional_indicators,
    country_codes,
    nuts2_mask,
    rank_in_country,
)
from tests.indicators.test_compute_ecosystems import (
    FIXTURES,
    make_mapping,
    make_obs,
    mirror_path,
    read_eurostat_tsv,
)

EMP, UNITS = "V16110", "V11210"
MEMBERS = ["AT", "DE"]
DIVISIONS = {
    "AT11": {"C10": 100, "C11": 40, "C29": 60, "F41": 800},
    "AT12": {"C10": 50, "C11": np.nan, "C29": 150, "F41": 300},
    "DE11": {"C10": 200, "C11": 100, "C29": 500, "F41": 1200},
    "NO01": {"C10": 10, "C11": 0, "C29": 0, "F41": 90},
}
MAPPING = make_mapping([("agri-food", "C10", 1.0), ("agri-food", "C11", 0.5), ("mobility", "C29", 1.0)])


def universe_obs():
    rows = [(g, n, EMP, v, "c" if np.isnan(v) else "") for g, by in DIVISIONS.items() for n, v in by.items()]
    rows += [
        ("AT11", "G451", EMP, 50.0),  # a group: never added to the division total
        ("AT11", "C", EMP, 200.0),  # a section: neither
        ("AT11", "C10", UNITS, 10.0),
        ("AT11", "C11", UNITS, 4.0),
        # other levels and aggregates, all filtered out
        ("AT", "C10", EMP, 999.0),
        ("AT1", "C10", EMP, 999.0),
        ("AT111", "C10", EMP, 999.0),
        ("EU28", "C10", EMP, 999.0),
        ("ATZZ", "C10", EMP, 999.0),
    ]
    return make_obs(rows)


@pytest.fixture(scope="module")
def result():
    return compute_regional_indicators(universe_obs(), MAPPING, members=MEMBERS)


def pick(df, indicator, ecosystem, geo):
    row = df[(df["indicator"] == indicator) & (df["ecosystem"] == ecosystem) & (df["geo"] == geo)]
    assert len(row) == 1, (indicator, ecosystem, geo, row)
    return row.iloc[0]


@pytest.mark.parametrize(
    ("indicator", "ecosystem", "geo", "expected", "markers"),
    [
        ("emp", "agri-food", "AT11", 120.0, ""),
        ("emp", "agri-food", "AT12", 50.0, "I"),  # C11 confidential: lower bound, our marker I
        ("emp", "mobility", "DE11", 500.0, ""),
        ("units", "agri-food", "AT11", 12.0, ""),  # 10 + 0.5 x 4
        ("share_emp", "agri-food", "AT11", 12.0, ""),  # 120 / (100+40+60+800)
        ("share_emp", "agri-food", "AT12", 10.0, "I"),  # 50 / 500 (C from its divisions, C11 missing)
        ("share_emp", "mobility", "NO01", 0.0, ""),
        ("lq_emp", "agri-food", "AT11", 12.0 / (370 / 3000 * 100), ""),
        ("lq_emp", "agri-food", "DE11", 12.5 / (370 / 3000 * 100), ""),
        ("lq_emp", "agri-food", "NO01", 10.0 / (370 / 3000 * 100), ""),  # non-members compared with the EU
        # AT12 has no published C section and C11 is confidential: its total is a lower bound, so
        # its LQ is marked I and the EU pool leaves AT12 out (the same coverage above and below)
        ("lq_emp", "mobility", "AT12", 30.0 / (560 / 3000 * 100), "I"),
    ],
)
def test_compute_regional_indicators_values(result, indicator, ecosystem, geo, expected, markers):
    """Our incomplete marker sits in `markers`, never in the publisher's `flags`."""
    row = pick(result, indicator, ecosystem, geo)
    assert row["value"] == pytest.approx(expected)
    assert row["markers"] == markers
    assert "i" not in row["flags"] and "a" not in row["flags"]


@pytest.mark.parametrize(
    ("ecosystem", "geo", "expected"),
    [
        ("agri-food", "AT11", 1),
        ("agri-food", "AT12", None),  # a lower bound (C11 confidential) is never ranked
        ("mobility", "AT12", 1),
        ("agri-food", "DE11", 1),  # ranked within Germany, not against Austria
        ("agri-food", "NO01", 1),
    ],
)
def test_compute_regional_indicators_rank_in_country(result, ecosystem, geo, expected):
    rank = pick(result, "emp", ecosystem, geo)["rank"]
    assert (pd.isna(rank) and expected is None) or rank == expected


def test_compute_regional_indicators_keeps_only_nuts2(result):
    assert set(result["geo"]) == {"AT11", "AT12", "DE11", "NO01"}
    assert list(result.columns) == [*OUTPUT_COLUMNS, "published_geo", "geo_version", "markers"]


@pytest.mark.parametrize(
    ("code", "is_region"),
    [
        ("AT11", True),
        ("FI1B", True),
        ("AT", False),
        ("AT1", False),
        ("AT111", False),
        ("EU28", False),
        ("EU27", False),
        ("EA19", False),
        ("ATZZ", False),
    ],
)
def test_nuts2_mask(code, is_region):
    assert bool(nuts2_mask(pd.Series([code])).iloc[0]) is is_region


@pytest.mark.parametrize(
    ("country_of", "expected"),
    [
        (None, ["AT", "EL", "UK"]),
        ({"UKC1": "GB"}, ["AT", "EL", "GB"]),
        (lambda code: code[:2].lower(), ["at", "el", "uk"]),
    ],
)
def test_country_codes(country_of, expected):
    codes = pd.Series(["AT11", "EL30", "UKC1"])
    assert country_codes(codes, country_of).tolist() == expected


def test_rank_in_country_ties_share_the_best_rank():
    df = pd.DataFrame(
        {
            "indicator": "emp",
            "ecosystem": "e",
            "period": 2014,
            "geo": ["AT11", "AT12", "AT13", "AT21", "DE11"],
            "value": [5.0, 9.0, 9.0, np.nan, 1.0],
        }
    )
    countries = country_codes(df["geo"])
    assert rank_in_country(df, countries)["rank"].tolist() == [3, 1, 1, pd.NA, 1]


# --- the real mirror ---------------------------------------------------------------------------


@pytest.mark.mirror
def test_compute_regional_indicators_on_real_regional_sbs():
    path = mirror_path() / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    if not path.exists():
        pytest.skip(f"data mirror not found at {path} (set OBSERVATORY_DATA_MIRROR)")
    obs = read_eurostat_tsv(path, periods={2014})  # each year's shares and LQs are that year's own
    mapping = pd.read_csv(FIXTURES / "ecosystem_nace_mapping.csv")
    started = time.perf_counter()
    countries = pd.read_csv(FIXTURES / "countries.csv", dtype=str)
    members = countries.loc[countries["eu27_2020"] == "1", "code"]
    out = compute_regional_indicators(obs, mapping, members=members)
    seconds = time.perf_counter() - started
    print(f"\ncompute_regional_indicators on {len(obs):,} cells: {seconds:.2f} s")
    y = out[out["period"] == 2014]
    share = y[y["indicator"] == "share_emp"]
    assert 250 <= share["geo"].nunique() <= 330
    assert share["value"].max() <= 100.0 + 1e-9
    assert 60 <= share.groupby("geo")["value"].sum().median() <= 95
    tourism_lq = y[(y["indicator"] == "lq_emp") & (y["ecosystem"] == "tourism")]
    tourism_lq = tourism_lq.set_index("geo")["value"]
    assert tourism_lq["EL42"] > 2 and tourism_lq["ES53"] > 2  # South Aegean, Balearic Islands


# --- confidential-only figures and NUTS 2021 ------------------------------------------------------


def test_a_sum_whose_only_non_zero_part_is_confidential_is_confidential_not_zero():
    # aerospace-defence = C303 + C254 in EL42; C303 confidential, C254 published as 0.
    mapping = make_mapping([("aerospace-defence", "C303", 1.0), ("aerospace-defence", "C254", 1.0)])
    rows = [("EL42", "C303", EMP, np.nan, "c"), ("EL42", "C254", EMP, 0.0)]
    rows += [("EL43", "C303", EMP, 5.0), ("EL43", "C254", EMP, 0.0), ("EL41", "C303", EMP, 1.0)]
    rows += [("EL41", "C254", EMP, 0.0), ("EL42", "C25", EMP, 0.0), ("EL41", "C25", EMP, 50.0)]
    out = compute_regional_indicators(make_obs(rows), mapping, members=["EL"])
    el42 = pick(out, "emp", "aerospace-defence", "EL42")
    assert np.isnan(el42["value"]) and el42["flags"] == "c" and pd.isna(el42["rank"])
    assert pick(out, "emp", "aerospace-defence", "EL43")["rank"] == 1
    assert pick(out, "emp", "aerospace-defence", "EL41")["rank"] == 2


def test_regions_come_out_in_nuts_2021_with_published_code_version_and_markers():
    converter = pd.DataFrame(
        {
            "from_version": [2013, 2013, 2013],
            "to_version": 2021,
            "from_code": ["PL12", "PL12", "PL11"],
            "to_code": ["PL91", "PL92", "PL71"],
            "pop18": [600.0, 400.0, 500.0],
        }
    )
    rows = [("PL12", "C10", EMP, 1000.0), ("PL12", "F41", EMP, 9000.0)]
    rows += [("PL11", "C10", EMP, 100.0), ("PL11", "F41", EMP, 900.0)]
    out = compute_regional_indicators(make_obs(rows), MAPPING, members=["PL"], converter=converter)
    pl91 = pick(out, "emp", "agri-food", "PL91")
    assert pl91["value"] == pytest.approx(600.0)
    assert (pl91["published_geo"], pl91["geo_version"], pl91["markers"]) == ("PL12", "2013", "E")
    pl71 = pick(out, "share_emp", "agri-food", "PL71")
    assert pl71["value"] == pytest.approx(10.0)
    assert (pl71["published_geo"], pl71["markers"]) == ("PL11", "")
    assert not {"PL12", "PL11"} & set(out["geo"])


def test_share_denominator_counts_confidential_divisions_inside_a_published_section():
    # C published as 1,000 while C29 (600) is confidential: the total is 1,000 + F, not 400 + F.
    rows = [("AT11", "C", EMP, 1000.0), ("AT11", "C10", EMP, 300.0), ("AT11", "C11", EMP, 100.0)]
    rows += [("AT11", "C29", EMP, np.nan, "c"), ("AT11", "F", EMP, 1000.0), ("AT11", "F41", EMP, 1000.0)]
    out = compute_regional_indicators(make_obs(rows), MAPPING, members=["AT"])
    share = pick(out, "share_emp", "agri-food", "AT11")
    assert share["value"] == pytest.approx(350.0 / 2000.0 * 100)
    assert share["flags"] == ""
