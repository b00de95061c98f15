"""Pure twin-transition computations on hand-made data: ranks, changes, EU aggregates, composites."""

import numpy as np
import pandas as pd
import pytest

from indicators.compute import transition as tc

MEMBERS = ["AA", "BB", "CC", "DD"]


def values(rows):
    """rows: (indicator, geo, period, value[, markers[, base]])"""
    frame = pd.DataFrame(
        [(*r, *([""] * (6 - len(r)))) for r in rows],
        columns=["indicator", "geo", "period", "value", "markers", "base_period"],
    )
    return frame.assign(ecosystem="total", flags="")


def test_min_max_composite_with_equal_weights_by_hand():
    table = pd.DataFrame(
        {"up": [10.0, 20.0, 30.0, 50.0, 40.0], "down": [4.0, 3.0, 2.0, 1.0, 2.5]},
        index=["AA", "BB", "CC", "DD", "EU27_2020"],
    )
    weights = pd.DataFrame({"indicator": ["up", "down"], "direction": ["+", "-"], "weight": [0.5, 0.5]})
    score = tc.composite(table, weights, MEMBERS)
    # up: (x-10)/40*100 -> 0, 25, 50, 100; down flipped: (4-x)/3*100 -> 0, 33.3, 66.7, 100
    assert score["AA"] == pytest.approx(0.0)
    assert score["BB"] == pytest.approx((25 + 100 / 3) / 2)
    assert score["DD"] == pytest.approx(100.0)
    # The EU is placed with the members' bounds: up 75, down 50.
    assert score["EU27_2020"] == pytest.approx((75 + 50) / 2)


def test_a_missing_component_gives_no_score_never_a_partial_one():
    table = pd.DataFrame({"up": [1.0, 2.0, np.nan], "other": [1.0, 2.0, 3.0]}, index=["AA", "BB", "CC"])
    weights = pd.DataFrame({"indicator": ["up", "other"], "direction": ["+", "+"], "weight": [0.5, 0.5]})
    score = tc.composite(table, weights, ["AA", "BB", "CC"])
    # Each component's bounds come from every member that has it (CC still sets other's maximum).
    assert np.isnan(score["CC"]) and score["BB"] == pytest.approx((100 + 50) / 2)


def test_weights_are_checked():
    good = pd.DataFrame(
        {
            "composite": ["digital_position"] * 2,
            "indicator": ["a", "b"],
            "direction": ["+", "+"],
            "weight": [0.5, 0.5],
        }
    )
    tc.check_weights(good)
    with pytest.raises(ValueError, match="sum to 0.9"):
        tc.check_weights(good.assign(weight=[0.5, 0.4]))
    with pytest.raises(ValueError, match="direction"):
        tc.check_weights(good.assign(direction=["+", "up"]))
    with pytest.raises(ValueError, match="unknown composite"):
        tc.check_weights(good.assign(composite=["digital_score"] * 2))
    with pytest.raises(ValueError, match="twice"):
        tc.check_weights(good.assign(indicator=["a", "a"]))


def test_the_shipped_weights_are_valid_and_equal():
    from indicators.reference import transition_parameters

    params = transition_parameters()
    weights = tc.check_weights(params["weights"])
    for _, group in weights.groupby("composite"):
        assert group["weight"].nunique() == 1 or np.allclose(group["weight"], 1 / len(group))
    assert params["base_year"] == 2005 and params["version"] >= 1


def test_sensitivity_reports_ranks_under_each_variant():
    table = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 3.0, 2.0, 1.0]}, index=MEMBERS)
    weights = pd.DataFrame({"indicator": ["a", "b"], "direction": ["+", "+"], "weight": [0.5, 0.5]})
    ranks = tc.sensitivity(table, weights, MEMBERS)
    assert list(ranks.columns) == [
        "minmax",
        "zscore",
        "without a",
        "without b",
        "rank_min",
        "rank_max",
        "spread",
    ]
    assert ranks.loc["DD", "without b"] == 1 and ranks.loc["DD", "without a"] == 4
    assert ranks.loc["DD", "spread"] == 3


