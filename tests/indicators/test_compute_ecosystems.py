"""Ecosystem indicators from national SBS: pure pandas, no database.

The test universe: a three-member "EU" (DE, FR, IT) plus a non-member (NO), two ecosystems
(agri-food = C10 + half of C11; mobility = C29) and one year (2014). Persons employed:

    geo   C10  C11  C29  total     agri-food = C10 + 0.5 x C11
    DE    100   40  300   1000     DE 120, FR 90, IT 65, NO 11, EU 275
    FR     80   20  100    800     mobility = C29
    IT     60   10   50    500     DE 300, FR 100, IT 50, NO 1, EU 450
    NO     10    2    1    100     EU total 2300

Value added (million EUR): DE C10 5, C11 2, C29 30.
"""

import gzip
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.compute.ecosystems import (
    EU_CODE,
    NATIONAL_COLUMNS,
    add_business_total,
    add_eu_aggregate,
    add_rank,
    aggregate_ecosystems,
    compute_ecosystem_indicators,
    prepare_obs,
    resolve_mapping,
)

MEMBERS = ["DE", "FR", "IT"]
EMP, VA, ENT = "V16110", "V12150", "V11110"
TOTAL = "B-N_S95_X_K"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reference"

EMPLOYMENT = {
    "DE": {"C10": 100, "C11": 40, "C29": 300, TOTAL: 1000},
    "FR": {"C10": 80, "C11": 20, "C29": 100, TOTAL: 800},
    "IT": {"C10": 60, "C11": 10, "C29": 50, TOTAL: 500},
    "NO": {"C10": 10, "C11": 2, "C29": 1, TOTAL: 100},
}


def make_obs(rows):
    """Observations from (geo, nace, measure, value[, flags]) tuples, all in 2014."""
    records = [(*r[:4], r[4] if len(r) > 4 else "") for r in rows]
    df = pd.DataFrame(records, columns=["geo", "nace", "measure", "value", "flags"])
    df["period"] = 2014
    df["value"] = df["value"].astype("float64")
    return df[["geo", "nace", "measure", "period", "value", "flags"]]


def make_mapping(rows):
    return pd.DataFrame(rows, columns=["ecosystem", "nace", "share"])


def universe_obs():
    rows = [(g, n, EMP, v) for g, by in EMPLOYMENT.items() for n, v in by.items()]
    rows += [("DE", "C10", VA, 5.0), ("DE", "C11", VA, 2.0), ("DE", "C29", VA, 30.0)]
    return make_obs(rows)


UNIVERSE_MAPPING = make_mapping(
    [("agri-food", "C10", 1.0), ("agri-food", "C11", 0.5), ("mobility", "C29", 1.0)]
)


@pytest.fixture(scope="module")
def result():
    return compute_ecosystem_indicators(universe_obs(), UNIVERSE_MAPPING, MEMBERS)


def pick(df, indicator, ecosystem, geo):
    row = df[(df["indicator"] == indicator) & (df["ecosystem"] == ecosystem) & (df["geo"] == geo)]
    assert len(row) == 1, (indicator, ecosystem, geo, row)
    return row.iloc[0]


@pytest.mark.parametrize(
    ("indicator", "ecosystem", "geo", "expected"),
    [
        ("emp", "agri-food", "DE", 120.0),  # 100 + 0.5 x 40
        ("emp", "agri-food", "NO", 11.0),
        ("emp", "agri-food", EU_CODE, 275.0),  # 240 + 0.5 x 70
        ("emp", "mobility", EU_CODE, 450.0),
        ("va", "agri-food", "DE", 6.0),  # 5 + 0.5 x 2
        ("productivity", "agri-food", "DE", 50_000.0),  # 6e6 EUR / 120
        ("productivity", "mobility", "DE", 100_000.0),  # 30e6 / 300
        ("share_emp", "agri-food", "DE", 12.0),  # 120 / 1000
        ("share_emp", "mobility", "FR", 12.5),  # 100 / 800
        ("share_emp", "agri-food", EU_CODE, 275 / 2300 * 100),
        ("lq_emp", "agri-food", EU_CODE, 1.0),
        ("lq_emp", "mobility", EU_CODE, 1.0),
        ("lq_emp", "mobility", "DE", 0.30 / (450 / 2300)),
        ("lq_emp", "agri-food", "NO", 0.11 / (275 / 2300)),
    ],
)
def test_compute_ecosystem_indicators_values(result, indicator, ecosystem, geo, expected):
    assert pick(result, indicator, ecosystem, geo)["value"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("indicator", "ecosystem", "geo", "expected"),
    [
        ("emp", "agri-food", "DE", 1),
        ("emp", "agri-food", "FR", 2),
        ("emp", "agri-food", "IT", 3),
        ("share_emp", "agri-food", "IT", 1),  # 13% beats DE 12% and FR 11.25%
        ("share_emp", "agri-food", "FR", 3),
    ],
)
def test_compute_ecosystem_indicators_rank(result, indicator, ecosystem, geo, expected):
    assert pick(result, indicator, ecosystem, geo)["rank"] == expected


