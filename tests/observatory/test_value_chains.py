"""The value-chain explorer on hand-made links: mapping → divisions → screened products →
specialised regions → organisations, from each kind of start, in a bounded number of queries."""

import pytest

from indicators import refresh, screen
from indicators.models import IndicatorValue, TradeProduct
from tests import dbsnapshot
from tests.community.factories import make_offer, make_organisation, make_space, make_thread
from tests.conftest import SAMPLES

URL = "/value-chains/"


def _screened_trade():
    screen.load_country_groups()
    assert refresh.ingest("comext_crm_imports", path=SAMPLES / "comext_sample.csv").status == "succeeded"
    assert screen.run_screen() > 0
    # Hand-made link: the sample's rare-earth product is made by C25 (one of the universe's divisions).
    TradeProduct.objects.filter(code="28053029").update(
        label="Rare earths (test)", cpa="25.11.00", nace="C2511"
    )


@pytest.fixture
def chain(loaded_profiles, alice, staff):
    """The trade sample ingested and screened once per worker, restored per test (tests/dbsnapshot.py;
    it was 0.55 s of each of 42 tests); the organisation is made per test, as the users' ids are."""
    dbsnapshot.restore_or_take("value_chain_trade", _screened_trade)
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


# --- inputs used (our concordance), every start bounded, publications and forum threads ----------

MOBILITY = "mobility-transport-automotive"


def _inputs(version=1, rows=((MOBILITY, "28053029", "Traction-motor magnets (test)"),)):
    """Hand-made concordance rows: MOBILITY uses the sample's rare-earth product."""
    from ecosystems.models import Ecosystem
    from indicators.models import EcosystemInput, InputConcordanceVersion

    v = InputConcordanceVersion.objects.create(number=version, note="test")
    for slug, product, use in rows:
        EcosystemInput.objects.create(
            version=v,
            ecosystem=Ecosystem.objects.get(slug=slug),
            product=product,
            use=use,
            confidence="high",
            reasoning="Ours: test reasoning",
            sources="JRC 2020 (test)",
        )


