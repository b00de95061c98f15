"""The dependency screen end to end: the Comext parser, ingest, stored results, rules versions,
pages and the API — on the hand-made sample fixtures/samples/comext_sample.csv."""

import pytest
from django.urls import reverse

from indicators import refresh, screen
from indicators.models import DependencyResult, DependencyRules, DependencySupplier, Release, Run
from indicators.sources import comext
from indicators.sources.base import ParseError
from indicators.sources.detect import detect_format, parse_bytes
from tests import dbsnapshot
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "comext_sample.csv"
HEADER = "DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,FLOW,PERIOD,VALUE_IN_EUROS\n"


def test_detected_by_content_and_codes_stay_strings():
    raw = SAMPLE.read_bytes()
    assert detect_format(raw) == "comext-csv"
    frame = parse_bytes(raw, "sample").frame
    assert set(frame["product"]) == {"28053029", "25041000"}
    assert "NA" in set(frame["partner"])  # Namibia, not a missing value
    assert {"EL", "UK"} <= set(frame["reporter"]) | set(frame["partner"])  # GR -> EL, GB -> UK
    assert "GR" not in set(frame["reporter"]) and "GB" not in set(frame["partner"])


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("DE,CN,2504100,1,2024,5", "not an 8-digit CN code"),  # leading zero lost / short code
        ("DE,CN,25041000,1,2024,-5", "negative trade value"),
        ("DE,ZZ,25041000,1,2024,5", "unknown partner code 'ZZ'"),
        ("DE,CN,25041000,3,2024,5", "neither 1 (import) nor 2 (export)"),
        ("DE,CN,25041000,1,202401,5", "is not a year"),
        ("DE,CN,25041000,1,2024,1e3x", "is not a number"),
        ("DE,DE,25041000,1,2024,5", "trading with itself"),
    ],
)
def test_malformed_rows_are_rejected_naming_the_line(line, reason):
    raw = (HEADER + "DE,CN,25041000,1,2024,7\n" + line + "\n").encode()
    with pytest.raises(ParseError) as err:
        comext.parse(raw, "bad.csv")
    assert reason in str(err.value) and err.value.line == 3


def test_duplicate_rows_and_missing_columns_are_rejected():
    with pytest.raises(ParseError, match="duplicate row"):
        comext.parse((HEADER + "DE,CN,25041000,1,2024,7\nDE,CN,25041000,1,2024,8\n").encode(), "dup.csv")
    with pytest.raises(ParseError, match="missing column"):
        comext.parse(b"DECLARANT_ISO,PRODUCT_NC,VALUE_IN_EUROS\nDE,25041000,1\n", "cols.csv")


def test_stat_regimes_are_summed():
    raw = (
        b"DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,FLOW,STAT_REGIME,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG\n"
        b"DE,CN,25041000,1,1,202452,7,2\nDE,CN,25041000,1,4,202452,3,1\n"
    )
    frame = comext.parse(raw, "regimes.csv").frame
    assert len(frame) == 1 and frame["value"].iloc[0] == 10 and frame["period"].iloc[0] == "2024"
    assert frame["quantity"].iloc[0] == 3


@pytest.fixture
def screened(reference, raw_dir):
    """The sample screened once per session, restored per test (tests/dbsnapshot.py): the recompute run."""

    def build():
        screen.load_country_groups()
        run = refresh.ingest("comext_crm_imports", path=SAMPLE)
        assert run.status == "succeeded", run.error
        run = refresh.recompute()
        assert run.status == "succeeded", run.error

    dbsnapshot.restore_or_take("dependencies_screened", build)
    return Run.objects.filter(kind=Run.Kind.RECOMPUTE).latest("pk")


def test_ingest_stores_parquet_and_recompute_runs_the_screen(screened):
    release = Release.objects.get(source_id="comext_crm_imports")
    assert screen.parquet_path(release).is_file() and release.row_count == 14
    assert "dependency_screen" in screened.message
    rules = DependencyRules.objects.get(is_current=True)
    eu = DependencyResult.objects.get(rules=rules, importer="EU27_2020", product="28053029", period="2023")
    # Extra-EU: CN 900, US 100 (FR's 50 from DE is intra-EU): HHI 0.82, extra share 1000/1050.
    assert eu.hhi == pytest.approx(0.81 + 0.01)
    assert eu.extra_share == pytest.approx(1000 / 1050)
    assert eu.flagged and eu.crit_substitutability is None
    assert DependencySupplier.objects.filter(
        release=release, importer="EU27_2020", product="28053029"
    ).exists()


def test_a_malformed_file_changes_nothing(screened, tmp_path):
    before = (Release.objects.count(), DependencyResult.objects.count())
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "DE,CN,25041000,1,2024,7\nDE,CN,25041000,1,2024,-1\n")
    run = refresh.ingest("comext_crm_imports", path=bad)
    assert run.status == Run.Status.FAILED and "negative trade value" in run.error
    assert (Release.objects.count(), DependencyResult.objects.count()) == before
    unknown = tmp_path / "reporter.csv"
    unknown.write_text(HEADER + "CH,CN,25041000,1,2024,7\n")
    run = refresh.ingest("comext_crm_imports", path=unknown)
    assert run.status == Run.Status.FAILED and "not an EU member state" in run.error
    assert (Release.objects.count(), DependencyResult.objects.count()) == before


