"""The years a page offers and opens on (indicators.selectors.period_coverage / default_period),
against a plain pandas reading of the stored values."""

import pandas as pd
import pytest
from django.core.cache import cache

from indicators import pages
from indicators.models import IndicatorValue
from indicators.selectors import default_period


def plain_defaults() -> tuple[dict[str, set], dict[str, str | None]]:
    rows = pd.DataFrame(IndicatorValue.objects.values("indicator_id", "period", "value"))
    periods = rows.groupby("indicator_id")["period"].agg(set).to_dict()
    present = rows[rows["value"].notna()].groupby(["indicator_id", "period"]).size()
    defaults = {}
    for code in periods:
        counts = present.get(code)
        if counts is None or counts.empty:
            defaults[code] = None
            continue
        good = counts[counts >= 0.8 * counts.max()]
        defaults[code] = max(good.index)
    return periods, defaults


def test_every_indicators_years_and_default_year_match_a_plain_count(loaded_profiles):
    periods, defaults = plain_defaults()
    assert len(periods) > 10
    domains = pages.build_domains()
    assert domains["periods"] == periods
    assert domains["defaults"] == defaults
    assert {code: default_period(code) for code in periods} == defaults


def test_a_thin_newest_year_is_offered_but_not_opened_on(loaded_profiles):
    emp = IndicatorValue.objects.filter(indicator_id="emp")
    newest = max(emp.values_list("period", flat=True))
    before = default_period("emp")
    assert before == newest  # the samples cover their newest year fully
    rows = list(emp.filter(period=newest).values_list("pk", flat=True))
    IndicatorValue.objects.filter(pk__in=rows[: len(rows) // 2 + 1]).update(value=None)
    cache.clear()  # the same generation: forget what was built from the old rows
    periods, defaults = plain_defaults()
    assert newest in pages.build_domains()["periods"]["emp"] == periods["emp"]
    assert default_period("emp") == defaults["emp"] != newest
    IndicatorValue.objects.filter(indicator_id="emp", period=newest).update(value=None)
    cache.clear()
    assert newest in pages.build_domains()["periods"]["emp"]  # every value missing: still a year
    assert default_period("emp") == plain_defaults()[1]["emp"] != newest


@pytest.mark.django_db
def test_no_values_no_default():
    assert default_period("emp") is None
    assert pages.build_domains()["periods"] == {}