@pytest.mark.parametrize("geo", ["NO", EU_CODE])
def test_compute_ecosystem_indicators_no_rank_outside_members(result, geo):
    assert result.loc[result["geo"] == geo, "rank"].isna().all()


def test_compute_ecosystem_indicators_output_columns(result):
    assert list(result.columns) == NATIONAL_COLUMNS
    assert str(result["rank"].dtype) == "Int64"
    assert set(result["indicator"]) == {"emp", "va", "productivity", "share_emp", "lq_emp"}


def test_compute_ecosystem_indicators_eu_marked_aggregate_not_flagged(result):
    eu = pick(result, "emp", "agri-food", EU_CODE)
    assert (eu["flags"], eu["markers"]) == ("", "A")  # ours in markers, never in flags
    assert pick(result, "emp", "agri-food", "DE")["markers"] == ""


def test_add_rank_ties_share_the_best_rank():
    df = pd.DataFrame(
        {
            "indicator": "emp",
            "ecosystem": "e",
            "period": 2014,
            "geo": ["DE", "FR", "IT", "NL", "NO"],
            "value": [10.0, 20.0, 20.0, np.nan, 99.0],
        }
    )
    ranks = add_rank(df, frozenset({"DE", "FR", "IT", "NL"}))["rank"].tolist()
    assert ranks == [3, 1, 1, pd.NA, pd.NA]


def test_add_rank_never_ranks_incomplete():
    df = pd.DataFrame(
        {
            "indicator": "emp",
            "ecosystem": "e",
            "period": 2014,
            "geo": ["DE", "FR", "IT"],
            "value": [10.0, 30.0, 20.0],
            "markers": ["", "I", "E"],
        }
    )
    assert add_rank(df, frozenset(MEMBERS))["rank"].tolist() == [2, pd.NA, 1]


def years_obs(rows):
    """Observations from (geo, nace, measure, period, value[, flags]) tuples."""
    records = [(*r[:5], r[5] if len(r) > 5 else "") for r in rows]
    df = pd.DataFrame(records, columns=["geo", "nace", "measure", "period", "value", "flags"])
    df["value"] = df["value"].astype("float64")
    return df


def eu_row(out, nace="C10", period=2014, measure=EMP):
    sel = (out["geo"] == EU_CODE) & (out["nace"] == nace) & (out["period"] == period)
    return out[sel & (out["measure"] == measure)].iloc[0]


@pytest.mark.parametrize(
    ("rows", "expected_value", "expected_flags"),
    [
        ([("DE", 1.0), ("FR", 2.0), ("IT", 3.0)], 6.0, ""),
        ([("DE", 1.0, "e"), ("FR", 2.0, "p"), ("IT", 3.0)], 6.0, "ep"),  # publisher letters travel
    ],
)
def test_add_eu_aggregate_complete(rows, expected_value, expected_flags):
    obs = make_obs([(r[0], "C10", EMP, r[1], *r[2:]) for r in rows])
    eu = eu_row(add_eu_aggregate(obs, frozenset(MEMBERS)))
    assert eu["value"] == pytest.approx(expected_value)
    assert (eu["flags"], eu["markers"]) == (expected_flags, "A")


