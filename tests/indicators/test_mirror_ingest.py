"""The real mirror files through the whole pipeline into PostgreSQL (skipped without the mirror)."""

import pytest

from indicators import reference as ref
from indicators import refresh
from indicators.models import Geometry, IndicatorValue, Observation, Run, Source

pytestmark = [pytest.mark.django_db, pytest.mark.mirror]

SMALL = ["isoc_eb_ai", "isoc_e_dii", "env_ac_ainah_r2", "ext_st_easitc", "nuts2021_rg_60m_l0"]


@pytest.fixture
def real_reference(mirror, reference):
    ref.load_codelists()
    ref.load_regions()


def test_real_small_sources_ingest_and_a_second_refresh_changes_nothing(real_reference):
    first = refresh.refresh_sources(SMALL, inline=True)
    assert [r.status for r in first if r.kind == "ingest"] == [Run.Status.SUCCEEDED] * len(SMALL), [
        r.error for r in first
    ]
    second = refresh.refresh_sources(SMALL, inline=True)
    assert {r.status for r in second if r.kind == "ingest"} == {Run.Status.UNCHANGED}
    ai = Source.objects.get(code="isoc_eb_ai").current_release
    assert ai.row_count == 81 and ai.format == "sdmx-csv-2"
    assert Observation.objects.filter(release=ai, geo="EL", measure="E_AI_TANY").exists()
    emissions = Source.objects.get(code="env_ac_ainah_r2").current_release
    assert emissions.publisher_updated.isoformat() == "2022-12-20"  # from the file's LAST UPDATE
    assert Geometry.objects.filter(release__source_id="nuts2021_rg_60m_l0").count() == 37


def test_real_national_sbs_ingests_and_computes_ecosystem_indicators(real_reference):
    run = refresh.ingest("sbs_na_sca_r2")
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert run.release.row_count == 703_672
    # The mirror's table of contents dates Eurostat's current version, not this 2017 snapshot.
    assert run.release.publisher_updated is None
    assert run.release.vintage_label.startswith("fetched ")
    assert Source.objects.get(code="sbs_na_sca_r2").publisher_updated is not None
    at = Observation.objects.get(release=run.release, nace="B", measure="V11110", geo="AT", period="2015")
    assert at.value == 348
    ba = Observation.objects.get(release=run.release, nace="B", measure="V11110", geo="BA", period="2014")
    assert (ba.value, ba.flags) == (188, "e")
    recompute = refresh.recompute()
    assert recompute.status == Run.Status.SUCCEEDED, recompute.error
    tourism = IndicatorValue.objects.get(
        indicator_id="emp", ecosystem="tourism", geo="EU27_2020", period="2014"
    )
    assert 5e6 < tourism.value < 3e7
    assert "A" in tourism.markers  # summed from member states by the observatory (our marker)
    ranked = IndicatorValue.objects.filter(indicator_id="emp", ecosystem="tourism", period="2014", rank=1)
    assert ranked.count() == 1
