"""/transition/, the country page's twin-transition panel and the API, on hand-made samples."""

import json

import pytest
from django.core.cache import cache

from indicators import refresh
from tests import dbsnapshot
from tests.indicators import transition_samples as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def transition_loaded(reference, tmp_path):
    def build():
        for source, raw in (
            ("desi_2022", S.desi_workbook()),
            ("owid_co2", S.owid_csv()),
            ("eea_ets_sectors", S.ets_csv()),
        ):
            path = tmp_path / source
            path.write_bytes(raw)
            run = refresh.ingest(source, path=path)
            assert run.status == "succeeded", run.error
        run = refresh.recompute()
        assert run.status == "succeeded", run.error

    cache.clear()
    dbsnapshot.restore_or_take("transition_pages", build)  # built once per session
    yield
    cache.clear()


def test_empty_state_explains_what_to_load(reference, client):
    cache.clear()
    response = client.get("/transition/")
    assert response.status_code == 200
    assert "No twin-transition figures are loaded yet" in response.content.decode()


def test_transition_page_shows_scoreboard_quadrant_ranking_trends_and_method(transition_loaded, client):
    html = client.get("/transition/").content.decode()
    assert "Twin-transition scoreboard of the EU27 member states" in html
    # Each column names its reference year; DESI figures by reference year, not edition.
    assert "Enterprises using AI (% of enterprises), 2021" in html
    assert "Enterprises analysing big data (% of enterprises), 2020" in html
    assert "Change in GHG per capita (%), 2016, since 2005" in html
    for panel_id in ("quadrant-figure", "ranking-figure", "trend-desi_index-figure"):
        assert f'id="{panel_id}"' in html
    quadrant = json.loads(
        html.split('id="quadrant-figure" type="application/json">')[1].split("</script>")[0]
    )
    assert quadrant["data"][0]["type"] == "scatter" and "DK" in quadrant["data"][0]["text"]
    assert any("EU27" in a["text"] for a in quadrant["layout"]["annotations"])
    assert "Sensitivity" in html and "z-scores" in html
    leaders = html.split('id="leaders-title"')[1].split("</section>")[0]
    assert leaders.index("Denmark") < leaders.index("Germany") < leaders.index("Austria")  # AI: 24, 11, 9 %
    assert "2020 (DESI 2022)" in leaders  # big data's reference year, with its edition
    assert "Our World in Data" in html and "European Commission" in html


def test_scoreboard_sorts_and_exports(transition_loaded, client):
    html = client.get("/transition/?sort=desi_ai&dir=desc").content.decode()
    body = html.split("<tbody>")[1]
    assert body.index("Denmark") < body.index("Germany") < body.index("Austria")
    csv = client.get("/transition/?panel=scoreboard&format=csv").content.decode()
    assert csv.splitlines()[0].startswith('Country,"DESI overall score (score (0–100)), 2021"')
    assert "Denmark" in csv
    for fmt in ("xlsx", "json"):
        assert client.get(f"/transition/?panel=quadrant&format={fmt}").status_code == 200
    ranking = client.get("/transition/?indicator=desi_cloud&panel=ranking&format=csv").content.decode()
    assert ranking.splitlines()[1].startswith("Denmark")


def test_country_page_has_the_twin_transition_panel(transition_loaded, client):
    html = client.get("/countries/DK/").content.decode()
    assert "Twin transition" in html and 'id="transition-figure"' in html
    assert (
        'id="transition-trend-desi_index-figure"' in html
        and 'id="transition-trend-ghg_per_capita-figure"' in html
    )
    trend = client.get("/countries/DK/?panel=transition-trend-ghg_per_capita&format=csv").content.decode()
    assert trend.splitlines()[0].startswith("Year,EU27") and "Denmark" in trend.splitlines()[0]
    csv = client.get("/countries/DK/?panel=transition&format=csv").content.decode()
    assert "Enterprises using AI,24" in csv.replace(".0", "")


def test_api_serves_the_new_indicators_with_reference_year_and_edition(transition_loaded, client):
    data = client.get("/api/v1/values/?indicator=desi_big_data&geo=AT").json()
    rows = [(r["ecosystem"], r["period"], r["value"]) for r in data["results"]]
    assert rows == [("DESI_2022", "2020", 9.0)]
    ghg = client.get("/api/v1/values/?indicator=ghg_per_capita&geo=EL&period=2016").json()["results"]
    assert ghg[0]["value"] == pytest.approx(90.0 / 10.8e6 * 1e6, rel=1e-3)
    assert client.get("/indicators/desi_ai/").status_code == 200


