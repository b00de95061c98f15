"""Regions by NACE division (region_nace_emp, region_nace_lq): hand-made cells, then the real file
against plain pandas."""

import gzip
import io

import numpy as np
import pandas as pd
import pytest

from indicators.compute.adapters import regional_nace
from tests.conftest import mirror_path

EMP = "V16110"


def obs(rows):
    return pd.DataFrame(
        [(g, n, EMP, "2014", v, f) for g, n, v, f in rows],
        columns=["geo", "nace", "measure", "period", "value", "flags"],
    )


def pick(out, indicator, nace, geo):
    row = out[(out["indicator"] == indicator) & (out["ecosystem"] == nace) & (out["geo"] == geo)]
    assert len(row) == 1, (indicator, nace, geo)
    return row.iloc[0]


def test_division_lq_uses_the_section_totals_and_keeps_confidential_cells_missing():
    rows = [
        ("AT11", "C", 1000.0, ""), ("AT11", "C29", 600.0, ""), ("AT11", "C10", 400.0, ""),
        ("AT11", "F", 1000.0, ""), ("AT11", "F41", 1000.0, ""),
        ("AT12", "C", 500.0, ""), ("AT12", "C29", np.nan, "c"), ("AT12", "C10", 100.0, ""),
        ("AT12", "F", 1500.0, ""), ("AT12", "F41", 1500.0, ""),
    ]  # fmt: skip
    out = regional_nace({"sbs": obs(rows)}, {"eu_members": frozenset({"AT"}), "nuts_converter": None})
    assert set(out["indicator"]) == {"region_nace_emp", "region_nace_lq"}
    assert set(out["ecosystem"]) <= {"C29", "C10", "F41"}  # divisions only, no sections
    assert pick(out, "region_nace_emp", "C29", "AT11")["value"] == 600
    # EU reference: regions with both figures — AT11 only for C29 (AT12's is confidential).
    assert pick(out, "region_nace_lq", "C29", "AT11")["value"] == pytest.approx((600 / 2000) / (600 / 2000))
    c10 = (100 / 2000) / (500 / 4000)
    assert pick(out, "region_nace_lq", "C10", "AT12")["value"] == pytest.approx(c10)
    confidential = pick(out, "region_nace_emp", "C29", "AT12")
    assert np.isnan(confidential["value"]) and "c" in confidential["flags"]


def _raw_regional() -> pd.DataFrame:
    """The regional SBS file read with plain pandas (not our parser): one row per 2014 employment cell."""
    path = mirror_path() / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    if not path.exists():
        pytest.skip("data mirror not found")
    frame = pd.read_csv(io.StringIO(gzip.decompress(path.read_bytes()).decode()), sep="\t", dtype=str)
    key = frame.columns[0]
    frame[["nace", "measure", "geo"]] = frame[key].str.split(",", expand=True)
    # Employment in 2014, the year checked (melting every year's cells was most of this reading).
    frame = frame[frame["measure"] == EMP][
        ["nace", "measure", "geo", *(c for c in frame.columns if c.strip() == "2014")]
    ]
    long = frame.melt(id_vars=["nace", "measure", "geo"], var_name="period", value_name="cell")
    long["period"] = long["period"].str.strip()
    long["value"] = pd.to_numeric(long["cell"].str.strip().str.split(" ").str[0], errors="coerce")
    return long


@pytest.mark.mirror
def test_regional_nace_agrees_with_pandas_on_the_real_file():
    from indicators.sources.eurostat import parse_tsv

    path = mirror_path() / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    raw = _raw_regional()
    y = raw[raw["period"] == "2014"]
    members = frozenset(
        ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU"]
        + ["IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]
    )
    parsed = parse_tsv(path.read_bytes(), path.name).frame.rename(
        columns={"nace_r2": "nace", "indic_sb": "measure"}
    )
    parsed = parsed[parsed["measure"] == EMP]
    out = regional_nace({"sbs": parsed}, {"eu_members": members, "nuts_converter": None})
    got = out[out["period"] == "2014"]
    # Employment: the published cell itself.
    for geo, nace in (("DE11", "C29"), ("ITC1", "C29"), ("FR10", "J62"), ("PL22", "C24")):
        want = y[(y["geo"] == geo) & (y["nace"] == nace)]["value"].iloc[0]
        assert pick(got, "region_nace_emp", nace, geo)["value"] == pytest.approx(want)
    # LQ: the division's share of the region's business economy (sections B-J, L-N and S95; a
    # section without a value counts as the sum of its divisions when every one of them has a
    # value), over the pooled share of the EU27 regions whose total is complete.
    sections = list("BCDEFGHIJLMN") + ["S95"]
    codes = pd.Series(raw["nace"].unique())
    file_divisions = codes[
        codes.str.fullmatch(r"[A-Z]\d\d") & ~codes.isin(sections) & codes.str[0].isin(sections)
    ].tolist()
    nuts2 = y[(y["geo"].str.len() == 4) & y["geo"].str[:2].isin(members)]
    cells = nuts2.set_index(["geo", "nace"])["value"]
    totals = {}
    for geo in nuts2["geo"].unique():
        total, complete = 0.0, True
        for section in sections:
            value = cells.get((geo, section), np.nan)
            if pd.notna(value):
                total += value
                continue
            parts = [cells.get((geo, d), np.nan) for d in file_divisions if d[0] == section]
            if parts and all(pd.notna(v) for v in parts):
                total += sum(parts)
            else:
                complete = False
        if complete:
            totals[geo] = total
    totals = pd.Series(totals)
    checked = 0
    for nace in ("C29", "J62", "C24", "I55"):
        div = nuts2[nuts2["nace"] == nace].set_index("geo")["value"].dropna()
        both = div.index.intersection(totals.index)
        eu_share = div[both].sum() / totals[both].sum()
        for geo in div[both].sort_values().index[-3:]:  # the three regions employing most
            want = (div[geo] / totals[geo]) / eu_share
            assert pick(got, "region_nace_lq", nace, geo)["value"] == pytest.approx(want, rel=1e-9), (
                geo,
                nace,
            )
            checked += 1
    assert checked == 12