def test_add_eu_aggregate_member_missing_one_activity_is_estimated():
    # FR's C10 is confidential in 2014 but FR reports 2014 (it has the total). Nearest year with a
    # value: 2013 (FR 20). The others (DE + IT) moved from 40 to 50: FR estimated 20 x 50/40 = 25.
    rows = [(g, TOTAL, EMP, y, 1000.0) for g in MEMBERS for y in (2013, 2014)]
    rows += [("DE", "C10", EMP, 2013, 30.0), ("IT", "C10", EMP, 2013, 10.0), ("FR", "C10", EMP, 2013, 20.0)]
    rows += [
        ("DE", "C10", EMP, 2014, 35.0),
        ("IT", "C10", EMP, 2014, 15.0),
        ("FR", "C10", EMP, 2014, np.nan, "c"),
    ]
    eu = eu_row(add_eu_aggregate(years_obs(rows), frozenset(MEMBERS)))
    assert eu["value"] == pytest.approx(35 + 15 + 25)
    assert (eu["flags"], eu["markers"], eu["estimated_geos"], eu["missing_geos"]) == ("", "AE", "FR", "")


def test_add_eu_aggregate_gap_between_published_years_is_interpolated():
    # FR's C10 is published in 2012 (20) and 2015 (50), confidential in 2013 and 2014: linear
    # interpolation, 30 and 40 (not the nearest year moved with the others).
    years = (2012, 2013, 2014, 2015)
    rows = [(g, TOTAL, EMP, y, 1000.0) for g in MEMBERS for y in years]
    rows += [(g, "C10", EMP, y, 100.0) for g in ("DE", "IT") for y in years]
    rows += [("FR", "C10", EMP, 2012, 20.0), ("FR", "C10", EMP, 2015, 50.0)]
    rows += [("FR", "C10", EMP, y, np.nan, "c") for y in (2013, 2014)]
    out = add_eu_aggregate(years_obs(rows), frozenset(MEMBERS))
    for year, fr in ((2013, 30.0), (2014, 40.0)):
        eu = eu_row(out, period=year)
        assert eu["value"] == pytest.approx(200.0 + fr)
        assert (eu["markers"], eu["estimated_geos"], eu["missing_geos"]) == ("AE", "FR", "")


def test_add_eu_aggregate_small_estimate_is_listed_but_not_marked():
    # IT's estimate (1, from 2013 moved with the others' change) is 1/1001 of the EU figure:
    # below MIN_ESTIMATE_SHARE, so no E; IT is still listed as estimated.
    rows = [(g, TOTAL, EMP, y, 1000.0) for g in MEMBERS for y in (2013, 2014)]
    rows += [("DE", "C10", EMP, y, 500.0) for y in (2013, 2014)]
    rows += [("FR", "C10", EMP, y, 500.0) for y in (2013, 2014)]
    rows += [("IT", "C10", EMP, 2013, 1.0), ("IT", "C10", EMP, 2014, np.nan, "c")]
    eu = eu_row(add_eu_aggregate(years_obs(rows), frozenset(MEMBERS)))
    assert eu["value"] == pytest.approx(1001.0)
    assert (eu["markers"], eu["estimated_geos"]) == ("A", "IT")


@pytest.mark.parametrize(
    ("never", "expected_value", "expected_markers"),
    [
        # IT weighs 500/2500 = 20% of the members: too much unknown, no EU figure.
        ("IT", np.nan, "I"),
        # MT weighs 50/2050 < 5%: the others' sum stands, MT listed as missing, no I.
        ("MT", 70.0, "A"),
    ],
)
def test_add_eu_aggregate_never_published_cell_is_not_estimated(never, expected_value, expected_markers):
    members = frozenset({"DE", "FR", never})
    sizes = {"DE": 1000.0, "FR": 1000.0, never: 500.0 if never == "IT" else 50.0}
    rows = [(g, TOTAL, EMP, y, w) for g, w in sizes.items() for y in (2013, 2014)]
    rows += [(g, "C10", EMP, y, v) for g, v in (("DE", 30.0), ("FR", 40.0)) for y in (2013, 2014)]
    rows += [(never, "C10", EMP, y, np.nan, "c") for y in (2013, 2014)]
    eu = eu_row(add_eu_aggregate(years_obs(rows), members))
    assert eu["value"] == pytest.approx(expected_value, nan_ok=True)
    assert (eu["markers"], eu["missing_geos"], eu["estimated_geos"]) == (expected_markers, never, "")