def _sample_eu_row(product: str, year: str) -> dict:
    """HHI of extra-EU suppliers and the top supplier, straight from the sample file with pandas."""
    import pandas as pd

    raw = pd.read_csv(SAMPLES / "comext_sample.csv", dtype=str, keep_default_na=False)
    raw["VALUE_IN_EUROS"] = raw["VALUE_IN_EUROS"].astype(float)
    eu = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "GR", "ES", "FI", "FR", "HR", "HU", "IE"}
    eu |= {"IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
    rows = raw[raw.PRODUCT_NC.eq(product) & raw.PERIOD.eq(year) & ~raw.PARTNER_ISO.isin(eu)]
    by_partner = rows.groupby("PARTNER_ISO")["VALUE_IN_EUROS"].sum()
    shares = by_partner / by_partner.sum()
    return {"hhi": float((shares**2).sum()), "top": shares.idxmax(), "top_share": float(shares.max())}


def test_from_an_ecosystem_to_the_inputs_it_uses(client, chain):
    _inputs()
    html = client.get(URL, {"ecosystem": MOBILITY}).content.decode()
    step = html.split('id="step-inputs"', 1)[1].split("</section>", 1)[0]
    assert "our input concordance v1 (ours" in step and "inputs USED, not products made" in step
    assert "dependency screen, rules v1" in step
    assert "28053029" in step and "Traction-motor magnets (test)" in step and "Ours: test reasoning" in step
    expected = _sample_eu_row("28053029", "2024")
    assert expected["top"] == "CN"
    assert f">{expected['hhi']:.2f}<" in step and "Flagged" in step
    assert f"China <code>CN</code> ({round(expected['top_share'] * 100)}%)" in step
    assert "/forum/discuss/product/28053029/" in step  # "discuss" per input
    assert 'id="inputs-figure"' in html  # the bar chart of the inputs, with its data table


def test_a_product_lists_the_ecosystems_using_it(client, chain):
    _inputs()
    html = client.get(URL, {"product": "28053029"}).content.decode()
    step = html.split('id="step-inputs"', 1)[1].split("</section>", 1)[0]
    assert "Ecosystems that use this product as an input" in step
    assert f"?ecosystem={MOBILITY}" in step and "Traction-motor magnets (test)" in step


def test_the_newest_concordance_version_is_used(client, chain):
    _inputs()
    _inputs(2, ((MOBILITY, "25041000", "Anodes (test v2)"),))
    step = client.get(URL, {"ecosystem": MOBILITY}).content.decode().split('id="step-inputs"', 1)[1]
    step = step.split("</section>", 1)[0]
    assert "our input concordance v2" in step and "Anodes (test v2)" in step and "28053029" not in step


def test_without_the_concordance_or_clusters_the_edges_say_so(client, chain):
    html = client.get(URL, {"ecosystem": MOBILITY}).content.decode()
    assert "input concordance not loaded (run manage.py load_reference)" in html
    assert "cluster stars not computed yet" in html  # the universe has no cluster definitions


@pytest.mark.parametrize(
    "start",
    [
        {"ecosystem": MOBILITY},
        {"nace": "C25"},
        {"product": "28053029"},
        {"technology": "artificial-intelligence"},
        {"region": "REGION"},
    ],
)
def test_every_start_answers_in_a_bounded_number_of_queries(
    client, chain, alice, start, django_assert_max_num_queries
):
    from django.core.cache import cache

    _inputs()
    _technology_links()
    space = make_space()
    make_thread(space, alice, title="Magnets thread", target_kind="product", target_key="28053029")
    cache.clear()
    start = {k: (chain if v == "REGION" else v) for k, v in start.items()}
    with django_assert_max_num_queries(45):
        response = client.get(URL, start)
    assert response.status_code == 200


def test_publications_and_threads_on_the_chain_are_listed(client, chain, alice):
    from tests.observatory.test_publications import make_publication

    _inputs()
    make_publication("magnet-watch", title="Magnets in motors", ecosystems=[MOBILITY])
    make_publication("unrelated", title="Nothing to do with it", ecosystems=["tourism"])
    space = make_space()
    make_thread(space, alice, title="Who refines NdPr?", target_kind="product", target_key="28053029")
    make_thread(space, alice, title="Hotel beds", body="Beds.", target_kind="ecosystem", target_key="tourism")
    html = client.get(URL, {"ecosystem": MOBILITY}).content.decode()
    step = html.split('id="step-evidence"', 1)[1].split("</section>", 1)[0]
    assert "Magnets in motors" in step and "/publications/magnet-watch/" in step
    assert "Who refines NdPr?" in step and "/forum/" in step
    assert "Nothing to do with it" not in step and "Hotel beds" not in step
    assert f"/forum/discuss/ecosystem/{MOBILITY}/?new=1" in step  # another discussion


def test_empty_evidence_invites_a_discussion(client, chain):
    html = client.get(URL, {"product": "28053029"}).content.decode()
    step = html.split('id="step-evidence"', 1)[1].split("</section>", 1)[0]
    assert "No publication is tagged with this chain yet." in step
    assert "Start a discussion on this product" in step and "/forum/discuss/product/28053029/?new=1" in step


def test_a_product_without_a_nace_class_still_starts_a_chain(client, chain):
    TradeProduct.objects.filter(code="28053029").update(cpa="", nace="")
    _inputs()
    html = client.get(URL, {"product": "28053029"}).content.decode()
    assert "no NACE class for this product" in html
    assert f"?ecosystem={MOBILITY}" in html and "Traction-motor magnets (test)" in html


# --- ?inputs=N: older versions of our concordance stay reachable; hostile values are a message ---


def test_an_older_concordance_version_stays_reachable_and_permalinks_pin_it(client, chain):
    _inputs()
    _inputs(2, ((MOBILITY, "25041000", "Anodes (test v2)"),))
    old = client.get(URL, {"ecosystem": MOBILITY, "inputs": "1"}).content.decode()
    step = old.split('id="step-inputs"', 1)[1].split("</section>", 1)[0]
    assert "our input concordance v1 — an older version" in step
    assert "Traction-motor magnets (test)" in step and "Anodes (test v2)" not in step
    assert f'href="?ecosystem={MOBILITY}&amp;inputs=2"' in step  # the other version, one click away
    assert "inputs=1#inputs" in old  # the chart's permalink keeps v1
    assert f"?ecosystem={MOBILITY}&amp;inputs=1" in old.split('id="step-eco"', 1)[1]  # walking on keeps it
    new = client.get(URL, {"ecosystem": MOBILITY}).content.decode()
    assert "inputs=2#inputs" in new and "an older version" not in new  # pinned to the newest shown


@pytest.mark.parametrize(
    "raw", ["3", "0", "01", "-1", "1.0", "1e3", "0x1", "²", "١", "99999999999999999999999", "1 2", "v1"]
)
def test_an_unknown_or_malformed_concordance_version_is_a_clear_404(client, chain, raw):
    _inputs()
    response = client.get(URL, {"ecosystem": MOBILITY, "inputs": raw})
    assert response.status_code == 404
    html = response.content.decode()
    assert 'role="alert"' in html and "(versions: v1)" in html
    expected = "has no version 3" if raw == "3" else "must be the number of a version"
    assert expected in html


@pytest.mark.parametrize(
    "query", [{"inputs": "1\x00"}, {"ecosystem": MOBILITY, "inputs": "\x00"}, {"nace": "C2\x005"}]
)
def test_a_nul_byte_is_refused_not_an_error(client, chain, query):
    _inputs()
    assert client.get(URL, query).status_code in (400, 404)  # the middleware answers 400


def test_an_unknown_start_says_what_was_not_found(client, chain):
    html = client.get(URL, {"nace": "Z99"}).content.decode()
    assert "Nothing to start from: no NACE division “Z99”." in html


# --- a NACE, region or technology start: the inputs of every linked ecosystem ----------------


C25_INPUTS = {  # the four ecosystems the mapping links to C25, each with its own hand-made input
    "construction": "81129295",
    "energy-intensive-industries": "81129289",
    MOBILITY: "28053029",
    "aerospace-defence": "25041000",
}


def test_a_division_start_shows_the_inputs_of_every_linked_ecosystem(client, chain):
    from indicators.selectors import mapping_rows

    linked = {r["ecosystem__slug"] for r in mapping_rows()["rows"] if r["nace"] == "C25"}
    assert linked == set(C25_INPUTS)  # more than the three the explorer used to show
    _inputs(rows=[(slug, code, f"Input of {slug} (test)") for slug, code in C25_INPUTS.items()])
    html = client.get(URL, {"nace": "C25"}).content.decode()
    step = html.split('id="step-inputs"', 1)[1].split("</section>", 1)[0]
    assert "Inputs of the 4 ecosystems linked to this start" in step
    for slug, code in C25_INPUTS.items():
        assert f"Input of {slug} (test)" in step and code in step
        assert f'href="?ecosystem={slug}#step-inputs"' in step  # the group links to its own chain


@pytest.mark.parametrize(
    "start", [{"nace": "C25"}, {"region": "REGION"}, {"technology": "artificial-intelligence"}]
)
def test_all_inputs_stay_within_the_query_bound(client, chain, start, django_assert_max_num_queries):
    from django.core.cache import cache

    _inputs(rows=[(slug, code, f"Input of {slug} (test)") for slug, code in C25_INPUTS.items()])
    _inputs(2, [(slug, code, f"v2 input of {slug}") for slug, code in C25_INPUTS.items()])
    _technology_links()
    cache.clear()
    start = {k: (chain if v == "REGION" else v) for k, v in start.items()}
    with django_assert_max_num_queries(45):
        response = client.get(URL, {**start, "inputs": "1"})
    assert response.status_code == 200
    assert "Input of aerospace-defence (test)" in response.content.decode()


# --- the inputs chart: a log axis, sorted, labelled, with its table -----------------------------


def test_the_inputs_chart_is_a_sorted_log_scale_bar_with_labels(client, chain):
    _inputs(rows=[(MOBILITY, "28053029", "Magnets (test)"), (MOBILITY, "25041000", "Anodes (test)")])
    response = client.get(URL, {"ecosystem": MOBILITY})
    panel = next(p for p in response.context["panels"] if p["id"] == "inputs")
    fig = panel["figure"]
    trace = fig["data"][0]
    assert fig["layout"]["xaxis"]["type"] == "log"
    assert "€ million (log scale)" in fig["layout"]["xaxis"]["title"]["text"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "Input (CN8 code and product)"
    assert trace["x"] == sorted(trace["x"])  # the largest drawn last: on top
    assert len(trace["text"]) == len(trace["x"]) and all(t.startswith("€") for t in trace["text"])
    # the values recomputed from the sample with plain pandas (extra-EU imports, latest year)
    import pandas as pd

    raw = pd.read_csv(SAMPLES / "comext_sample.csv", dtype=str, keep_default_na=False)
    raw["VALUE_IN_EUROS"] = raw["VALUE_IN_EUROS"].astype(float)
    eu = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE"}
    eu |= {"IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
    latest = raw[raw.PERIOD.eq(raw.PERIOD.max()) & ~raw.PARTNER_ISO.isin(eu)]
    expected = latest.groupby("PRODUCT_NC")["VALUE_IN_EUROS"].sum() / 1e6
    drawn = {c[0]: x for c, x in zip(trace["customdata"], trace["x"], strict=True)}
    assert drawn == pytest.approx(expected[list(drawn)].to_dict())
    html = response.content.decode()
    assert 'id="inputs-figure"' in html and "Extra-EU imports (€ million)" in html  # the data table