def test_a_new_rules_version_keeps_the_old_results(screened, client):
    v1 = DependencyRules.objects.get(is_current=True)
    v2 = DependencyRules.objects.create(
        number=2,
        note="stricter",
        hhi_threshold=0.9,
        country_groups=v1.country_groups,
        low_risk_groups=v1.low_risk_groups,
    )
    screen.run_screen(v2)
    old = DependencyResult.objects.get(rules=v1, importer="EU27_2020", product="28053029", period="2023")
    new = DependencyResult.objects.get(rules=v2, importer="EU27_2020", product="28053029", period="2023")
    assert old.flagged and not new.flagged  # HHI 0.82 is above 0.4 but not above 0.9
    url = reverse("indicators:dependencies")
    page_v1 = client.get(url, {"rules": 1, "year": "2023"}).content.decode()
    page_v2 = client.get(url, {"rules": 2, "year": "2023"}).content.decode()
    assert "rules version 2, which is not the current one" in page_v2
    assert page_v1.count("badge badge-error") > page_v2.count("badge badge-error")
    api = client.get(
        reverse("indicators:api-dependencies"), {"rules": 2, "product": "28053029", "year": "2023"}
    ).json()
    assert api["meta"]["rules"]["hhi_threshold"] == 0.9 and api["results"][0]["flagged"] is False


def test_pages_render_with_their_figures(screened, client):
    page = client.get(reverse("indicators:dependencies"), {"year": "2024"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Criterion 3 could not be computed" in html
    assert 'id="screen-scatter-figure"' in html and "28053029" in html
    product = client.get(reverse("indicators:dependency-product", args=["28053029"]))
    assert product.status_code == 200 and 'id="product-suppliers-figure"' in product.content.decode()
    member = client.get(reverse("indicators:dependencies"), {"importer": "FR"})
    assert member.status_code == 200
    csv = client.get(reverse("indicators:dependencies"), {"panel": "screen-table", "format": "csv"})
    assert csv.status_code == 200 and b"28053029" in csv.content


@pytest.mark.parametrize(
    "query",
    [{"rules": "99"}, {"rules": "x"}, {"importer": "EU27_2020x"}, {"importer": "ZZ"}],
)
def test_bad_parameters_are_404_not_500(screened, client, query):
    assert client.get(reverse("indicators:dependencies"), query).status_code == 404


def test_bad_product_and_api_parameters(screened, client):
    assert client.get(reverse("indicators:dependency-product", args=["123"])).status_code == 404
    assert client.get(reverse("indicators:dependency-product", args=["99999999"])).status_code == 404
    api = reverse("indicators:api-dependencies")
    assert client.get(api, {"rules": "abc"}).status_code == 400
    assert client.get(api, {"product": "12"}).status_code == 400
    assert client.get(api, {"flagged": "maybe"}).status_code == 400
    assert client.get(api, {"year": "20x4"}).status_code == 400


def test_empty_state_without_trade_data(reference, client):
    screen.load_country_groups()
    page = client.get(reverse("indicators:dependencies"))
    assert page.status_code == 200 and "No trade data are loaded" in page.content.decode()


def test_the_release_tidy_csv_comes_from_the_columnar_copy(screened, client):
    release = Release.objects.get(source_id="comext_crm_imports")
    response = client.get(reverse("indicators:release-tidy-csv", args=["comext_crm_imports", release.pk]))
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "reporter,partner,product,flow,period,value,quantity"
    assert len(body.splitlines()) == 15 and "EL,UK,25041000,1,2024,7.0" in body


def test_cn_reference_readers():
    from indicators.sources import cn

    labels = (
        "\ufeffCN 2022,SupText,URI,Name\n2805,Rare earths,1,2805 x\n28053020,Cerium etc.,2,2805 30 20 - x\n"
        "28053080,Other REE,3,2805 30 80 - Other\n"
    ).encode()
    cpa = b"CN 2022,CPA 2.1\n28053020,20.13.23\n28053080,20.13.24\n"
    frame = cn.parse_products(labels, cpa, {"28053020", "28053029", "28059999"}, {"28053029": "28053020"})
    got = frame.set_index("code")
    assert got.loc["28053020", "label"] == "Cerium etc." and got.loc["28053020", "cpa"] == "20.13.23"
    assert (
        got.loc["28053029", "label"].startswith("Part of: Cerium etc.")
        and got.loc["28053029", "cpa"] == "20.13.23"
    )
    assert got.loc["28059999", "label"] == "Rare earths (code created after CN 2022)"
    with pytest.raises(ParseError, match="not a readable .xls"):
        cn.parse_concordance(b"not a workbook", "concordance.xls")


def test_a_member_states_suppliers_come_from_the_trade_file(screened):
    from indicators.selectors import dependency_suppliers

    release = Release.objects.get(source_id="comext_crm_imports")
    rows = dependency_suppliers(release.pk, "28053029", "DE")
    by_year = {(r["period"], r["partner"]): r["share"] for r in rows}
    assert by_year[("2024", "CN")] == pytest.approx(950 / 1000) and by_year[("2024", "NA")] == pytest.approx(
        0.05
    )
    assert [r["partner"] for r in rows if r["period"] == "2023"] == ["CN", "US"]
    assert not DependencySupplier.objects.filter(importer="DE").exists()  # only the EU's are stored


def test_table_filters(screened, client):
    url = reverse("indicators:dependencies")
    html = client.get(url, {"year": "2024", "show": "flagged"}).content.decode()
    assert "28053029" in html
    html = client.get(url, {"year": "2024", "supplier": "BR"}).content.decode()
    assert "No product matches these filters" in html  # BR is never the top supplier
    html = client.get(url, {"year": "2024", "risk": "other"}).content.decode()
    assert 'href="/dependencies/products/28053029/' in html
    html = client.get(url, {"year": "2024", "show": "flagged", "nace": "Z99"}).content.decode()
    assert "No product matches these filters" in html
