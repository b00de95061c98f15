"""/compare/: the snapshot year, the trend range, the grouped place picker, regions and mixed places."""

import re

import pytest

from indicators.models import IndicatorValue

URL = "/compare/"


def _snapshot_title(html: str) -> str:
    return re.search(r'id="compare-latest-title">([^<]*)<', html).group(1)


def test_the_snapshot_defaults_to_the_latest_year_any_chosen_place_has(client, loaded_profiles):
    latest = (
        IndicatorValue.objects.filter(
            indicator_id="emp", ecosystem="tourism", geo__in=["DE", "FR"], value__isnull=False
        )
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    html = client.get(URL, {"geo": ["DE", "FR"], "ecosystem": "tourism"}).content.decode()
    assert _snapshot_title(html).endswith(latest)
    assert "No Persons employed values" not in html


def test_year_and_range_are_in_the_url_and_used(client, loaded_profiles):
    periods = sorted(
        set(
            IndicatorValue.objects.filter(indicator_id="emp", value__isnull=False).values_list(
                "period", flat=True
            )
        )
    )
    first = periods[0]
    html = client.get(URL, {"geo": ["DE", "FR"], "ecosystem": "tourism", "year": first}).content.decode()
    assert _snapshot_title(html).endswith(first)
    assert f"year={first}" in html  # the permalinks keep it
    html = client.get(URL, {"geo": ["DE"], "ecosystem": "tourism", "from": periods[-1]}).content.decode()
    table = html.split('id="compare-lines"')[1].split("</table>")[0]
    assert f">{periods[-1]}<" in table and f">{first}<" not in table
    html = client.get(URL, {"geo": ["DE"], "ecosystem": "tourism", "year": "1990"}).content.decode()
    assert "None of these places has a value for 1990" in html


def test_the_picker_puts_the_eu_first_and_hides_old_aggregates(client, loaded_profiles):
    html = client.get(URL).content.decode()
    groups = re.findall(r'<optgroup label="([^"]+)">', html)
    assert groups[:3] == ["EU", "EU member states", "Other countries"]
    first_option = re.search(r'<select id="f-geo"[^>]*><optgroup[^>]*><option value="([^"]+)"', html).group(1)
    assert first_option == "EU27_2020"
    assert 'value="EU28"' not in html and "Other aggregates" not in html
    html = client.get(URL, {"aggregates": "1"}).content.decode()
    assert 'value="EU28"' in html
    html = client.get(URL, {"geo": ["EU28"]}).content.decode()
    assert 'value="EU28" selected' in html  # a chosen aggregate stays listed


def test_a_region_against_its_country_uses_each_levels_indicator(client, loaded_profiles):
    html = client.get(
        URL, {"geo": ["AT11", "AT"], "indicator": "emp", "ecosystem": "tourism"}
    ).content.decode()
    assert "each with the indicator of their own level" in html
    region = (
        IndicatorValue.objects.filter(indicator_id="region_emp", ecosystem="tourism", geo="AT11")
        .exclude(value=None)
        .first()
    )
    assert region is not None
    assert "Burgenland (regional)" in html and "Austria (national)" in html
    # Regions alone use the regional indicator without the note.
    html = client.get(
        URL, {"geo": ["AT11", "AT12"], "indicator": "region_emp", "ecosystem": "tourism"}
    ).content.decode()
    assert "own level" not in html and "Burgenland" in html


def test_region_page_has_trend_ranks_peers_and_nace_view(client, loaded_profiles):
    html = client.get("/regions/AT11/").content.decode()
    assert 'id="region-trend-figure"' in html
    assert "Rank by LQ among EU regions" in html and "Regions with the most similar structure" in html
    nace = client.get("/nace/C25/regions/")
    assert nace.status_code == 200 and 'id="nace-map-figure"' in nace.content.decode()
    assert client.get("/nace/c25/regions/").status_code == 301
    assert client.get("/nace/XX1/regions/").status_code == 404
    assert client.get("/indicators/region_nace_lq/?nace=C25").status_code == 302


def test_tidy_csv_has_one_value_per_row_with_code_name_period_unit(client, loaded_profiles):
    import csv
    import io

    url = "/compare/?geo=DE&geo=FR&ecosystem=tourism&panel=compare-lines&format=tidy"
    response = client.get(url)
    assert response.status_code == 200 and "-tidy.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["geo_code", "geo_name", "item", "measure", "period", "unit", "value", "flags"]
    want = IndicatorValue.objects.get(indicator_id="emp", ecosystem="tourism", geo="DE", period="2014")
    de = [r for r in rows if r["geo_code"] == "DE" and r["period"] == "2014"]
    assert len(de) == 1 and de[0]["geo_name"] == "Germany" and de[0]["unit"] == "persons"
    assert float(de[0]["value"]) == pytest.approx(want.value)
    # A ranking: places as rows (code from the link), the panel's year as the period.
    bar = client.get("/compare/?geo=DE&geo=FR&ecosystem=tourism&panel=compare-latest&format=tidy")
    rows = list(csv.DictReader(io.StringIO(bar.content.decode())))
    assert {r["geo_code"] for r in rows} == {"DE", "FR"} and all(r["period"] for r in rows)
    # The wide table is still the CSV and XLSX download.
    wide = client.get("/compare/?geo=DE&geo=FR&ecosystem=tourism&panel=compare-lines&format=csv")
    assert wide.content.decode().splitlines()[0].startswith("Year,")