def test_ecosystem_page_shows_mapped_ets_emissions_with_the_caveat(transition_loaded, client):
    html = client.get("/ecosystems/energy-intensive-industries/").content.decode()
    assert "Emissions under the EU Emissions Trading System" in html and "Caveat" in html
    assert "Production of pig iron or steel" in html and 'id="ets-figure"' in html
    csv = client.get("/ecosystems/energy-intensive-industries/?panel=ets&format=csv").content.decode()
    assert "2012,440.2" in csv  # steel, refining, cement, lime, paper, chemicals
    health = client.get("/ecosystems/health/").content.decode()
    assert "No EU ETS activity is mapped to" in health


def test_methodology_lists_our_weights_and_ets_map(reference, client):
    html = client.get("/methodology/transition/").content.decode()
    assert "desi_sme_basic_di" in html and "Production of cement clinker" in html
    assert "reference year" in html
    assert "/methodology/transition/" in client.get("/methodology/").content.decode()


def test_air_emissions_by_nace_become_ecosystem_figures_when_loaded(reference, tmp_path, client):
    from ecosystems.models import CodeLabel
    from indicators.models import IndicatorValue

    cache.clear()
    CodeLabel.objects.bulk_create(
        [
            CodeLabel(dimension=d, code=c, label=c)
            for d, c in (("airpol", "CO2"), ("unit", "T"), ("unit", "KG_HAB"))
        ],
        ignore_conflicts=True,
    )
    # Before: the page says why there are no emissions by ecosystem.
    html = client.get("/ecosystems/energy-intensive-industries/").content.decode()
    assert (
        "No emissions by ecosystem yet: the air emissions accounts (env_ac_ainah_r2) are not loaded" in html
    )
    path = tmp_path / "air.csv"
    path.write_bytes(S.air_csv())
    assert refresh.ingest("env_ac_ainah_r2", path=path).status == "succeeded"
    assert refresh.recompute().status == "succeeded"
    at = IndicatorValue.objects.get(indicator_id="eco_co2", ecosystem="energy-intensive-industries", geo="AT")
    assert at.value == pytest.approx((2_800_000 + 0.7 * 3_000_000 + 11_000_000) / 1000) and at.markers == ""
    share = IndicatorValue.objects.get(
        indicator_id="eco_co2_share", ecosystem="energy-intensive-industries", geo="AT"
    )
    assert share.value == pytest.approx(at.value * 1000 / 60_000_000 * 100)
    de = IndicatorValue.objects.get(indicator_id="eco_co2", ecosystem="energy-intensive-industries", geo="DE")
    assert de.markers == "I" and de.rank is None  # C23 missing: a lower bound, not ranked
    assert not IndicatorValue.objects.filter(
        indicator_id="eco_co2_share", geo="DE", ecosystem=de.ecosystem
    ).exists()
    food = IndicatorValue.objects.get(indicator_id="eco_co2", ecosystem="agri-food", geo="AT")
    assert food.value == pytest.approx(1200.0)  # C10-C12: all three divisions fully agri-food
    energy = IndicatorValue.objects.get(indicator_id="eco_co2", ecosystem="energy-renewables", geo="AT")
    assert energy.value == pytest.approx(0.85 * 7000)  # section D = D35
    cache.clear()
    html = client.get("/ecosystems/energy-intensive-industries/").content.decode()
    assert 'id="air-emissions-figure"' in html
    # The KG_HAB total still feeds the per-inhabitant indicator.
    assert IndicatorValue.objects.get(indicator_id="co2_hab_eurostat", geo="AT", period="2021").value == 6.7


def test_signed_in_members_see_the_page_and_its_discussion_link(transition_loaded, client, alice):
    client.force_login(alice)
    response = client.get("/transition/?indicator=green_progress&geo=DE")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Green progress (composite, ours) since 2005: ranking of the member states" in html
    assert "/forum/discuss/indicator/digital_position/" in html


def test_odd_parameters_fall_back_to_the_defaults(transition_loaded, client):
    response = client.get("/transition/?sort=%3Cscript%3E&indicator=nope&geo=ZZ&dir=sideways")
    assert response.status_code == 200
    html = response.content.decode()
    assert "?sort=digital_position&amp;dir=desc" in html or "?sort=digital_position&amp;dir=asc" in html
    assert "Digital position (composite, ours): ranking of the member states" in html
    assert "sort=<script>" not in html  # echoed only URL-encoded (export links keep the query)
