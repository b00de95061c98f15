"""The page packages split from the large panel modules (indicators/panels/{technologies,
transition,dependencies,clusters}/): their public surface, and pure helpers tested without a
database (no django_db mark: any query here would fail the test)."""

import importlib

import pytest

from indicators.panels.clusters.base import badges, is_strong, star_counts, stars_text
from indicators.panels.dependencies.base import criteria_text, pct
from indicators.panels.technologies.base import incomplete_note, rankable
from indicators.panels.transition.base import reference_year

PARAMS = {
    "size_top_share": 0.1,
    "specialisation_lq": 2.0,
    "productivity_ratio": 1.0,
    "growth_window": 3,
    "dynamism_margin": 0.0,
    "us_lq_percentile": 0.75,
    "us_lq_min": 1.0,
    "us_size_percentile": 0.25,
    "strong_min_stars": 2,
}


@pytest.mark.parametrize(
    ("package", "names"),
    [
        (
            "indicators.panels.technologies",
            ["overview", "detail", "technology", "country_section", "ecosystem_section"],
        ),
        (
            "indicators.panels.dependencies",
            ["screen_page", "product_page", "summary_for", "SORTS", "SHOW", "EU"],
        ),
        (
            "indicators.panels.transition",
            ["transition_overview", "country_transition", "ecosystem_ets", "parameters"],
        ),
        ("indicators.panels.clusters", ["overview", "region", "category", "strong_clusters", "category_map"]),
    ],
)
def test_each_package_keeps_the_names_its_callers_use(package, names):
    module = importlib.import_module(package)
    assert [n for n in names if not hasattr(module, n)] == []
    assert set(names) <= set(module.__all__)


def test_cluster_badges_say_met_not_met_and_not_assessed():
    row = {"emp": 12000, "size_cut": 9000, "size_pct": 0.93, "size": True, "lq": 1.4, "specialisation": False}
    row |= {"specialisation_cut": 2.0, "specialisation_pct": 0.7, "productivity": None, "dynamism": None}
    row |= {"us_strong": None, "stars": 1}
    by_key = {b["key"]: b for b in badges(row, PARAMS)}
    assert [by_key[k]["state"] for k in ("size", "specialisation", "productivity", "us")] == [
        "met",
        "not-met",
        "not-assessed",
        "not-assessed",
    ]
    assert by_key["size"]["value"] == "12,000" and by_key["size"]["pct"] == "p93"
    assert by_key["specialisation"]["cut"] == "2.00"
    assert "a figure is missing" in by_key["productivity"]["note"]
    assert stars_text(row) == "★☆☆☆" and stars_text({"stars": None}) == "not assessed"
    assert not is_strong(row, "stars", PARAMS) and is_strong({"stars": 2}, "stars", PARAMS)
    assert is_strong({"us_strong": True}, "us", PARAMS)


def test_star_counts_add_pairs_and_jobs_and_leave_out_the_unassessed():
    rows = [
        {"stars": 2, "emp": 100.0, "us_strong": True},
        {"stars": 2, "emp": 50.0},
        {"stars": 0, "emp": 10.0},
        {"stars": None, "emp": 999.0},
    ]
    counts = star_counts(rows)
    assert counts["by_stars"][1] == {"stars": 2, "pairs": 2, "jobs": 150.0}
    assert (counts["at_least_one"], counts["not_assessed"], counts["us_strong"], counts["us_jobs"]) == (
        2,
        1,
        1,
        100.0,
    )


def test_technology_rankings_leave_out_incomplete_counts():
    points = [
        {"label": "EU27", "flags": ""},
        {"label": "Japan", "flags": "I"},
        {"label": "US", "flags": None},
    ]
    assert [p["label"] for p in rankable(points)] == ["EU27", "US"]
    assert incomplete_note(points) == " Not ranked (the publisher says their counts are incomplete): Japan."
    assert incomplete_note(points[:1]) == ""


def test_dependency_criteria_text_explains_the_verdict():
    rules = {
        "number": 3,
        "hhi_threshold": 0.4,
        "extra_share_threshold": 0.5,
        "substitutability_threshold": 1.0,
    }
    rules["min_extra_imports"] = 1e6
    row = {
        "judged": True,
        "hhi": 0.52,
        "crit_concentration": True,
        "extra_share": 0.81,
        "crit_extra_share": True,
    }
    row |= {"crit_substitutability": True, "substitutability": 3.2, "flagged": True, "extra": 5e7}
    assert criteria_text(row, rules) == (
        "Flagged (rules v3): HHI 0.52 > 0.4; extra-EU share 81% > 50%; imports/exports 3.20 > 1."
    )
    row |= {"crit_substitutability": None, "flagged": False, "crit_concentration": False, "hhi": 0.3}
    assert criteria_text(row, rules).startswith("Not flagged (rules v3): HHI 0.30 ≤ 0.4")
    assert "substitutability not computed" in criteria_text(row, rules)
    assert criteria_text({**row, "judged": False, "extra": 2000.0}, rules).startswith(
        "Not judged: extra-EU imports of 2,000 EUR are below the rules' floor (1,000,000 EUR)"
    )
    assert pct(None) == "–" and pct(0.125, 1) == "12.5%"


def test_transition_reference_year_is_the_latest_year_most_members_have():
    rows = [
        {"geo": "AT", "period": "2021", "value": 1.0},
        {"geo": "BE", "period": "2021", "value": 2.0},
        {"geo": "AT", "period": "2022", "value": 1.0},
        {"geo": "US", "period": "2022", "value": 1.0},  # not a member
        {"geo": "BE", "period": "2022", "value": None},
    ]
    assert reference_year(rows, {"AT", "BE"}) == "2021"
    assert reference_year(rows + [{"geo": "BE", "period": "2022", "value": 3.0}], {"AT", "BE"}) == "2022"
    assert reference_year([], {"AT"}) is None