@pytest.mark.parametrize(
    ("absent", "expected_value", "expected_markers"),
    [
        ("DE", np.nan, "I"),  # a large member without data for the year: not published
        ("IT", 30.0, "AI"),  # IT weighs 50/1050 < 5%: a lower bound, marked and listed
    ],
)
def test_add_eu_aggregate_member_missing_whole_year(absent, expected_value, expected_markers):
    sizes = {"DE": 600.0, "FR": 400.0, "IT": 50.0}
    values = {"DE": 10.0, "FR": 20.0, "IT": 30.0}
    rows = [(g, TOTAL, EMP, 2013, w) for g, w in sizes.items()]
    rows += [(g, "C10", EMP, 2013, v) for g, v in values.items()]
    rows += [(g, TOTAL, EMP, 2014, w) for g, w in sizes.items() if g != absent]
    rows += [(g, "C10", EMP, 2014, v) for g, v in values.items() if g != absent]
    eu = eu_row(add_eu_aggregate(years_obs(rows), frozenset(MEMBERS)))
    if absent == "IT":
        expected_value = 10.0 + 20.0
    assert eu["value"] == pytest.approx(expected_value, nan_ok=True)
    assert eu["markers"] == expected_markers
    assert eu["missing_geos"] == absent


def test_add_eu_aggregate_keeps_published_value():
    obs = make_obs(
        [
            ("DE", "C10", EMP, 1.0),
            ("FR", "C10", EMP, 2.0),
            ("IT", "C10", EMP, 3.0),
            (EU_CODE, "C10", EMP, 7.0, "s"),
        ]
    )
    out = add_eu_aggregate(obs, frozenset(MEMBERS))
    eu = out[out["geo"] == EU_CODE]
    assert eu[["value", "flags", "markers"]].values.tolist() == [[7.0, "s", ""]]


def test_publisher_i_stays_a_flag_and_is_not_incomplete():
    rows = [(g, n, EMP, v) for g, by in EMPLOYMENT.items() for n, v in by.items() if g != "DE"]
    rows += [("DE", n, EMP, v, "i" if n == "C10" else "") for n, v in EMPLOYMENT["DE"].items()]
    out = compute_ecosystem_indicators(make_obs(rows), UNIVERSE_MAPPING, MEMBERS)
    de = pick(out, "emp", "agri-food", "DE")
    assert (de["flags"], de["markers"], de["rank"]) == ("i", "", 1)


def test_lq_uses_the_same_activity_set():
    # DE lacks C11: its LQ compares C10 alone with the EU's C10 alone (not the EU's C10 + C11).
    rows = [(g, n, EMP, v) for g, by in EMPLOYMENT.items() for n, v in by.items() if (g, n) != ("DE", "C11")]
    rows += [(g, TOTAL, EMP, 2013, 1.0) for g in ()]
    obs = make_obs(rows)
    out = compute_ecosystem_indicators(obs, UNIVERSE_MAPPING, MEMBERS)
    lq = pick(out, "lq_emp", "agri-food", "DE")
    eu_c10 = 100 + 80 + 60 + 0.0  # the EU has C11 too (DE's never published), but the LQ uses C10 only
    eu_total = 2300
    assert lq["value"] == pytest.approx((100 / 1000) / (eu_c10 / eu_total))
    assert "I" in lq["markers"] and pd.isna(lq["rank"])


def test_emp_change_between_complete_years_only():
    # DE construction: 2008 lacks F42 (incomplete, a lower bound); 2009 and 2010 complete.
    mapping = make_mapping([("construction", "F41", 1.0), ("construction", "F42", 1.0)])
    rows = [("DE", TOTAL, EMP, y, 1000.0) for y in (2008, 2009, 2010)]
    rows += [("DE", "F41", EMP, 2008, 10.0), ("DE", "F42", EMP, 2008, np.nan, "c")]
    rows += [("DE", "F41", EMP, 2009, 10.0), ("DE", "F42", EMP, 2009, 90.0)]
    rows += [("DE", "F41", EMP, 2010, 12.0), ("DE", "F42", EMP, 2010, 98.0)]
    out = compute_ecosystem_indicators(years_obs(rows), mapping, ["DE"])
    change = out[(out["indicator"] == "emp_change") & (out["geo"] == "DE")]
    assert change[["period", "base_period"]].values.tolist() == [[2010, "2009"]]
    assert change["value"].iloc[0] == pytest.approx((110 / 100 - 1) * 100)
    assert change["rank"].iloc[0] == 1


