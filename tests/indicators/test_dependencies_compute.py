"""The dependency screen's arithmetic on hand-made trade tables (no database)."""

import duckdb
import pandas as pd
import pytest

from indicators.compute import dependencies as dep
from indicators.sources.comext import UNALLOCATED

MEMBERS = frozenset({"DE", "FR", "IT", "EL"})
GROUPS = {"NO": "eea_efta", "US": "like_minded"}


def trade(rows):
    """rows: (reporter, partner, product, flow, period, value)."""
    return pd.DataFrame(rows, columns=["reporter", "partner", "product", "flow", "period", "value"]).astype(
        {"value": "float64"}
    )


def screen(rows, rules=None, concordance=None):
    con = duckdb.connect()
    con.register("trade", trade(rows))
    result, suppliers = dep.run(
        con, "trade", dep.Partners(MEMBERS, UNALLOCATED, GROUPS), rules or dep.Rules(), concordance
    )
    return result.set_index(["importer", "product", "period"]), suppliers


def test_hhi_and_shares_exclude_intra_eu_suppliers():
    # EU imports of product P in 2024: CN 60, RU 20, US 20 (extra-EU 100), FR->DE 100 (intra-EU).
    rows = [
        ("DE", "CN", "P", "1", "2024", 60),
        ("DE", "RU", "P", "1", "2024", 20),
        ("IT", "US", "P", "1", "2024", 20),
        ("DE", "FR", "P", "1", "2024", 100),
    ]
    r, _ = screen(rows)
    eu = r.loc[(dep.EU, "P", "2024")]
    assert eu["hhi"] == pytest.approx(0.6**2 + 0.2**2 + 0.2**2)
    assert eu["extra_share"] == pytest.approx(100 / 200)
    assert eu["top_partner"] == "CN" and eu["top_share"] == pytest.approx(0.6)
    assert eu["suppliers"] == 3
    # HHI 0.44 > 0.4 but the extra-EU share is 0.5, not above 0.5: not flagged.
    assert eu["crit_concentration"] and not eu["crit_extra_share"] and not eu["flagged"]
    # Germany as importer: FR is intra-EU supply, the extra-EU suppliers are CN and RU.
    de = r.loc[("DE", "P", "2024")]
    assert de["hhi"] == pytest.approx(0.75**2 + 0.25**2)
    assert de["extra_share"] == pytest.approx(80 / 180)


def test_single_supplier_is_hhi_one_and_a_single_point_of_failure():
    r, _ = screen([("DE", "CN", "P", "1", "2024", 5), ("FR", "CN", "P", "1", "2024", 5)])
    eu = r.loc[(dep.EU, "P", "2024")]
    assert eu["hhi"] == 1.0 and eu["extra_share"] == 1.0
    assert eu["flagged"] and eu["spof"]


def test_unallocated_partners_count_in_totals_but_are_no_supplier():
    r, _ = screen([("DE", "CN", "P", "1", "2024", 50), ("DE", "QZ", "P", "1", "2024", 50)])
    eu = r.loc[(dep.EU, "P", "2024")]
    assert eu["extra"] == 100 and eu["extra_attributed"] == 50
    assert eu["hhi"] == 1.0 and eu["suppliers"] == 1


def test_substitutability_missing_zero_and_required():
    imports = [("DE", "CN", "P", "1", "2024", 100)]
    r, _ = screen(imports)  # no exports loaded at all: criterion 3 not computable
    eu = r.loc[(dep.EU, "P", "2024")]
    assert pd.isna(eu["crit_substitutability"]) and pd.isna(eu["substitutability"])
    assert eu["flagged"]  # judged on criteria 1 and 2
    r, _ = screen(imports, dep.Rules(require_substitutability=True))
    assert not r.loc[(dep.EU, "P", "2024")]["flagged"]
    # Exports loaded for the year, none of this product: the ratio has no denominator, criterion met.
    r, _ = screen(imports + [("DE", "CN", "Q", "2", "2024", 10)])
    eu = r.loc[(dep.EU, "P", "2024")]
    assert eu["exports"] == 0 and bool(eu["crit_substitutability"]) and eu["flagged"]
    # EU exports to the world (extra-EU) 200 > imports 100: ratio 0.5, not met; intra-EU exports don't count.
    r, _ = screen(imports + [("DE", "US", "P", "2", "2024", 200), ("DE", "FR", "P", "2", "2024", 999)])
    eu = r.loc[(dep.EU, "P", "2024")]
    assert eu["exports"] == 200 and eu["substitutability"] == pytest.approx(0.5)
    assert not bool(eu["crit_substitutability"]) and not eu["flagged"]
    # A member state's exports count to the world, intra-EU included.
    assert r.loc[("DE", "P", "2024")]["exports"] == 1199


