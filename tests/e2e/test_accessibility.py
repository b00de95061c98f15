"""axe-core's WCAG 2.1 AA rules on every page family, in Debian's Chromium: no serious or critical
violation. The charts are drawn first (Plotly's mode bar and the SVG are part of what is checked)."""

import pytest

from tests.community.factories import make_space, make_thread, make_user
from tests.e2e.axe import blocking, run_axe
from tests.e2e.conftest import charts_ready
from tests.observatory.test_publications import make_publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "home": "/",
    "ecosystem list": "/ecosystems/",
    "ecosystem profile": "/ecosystems/tourism/?year=2014",
    "country list": "/countries/",
    "country": "/countries/AT/?year=2014&map=tourism",
    "region": "/regions/AT11/",
    "indicator list": "/indicators/",
    "indicator": "/indicators/emp/?ecosystem=tourism&year=2014",
    "compare": "/compare/?geo=DE&geo=FR&indicator=emp&ecosystem=tourism",
    "data catalogue": "/data/",
    "publications": "/publications/",
    "publication": "/publications/ai-uptake/",
    "forum index": "/forum/",
    "forum thread": "THREAD",
    "search": "/search/?q=manufacturing",
    "sign-up": "/accounts/signup/",
}


@pytest.fixture
def site(loaded_profiles):
    make_publication(
        "ai-uptake",
        title="AI uptake in manufacturing",
        summary="Enterprises using artificial intelligence doubled.",
        body="## Findings\n\n| Country | Share |\n|---|---|\n| DE | 12% |",
        ecosystems=["tourism"],
        countries=["DE"],
    )
    author = make_user("ana@example.eu", display_name="Ana")
    space = make_space("industry-talk", name="Industry talk")
    return make_thread(space, author, "Where are the tourism figures for 2014?", "They look *thin*.")


def open_drawn(page, url):
    """Load the page and wait until every chart on it is drawn."""
    page.goto(url)
    page.wait_for_load_state("load")
    charts = page.locator(".chart-canvas[data-chart]").count()
    if charts:
        charts_ready(page, charts, 60000)


def test_every_page_family_has_no_serious_or_critical_wcag21aa_violation(live_server, page, site):
    # One test over all families: the profile universe is loaded once (it is the slow part).
    report, failures = [], []
    for family, path in PAGES.items():
        open_drawn(page, live_server.url + (site.get_absolute_url() if path == "THREAD" else path))
        found = blocking(run_axe(page))
        report.append(
            f"AXE {family}: {len(found)} serious/critical "
            + " ".join(f"{v['id']}({v['impact']})" for v in found)
        )
        failures += [
            f"{family}: {v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in found
        ]
    print("\n" + "\n".join(report))
    assert failures == [], "\n".join(failures)


VALUE_CHAIN_PAGES = {
    "value-chain explorer (ecosystem)": "/value-chains/?ecosystem=mobility-transport-automotive",
    "value-chain explorer (product)": "/value-chains/?product=28053029",
    "value-chain explorer (start)": "/value-chains/",
    "locomotives": "/value-chains/locomotives/",
    "locomotives (one pair)": "PAIR",
}


def test_the_value_chain_pages_have_no_serious_or_critical_wcag21aa_violation(live_server, page, site):
    """The explorer with every step filled (the sample's screen, our real input concordance, a
    hand-made rare-earth link to C25, a thread on the product) and the locomotives page."""
    from indicators import refresh, screen
    from indicators.input_concordance import load_ecosystem_inputs
    from indicators.models import TradeProduct
    from indicators.panels import locomotives
    from tests.conftest import SAMPLES

    screen.load_country_groups()
    assert refresh.ingest("comext_crm_imports", path=SAMPLES / "comext_sample.csv").status == "succeeded"
    assert screen.run_screen() > 0
    TradeProduct.objects.filter(code="28053029").update(
        label="Rare earths (test)", cpa="25.11.00", nace="C2511"
    )
    load_ecosystem_inputs()
    author = make_user("ben@example.eu", display_name="Ben")
    make_thread(make_space("chains", name="Chains"), author, "Who refines NdPr?", "Asking.",
                target_kind="product", target_key="28053029")  # fmt: skip
    pair = locomotives.pairs(locomotives.resolve_weights(None))["rows"][0]["key"]
    report, failures = [], []
    for family, path in VALUE_CHAIN_PAGES.items():
        open_drawn(
            page, live_server.url + (f"/value-chains/locomotives/?pair={pair}" if path == "PAIR" else path)
        )
        found = blocking(run_axe(page))
        report.append(f"AXE {family}: {len(found)} serious/critical " + " ".join(v["id"] for v in found))
        failures += [
            f"{family}: {v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in found
        ]
    print("\n" + "\n".join(report))
    assert failures == [], "\n".join(failures)
