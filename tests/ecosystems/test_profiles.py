"""Profile, indicator and compare pages: status, key figures checked against values computed here
independently from the tidy observations, exports equal to the page tables, query counts."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecosystems.models import EcosystemActivity
from indicators.models import Observation, Source

pytestmark = pytest.mark.django_db

MEMBERS_IN_FILE = ("AT", "DE", "FR")


def expected_emp(ecosystem: str, geo: str, period: str) -> float:
    """Share-weighted persons employed, from the observations and the current mapping (not the
    indicator tables)."""
    release = Source.objects.get(code="sbs_na_sca_r2").current_release_id
    shares = dict(
        EcosystemActivity.objects.filter(version__is_current=True, ecosystem__slug=ecosystem).values_list(
            "nace", "share"
        )
    )
    obs = Observation.objects.filter(
        release_id=release, geo=geo, period=period, measure="V16110", nace__in=list(shares)
    ).values_list("nace", "value")
    return sum(float(shares[n]) * v for n, v in obs)


def fmt(value: float) -> str:
    return f"{value:,.0f}"


def csv_rows(response) -> list[list[str]]:
    return list(
        csv.reader(
            io.StringIO(b"".join(response).decode() if response.streaming else response.content.decode())
        )
    )


@pytest.mark.parametrize(
    "url",
    [
        "/ecosystems/",
        "/ecosystems/tourism/",
        "/countries/",
        "/countries/DE/",
        "/countries/EU27_2020/",
        "/regions/AT11/",
        "/indicators/",
        "/indicators/emp/",
        "/indicators/region_lq_emp/",
        "/compare/?geo=DE&geo=FR&indicator=emp&ecosystem=tourism",
        "/compare/",
        "/api/",
    ],
)
def test_page_renders(client, loaded_profiles, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"<h1" in response.content


@pytest.mark.parametrize(
    "url", ["/ecosystems/nope/", "/countries/XX/", "/regions/ZZ99/", "/indicators/nope/"]
)
def test_unknown_object_is_404(client, loaded_profiles, url):
    assert client.get(url).status_code == 404


def test_lowercase_country_code_redirects_to_the_permalink(client, loaded_profiles):
    response = client.get("/countries/de/")
    assert response.status_code == 301
    assert response["Location"] == "/countries/DE/"


def test_country_page_key_figures_match_observations(client, loaded_profiles):
    response = client.get("/countries/DE/?year=2014")
    table = response.context["table"]
    tourism = next(row for row in table if row[0]["text"] == "Tourism")
    assert tourism[1]["text"] == fmt(expected_emp("tourism", "DE", "2014"))
    assert fmt(expected_emp("tourism", "DE", "2014")).encode() in response.content


def test_ecosystem_page_eu_figure_is_missing_not_zero_when_most_members_are_absent(client, loaded_profiles):
    response = client.get("/ecosystems/tourism/?year=2014")
    emp = next(k for k in response.context["key_figures"] if k["code"] == "emp")
    # 3 of 27 members in the file: no EU total can be published; shown as missing. Our marker
    # "I" (incomplete, with the missing members listed) is stored apart from the publisher's
    # flags; the panels do not show markers yet (integration), so check the stored value.
    assert emp["text"] == "–"
    from indicators.models import IndicatorValue

    eu = IndicatorValue.objects.get(indicator_id="emp", ecosystem="tourism", geo="EU27_2020", period="2014")
    assert eu.value is None and eu.markers == "I" and "i" not in eu.flags
    assert len(eu.missing_geos.split()) == 24


def test_ecosystem_ranking_orders_countries_by_employment(client, loaded_profiles):
    ranked = client.get("/ecosystems/tourism/?year=2014").context["ranked"]
    with_rank = [r for r in ranked if r["cells"][0]["value"] is not None]
    expected = sorted(MEMBERS_IN_FILE, key=lambda g: -expected_emp("tourism", g, "2014"))
    assert [r["geo"] for r in with_rank] == expected
    # Countries without data are listed as missing (never zero) after the ranked ones.
    missing = [r for r in ranked if r["cells"][0]["value"] is None]
    assert missing and all(r["cells"][2]["text"] == "–" for r in missing)


def test_year_in_the_url_is_kept_and_an_unknown_year_says_so(client, loaded_profiles):
    assert client.get("/ecosystems/tourism/?year=2013").context["period"] == "2013"
    response = client.get("/ecosystems/tourism/?year=1999")
    assert response.context["period"] in {"2013", "2014"}
    assert b"There are no values for 1999" in response.content


@pytest.mark.parametrize(
    ("url", "panel"),
    [
        ("/ecosystems/tourism/?year=2014", "employment-by-country"),
        ("/countries/DE/?year=2014", "specialisation"),
        ("/indicators/emp/?ecosystem=tourism&year=2014", "ranking"),
        ("/regions/AT11/", "employment"),
        ("/compare/?geo=DE&geo=FR&ecosystem=tourism", "compare-lines"),
    ],
)
def test_csv_export_equals_the_page_table(client, loaded_profiles, url, panel):
    page = client.get(url)
    shown = next(p for p in (page.context["panels"]) if p["id"] == panel)
    rows = csv_rows(
        client.get(f"{url}&panel={panel}&format=csv" if "?" in url else f"{url}?panel={panel}&format=csv")
    )
    assert (
        rows[0][: len(shown["columns"])] == shown["columns"][: len(rows[0])]
        or rows[0][0] == shown["columns"][0]
    )
    body = rows[1:]
    assert len(body) == len(shown["rows"])
    for line, cells in zip(body, shown["rows"], strict=True):
        numbers = [c for c in cells if c["num"]]
        values = [v for v, h in zip(line, rows[0], strict=True) if not h.endswith("(flags)")][
            len(cells) - len(numbers) :
        ]
        for value, c in zip(values, numbers, strict=True):
            if c["value"] is None:
                assert value == ""
            else:
                assert float(value) == pytest.approx(c["value"])
                assert (
                    f"{float(value):,.{0 if '.' not in c['text'] else len(c['text'].split('.')[1])}f}"
                    == c["text"]
                )


def test_json_and_xlsx_exports_carry_the_same_numbers_and_the_vintage(client, loaded_profiles):
    from openpyxl import load_workbook

    url = "/ecosystems/tourism/?year=2014&panel=employment-by-country"
    payload = json.loads(client.get(url + "&format=json").content)
    release = Source.objects.get(code="sbs_na_sca_r2").current_release
    assert payload["meta"]["source"]["release"] == release.pk
    assert payload["meta"]["source"]["vintage"] == release.vintage_label
    assert "permalink" in payload["meta"] and "#employment-by-country" in payload["meta"]["permalink"]
    response = client.get(url + "&format=xlsx")
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content))["data"]
    xlsx_rows = list(sheet.iter_rows(values_only=True))
    json_values = [r["Persons employed"] for r in payload["rows"]]
    assert [r[1] for r in xlsx_rows[1:]] == json_values
    de = next(r for r in payload["rows"] if r["Country"] == "Germany")
    assert de["Persons employed"] == pytest.approx(expected_emp("tourism", "DE", "2014"))


def test_export_of_unknown_panel_is_404_and_unknown_format_400(client, loaded_profiles):
    assert client.get("/ecosystems/tourism/?panel=nope&format=csv").status_code == 404
    assert client.get("/ecosystems/tourism/?panel=trend&format=exe").status_code == 400


def test_every_chart_has_summary_table_source_permalink_exports_citation_and_api_call(
    client, loaded_profiles
):
    response = client.get("/ecosystems/tourism/?year=2014")
    html = response.content.decode()
    release = Source.objects.get(code="sbs_na_sca_r2").current_release
    for panel in response.context["panels"]:
        assert f'id="{panel["id"]}-figure"' in html  # the json_script the static script draws
        assert panel["summary"]
        assert panel["permalink"].endswith(f"?year=2014#{panel['id']}")
        assert set(panel["exports"]) == {"csv", "tidy", "xlsx", "json"}
        assert release.vintage_label in panel["citation"] or panel["source"]["code"] != "sbs_na_sca_r2"
        assert "/api/v1/values/?" in panel["api_url"]
    assert html.count('data-download="png"') == len(response.context["panels"])
    assert html.count('data-download="svg"') == len(response.context["panels"])
    assert "/data/sbs_na_sca_r2/" in html
    assert "<script>" not in html  # no inline script: the CSP stays strict


def test_api_call_shown_returns_the_same_values_as_the_table(client, loaded_profiles):
    page = client.get("/ecosystems/tourism/?year=2014")
    panel = next(p for p in page.context["panels"] if p["id"] == "employment-by-country")
    api = client.get(panel["api_url"]).json()
    by_geo = {r["geo"]: r["value"] for r in api["results"]}
    for geo in MEMBERS_IN_FILE:
        assert by_geo[geo] == pytest.approx(expected_emp("tourism", geo, "2014"))


def test_missing_and_confidential_values_are_shown_as_such_never_zero(client, loaded_profiles):
    response = client.get("/ecosystems/tourism/?year=2014")
    ranked = response.context["ranked"]
    malta = next(r for r in ranked if r["geo"] == "MT")
    assert malta["cells"][2]["text"] == "–" and malta["cells"][2]["value"] is None


def test_region_page_shows_version_neighbours_and_specialisation(client, loaded_profiles):
    response = client.get("/regions/AT11/")
    assert response.context["versions"] == [2021, 2013]
    assert [n["code"] for n in response.context["neighbours"]] == ["AT12", "AT11"]
    assert b"shown in NUTS 2021" in response.content
    assert b"confidential divisions stay inside it" in response.content  # the share denominator
    assert b"NUTS level 2;" in response.content
    emp = next(row for row in response.context["table"] if row[0]["text"] == "Tourism")
    assert emp[1]["value"] is not None


def test_compare_limits_places_and_reports_unknown_codes(client, loaded_profiles):
    geos = "&".join(
        f"geo={g}" for g in ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR"]
    )
    response = client.get(f"/compare/?{geos}&geo=QQ&ecosystem=tourism")
    assert response.context["too_many"] is True
    assert len(response.context["geos"]) == 10
    assert response.context["unknown"] == ["QQ"]
    assert b"Unknown place code" in response.content


def test_geometry_endpoint_and_plotly_stylesheet(client, loaded_profiles):
    assert client.get("/geo/nuts2021/0.geojson").json()["type"] == "FeatureCollection"
    assert client.get("/geo/nuts2021/7.geojson").status_code == 404
    css = client.get("/charts/plotly.css")
    assert css["Content-Type"].startswith("text/css")
    assert b".js-plotly-plot .plotly" in css.content


def count_queries(client, url) -> int:
    """Queries of a page built from scratch: no cache, no pre-built payload (the parameters'
    domains of the generation, built once for every page, are there)."""
    from indicators import pages
    from indicators.models import PagePayload

    cache.clear()
    PagePayload.objects.exclude(family="domains").delete()
    pages.domains()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


PAGES = [
    "/ecosystems/",
    "/ecosystems/tourism/?year=2014",
    "/countries/",
    "/countries/DE/?year=2014",
    "/regions/AT11/?year=2014",
    "/indicators/emp/?ecosystem=tourism&year=2014",
    "/compare/?geo=DE&geo=FR&ecosystem=tourism",
]
# 25, + 1 since the page stores its rendered {% prebuilt %} block (indicators/fragments.py), + 4:
# the payload and the block are each inserted in a savepoint (SAVEPOINT, RELEASE; fragments.insert_once),
# + 1: a request that wins the single-flight lock looks for the payload again before building it
# (indicators.payloads._payload: another request may have stored it in between).
MAX_QUERIES = 31


@pytest.mark.parametrize("url", PAGES)
def test_page_query_count_is_bounded_and_does_not_grow_with_data(client, loaded_profiles, tmp_path, url):
    from indicators import refresh
    from tests.indicators.factories import sbs_tsv
    from tests.universe import regional_tsv

    small = count_queries(client, url)
    assert small <= MAX_QUERIES
    # Four times the years of data: the same number of queries.
    years = ("2014", "2013", "2012", "2011", "2010", "2009", "2008", "2007")
    (tmp_path / "big.tsv.gz").write_bytes(sbs_tsv(years=years))
    (tmp_path / "big_r.tsv.gz").write_bytes(regional_tsv(years=years))
    refresh.ingest("sbs_na_sca_r2", path=tmp_path / "big.tsv.gz")
    refresh.ingest("sbs_r_nuts06_r2", path=tmp_path / "big_r.tsv.gz")
    refresh.recompute()
    assert count_queries(client, url) == small
    # Warm: served from the cache by data generation.
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) <= 3


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("/ecosystems/", "sbs_na_sca_r2"),
        ("/countries/", "sbs_na_sca_r2"),
        ("/countries/DE/?year=2014", "sbs_na_sca_r2"),
        ("/regions/AT11/", "sbs_r_nuts06_r2"),
    ],
)
def test_every_table_names_its_release(client, loaded_profiles, url, source):
    html = client.get(url).content.decode()
    release = Source.objects.get(code=source).current_release
    tables = html.count("<table")
    # Each table (outside the chart panels' own) is followed by its source line with the vintage.
    assert html.count(f"release {release.vintage_label}") >= tables - html.count('class="chart-panel"')
    assert f"/data/{source}/" in html


def test_country_page_ranks_by_size_specialisation_and_productivity(client, loaded_profiles):
    """Rank by size alone put Germany first almost everywhere: three labelled ranks."""
    response = client.get("/countries/AT/?year=2014")
    columns = (
        response.context["columns"] if "columns" in response.context else response.context["key_columns"]
    )
    labels = " | ".join(columns)
    for wanted in ("by size", "by specialisation (LQ)", "by productivity"):
        assert wanted in labels


def test_countries_list_gives_no_most_specialised_ecosystem_for_aggregates(client, loaded_profiles):
    """The EU against itself has LQ 1 everywhere: no "most specialised" for aggregates."""
    from django.core.cache import cache

    from indicators.models import IndicatorValue

    emp = IndicatorValue.objects.filter(geo="AT", period="2014", indicator_id="emp").first()
    for geo, indicator, value in [
        ("EU27_2020", "emp", 1e6),
        ("EU27_2020", "lq_emp", 1.0),
        ("AT", "lq_emp", 1.3),
    ]:
        IndicatorValue.objects.filter(geo=geo, period="2014", indicator_id=indicator).delete()
        emp.pk, emp.geo, emp.indicator_id, emp.value, emp.markers = None, geo, indicator, value, ""
        emp.save()
    cache.clear()
    groups = client.get("/countries/?year=2014").context["groups"]
    eu = [row for row in groups["aggregate"] if row["code"] == "EU27_2020"]
    assert eu and eu[0]["specialised"] == ""
    assert any(row["specialised"] for row in groups["eu"])  # members keep theirs