def test_low_risk_suppliers_discounted():
    # 90% from the US (like-minded), 10% from CN: concentrated, but not on a risky supplier.
    r, _ = screen([("DE", "US", "P", "1", "2024", 90), ("DE", "CN", "P", "1", "2024", 10)])
    eu = r.loc[(dep.EU, "P", "2024")]
    assert eu["flagged"] and not eu["flagged_risk"]
    assert eu["risky_share"] == pytest.approx(0.1) and eu["hhi_risk"] == 1.0
    assert eu["top_risky_partner"] == "CN"


def test_min_extra_imports_leaves_small_products_unjudged():
    r, _ = screen([("DE", "CN", "P", "1", "2024", 10)], dep.Rules(min_extra_imports=1000))
    eu = r.loc[(dep.EU, "P", "2024")]
    assert not eu["judged"] and not eu["flagged"]


def _yearly(flags: dict[str, bool], product="P"):
    """Rows for PRODUCT: flagged years single-sourced from CN, others spread over many suppliers."""
    rows = []
    for year, flagged in flags.items():
        if flagged:
            rows.append(("DE", "CN", product, "1", year, 100))
        else:
            rows += [
                ("DE", p, product, "1", year, 10) for p in ("CN", "US", "BR", "IN", "JP", "KR", "MX", "ZA")
            ]
    return rows


@pytest.mark.parametrize(
    ("flags", "persistent"),
    [
        ({"2022": True, "2023": False, "2024": True}, True),
        ({"2022": True, "2023": False, "2024": False}, False),
        ({"2022": False, "2023": False, "2024": True}, False),
        ({"2021": True, "2022": True, "2023": False, "2024": False}, False),  # outside the window
    ],
)
def test_persistence_two_of_the_last_three_years(flags, persistent):
    r, _ = screen(_yearly(flags))
    row = r.loc[(dep.EU, "P", "2024")]
    assert row["persistent"] == persistent
    assert row["years_flagged"] == sum(flags[y] for y in ("2022", "2023", "2024") if y in flags)


def test_persistence_parameters():
    flags = {"2022": True, "2023": False, "2024": True}
    r, _ = screen(_yearly(flags), dep.Rules(persistence_years=3, persistence_window=3))
    assert not r.loc[(dep.EU, "P", "2024")]["persistent"]


def test_new_and_left_and_churn():
    rows = _yearly({"2023": False, "2024": True}, "A") + _yearly({"2023": True, "2024": False}, "B")
    r, _ = screen(rows)
    assert r.loc[(dep.EU, "A", "2024")]["newly_flagged"] and not r.loc[(dep.EU, "A", "2024")]["left_list"]
    assert r.loc[(dep.EU, "B", "2024")]["left_list"]
    churn = dep.churn(r.reset_index())
    last = churn.set_index("period").loc["2024"]
    assert (last["flagged"], last["stayed"], last["entered"], last["left"]) == (1, 0, 1, 1)


def test_a_renamed_code_is_chained_across_years():
    # OLD (2022) became NEW in 2023; NEW is flagged in 2023 and 2024, OLD was flagged in 2022.
    rows = _yearly({"2022": True}, "11111111") + _yearly({"2023": True, "2024": True}, "22222222")
    concordance = pd.DataFrame({"period": ["20222023"], "origin": ["11111111"], "destination": ["22222222"]})
    r, _ = screen(rows, concordance=concordance)
    row = r.loc[(dep.EU, "22222222", "2024")]
    assert row["years_judged"] == 3 and row["years_flagged"] == 3 and row["family"] == "11111111"
    # Without the correspondence table the 2022 year is simply not judged for the new code.
    r, _ = screen(rows)
    assert r.loc[(dep.EU, "22222222", "2024")]["years_judged"] == 2


def test_a_split_code_takes_the_family_total_for_years_before_the_split():
    # OLD split into A and B in 2023. In 2022 OLD is 100% from CN (the family is flagged).
    rows = _yearly({"2022": True}, "10000000") + _yearly({"2023": False, "2024": True}, "10000001")
    rows += _yearly({"2023": True, "2024": True}, "10000002")
    concordance = pd.DataFrame(
        {
            "period": ["20222023", "20222023"],
            "origin": ["10000000"] * 2,
            "destination": ["10000001", "10000002"],
        }
    )
    r, _ = screen(rows, concordance=concordance)
    a = r.loc[(dep.EU, "10000001", "2024")]
    assert a["years_judged"] == 3 and a["years_flagged"] == 2 and a["persistent"]


def test_families_union_find():
    concordance = pd.DataFrame(
        {
            "period": ["20222023", "20232024", "20192020"],
            "origin": ["A", "B", "X"],
            "destination": ["B", "C", "Y"],
        }
    )
    fams = dep.families(concordance, {"A", "C", "Z"}, ["2022", "2023", "2024"]).set_index("code")
    assert fams.loc["A", "family"] == fams.loc["C", "family"] == "A"
    assert fams.loc["A", "members"] == "A+B+C"
    assert fams.loc["Z", "family"] == "Z"
    assert "X" not in fams.index  # a change outside the years screened is not followed