@pytest.mark.parametrize(
    ("c11", "expected_value", "expected_flags"),
    [
        ((40.0, ""), 120.0, ""),
        ((40.0, "e"), 120.0, "e"),
        ((np.nan, "c"), 100.0, "i"),  # confidential component: lower bound, flagged, not zero
        (None, 100.0, "i"),  # no row at all counts as missing too
    ],
)
def test_aggregate_ecosystems_incomplete_components(c11, expected_value, expected_flags):
    rows = [("DE", "C10", EMP, 100.0)]
    if c11 is not None:
        rows.append(("DE", "C11", EMP, *c11))
    out = aggregate_ecosystems(make_obs(rows), UNIVERSE_MAPPING)
    agri = out[out["ecosystem"] == "agri-food"].iloc[0]
    assert agri["value"] == pytest.approx(expected_value)
    assert agri["flags"] == expected_flags


def test_aggregate_ecosystems_all_components_confidential_is_nan():
    obs = make_obs([("DE", "C10", EMP, np.nan, "c"), ("DE", "C11", EMP, np.nan, "c")])
    agri = aggregate_ecosystems(obs, UNIVERSE_MAPPING).iloc[0]
    assert np.isnan(agri["value"])
    assert agri["flags"] == "c"


def test_productivity_uses_only_components_with_both_measures():
    rows = [
        ("DE", "C10", EMP, 100.0),
        ("DE", "C10", VA, 5.0),
        ("DE", "C11", EMP, 40.0),
        ("DE", "C11", VA, np.nan, "c"),
        ("DE", TOTAL, EMP, 1000.0),
    ]
    out = compute_ecosystem_indicators(make_obs(rows), UNIVERSE_MAPPING, ["DE"])
    prod = pick(out, "productivity", "agri-food", "DE")
    assert prod["value"] == pytest.approx(5e6 / 100)  # C11 left out of both sides
    assert (prod["flags"], prod["markers"]) == ("", "I")


@pytest.mark.parametrize(
    ("drop_section", "expected_share"),
    [
        (None, 120 / 1300 * 100),  # thirteen sections of 100 each
        ("S95", np.nan),  # a section missing too: no total, no share
    ],
)
def test_compute_ecosystem_indicators_total_falls_back_to_sections(drop_section, expected_share):
    sections = ["B", "C", "D", "E", "F", "G", "H", "I", "J", "L", "M", "N", "S95"]
    rows = [("DE", s, EMP, 100.0) for s in sections if s != drop_section]
    rows += [("DE", "C10", EMP, 100.0), ("DE", "C11", EMP, 40.0)]
    out = compute_ecosystem_indicators(make_obs(rows), UNIVERSE_MAPPING, ["DE"])
    share = out[(out["indicator"] == "share_emp") & (out["geo"] == "DE")]
    if np.isnan(expected_share):
        assert share.empty
    else:
        assert share.iloc[0]["value"] == pytest.approx(expected_share)
        assert share.iloc[0]["markers"] == "A"  # the total was built by the observatory


def test_add_business_total_keeps_published_total():
    obs = make_obs([("DE", TOTAL, EMP, 5.0)] + [("DE", s, EMP, 1.0) for s in "BCDEFGHIJLMN"])
    out = add_business_total(prepare_obs(obs, [EMP]))
    assert out.loc[out["nace"] == TOTAL, "value"].tolist() == [5.0]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("a", "C10", 1.2)], "lie in"),
        ([("a", "C10", 0.6), ("b", "C10", 0.6)], "sum above 1"),
        ([("a", "C10", 0.5), ("a", "C10", 0.5)], "duplicated"),
        ([("a", "C", 0.5), ("b", "C10", 0.5)], "parent"),
    ],
)
def test_resolve_mapping_rejects_double_counting(rows, message):
    with pytest.raises(ValueError, match=message):
        resolve_mapping(make_mapping(rows), pd.Series(["C", "C10"]))


