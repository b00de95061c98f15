"""NUTS harmonisation to 2021 with the JRC converter: hand-made data, then the real files.

The hand-made converter (level 2, into 2021) has, per kind of change:

    from     code  -> 2021 code   pop18     kind
    2013     PL12  -> PL91        600       split (60 / 40)
    2013     PL12  -> PL92        400
    2013     PL11  -> PL71        500       renamed
    2006     DE41  -> DE40        100       merged
    2006     DE42  -> DE40        300
    2006     FI18  -> FI1B        300       split, with a sliver FI18 -> FI1D (0.1% of FI18)
    2006     FI18  -> FI1C        199.7
    2006     FI18  -> FI1D        0.3
    2006     FI13  -> FI1D        50        FI1D = FI13 + FI1A (merged)
    2006     FI1A  -> FI1D        50
    2013     FI1B/FI1C/FI1D -> themselves
"""

import glob
import re

import numpy as np
import pandas as pd
import pytest

from indicators.compute import nuts
from tests.indicators.test_compute_ecosystems import mirror_path, read_eurostat_tsv

EMP = "V16110"


def conv(rows):
    return pd.DataFrame(rows, columns=["from_version", "from_code", "to_code", "pop18"]).assign(
        to_version=2021
    )


CONVERTER = conv(
    [
        (2013, "PL12", "PL91", 600.0),
        (2013, "PL12", "PL92", 400.0),
        (2013, "PL11", "PL71", 500.0),
        (2013, "FI1B", "FI1B", 300.0),
        (2013, "FI1C", "FI1C", 200.0),
        (2013, "FI1D", "FI1D", 100.0),
        (2006, "DE41", "DE40", 100.0),
        (2006, "DE42", "DE40", 300.0),
        (2006, "FI18", "FI1B", 300.0),
        (2006, "FI18", "FI1C", 199.7),
        (2006, "FI18", "FI1D", 0.3),
        (2006, "FI13", "FI1D", 50.0),
        (2006, "FI1A", "FI1D", 50.0),
        (2013, "DE40", "DE40", 400.0),
    ]
)


def obs(rows, period=2014):
    """(geo, nace, value[, flags]) -> obs frame of persons employed."""
    records = [(r[0], r[1], EMP, period, r[2], r[3] if len(r) > 3 else "") for r in rows]
    df = pd.DataFrame(records, columns=["geo", "nace", "measure", "period", "value", "flags"])
    df["value"] = df["value"].astype("float64")
    return df


def one(df, geo, nace="C"):
    row = df[(df["geo"] == geo) & (df["nace"] == nace)]
    assert len(row) == 1, (geo, nace, row)
    return row.iloc[0]


def test_split_uses_population_weights_marks_estimates_and_conserves_the_total():
    converted, prov, _ = nuts.harmonise(obs([("PL12", "C", 1000.0), ("PL11", "C", 10.0)]), CONVERTER, 2013)
    assert one(converted, "PL91")["value"] == pytest.approx(600.0)
    assert one(converted, "PL92")["value"] == pytest.approx(400.0)
    assert "PL12" not in set(converted["geo"])
    assert converted["value"].sum() == pytest.approx(1010.0)  # nothing lost or made up
    pl91 = prov.set_index("geo").loc["PL91"]
    assert (pl91["published_geo"], pl91["geo_version"], pl91["markers"], pl91["kind"]) == (
        "PL12",
        "2013",
        "E",
        "split",
    )


def test_rename_recodes_only_and_keeps_the_published_code():
    converted, prov, _ = nuts.harmonise(obs([("PL11", "C", 10.0, "p")]), CONVERTER, 2013)
    assert (one(converted, "PL71")["value"], one(converted, "PL71")["flags"]) == (10.0, "p")
    row = prov.set_index("geo").loc["PL71"]
    assert (row["published_geo"], row["markers"], row["kind"]) == ("PL11", "", "renamed")