def test_share_jump_early_warning():
    rows = [("DE", "CN", "P", "1", "2023", 50), ("DE", "US", "P", "1", "2023", 50)]
    rows += [("DE", "CN", "P", "1", "2024", 90), ("DE", "US", "P", "1", "2024", 10)]
    r, suppliers = screen(rows)
    row = r.loc[(dep.EU, "P", "2024")]
    assert row["share_jumped"] and row["jump_partner"] == "CN" and row["share_jump"] == pytest.approx(0.4)
    assert not r.loc[(dep.EU, "P", "2023")]["share_jumped"]  # no year before to jump from
    eu = suppliers[(suppliers["importer"] == dep.EU) & (suppliers["period"] == "2024")]
    assert eu.sort_values("rank")["partner"].tolist() == ["CN", "US"]


def test_top_suppliers_are_trimmed_per_product_year():
    rows = [("DE", p, "P", "1", "2024", v) for p, v in (("CN", 5), ("US", 4), ("BR", 3), ("IN", 2))]
    con = duckdb.connect()
    con.register("trade", trade(rows))
    partners, rules = dep.Partners(MEMBERS, UNALLOCATED, GROUPS), dep.Rules(top_suppliers=2)
    dep.aggregate(con, "trade", partners, rules)
    got = dep.suppliers(con, partners, rules)
    eu = got[got["importer"] == dep.EU]
    assert eu["partner"].tolist() == ["CN", "US"]
    assert eu["share"].tolist() == pytest.approx([5 / 14, 4 / 14])


def test_a_tie_for_top_supplier_goes_to_the_first_partner_code():
    # As Finland's 2024 imports of 31043000 in the real extract: half from the US (like-minded),
    # half from Egypt. The rows list the later code first, so "whichever row came first" fails.
    rows = [("DE", "US", "P", "1", "2024", 50), ("DE", "EG", "P", "1", "2024", 50)]
    # And a tie inside one class (two risky suppliers) beside a smaller one.
    rows += [("FR", p, "Q", "1", "2024", v) for p, v in (("RU", 30), ("CN", 30), ("BR", 10))]
    r, _ = screen(rows)
    for importer in (dep.EU, "DE"):
        row = r.loc[(importer, "P", "2024")]
        assert row["top_partner"] == "EG" and row["top_share"] == pytest.approx(0.5)
        assert row["top_risky_partner"] == "EG" and row["top_risky_share"] == pytest.approx(1.0)
    for importer in (dep.EU, "FR"):
        row = r.loc[(importer, "Q", "2024")]
        assert row["top_partner"] == "CN" and row["top_share"] == pytest.approx(30 / 70)
        assert row["suppliers"] == 3


@pytest.mark.parametrize(
    "values",
    [
        (2, 2, 1),  # whole euros: the top supplier packed into one number
        (0.5, 0.5, 0.25),  # fractions: the pass reruns with the (value, partner) struct
        (2e16, 2e16, 1e16),  # beyond exact packing: the struct again
    ],
)
def test_top_supplier_tie_rule_holds_on_every_path(values):
    us, eg, cn = values
    rows = [("DE", "US", "P", "1", "2024", us), ("DE", "EG", "P", "1", "2024", eg)]
    rows += [("DE", "CN", "P", "1", "2024", cn)]
    r, _ = screen(rows)
    for importer in (dep.EU, "DE"):
        row = r.loc[(importer, "P", "2024")]
        assert row["top_partner"] == "EG" and row["top_share"] == pytest.approx(eg / (us + eg + cn))
        assert row["hhi"] == pytest.approx((us**2 + eg**2 + cn**2) / (us + eg + cn) ** 2)


def test_member_share_jump_with_a_new_and_a_kept_top_supplier():
    # Germany: CN 60 / US 40 in 2023, CN 30 / US 70 in 2024 (a new top supplier, US: 0.7 - 0.4).
    rows = [("DE", "CN", "P", "1", "2023", 60), ("DE", "US", "P", "1", "2023", 40)]
    rows += [("DE", "CN", "P", "1", "2024", 30), ("DE", "US", "P", "1", "2024", 70)]
    # France: CN stays on top, 0.6 -> 0.9.
    rows += [("FR", "CN", "P", "1", "2023", 60), ("FR", "US", "P", "1", "2023", 40)]
    rows += [("FR", "CN", "P", "1", "2024", 90), ("FR", "US", "P", "1", "2024", 10)]
    r, _ = screen(rows)
    de, fr = r.loc[("DE", "P", "2024")], r.loc[("FR", "P", "2024")]
    assert de["jump_partner"] == "US" and de["share_jump"] == pytest.approx(0.3) and de["share_jumped"]
    assert fr["jump_partner"] == "CN" and fr["share_jump"] == pytest.approx(0.3) and fr["share_jumped"]
    assert not r.loc[("DE", "P", "2023")]["share_jumped"]
