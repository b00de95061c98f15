"""Wages and salaries per person employed in a region's business economy (issue 11).

Pure compute on hand-made rows, then the real regional file recomputed with plain pandas (the
section/division total rule written out here, not through our parser or compute functions).
"""

import gzip
import io

import numpy as np
import pandas as pd
import pytest

from indicators.compute.regional import WAGE_KEY, region_wages
from tests.indicators.test_compute_ecosystems import make_obs, mirror_path

MEMBERS = frozenset(
    ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU"]
    + ["IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]
)
SECTIONS = list("BCDEFGHIJLMN") + ["S95"]


def universe(confidential_at12=()):
    """AT11, AT12, DE11 with every section published; AT12's wages confidential in CONFIDENTIAL_AT12."""
    rows = []
    for geo, emp, wages in (("AT11", 1000.0, 30.0), ("AT12", 500.0, 20.0), ("DE11", 2000.0, 80.0)):
        for section in SECTIONS:
            share = 1 / len(SECTIONS)
            rows.append((geo, section, "V16110", emp * share))
            hidden = geo == "AT12" and section in confidential_at12
            rows.append((geo, section, "V13320", np.nan if hidden else wages * share))
    return make_obs([(g, n, m, v, "c" if np.isnan(v) else "") for g, n, m, v in rows])


def pick(out, geo):
    row = out[(out["geo"] == geo)]
    assert len(row) <= 1
    return row.iloc[0] if len(row) else None


def test_wage_per_person_employed_and_the_pooled_eu():
    out = region_wages(universe(), members=["AT", "DE"])
    assert set(out["indicator"]) == {"wage_emp"} and set(out["ecosystem"]) == {WAGE_KEY}
    assert pick(out, "AT11")["value"] == pytest.approx(30.0 / 1000 * 1000)  # EUR thousand
    assert pick(out, "DE11")["value"] == pytest.approx(40.0)
    assert pick(out, "EU27_2020")["value"] == pytest.approx((30 + 20 + 80) / 3500 * 1000)
    assert pick(out, "EU27_2020")["markers"] == "A" and pd.isna(pick(out, "EU27_2020")["rank"])
    assert pick(out, "AT11")["rank"] == 2 and pick(out, "AT12")["rank"] == 1  # within Austria


def test_a_confidential_section_is_left_out_above_and_below():
    out = region_wages(universe(confidential_at12=("C",)), members=["AT", "DE"])
    at12 = pick(out, "AT12")  # 12 of 13 sections (92 % of persons employed): same level, complete
    assert at12["value"] == pytest.approx(40.0) and at12["markers"] == ""
    covered = 500 * 12 / 13
    assert pick(out, "EU27_2020")["value"] == pytest.approx(
        (30 + 20 * 12 / 13 + 80) / (3000 + covered) * 1000
    )


def test_too_little_coverage_is_incomplete_never_ranked_and_out_of_the_eu_pool():
    out = region_wages(universe(confidential_at12=("C", "G")), members=["AT", "DE"])
    at12 = pick(out, "AT12")  # 11 of 13 sections: 85 % < 90 %
    assert at12["value"] == pytest.approx(40.0) and at12["markers"] == "I" and pd.isna(at12["rank"])
    assert pick(out, "AT11")["rank"] == 1
    assert pick(out, "EU27_2020")["value"] == pytest.approx((30 + 80) / 3000 * 1000)


@pytest.mark.mirror
def test_region_wages_agree_with_pandas_on_the_real_file():
    from indicators.sources.eurostat import parse_tsv

    path = mirror_path() / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    if not path.exists():
        pytest.skip("data mirror not found")
    raw = pd.read_csv(io.StringIO(gzip.decompress(path.read_bytes()).decode()), sep="\t", dtype=str)
    key = raw.columns[0]
    raw[["nace", "measure", "geo"]] = raw[key].str.split(",", expand=True)
    # The year and measures checked below (melting every year's cells was most of this reading).
    raw = raw[raw["measure"].isin(["V16110", "V13320"])][
        ["nace", "measure", "geo", *(c for c in raw.columns if c.strip() == "2014")]
    ]
    long = raw.melt(id_vars=["nace", "measure", "geo"], var_name="period", value_name="cell")
    long["period"] = long["period"].str.strip()
    long["value"] = pd.to_numeric(long["cell"].str.strip().str.split(" ").str[0], errors="coerce")
    codes = pd.Series(long["nace"].unique())
    divisions = codes[codes.str.fullmatch(r"[A-Z]\d\d") & ~codes.isin(SECTIONS) & codes.str[0].isin(SECTIONS)]

    def part(cells: pd.Series, geo: str, section: str) -> float | None:
        value = cells.get((geo, section), np.nan)
        if pd.notna(value):
            return value
        parts = [cells.get((geo, d), np.nan) for d in divisions if d[0] == section]
        return sum(parts) if parts and all(pd.notna(v) for v in parts) else None

    regions = (
        (long["geo"].str.len() == 4)
        & ~long["geo"].str[:2].isin(["EU", "EA"])
        & ~long["geo"].str.endswith("ZZ")
    )
    y = long[(long["period"] == "2014") & regions]
    emp = y[y["measure"] == "V16110"].set_index(["geo", "nace"])["value"]
    wages = y[y["measure"] == "V13320"].set_index(["geo", "nace"])["value"]

    parsed = parse_tsv(path.read_bytes(), path.name).frame.rename(
        columns={"nace_r2": "nace", "indic_sb": "measure"}
    )
    parsed = parsed[parsed["measure"].isin(["V16110", "V13320"])]
    out = region_wages(parsed, members=MEMBERS)
    got = out[out["period"] == "2014"].set_index("geo")["value"]
    checked, pool_w, pool_e = 0, 0.0, 0.0
    markers = out[out["period"] == "2014"].set_index("geo")["markers"]
    for geo in sorted(y["geo"].unique()):
        e_parts = {sec: part(emp, geo, sec) for sec in SECTIONS}
        w_parts = {sec: part(wages, geo, sec) for sec in SECTIONS}
        both = [sec for sec in SECTIONS if e_parts[sec] is not None and w_parts[sec] is not None]
        e = sum(e_parts[sec] for sec in both)
        w = sum(w_parts[sec] for sec in both)
        if not both or e <= 0:
            assert geo not in got.index, geo
            continue
        total = None if any(v is None for v in e_parts.values()) else sum(e_parts.values())
        incomplete = total is None or e / total < 0.9
        assert got[geo] == pytest.approx(w / e * 1000, rel=1e-9), geo
        assert (markers[geo] == "I") == incomplete, geo
        checked += 1
        if geo[:2] in MEMBERS and not incomplete:
            pool_w, pool_e = pool_w + w, pool_e + e
    assert checked > 250
    assert got["EU27_2020"] == pytest.approx(pool_w / pool_e * 1000, rel=1e-9)
