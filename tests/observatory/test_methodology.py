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