def test_merge_sums_published_parts_and_a_missing_part_makes_it_missing():
    rows = [("DE41", "C", 10.0, "e"), ("DE42", "C", 20.0), ("DE41", "F", np.nan, "c"), ("DE42", "F", 5.0)]
    converted, prov, versions = nuts.harmonise(obs(rows), CONVERTER, 2013)
    assert versions.set_index("country").loc["DE", "version"] == 2006
    c = one(converted, "DE40", "C")
    assert (c["value"], c["flags"]) == (30.0, "e")
    f = one(converted, "DE40", "F")
    assert np.isnan(f["value"]) and f["flags"] == "c"  # not a lower bound of 5
    row = prov.set_index("geo").loc["DE40"]
    assert (row["published_geo"], row["geo_version"], row["markers"], row["kind"]) == (
        "DE41+DE42",
        "2006",
        "A",
        "merged",
    )


def test_a_2006_2013_mix_in_one_country_year_keeps_one_version():
    # Finland 2010: both its NUTS 2006 and its NUTS 2013 regions, three codes each: a tie.
    rows = [("FI13", "C", 50.0), ("FI18", "C", 500.0), ("FI1A", "C", 50.0)]
    rows += [("FI1B", "C", 300.0), ("FI1C", "C", 200.0), ("FI1D", "C", 100.0)]
    converted, prov, versions = nuts.harmonise(obs(rows, 2010), CONVERTER, 2013)
    v = versions.set_index("country").loc["FI"]
    assert (v["version"], v["codes"], v["dropped"]) == (2013, 6, 3)  # the nominal version wins the tie
    assert sorted(converted["geo"]) == ["FI1B", "FI1C", "FI1D"]
    assert converted["value"].sum() == pytest.approx(600.0)  # not 1,200: counted once
    assert set(prov["geo_version"]) == {"2013"}


def test_nuts_2006_year_is_converted_with_slivers_dropped():
    rows = [("FI13", "C", 50.0), ("FI18", "C", 500.0), ("FI1A", "C", 50.0)]
    converted, prov, _ = nuts.harmonise(obs(rows, 2008), CONVERTER, 2013)
    assert one(converted, "FI1B")["value"] == pytest.approx(500.0 * 300.0 / 499.7)
    assert one(converted, "FI1C")["value"] == pytest.approx(500.0 * 199.7 / 499.7)
    # FI18's 0.06% sliver is noise: FI1D is the plain merge of FI13 and FI1A.
    assert one(converted, "FI1D")["value"] == pytest.approx(100.0)
    assert prov.set_index("geo").loc["FI1D", "markers"] == "A"
    assert prov.set_index("geo").loc["FI1B", "markers"] == "E"
    assert converted["value"].sum() == pytest.approx(600.0)


def test_harmonised_regions_sum_to_the_country():
    # A country-year per version; the country figure is the sum of its regions as published.
    rows = [("DE41", "C", 7.0), ("DE42", "C", 11.0)]
    rows += [("FI13", "C", 3.0), ("FI18", "C", 40.0), ("FI1A", "C", 2.0)]
    country = {"DE": 18.0, "FI": 45.0}
    converted, _, _ = nuts.harmonise(obs(rows), CONVERTER, 2013)
    sums = converted.groupby(converted["geo"].str[:2])["value"].sum()
    assert sums.to_dict() == pytest.approx(country)


def test_codes_of_a_country_the_converter_does_not_know_are_kept():
    converted, prov, _ = nuts.harmonise(obs([("XX11", "C", 1.0)]), CONVERTER, 2013)
    assert converted["geo"].tolist() == ["XX11"] and prov.empty


def test_conversion_weights_conserve_every_source():
    w = nuts.conversion_weights(CONVERTER)
    assert w.groupby(["from_version", "from_code"])["weight"].sum().to_numpy() == pytest.approx(1.0)
    assert not ((w["from_code"] == "FI18") & (w["to_code"] == "FI1D")).any()


# --- the real mirror ---------------------------------------------------------------------------