def test_resolve_mapping_ignores_codes_the_data_lacks():
    mapping = make_mapping([("a", "C10", 1.0), ("a", "G477", 0.5), ("b", "C11", 0.0)])
    assert resolve_mapping(mapping, pd.Series(["C10", "C11"]))["nace"].tolist() == ["C10"]


def test_prepare_obs_rejects_duplicates():
    obs = make_obs([("DE", "C10", EMP, 1.0), ("DE", "C10", EMP, 2.0)])
    with pytest.raises(ValueError, match="duplicated"):
        prepare_obs(obs, [EMP])


# --- the mapping fixture ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_mapping():
    return pd.read_csv(FIXTURES / "ecosystem_nace_mapping.csv")


def test_mapping_fixture_covers_the_14_ecosystems(fixture_mapping):
    slugs = pd.read_csv(FIXTURES / "ecosystems.csv")["slug"]
    assert len(slugs) == 14 and slugs.is_unique
    assert set(fixture_mapping["ecosystem"]) == set(slugs)


def test_mapping_fixture_shares_in_unit_interval(fixture_mapping):
    assert fixture_mapping["share"].between(0.0, 1.0).all()
    assert not fixture_mapping.duplicated(["ecosystem", "nace"]).any()


def test_mapping_fixture_per_nace_sum_at_most_one(fixture_mapping):
    sums = fixture_mapping.groupby("nace")["share"].sum()
    assert (sums <= 1.0 + 1e-9).all(), sums[sums > 1.0 + 1e-9]


def test_mapping_fixture_rows_are_documented(fixture_mapping):
    assert 80 <= len(fixture_mapping) <= 140
    assert set(fixture_mapping["confidence"]) <= {"low", "medium", "high"}
    assert fixture_mapping["source_note"].str.contains("UNVERIFIED").all()
    assert fixture_mapping["nace"].str.fullmatch(r"[A-Z]\d{2}").all()  # division level


# --- the real mirror ---------------------------------------------------------------------------


def mirror_path() -> Path:
    """The data mirror: $OBSERVATORY_DATA_MIRROR or ../shared/data beside the project."""
    env = os.environ.get("OBSERVATORY_DATA_MIRROR")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"


def read_eurostat_tsv(
    path: Path, geo_prefixes: tuple[str, ...] | None = None, periods: set[int] | None = None
) -> pd.DataFrame:
    """Minimal reader for an old-style Eurostat bulk TSV (``nace_r2,indic_sb,geo\\time``).

    Test-only: the project's parser lives in indicators/sources/. Output: ``geo, nace,
    measure, period, value, flags``. GEO_PREFIXES and PERIODS keep only those rows and years
    (before the reshaping, which is most of the time on the regional file).
    """
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = pd.read_csv(fh, sep="\t", dtype=str, keep_default_na=False)
    key = raw.columns[0]
    dims = key.split("\\")[0].split(",")
    # The key is split once per series and each distinct cell parsed once (splitting and parsing
    # the 1.6 M melted rows of the regional file took 11 of its 13 s).
    parts = raw[key].str.split(",", expand=True)
    parts.columns = dims
    if geo_prefixes is not None:
        keep = parts["geo"].str.startswith(geo_prefixes)
        raw, parts = raw[keep], parts[keep]
    years = [c for c in raw.columns[1:] if periods is None or int(c.strip()) in periods]
    wide = pd.concat([parts[["geo", "nace_r2", "indic_sb"]], raw[years]], axis=1)
    long = wide.melt(id_vars=["geo", "nace_r2", "indic_sb"], var_name="period", value_name="cell")
    codes, distinct = pd.factorize(long["cell"])
    cell = pd.Series(distinct, dtype=object).str.strip().str.extract(r"^(\S+)\s*(.*)$")
    return pd.DataFrame(
        {
            "geo": long["geo"],
            "nace": long["nace_r2"],
            "measure": long["indic_sb"],
            "period": long["period"].str.strip().astype(int),
            "value": pd.to_numeric(cell[0].replace(":", None), errors="coerce").to_numpy()[codes],
            "flags": cell[1].fillna("").to_numpy()[codes],
        }
    )


