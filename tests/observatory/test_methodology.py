"""Methodology pages are generated from the database and the registry."""

import pytest

from ecosystems.models import Activity, EcosystemActivity, MappingVersion
from indicators.flags import FLAGS
from indicators.registry import INDICATORS, SOURCES

pytestmark = pytest.mark.django_db


def test_methodology_mapping_shows_a_row_changed_in_the_database(client, reference):
    row = EcosystemActivity.objects.filter(version__is_current=True, ecosystem__slug="digital").first()
    row.share = "0.1234"
    row.source_note = "Curator changed this row on purpose"
    row.save()
    html = client.get("/methodology/ecosystems/").content.decode()
    assert "Curator changed this row on purpose" in html
    assert '<td class="num">0.1234</td>' in html
    assert f"<code>{row.nace}</code>" in html


def test_methodology_mapping_names_nace_codes(client, reference):
    Activity.objects.create(code="C25", dotted="25", level=2, section="C", name="Fabricated metal products")
    assert "Fabricated metal products" in client.get("/methodology/ecosystems/?nace=C25").content.decode()


def test_methodology_mapping_warns_when_unverified(client, reference):
    assert "Unverified draft." in client.get("/methodology/ecosystems/").content.decode()
    MappingVersion.objects.update(verified=True)
    assert "Unverified draft." not in client.get("/methodology/ecosystems/").content.decode()


def test_methodology_mapping_links_older_versions(client, reference):
    v1 = MappingVersion.objects.get(number=1)
    v1.is_current = False
    v1.save()
    v2 = MappingVersion.objects.create(number=2, is_current=True, note="Second version")
    EcosystemActivity.objects.create(
        version=v2, ecosystem=v1.rows.first().ecosystem, nace="C99", share="1", source_note="only row of v2"
    )
    current = client.get("/methodology/ecosystems/").content.decode()
    older = client.get("/methodology/ecosystems/?version=1").content.decode()
    assert "only row of v2" in current and "Mapping version 2: 1 row" in current
    assert 'href="?version=1"' in current
    assert "only row of v2" not in older and "superseded" in older
    assert client.get("/methodology/ecosystems/?version=9").status_code == 404


def test_methodology_mapping_nace_filter(client, reference):
    html = client.get("/methodology/ecosystems/?nace=C30").content.decode()
    assert "Showing the rows for NACE C30 only" in html
    assert "<code>C30</code>" in html and "<code>C25</code>" not in html
    assert '<td class="num">0.5</td>' in html  # the share without trailing zeros


def test_methodology_without_mapping_has_empty_state(client):
    assert "No mapping is loaded yet" in client.get("/methodology/ecosystems/").content.decode()
    assert client.get("/methodology/").status_code == 200


def test_methodology_indicators_lists_every_registry_indicator_and_flag(client):
    html = client.get("/methodology/indicators/").content.decode()
    for code, spec in INDICATORS.items():
        assert f'id="indicator-{code}"' in html
        assert spec.unit in html
    for letter in FLAGS:
        assert f'<span class="flag">{letter}</span>' in html


def test_methodology_sources_lists_licences_and_credits(client):
    html = client.get("/methodology/sources/").content.decode()
    for code in SOURCES:
        assert f"<code>{code}</code>" in html
    assert "EuroGeographics" in html
    assert "CC BY 4.0" in html


# --- the methods stated in words: the rendered text of the templates -----------------------------


def _text(fragment: str) -> str:
    import html
    import re

    fragment = re.sub(r"<script.*?</script>", " ", fragment, flags=re.S)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))
    return re.sub(r"\s+([,.;:)])", r"\1", text).replace("( ", "(").strip()  # <strong>x</strong>, -> x,


def _section(page: str, heading_id: str) -> str:
    """The rendered text from the heading with HEADING_ID up to the next h2."""
    start = page.index(f'<h2 id="{heading_id}"')
    end = page.find("<h2", start + 1)
    return _text(page[start : end if end != -1 else None])