def real_converter() -> pd.DataFrame:
    frames = []
    for path in glob.glob(str(mirror_path() / "reference" / "jrc_nuts_converter" / "n2_cm_v*_v2021.csv")):
        old = int(re.search(r"v(\d{4})_v2021", path).group(1))
        m = pd.read_csv(path)
        frames.append(
            pd.DataFrame(
                {
                    "from_version": old,
                    "to_version": 2021,
                    "from_code": m[f"code_v{old}"],
                    "to_code": m["code_v2021"],
                    "pop18": m["pop18"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def real():
    sbs = mirror_path() / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    if not sbs.exists() or not (mirror_path() / "reference" / "jrc_nuts_converter").exists():
        pytest.skip(f"data mirror not found at {mirror_path()} (set OBSERVATORY_DATA_MIRROR)")
    raw = read_eurostat_tsv(sbs)
    raw = raw[raw["measure"] == EMP]
    regions = raw[raw["geo"].str.fullmatch(r"[A-Z]{2}[0-9A-Z]{2}") & ~raw["geo"].str.endswith("ZZ")]
    regions = regions[~regions["geo"].str[:2].isin(["EU", "EA"])]
    converted, prov, versions = nuts.harmonise(regions, real_converter(), 2013)
    return raw, converted, prov, versions


def raw_value(raw, geo, nace, period):
    row = raw[(raw["geo"] == geo) & (raw["nace"] == nace) & (raw["period"] == period)]
    return float(row["value"].iloc[0])


@pytest.mark.mirror
def test_real_pl91_is_mazowieckie_times_warsaws_population_share(real):
    raw, converted, prov, _ = real
    m = pd.read_csv(mirror_path() / "reference" / "jrc_nuts_converter" / "n2_cm_v2013_v2021.csv")
    pl12 = m[m["code_v2013"] == "PL12"]
    share = float(pl12.loc[pl12["code_v2021"] == "PL91", "pop18"].iloc[0] / pl12["pop18"].sum())
    expected = raw_value(raw, "PL12", "C", 2014) * share
    got = converted[(converted["geo"] == "PL91") & (converted["nace"] == "C") & (converted["period"] == 2014)]
    assert float(got["value"].iloc[0]) == pytest.approx(expected, rel=1e-9)
    assert prov.set_index(["geo", "period"]).loc[("PL91", 2014), "markers"] == "E"


@pytest.mark.mirror
def test_real_de40_2008_is_the_sum_of_brandenburgs_two_nuts_2006_regions(real):
    raw, converted, _, _ = real
    expected = raw_value(raw, "DE41", "C", 2008) + raw_value(raw, "DE42", "C", 2008)
    got = converted[(converted["geo"] == "DE40") & (converted["nace"] == "C") & (converted["period"] == 2008)]
    assert float(got["value"].iloc[0]) == pytest.approx(expected)


@pytest.mark.mirror
def test_real_regions_sum_to_their_country(real):
    """Country-years whose regions all publish section C: the harmonised sum is the country's."""
    raw, converted, _, versions = real
    c = converted[converted["nace"] == "C"]
    c = c.assign(country=c["geo"].str[:2])
    complete = c.groupby(["country", "period"]).filter(lambda g: g["value"].notna().all())
    sums = complete.groupby(["country", "period"])["value"].sum()
    national = raw[(raw["nace"] == "C") & (raw["geo"].str.len() == 2)].set_index(["geo", "period"])["value"]
    ratio = (sums / national.reindex(sums.index).to_numpy()).dropna()
    assert len(ratio) > 150
    assert ratio.between(0.98, 1.02).mean() > 0.97, ratio[~ratio.between(0.98, 1.02)]
    fi = ratio.loc[("FI", 2010)]
    assert fi == pytest.approx(1.0, abs=0.02)  # was 1.72 with both versions counted
    assert versions.set_index(["country", "period"]).loc[("FI", 2010), "version"] == 2013


@pytest.mark.mirror
def test_real_every_region_year_in_one_version_only(real):
    _, converted, prov, _ = real
    assert not converted.duplicated(["geo", "nace", "measure", "period"]).any()
    assert not prov.duplicated(["geo", "period"]).any()
    assert not set(converted["geo"]) & {"DE41", "UKI1", "SI01", "FI18", "PL12", "FR71"}
    assert {"PL91", "FRK2", "DE40", "UKI3"} <= set(converted["geo"])