@pytest.fixture(scope="module")
def real_national_sbs() -> pd.DataFrame:
    """The mirror's national SBS file read once for this module's tests (plain pandas, ~1.2 M cells)."""
    path = mirror_path() / "eurostat" / "sbs_na_sca_r2.tsv.gz"
    if not path.exists():
        pytest.skip(f"data mirror not found at {path} (set OBSERVATORY_DATA_MIRROR)")
    return read_eurostat_tsv(path)


@pytest.mark.mirror
def test_compute_ecosystem_indicators_on_real_national_sbs(fixture_mapping, real_national_sbs):
    obs = real_national_sbs.copy()
    members = pd.read_csv(mirror_path() / "reference" / "eurostat_geo_codes" / "eurostat_geo_codes.csv")
    members = members.loc[members["eu27_2020"].astype(str).str.lower().isin(["true", "1"]), "geo"]
    assert len(members) == 27
    started = time.perf_counter()
    out = compute_ecosystem_indicators(obs, fixture_mapping, members)
    seconds = time.perf_counter() - started
    print(f"\ncompute_ecosystem_indicators on {len(obs):,} cells: {seconds:.2f} s")
    eu = out[(out["geo"] == EU_CODE) & (out["period"] == 2014)].set_index(["indicator", "ecosystem"])["value"]
    print((eu["emp"] / 1e6).round(2).to_string())
    print(f"coverage of business-economy persons employed: {eu['share_emp'].sum():.1f}%")
    assert 3e6 < eu["emp", "tourism"] < 30e6
    assert 10e6 < eu["emp", "retail"] < 35e6
    assert 60 <= eu["share_emp"].sum() <= 95
    assert len(eu["emp"]) == 14
    ranked = out[(out["indicator"] == "emp") & (out["period"] == 2014) & out["rank"].notna()]
    assert ranked.groupby("ecosystem")["rank"].min().eq(1).all()


@pytest.mark.mirror
def test_eu_figures_and_lqs_match_a_plain_recomputation_from_the_raw_file(fixture_mapping, real_national_sbs):
    """Independent check: EU sums and national LQs straight from the raw TSV (plain pandas)."""
    obs = real_national_sbs.copy()
    ref = pd.read_csv(mirror_path() / "reference" / "eurostat_geo_codes" / "eurostat_geo_codes.csv")
    members = sorted(ref.loc[ref["eu27_2020"].astype(str).str.lower().isin(["true", "1"]), "geo"])
    out = compute_ecosystem_indicators(obs, fixture_mapping, members)
    emp = obs[(obs["measure"] == EMP) & obs["geo"].isin(members)]
    checked = 0
    for eco, year in [("retail", 2012), ("retail", 2014), ("health", 2011)]:
        codes = fixture_mapping[fixture_mapping["ecosystem"] == eco].set_index("nace")["share"]
        cells = emp[(emp["period"] == year) & emp["nace"].isin(codes.index)]
        eu_row = pick(out[out["period"] == year], "emp", eco, EU_CODE)
        if eu_row["markers"] == "A":  # every member published every code: a plain sum
            plain = (cells["value"] * cells["nace"].map(codes)).sum()
            assert eu_row["value"] == pytest.approx(plain, rel=1e-9)
            assert cells["value"].notna().all() and len(cells) == len(members) * len(codes)
            checked += 1
            eu_tot = emp[(emp["period"] == year) & (emp["nace"] == TOTAL)]["value"].sum()
            for geo in ("DE", "ES", "PL", "SE"):
                mine = cells[cells["geo"] == geo]
                tot = emp[(emp["geo"] == geo) & (emp["period"] == year) & (emp["nace"] == TOTAL)]["value"]
                lq = ((mine["value"] * mine["nace"].map(codes)).sum() / tot.iloc[0]) / (plain / eu_tot)
                assert pick(out[out["period"] == year], "lq_emp", eco, geo)["value"] == pytest.approx(lq)
        else:  # some member cell estimated or missing: the listed members are exactly those
            listed = set((eu_row["estimated_geos"] + " " + eu_row["missing_geos"]).split())
            counts = cells.groupby("geo").size()
            full = set(counts[counts == len(codes)].index)
            gaps = set(cells.loc[cells["value"].isna(), "geo"]) | (set(members) - full)
            assert listed == gaps
    assert checked >= 1