def test_methodology_states_the_eu_aggregate_method(client):
    from indicators.compute.ecosystems import MAX_MISSING_SHARE, MIN_ESTIMATE_SHARE, SHARE_APPLIES

    text = _section(client.get("/methodology/indicators/").content.decode(), "eu-aggregates")
    # The same activity set for every member, summed by us (marker A).
    assert (
        "sums the 27 member states per NACE code, measure and year, "
        "over the same code for every member (marker A)" in text
    )
    # Estimated cells are marked, with the threshold the code uses.
    assert (
        "the EU figure is marked E when the estimates make up more than "
        f"{round(MIN_ESTIMATE_SHARE * 100)}% of it" in text
    )
    assert "The estimated members are listed" in text
    # Incomplete figures: marked I, a lower bound, missing members listed; none silently drops an activity.
    assert (
        f"When the missing members together weigh more than {round(MAX_MISSING_SHARE * 100)}% "
        "of the members, no EU figure is published (marked I)" in text
    )
    assert "marked I, a lower bound, when a member had no data for the year" in text
    assert "No EU figure silently leaves an activity out." in text
    # LQ: the same activity set on both sides; incomplete figures never ranked nor a base.
    assert (
        "A location quotient divides a country's ecosystem share by the EU's over the same activity set"
        in text
    )
    assert "Figures marked I are never ranked and never the base of a change" in text
    # Which share applies per measure, and that value added is weighted.
    for measure, wording in SHARE_APPLIES.items():
        assert f"{measure}: {_text(wording)}" in text
    assert (
        "So value added, turnover and enterprise counts of an ecosystem are weighted by these shares too."
        in text
    )


def test_methodology_states_the_nuts_2021_harmonisation(client):
    text = _section(client.get("/methodology/indicators/").content.decode(), "nuts-2021")
    assert "harmonises every regional series to NUTS 2021 with the JRC NUTS converter matrices" in text
    assert (
        "a region split between new regions is shared out by 2018 population weights (marker E, estimated)"
        in text
    )
    assert "Each country-year is taken in exactly one NUTS version" in text
    assert "The code and NUTS version a figure was published in are kept beside each value" in text


def test_methodology_keeps_our_markers_apart_from_the_publishers_flags(client):
    from indicators.compute.markers import MARKERS

    page = client.get("/methodology/indicators/").content.decode()
    markers, flags = _section(page, "markers"), _section(page, "flags")
    assert "Our own markers on computed figures, kept apart from the publisher's flags below." in markers
    assert "Flags come from the publisher only" in flags
    for letter, meaning in MARKERS.items():
        assert f"{letter} {meaning}" in markers
        assert meaning not in flags
    # Our I (incomplete) is not the publisher's i: each legend has its own table.
    assert "Markers legend" in markers and "Flags legend" not in markers
    start = page.index('<h2 id="markers"')
    assert page.count('<span class="marker">I</span>', start) == 1
    assert '<span class="flag">i</span>' in page[page.index('<h2 id="flags"') :]


def test_methodology_shows_our_versioned_data_as_ours(client, reference):
    from indicators import input_concordance, screen

    screen.load_country_groups()
    input_concordance.load_ecosystem_inputs()
    overview = _text(client.get("/methodology/").content.decode())
    # The ecosystem mapping: ours, versioned, a draft.
    assert "the mapping is data, versioned and editable by curators" in overview
    assert f"Mapping version 1, {EcosystemActivity.objects.count()} rows · unverified draft" in overview
    # The input concordance: written by us, versioned in a file we keep.
    assert "Written by us, not an official table." in overview
    assert "Versioned in fixtures/reference/ecosystem_inputs.csv" in overview
    from indicators.models import InputConcordanceVersion

    newest = InputConcordanceVersion.objects.order_by("-number").first()
    assert newest is not None and f"Version {newest.number}:" in overview
    assert (
        "the composites' weights (ours, versioned) and the EU ETS activity → ecosystem map (ours)" in overview
    )
    # The supplier-risk country groups: ours, a judgement, versioned.
    deps = _section(client.get("/methodology/indicators/").content.decode(), "dependencies")
    assert (
        "Supplier-risk country groups (version 1) — written by us, a judgement, not an official list" in deps
    )
    assert "The thresholds are versioned parameters we set" in deps
