"""The read-only API: filters, pagination, CSV, metadata, errors, OpenAPI."""

import csv
import io

import pytest

from indicators.models import IndicatorValue, Source

pytestmark = pytest.mark.django_db


def test_values_filters_by_indicator_ecosystem_geo_and_period(client, loaded_profiles):
    data = client.get("/api/v1/values/?indicator=emp&ecosystem=tourism&geo=DE,FR&period=2014").json()
    assert {(r["indicator"], r["ecosystem"], r["geo"], r["period"]) for r in data["results"]} == {
        ("emp", "tourism", "DE", "2014"),
        ("emp", "tourism", "FR", "2014"),
    }
    expected = IndicatorValue.objects.get(indicator_id="emp", ecosystem="tourism", geo="DE", period="2014")
    assert next(r for r in data["results"] if r["geo"] == "DE")["value"] == expected.value


def test_values_response_names_the_release_and_vintage(client, loaded_profiles):
    meta = client.get("/api/v1/values/?indicator=emp").json()["meta"]
    release = Source.objects.get(code="sbs_na_sca_r2").current_release
    assert meta["releases"][0]["release"] == release.pk
    assert meta["releases"][0]["vintage"] == release.vintage_label
    assert "CC BY 4.0" in meta["licence"]


def test_values_pagination_walks_every_row_once(client, loaded_profiles):
    total = IndicatorValue.objects.filter(indicator_id="emp").count()
    url, seen = "/api/v1/values/?indicator=emp&page_size=7", []
    while url:
        page = client.get(url).json()
        assert page["count"] == total
        seen += [(r["ecosystem"], r["geo"], r["period"]) for r in page["results"]]
        url = page["next"]
    assert len(seen) == total == len(set(seen))


def test_values_csv_has_header_total_and_link(client, loaded_profiles):
    response = client.get("/api/v1/values/?indicator=emp&format=csv&page_size=5")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "indicator", "ecosystem", "geo", "period", "value", "flags", "rank", "release",
        "markers", "base_period", "missing_geos", "parameter_version",
    ]  # fmt: skip
    assert len(rows) == 6
    assert int(response["X-Total-Count"]) == IndicatorValue.objects.filter(indicator_id="emp").count()
    assert 'rel="next"' in response["Link"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("indicator=nope", "unknown indicator"),
        ("page=0", "page must be"),
        ("page_size=99999", "page_size"),
        ("page=abc", "page must be"),
        ("page=%D9%A1", "page must be"),  # Arabic-Indic 1: int() reads it, the API does not
        ("release=x", "release must be"),
        ("release=", "release must be"),
        ("release=0", "release must be"),
        ("format=AAA", "format must be json or csv"),
        ("indicator=emp,", "unknown indicator"),
    ],
)
def test_values_rejects_bad_filters_with_a_clear_message(client, loaded_profiles, query, message):
    response = client.get(f"/api/v1/values/?{query}")
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/values/?indicator=emp&page=999",
        "/api/v1/observations/?source=sbs_na_sca_r2&release=999999",
        "/api/v1/dependencies/",  # no rules version in this universe
        "/api/v1/dependencies/?rules=7",
    ],
)
def test_well_formed_filters_naming_nothing_answer_404(client, loaded_profiles, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["error"]


@pytest.mark.parametrize("path", ["/api/v1/values/", "/api/v1/indicators/", "/api/v1/dependencies/"])
def test_undeclared_methods_answer_405_with_allow_not_a_csrf_403(client, path):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_observations_need_a_source_and_filter_the_current_release(client, loaded_profiles):
    assert client.get("/api/v1/observations/").status_code == 400
    data = client.get("/api/v1/observations/?source=sbs_na_sca_r2&geo=DE&nace=C25&measure=V16110").json()
    assert {r["period"] for r in data["results"]} == {"2013", "2014"}
    assert all(r["geo"] == "DE" and r["nace"] == "C25" for r in data["results"])
    other = Source.objects.get(code="sbs_r_nuts06_r2").current_release_id
    assert client.get(f"/api/v1/observations/?source=sbs_na_sca_r2&release={other}").status_code == 404


def test_indicator_index_lists_every_registered_indicator(client, loaded_profiles):
    from indicators.registry import INDICATORS

    codes = [i["code"] for i in client.get("/api/v1/indicators/").json()["results"]]
    assert codes == list(INDICATORS)


def test_openapi_describes_every_api_path(client, loaded_profiles):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    from indicators.urls import urlpatterns

    routes = {f"/{p.pattern}" for p in urlpatterns if str(p.pattern).startswith("api/v1/")}
    routes.discard("/api/v1/openapi.json")
    assert set(doc["paths"]) == routes
    assert {
        "/api/v1/indicators/",
        "/api/v1/values/",
        "/api/v1/observations/",
        "/api/v1/dependencies/",
    } <= routes
    params = {p["name"] for p in doc["paths"]["/api/v1/values/"]["get"]["parameters"]}
    assert {"indicator", "geo", "ecosystem", "period", "release", "page", "page_size", "format"} <= params


def test_values_carry_no_float_noise_in_csv_or_json(client, loaded_profiles):
    """Sums of shares leave binary noise (39559.200000000004); values are stored and served with
    at most 12 significant digits."""
    import re

    csv_text = client.get("/api/v1/values/?indicator=emp&format=csv&page_size=5000").content.decode()
    json_values = [
        r["value"] for r in client.get("/api/v1/values/?indicator=emp&page_size=5000").json()["results"]
    ]
    numbers = re.findall(r"\d+\.\d+", csv_text) + [repr(v) for v in json_values if v is not None]
    assert numbers
    assert [n for n in numbers if len(n.replace(".", "").lstrip("0")) > 12] == []
