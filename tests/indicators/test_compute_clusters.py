"""Cluster categories, figures, stars and the US strong rule: pure pandas, no database.

Figures universe (2014, persons employed by division; sections C and F published):

    region  C10  C29  F41   C    F     traded = C10 + C29 + 0.5 F41
    AT11    100  100  200  200  200    300   (a = C10 + 0.5 F41 = 200, b = C29 = 100)
    AT12     50  250  100  300  100    350   (a = 100, b = 250)
    DE11    300  300  600  600  600    900   (a = 600, b = 300)
    AT13      c  100    0  400    0    400 E (C10 from C's residual 400 - 100; a incomplete)
    NO01     10   10   20   20   20     30   (not a member: outside the EU reference)
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.compute import clusters as cl
from indicators.compute.cluster_definitions import DefinitionError, division_code, translate
from tests.indicators.test_compute_ecosystems import mirror_path, read_eurostat_tsv

EMP, UNITS, WAGES = "V16110", "V11210", "V13320"
MEMBERS = ["AT", "DE"]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reference"

# ---------------------------------------------------------------- NAICS -> NACE translation


def test_translation_weights_on_a_hand_made_crosswalk():
    definitions = pd.DataFrame(
        [
            ("111110", True, "X"),  # -> 10.11 and 10.12: half each, both C10
            ("222220", True, "Y"),  # -> 10.13 (C10) and 20.11 (C20): half each
            ("333330", False, "Local"),  # -> 10.71 (C10), local
        ],
        columns=["naics", "traded", "cluster"],
    )
    crosswalk = pd.DataFrame(
        [
            ("111110", "10.11"),
            ("111110", "10.12"),
            ("222220", "10.13"),
            ("222220", "20.11"),
            ("333330", "10.71"),
        ],
        columns=["naics", "nace"],
    )
    rows, unmatched = translate(definitions, crosswalk)
    got = rows.set_index(["cluster", "nace"])
    # C10: traded masses X 1.0, Y 0.5; local 1.0 -> traded share 1.5 / 2.5.
    assert got.loc[("X", "C10"), "weight"] == pytest.approx(2 / 3)
    assert got.loc[("Y", "C10"), "weight"] == pytest.approx(1 / 3)
    assert got.loc[("Y", "C20"), "weight"] == pytest.approx(1.0)
    assert got.loc[("X", "C10"), "traded_share"] == pytest.approx(0.6)
    assert got.loc[("Y", "C20"), "traded_share"] == pytest.approx(1.0)
    assert got.loc[("X", "C10"), "mass"] == pytest.approx(1.0)
    assert "Local" not in set(rows["cluster"])
    assert rows.groupby("nace")["weight"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert unmatched == []


def test_translation_matches_emsi_and_2012_codes_by_prefix_and_reports_the_rest():
    definitions = pd.DataFrame(
        [("111000", True, "Agri"), ("482110", True, "Rail"), ("901199", False, "Gov")],
        columns=["naics", "traded", "cluster"],
    )
    crosswalk = pd.DataFrame(
        [("111110", "01.11"), ("111120", "01.11"), ("482111", "49.10"), ("482112", "49.20")],
        columns=["naics", "nace"],
    )
    rows, unmatched = translate(definitions, crosswalk)
    assert rows.set_index("cluster").loc["Agri", "mass"] == pytest.approx(1.0)  # counted once
    assert set(rows.loc[rows["cluster"] == "Rail", "nace"]) == {"H49"}
    assert unmatched == ["901199"]


def test_translation_rejects_malformed_input():
    with pytest.raises(DefinitionError, match="lacks column"):
        translate(pd.DataFrame({"naics": ["1"]}), pd.DataFrame({"naics": ["1"], "nace": ["01.11"]}))
    with pytest.raises(DefinitionError, match="not a NACE"):
        division_code("xx")


def test_written_definitions_sum_to_one_per_division_and_flag_approximations():
    cats = pd.read_csv(FIXTURES / "cluster_categories.csv", comment="#")
    rows = pd.read_csv(FIXTURES / "cluster_category_nace.csv", comment="#")
    assert (cats["kind"] == "traded").sum() == 51 and (cats["kind"] == "emerging").sum() == 10
    assert cats.loc[cats["kind"] == "emerging", "approximation"].eq(1).all()
    traded = rows[rows["category"].isin(cats.loc[cats["kind"] == "traded", "slug"])]
    sums = traded.groupby("nace")["weight"].sum()
    assert np.allclose(sums, 1.0, atol=1e-9), sums[~np.isclose(sums, 1.0)]
    assert traded.groupby("nace")["traded_share"].nunique().eq(1).all()
    assert set(rows["category"]) <= set(cats["slug"])
    cl.check_definitions(rows.merge(cats[["slug", "kind"]], left_on="category", right_on="slug"))


def test_check_definitions_refuses_weights_not_summing_to_one():
    bad = pd.DataFrame(
        [("a", "traded", "C10", 0.7, 1.0), ("b", "traded", "C10", 0.7, 1.0)],
        columns=["category", "kind", "nace", "weight", "traded_share"],
    )
    with pytest.raises(cl.ClusterInputError, match="sum to 1"):
        cl.check_definitions(bad)


# ---------------------------------------------------------------- figures

DEFINITIONS = pd.DataFrame(
    [
        ("a", "traded", "C10", 1.0, 1.0),
        ("a", "traded", "F41", 1.0, 0.5),
        ("b", "traded", "C29", 1.0, 1.0),
        ("e", "emerging", "C29", 0.5, 1.0),
    ],
    columns=["category", "kind", "nace", "weight", "traded_share"],
)
DIVS = {
    "AT11": {"C10": 100, "C29": 100, "F41": 200, "C": 200, "F": 200},
    "AT12": {"C10": 50, "C29": 250, "F41": 100, "C": 300, "F": 100},
    "DE11": {"C10": 300, "C29": 300, "F41": 600, "C": 600, "F": 600},
    "AT13": {"C10": None, "C29": 100, "F41": 0, "C": 400, "F": 0},
    "NO01": {"C10": 10, "C29": 10, "F41": 20, "C": 20, "F": 20},
}


def figures_obs(period="2014"):
    rows = []
    for geo, by in DIVS.items():
        for nace, v in by.items():
            flags = "c" if v is None else ""
            rows.append((geo, nace, EMP, period, np.nan if v is None else float(v), flags))
            rows.append((geo, nace, UNITS, period, np.nan if v is None else v / 10, flags))
            rows.append((geo, nace, WAGES, period, np.nan if v is None else v * 0.03, flags))
    return pd.DataFrame(rows, columns=["geo", "nace", "measure", "period", "value", "flags"])


def value(frame, indicator, key, geo):
    hit = frame[(frame["indicator"] == indicator) & (frame["ecosystem"] == key) & (frame["geo"] == geo)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_lq_is_on_traded_employment_against_the_pooled_eu():
    f = cl.compute_cluster_figures(figures_obs(), DEFINITIONS, MEMBERS)
    assert value(f, "emp", "a", "AT11")["value"] == pytest.approx(200)
    assert value(f, "traded_emp", cl.STRENGTH_KEY, "AT11")["value"] == pytest.approx(300)
    # EU pool: complete members AT11, AT12, DE11 (AT13 has a incomplete; NO01 not a member).
    eu_a = (200 + 100 + 600) / (300 + 350 + 900)
    assert value(f, "lq", "a", "AT11")["value"] == pytest.approx((200 / 300) / eu_a)
    # The business economy total (C + F) is not the denominator of traded LQs ...
    assert value(f, "lq", "a", "AT11")["value"] != pytest.approx((200 / 400) / (900 / 2000))
    # ... but it is for emerging industries: e = half of C29.
    eu_e = (50 + 125 + 150 + 50) / (400 + 400 + 1200 + 400)
    assert value(f, "lq", "e", "AT11")["value"] == pytest.approx((50 / 400) / eu_e)


def test_confidential_division_makes_the_category_incomplete_and_the_total_estimated():
    f = cl.compute_cluster_figures(figures_obs(), DEFINITIONS, MEMBERS)
    a = value(f, "emp", "a", "AT13")
    # Only C10 (confidential) and F41 = 0: confidential, never shown as 0.
    assert math.isnan(a["value"]) and "c" in a["flags"]
    total = value(f, "traded_emp", cl.STRENGTH_KEY, "AT13")
    assert total["value"] == pytest.approx(100 + (400 - 100) * 1.0)
    assert "E" in total["markers"]
    assert "E" in value(f, "lq", "b", "AT13")["markers"]


def test_confidential_cell_never_earns_a_star():
    obs = figures_obs()
    obs.loc[(obs["geo"] == "AT13") & (obs["nace"] == "F41"), "value"] *= 0  # stays 0
    obs.loc[(obs["geo"] == "AT13") & (obs["nace"] == "F41") & (obs["measure"] == EMP), "value"] = 10_000
    f = cl.compute_cluster_figures(obs, DEFINITIONS, MEMBERS)
    a = cl.assess(
        f, {"size_top_share": 0.5}, {"a": "traded", "b": "traded", "e": "emerging"}, members=MEMBERS
    )
    row = a[(a["category"] == "a") & (a["geo"] == "AT13")].iloc[0]
    # Its lower bound (5,000) is far above every region, yet: not assessed, no star, not strong.
    assert pd.isna(row["size"]) and pd.isna(row["stars"]) and pd.isna(row["us_strong"])
    stored = cl.star_values(a, f, {}, 1, {"a": "traded", "b": "traded"})
    star = stored[(stored["indicator"] == "stars") & (stored["ecosystem"] == "a") & (stored["geo"] == "AT13")]
    assert star["value"].isna().all() and star["markers"].str.contains("I").all()


def test_nuts_split_uses_the_shared_harmonisation():
    obs = figures_obs()
    obs = obs[obs["geo"].isin(["AT11", "DE11"])].copy()
    converter = pd.DataFrame(
        [
            (2013, 2021, "AT11", "AT1A", 60.0),
            (2013, 2021, "AT11", "AT1B", 40.0),
            (2013, 2021, "DE11", "DE11", 100.0),
            (2021, 2021, "AT1A", "AT1A", 60.0),
        ],
        columns=["from_version", "to_version", "from_code", "to_code", "pop18"],
    )
    f = cl.compute_cluster_figures(obs, DEFINITIONS, MEMBERS, converter=converter)
    row = value(f, "emp", "a", "AT1A")
    assert row["value"] == pytest.approx(0.6 * 200)
    assert "E" in row["markers"] and row["published_geo"] == "AT11"


# ---------------------------------------------------------------- stars on hand-made figures


def star_figures(rows, period="2014", base=None, category="x"):
    """rows: geo -> (emp, units, lq, wage_ratio); base: geo -> emp in period - 3."""
    out = []
    for geo, (emp, units, lq, wr) in rows.items():
        for ind, v in (("emp", emp), ("units", units), ("lq", lq), ("wage_ratio", wr)):
            out.append((ind, category, geo, period, v, "", ""))
    for geo, emp in (base or {}).items():
        out.append(("emp", category, geo, str(int(period) - 3), emp, "", ""))
    return pd.DataFrame(out, columns=["indicator", "ecosystem", "geo", "period", "value", "flags", "markers"])


def latest(assessed, period="2014"):
    return assessed[assessed["period"] == period].set_index("geo")


TEN = {f"AT{i:02d}": (100.0 * i, 10.0 * i, 0.5 + 0.25 * i, 0.8 + 0.05 * i) for i in range(1, 11)}


def test_size_star_top_ten_percent_with_ties_at_the_cut_off():
    a = latest(cl.assess(star_figures(TEN), {}, members=MEMBERS))
    assert a.loc[a["size"].fillna(False).astype(bool)].index.tolist() == ["AT10"]
    assert a.loc["AT10", "size_cut"] == 1000 and a.loc["AT10", "size_pct"] == 1.0
    assert a.loc["AT01", "size_pct"] == pytest.approx(0.1)
    tied = {**TEN, "AT09": (1000.0, 90.0, 2.75, 1.25)}
    a = latest(cl.assess(star_figures(tied), {}, members=MEMBERS))
    assert sorted(a.index[a["size"].fillna(False).astype(bool)]) == ["AT09", "AT10"]
    eleven = {**TEN, "AT11": (50.0, 5.0, 0.1, 0.5)}  # ceil(0.1 x 11) = 2 regions
    a = latest(cl.assess(star_figures(eleven), {}, members=MEMBERS))
    assert sorted(a.index[a["size"].fillna(False).astype(bool)]) == ["AT09", "AT10"]


def test_specialisation_and_productivity_stars_at_the_edge():
    rows = {**TEN, "AT05": (500.0, 50.0, 2.0, 1.0), "AT04": (400.0, 40.0, 1.999, 0.999)}
    a = latest(cl.assess(star_figures(rows), {}, members=MEMBERS))
    assert bool(a.loc["AT05", "specialisation"]) and not bool(a.loc["AT04", "specialisation"])
    assert bool(a.loc["AT05", "productivity"]) and not bool(a.loc["AT04", "productivity"])
    a = latest(
        cl.assess(star_figures(rows), {"specialisation_lq": 2.5, "productivity_ratio": 1.2}, members=MEMBERS)
    )
    assert not bool(a.loc["AT05", "specialisation"]) and not bool(a.loc["AT05", "productivity"])


def test_dynamism_star_against_the_eu_growth_plus_margin():
    rows = {"AT01": (110.0, 1.0, 1.0, 1.0), "AT02": (120.0, 1.0, 1.0, 1.0), "DE01": (90.0, 1.0, 1.0, 1.0)}
    base = {"AT01": 100.0, "AT02": 100.0, "DE01": 100.0}
    a = latest(cl.assess(star_figures(rows, base=base), {}, members=MEMBERS))
    eu = (320 / 300 - 1) * 100  # 6.67 %
    assert a.loc["AT01", "eu_growth"] == pytest.approx(eu)
    assert a.loc["AT01", "growth"] == pytest.approx(10.0) and a.loc["AT01", "base_period"] == "2011"
    assert bool(a.loc["AT01", "dynamism"]) and not bool(a.loc["DE01", "dynamism"])
    a = latest(cl.assess(star_figures(rows, base=base), {"dynamism_margin": 3.4}, members=MEMBERS))
    assert not bool(a.loc["AT01", "dynamism"]) and bool(a.loc["AT02", "dynamism"])
    # Without a base year the rule is not assessed (and gives no star), it is not "failed".
    a = latest(cl.assess(star_figures(rows), {}, members=MEMBERS))
    assert pd.isna(a.loc["AT01", "dynamism"]) and a.loc["AT01", "assessed"] == 3


def test_stars_count_the_rules_met():
    a = latest(cl.assess(star_figures(TEN), {}, members=MEMBERS))
    # AT10: size, LQ 3.0 >= 2, wage ratio 1.3 >= 1 -> 3 (dynamism not assessed).
    assert a.loc["AT10", "stars"] == 3
    assert a.loc["AT01", "stars"] == 0


def test_us_strong_rule_percentiles_ties_and_the_lq_floor():
    a = latest(cl.assess(star_figures(TEN), {}, members=MEMBERS))
    lqs = np.array([0.5 + 0.25 * i for i in range(1, 11)])
    assert a.loc["AT01", "us_lq_cut"] == pytest.approx(np.quantile(lqs, 0.75))  # 2.4375 (linear)
    strong = a.index[a["us_strong"].fillna(False).astype(bool)].tolist()
    assert strong == ["AT08", "AT09", "AT10"]  # LQ 2.5, 2.75, 3.0; employment above p25 (325)
    # Edges: with five regions the p75 of LQ and the p25 of employment are data points
    # (positions 3 and 1): a region exactly at both cuts passes (>=).
    five = {
        "AT01": (100.0, 10.0, 1.0, 1.0),
        "AT02": (200.0, 20.0, 5.0, 1.0),  # employment exactly p25 = 200, top LQ
        "AT03": (300.0, 30.0, 3.0, 1.0),
        "AT04": (400.0, 40.0, 4.0, 1.0),  # LQ exactly p75 = 4
        "AT05": (500.0, 50.0, 2.0, 1.0),
    }
    b = latest(cl.assess(star_figures(five), {}, members=MEMBERS))
    assert b.loc["AT04", "us_lq_cut"] == 4.0 and b.loc["AT02", "us_emp_cut"] == 200.0
    assert b.index[b["us_strong"].fillna(False).astype(bool)].tolist() == ["AT02", "AT04"]
    # Local units below their p25 cut (now 25): not strong, whatever its LQ.
    fewer = {**five, "AT01": (100.0, 25.0, 1.0, 1.0)}
    c = latest(cl.assess(star_figures(fewer), {}, members=MEMBERS))
    assert not bool(c.loc["AT02", "us_strong"])
    # Every LQ below 1: the p75 region is not strong (LQ >= 1 too).
    low = {g: (e, u, lq / 4, wr) for g, (e, u, lq, wr) in TEN.items()}
    d = latest(cl.assess(star_figures(low), {}, members=MEMBERS))
    assert not d["us_strong"].fillna(False).astype(bool).any()
    # Emerging industries have no US rule.
    e = cl.assess(star_figures(TEN), {}, {"x": "emerging"}, members=MEMBERS)
    assert e["us_strong"].isna().all()


def test_non_members_are_judged_but_do_not_set_the_cut_offs():
    rows = {**TEN, "NO01": (100_000.0, 5000.0, 9.0, 3.0)}
    a = latest(cl.assess(star_figures(rows), {}, members=MEMBERS))
    assert a.loc["AT10", "size_cut"] == 1000  # NO01 is not in the reference set
    assert bool(a.loc["NO01", "size"]) and bool(a.loc["NO01", "us_strong"])


def test_percentile_edges():
    ref = pd.Series([1.0, 2.0, 2.0, 3.0])
    got = cl.percentile_of(pd.Series([0.5, 1.0, 2.0, 3.0, np.nan]), ref)
    assert got.tolist()[:4] == [0.0, 0.25, 0.75, 1.0] and math.isnan(got.iloc[4])
    assert math.isnan(cl.size_cutoff(pd.Series([], dtype=float), 0.1))


def test_each_parameter_version_keeps_its_own_values():
    obs = pd.concat([figures_obs("2011"), figures_obs("2014")], ignore_index=True)
    sets = [{"number": 1, "specialisation_lq": 2.0}, {"number": 2, "specialisation_lq": 1.0}]
    out = cl.compute_cluster_indicators(obs, DEFINITIONS, sets, MEMBERS)
    stars = out[out["indicator"] == "cluster_stars"]
    assert set(stars["parameter_version"]) == {1, 2}
    v1 = stars[stars["parameter_version"] == 1]["value"].sum()
    v2 = stars[stars["parameter_version"] == 2]["value"].sum()
    assert v2 > v1  # a lower LQ cut-off gives more specialisation stars
    assert out.loc[out["indicator"] == "cluster_emp", "parameter_version"].isna().all()


# ---------------------------------------------------------------- the real mirror


@pytest.mark.mirror
def test_mirror_sample_recomputed_with_plain_pandas():
    path = mirror_path() / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    if not path.is_file():
        pytest.skip(f"data mirror not found at {path} (set OBSERVATORY_DATA_MIRROR)")
    cats = pd.read_csv(FIXTURES / "cluster_categories.csv", comment="#")
    rows = pd.read_csv(FIXTURES / "cluster_category_nace.csv", comment="#")
    defs = rows.merge(cats[["slug", "kind"]], left_on="category", right_on="slug")
    # Plain pandas straight from the raw file.
    raw = pd.read_csv(path, sep="\t", dtype=str)
    key = raw.columns[0]
    raw[["nace", "measure", "geo"]] = raw[key].str.split(",", expand=True)
    cell = raw["2014 "].str.strip()
    raw["v"] = pd.to_numeric(cell.str.extract(r"^([\d.]+)")[0], errors="coerce")
    emp = raw[(raw["measure"] == EMP) & raw["nace"].str.match(r"^[A-Z]\d{2}$")]
    auto = defs[defs["category"] == "automotive"]
    traded_defs = defs[defs["kind"] == "traded"].drop_duplicates("nace").set_index("nace")["traded_share"]
    # Our compute on the same file (read by a test-only reader), AT and DE, no NUTS conversion.
    obs = read_eurostat_tsv(path, geo_prefixes=("AT", "DE"), periods={2014})
    assert set(obs["period"]) == {2014} and obs["geo"].str.startswith(("AT", "DE")).all()
    f = cl.compute_cluster_figures(obs, defs, MEMBERS)
    checked = {"complete": 0, "lower bound": 0}
    for geo in ("AT11", "AT12", "AT13", "AT21", "AT22", "DE11", "DE12", "DE21", "DEA1"):
        divs = emp[emp["geo"] == geo].set_index("nace")["v"]
        parts = [
            divs.get(r.nace) * r.weight * r.traded_share for r in auto.itertuples() if r.nace in divs.index
        ]
        got = value(f, "emp", "automotive", geo)
        if all(pd.notna(p) for p in parts):
            assert got["value"] == pytest.approx(sum(parts), rel=1e-9) and "I" not in got["markers"]
            checked["complete"] += 1
        elif any(pd.notna(p) for p in parts):
            assert got["value"] == pytest.approx(np.nansum(parts), rel=1e-9) and "I" in got["markers"]
            checked["lower bound"] += 1
        full = divs.notna().all()
        if full:
            traded = sum(divs[n] * s for n, s in traded_defs.items() if n in divs.index)
            assert value(f, "traded_emp", cl.STRENGTH_KEY, geo)["value"] == pytest.approx(traded, rel=1e-9)
    assert checked["complete"] >= 1, checked

    # Local units and wages per person employed vs the EU (here: the AT and DE regions pooled).
    def table(measure):
        rows = raw[(raw["measure"] == measure) & raw["nace"].str.match(r"^[A-Z]\d{2}$")]
        rows = rows[rows["geo"].str.match(r"^(AT|DE)[0-9A-Z]{2}$") & ~rows["geo"].str.endswith("ZZ")]
        return rows.pivot_table(index="geo", columns="nace", values="v", aggfunc="first")

    emp_t, units_t, wages_t = table(EMP), table(UNITS), table(WAGES)
    codes = [r.nace for r in auto.itertuples() if r.nace in emp_t.columns]
    w = auto.set_index("nace").loc[codes, "weight"] * auto.set_index("nace").loc[codes, "traded_share"]

    def cat(t):
        part = t.reindex(columns=codes)
        return (part * w).sum(axis=1, min_count=1).where(part.notna().all(axis=1))

    cat_emp, cat_units, cat_wages = cat(emp_t), cat(units_t), cat(wages_t)
    both = cat_emp.notna() & cat_wages.notna()
    eu_wpe = cat_wages[both].sum() * 1e6 / cat_emp[both].sum()
    sample = [g for g in cat_emp.index if both.get(g, False)][:5]
    assert sample
    for geo in sample:
        assert value(f, "units", "automotive", geo)["value"] == pytest.approx(cat_units[geo], rel=1e-9)
        expected = cat_wages[geo] * 1e6 / cat_emp[geo] / eu_wpe
        assert value(f, "wage_ratio", "automotive", geo)["value"] == pytest.approx(expected, rel=1e-9)


def test_traded_total_fills_a_wholly_confidential_section_from_the_country_residual():
    """DE11 and DE12 keep D35 confidential and D itself too (as Germany does); the country
    publishes D35 = 1,000 of which DE13 publishes 400: the 600 left are shared 1:3 by size."""
    defs = pd.DataFrame(
        [("p", "traded", "D35", 1.0, 0.5), ("q", "traded", "C10", 1.0, 1.0)],
        columns=["category", "kind", "nace", "weight", "traded_share"],
    )
    rows = [
        ("DE11", "C10", 100.0, ""),
        ("DE11", "D35", np.nan, "c"),
        ("DE11", "D", np.nan, "c"),
        ("DE12", "C10", 300.0, ""),
        ("DE12", "D35", np.nan, "c"),
        ("DE12", "D", np.nan, "c"),
        ("DE13", "C10", 50.0, ""),
        ("DE13", "D35", 400.0, ""),
        ("DE13", "D", 400.0, ""),
    ]
    obs = pd.DataFrame(
        [(g, n, EMP, "2014", v, f) for g, n, v, f in rows],
        columns=["geo", "nace", "measure", "period", "value", "flags"],
    )
    national = pd.DataFrame([("DE", "D35", EMP, "2014", 1000.0, "")], columns=obs.columns)
    without = cl.traded_totals(obs, defs).set_index("geo")
    assert without.loc["DE11", "flags"] == "i"  # no section total: a lower bound
    got = cl.traded_totals(obs, defs, national).set_index("geo")
    assert got.loc["DE11", "value"] == pytest.approx(100 + 600 * 0.25 * 0.5)
    assert got.loc["DE12", "value"] == pytest.approx(300 + 600 * 0.75 * 0.5)
    assert got.loc["DE11", "flags"] == "" and got.loc["DE11", "markers"] == "E"
    assert got.loc["DE13", "value"] == pytest.approx(50 + 400 * 0.5) and got.loc["DE13", "markers"] == ""