def test_change_since_the_base_year_never_from_an_incomplete_figure():
    levels = values(
        [
            ("co2_per_capita", "AA", "2005", 10.0),
            ("co2_per_capita", "AA", "2016", 8.0),
            ("co2_per_capita", "BB", "2005", 5.0, "AI"),
            ("co2_per_capita", "BB", "2016", 6.0),
            ("co2_per_capita", "CC", "2016", 6.0),
        ]
    )
    out = tc.change_since(levels, 2005, {"co2_per_capita": "co2_per_capita_change"})
    assert out[["geo", "period", "base_period"]].values.tolist() == [["AA", "2016", "2005"]]
    assert out["value"].iloc[0] == pytest.approx(-20.0)


def test_ranks_follow_the_direction_and_skip_the_eu_and_incomplete_figures():
    frame = values(
        [
            ("ghg_per_capita", "AA", "2016", 5.0),
            ("ghg_per_capita", "BB", "2016", 9.0),
            ("ghg_per_capita", "CC", "2016", 7.0, "I"),
            ("ghg_per_capita", "EU27_2020", "2016", 1.0),
            ("desi_ai", "AA", "2021", 5.0),
            ("desi_ai", "BB", "2021", 9.0),
        ]
    )
    ranked = tc.add_rank(frame, MEMBERS).set_index(["indicator", "geo"])["rank"]
    assert ranked[("ghg_per_capita", "AA")] == 1  # lower emissions rank first
    assert ranked[("desi_ai", "BB")] == 1  # higher uptake ranks first
    assert pd.isna(ranked[("ghg_per_capita", "CC")]) and pd.isna(ranked[("ghg_per_capita", "EU27_2020")])


def owid_obs(rows):
    return pd.DataFrame(
        [(g, m, p, v, "") for g, m, p, v in rows], columns=["geo", "measure", "period", "value", "flags"]
    )


def test_eu_ratios_from_member_sums_leave_out_small_missing_members_and_say_so():
    members = [f"M{i}" for i in range(30)]
    rows = []
    for i, g in enumerate(members):
        rows += [
            (g, "co2", "2016", 10.0),
            (g, "population", "2016", 1e6 if i else 1e5),
            (g, "gdp", "2016", 1e11),
        ]
        if i:  # M0 (1% of the population) has no GHG figure
            rows.append((g, "total_ghg", "2016", 12.0))
    levels = tc.green_levels(owid_obs(rows), members)
    eu = levels[levels["geo"] == "EU27_2020"].set_index("indicator")
    assert eu.loc["co2_per_capita", "value"] == pytest.approx(300.0 / (29e6 + 1e5) * 1e6)
    assert eu.loc["co2_per_capita", "markers"] == "A"
    assert eu.loc["ghg_per_capita", "value"] == pytest.approx(29 * 12.0 / 29e6 * 1e6)
    assert eu.loc["ghg_per_capita", "markers"] == "AI" and eu.loc["ghg_per_capita", "missing_geos"] == "M0"
    # Without population-weighted evidence that the missing part is small, no EU figure.
    big_gap = [r for r in rows if not (r[0] in members[:5] and r[1] == "total_ghg")]
    eu2 = tc.green_levels(owid_obs(big_gap), members)
    assert "ghg_per_capita" not in set(eu2[eu2["geo"] == "EU27_2020"]["indicator"])


def test_a_published_eu_figure_wins_over_the_member_sum():
    members = ["AA", "BB"]
    rows = [(g, m, "2016", 1.0) for g in members for m in ("co2", "population", "gdp")]
    rows.append(("EU27_2020", "co2_per_capita", "2016", 6.9))
    eu = tc.green_levels(owid_obs(rows), members).query("geo == 'EU27_2020'").set_index("indicator")
    assert eu.loc["co2_per_capita", "value"] == 6.9 and eu.loc["co2_per_capita", "markers"] == ""
    assert eu.loc["co2_per_gdp", "markers"] == "A"


