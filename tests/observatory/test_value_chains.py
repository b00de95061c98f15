"""The value-chain explorer on hand-made links: mapping → divisions → screened products →
specialised regions → organisations, from each kind of start, in a bounded number of queries."""

import pytest

from indicators import refresh, screen
from indicators.models import IndicatorValue, TradeProduct
from tests.community.factories import make_offer, make_organisation
from tests.conftest import SAMPLES

URL = "/value-chains/"


@pytest.fixture
def chain(loaded_profiles, alice, staff):
    screen.load_country_groups()
    assert refresh.ingest("comext_crm_imports", path=SAMPLES / "comext_sample.csv").status == "succeeded"
    assert screen.run_screen() > 0
    # Hand-made link: the sample's rare-earth product is made by C25 (one of the universe's divisions).
    TradeProduct.objects.filter(code="28053029").update(
        label="Rare earths (test)", cpa="25.11.00", nace="C2511"
    )
    # The region employing most in C25 (the explorer lists regions with at least 500 persons).
    top = IndicatorValue.objects.filter(indicator_id="region_nace_emp", ecosystem="C25", value__gte=500)
    region = top.order_by("-value").first().geo
    org = make_organisation(alice, staff, name="Metalworks Cluster", region=region, country_id=region[:2])
    make_offer(org, alice, title="Partners for rare earths")
    return region


def test_from_an_ecosystem_to_products_regions_and_organisations(
    client, chain, django_assert_max_num_queries
):
    from indicators.selectors import mapping_rows

    slug = next(r["ecosystem__slug"] for r in mapping_rows()["rows"] if r["nace"] == "C25")
    with django_assert_max_num_queries(40):
        html = client.get(URL, {"ecosystem": slug}).content.decode()
    assert "C25" in html and "28053029" in html and "Flagged" in html
    assert "Metalworks Cluster" in html and chain in html
    assert "ecosystem mapping v1 (ours, unverified)" in html and "dependency screen, rules v1" in html
    assert 'id="chain-figure"' in html  # the Sankey, with its data table


@pytest.mark.parametrize("start", [{"nace": "C25"}, {"product": "28053029"}])
def test_from_a_division_or_a_product(client, chain, start):
    html = client.get(URL, start).content.decode()
    assert "Metalworks Cluster" in html and "28053029" in html


def test_from_a_region(client, chain):
    html = client.get(URL, {"region": chain}).content.decode()
    assert "C25" in html and "Metalworks Cluster" in html


@pytest.mark.parametrize(
    "query", [{"ecosystem": "nope"}, {"nace": "Z99"}, {"product": "12345678"}, {"region": "XX99"}]
)
def test_unknown_starts_are_404(client, chain, query):
    assert client.get(URL, query).status_code == 404


def test_without_trade_data_the_screen_edge_says_so(client, loaded_profiles):
    html = client.get(URL, {"nace": "C25"}).content.decode()
    assert "dependency screen: not run yet" in html
    assert client.get(URL).status_code == 200


def _technology_links(slug="artificial-intelligence"):
    """Hand-made patent families by NACE division for one technology (EU27): C25 60, C26 40."""
    from observatory.models import Technology

    Technology.objects.get_or_create(slug=slug, defaults={"name": "Artificial intelligence", "curated": True})
    Technology.objects.filter(slug=slug).update(curated=True)
    template = IndicatorValue.objects.filter(indicator_id="region_nace_emp").first()
    for code, value in (("C25", 60.0), ("C26", 40.0), ("C2611", 5.0)):
        row = IndicatorValue.objects.get(pk=template.pk)
        row.pk = None
        row.indicator_id, row.ecosystem, row.geo, row.period, row.value = (
            "tech_pat_fam_nace",
            f"{slug}|{code}",
            "EU27_2020",
            "2018",
            value,
        )
        row.rank = None
        row.save()


def test_from_a_technology_to_the_divisions_that_generate_it(client, chain, django_assert_max_num_queries):
    from django.core.cache import cache

    _technology_links()
    cache.clear()
    with django_assert_max_num_queries(45):
        html = client.get(URL, {"technology": "artificial-intelligence"}).content.decode()
    assert "<h2>Artificial intelligence</h2>" in html
    assert "EU27 patent families by NACE division, 2018" in html  # the edge names its source
    assert (
        "Share of the technology&#x27;s patent families" in html
        or "Share of the technology's patent families" in html
    )
    # C25 60 of 100 families (the class C2611 is not a division and is left out of the list)
    assert ">60%<" in html and ">40%<" in html and "C2611" not in html
    assert "28053029" in html and "Metalworks Cluster" in html  # the chain goes on from C25


def test_a_technology_without_patent_figures_says_so(client, chain):
    from observatory.models import Technology

    Technology.objects.get_or_create(slug="blockchain", defaults={"name": "Blockchain", "curated": True})
    Technology.objects.filter(slug="blockchain").update(curated=True)
    html = client.get(URL, {"technology": "blockchain"}).content.decode()
    assert "patent families by NACE division not computed yet" in html
    assert client.get(URL, {"technology": "no-such-technology"}).status_code == 404