def test_composites_use_each_components_latest_year_and_keep_the_base_year():
    frame = pd.concat(
        [
            values(
                [("desi_sme_basic_di", g, "2021", v) for g, v in zip(MEMBERS, [10, 20, 30, 40], strict=True)]
            ),
            values([("desi_big_data", g, "2020", v) for g, v in zip(MEMBERS, [4, 3, 2, 1], strict=True)]),
            values([("desi_cloud", g, "2021", v) for g, v in zip(MEMBERS, [1, 2, 3, 4], strict=True)]),
            values([("desi_ai", g, "2021", v) for g, v in zip(MEMBERS, [1, 2, 3, 4], strict=True)]),
            values([("desi_ai", g, "2019", 99.0) for g in MEMBERS]),  # an older year is not used
        ]
    )
    weights = pd.DataFrame(
        {
            "composite": ["digital_position"] * 4,
            "indicator": ["desi_sme_basic_di", "desi_big_data", "desi_cloud", "desi_ai"],
            "direction": ["+"] * 4,
            "weight": [0.25] * 4,
        }
    )
    out = tc.composites(frame, weights, MEMBERS).set_index("geo")
    assert out.loc["DD", "value"] == pytest.approx(75.0) and out.loc["DD", "rank"] == 1
    assert out.loc["AA", "value"] == pytest.approx(25.0)
    assert set(out["period"]) == {"2021"}


def test_ets_emissions_are_allocated_by_our_map_and_never_summed_over_missing_activities():
    ets = pd.DataFrame(
        [
            ("EU_ETS", "ETS10", "2012", 80.0),
            ("EU_ETS", "ETS21", "2005", 150.0),
            ("EU_ETS", "ETS21", "2012", 120.0),
            ("EU_ETS", "ETS24", "2005", 140.0),
            ("EU_ETS", "ETS24", "2012", 110.0),
            ("EU_ETS", "ETS24", "2013", 100.0),  # refining missing in 2013: no EII figure
        ],
        columns=["geo", "measure", "period", "value"],
    ).assign(flags="")
    mapping = pd.DataFrame(
        {
            "activity": ["ETS10", "ETS10", "ETS21", "ETS24"],
            "ecosystem": ["tourism", "mobility", "eii", "eii"],
            "share": [0.5, 0.5, 1.0, 1.0],
        }
    )
    out = tc.ets_by_ecosystem(ets, mapping, 2005).set_index(["indicator", "ecosystem", "period"])["value"]
    assert out[("ets_emissions", "tourism", "2012")] == pytest.approx(40.0)
    assert out[("ets_emissions", "eii", "2012")] == pytest.approx(230.0)
    assert ("ets_emissions", "eii", "2013") not in out.index
    assert out[("ets_emissions_change", "eii", "2012")] == pytest.approx((230 / 290 - 1) * 100)
    assert ("ets_emissions_change", "tourism", "2012") not in out.index  # no 2005 base for aviation
    with pytest.raises(ValueError, match="sum above 1"):
        tc.ets_by_ecosystem(ets, mapping.assign(share=[0.7, 0.7, 1.0, 1.0]), 2005)


def test_the_shipped_ets_map_allocates_each_activity_at_most_once():
    from indicators.reference import ets_ecosystem_map

    frame = ets_ecosystem_map()
    assert (frame.groupby("activity")["share"].sum() <= 1 + 1e-9).all()
    slugs = set(pd.read_csv("fixtures/reference/ecosystems.csv")["slug"])
    assert set(frame["ecosystem"]) <= slugs


def test_air_emission_codes_cover_their_divisions():
    assert tc.divisions_of("C10-C12") == ("C10", "C11", "C12")
    assert tc.divisions_of("C31_C32") == ("C31", "C32")
    assert tc.divisions_of("D") == ("D35",) and tc.divisions_of("TOTAL") == () and tc.divisions_of("HH") == ()
    mapping = pd.DataFrame(
        {
            "ecosystem": ["food", "food", "eii", "eii"],
            "nace": ["C10", "C11", "C24", "F41"],
            "share": [1, 0.5, 1, 0.3],
        }
    )
    emap = tc.emission_mapping(["C10-C12", "C24", "F", "F41", "TOTAL"], mapping).set_index(
        ["nace", "ecosystem"]
    )
    assert emap.loc[("C10-C12", "food"), "share"] == pytest.approx(1.5 / 3)  # C12 unmapped counts as 0
    assert ("F", "eii") not in emap.index  # F41 is published: the section would count twice
    assert emap.loc[("F41", "eii"), "share"] == pytest.approx(0.3)
