"""The one refresh path and the registry-driven recompute, on hand-made samples."""

import threading

import pandas as pd
import pytest
from django.db import connection, connections

from indicators import refresh, registry
from indicators.models import IndicatorValue, Run
from tests.indicators.factories import load_codelists, sbs_tsv
from tests.universe import load_profiles_universe, regional_tsv

pytestmark = pytest.mark.django_db

# The sample has too few members for an EU figure (compute/ecosystems.py: no EU figure when the
# members without one weigh more than the tolerance), so it yields no LQ.
NATIONAL = {"emp", "ent", "turnover", "va", "productivity", "share_emp", "emp_change"}


def test_registry_is_consistent():
    assert registry.registry_problems() == []
    assert registry.computation_of("region_lq_emp").code == "ecosystems_regional"


def test_refresh_sources_ingests_first_then_recomputes_once(reference, tmp_path, settings):
    load_codelists()
    mirror = tmp_path / "mirror" / "eurostat"
    mirror.mkdir(parents=True)
    (mirror / "sbs_na_sca_r2.tsv.gz").write_bytes(sbs_tsv())
    settings.OBSERVATORY_DATA_MIRROR = str(tmp_path / "mirror")
    runs = refresh.refresh_sources(["sbs_na_sca_r2"], inline=True)
    assert [r.kind for r in runs] == ["ingest", "recompute"]
    ingest, recompute = runs
    assert ingest.status == recompute.status == Run.Status.SUCCEEDED, (ingest.error, recompute.error)
    assert ingest.finished_at <= recompute.started_at
    assert set(IndicatorValue.objects.values_list("indicator_id", flat=True)) == NATIONAL
    # Nothing new: no recompute at all.
    again = refresh.refresh_sources(["sbs_na_sca_r2"], inline=True)
    assert [r.status for r in again] == [Run.Status.UNCHANGED]


def test_only_indicators_reading_a_changed_source_are_recomputed(reference, tmp_path):
    load_profiles_universe(tmp_path)
    national_before = sorted(
        IndicatorValue.objects.exclude(indicator__code__startswith="region_").values_list("pk", "value")
    )
    path = tmp_path / "sbs_r_new.tsv.gz"
    path.write_bytes(regional_tsv(years=("2015", "2014", "2013")))
    ingest = refresh.ingest("sbs_r_nuts06_r2", path=path)
    recompute = refresh.recompute_after([ingest])
    assert recompute.status == Run.Status.SUCCEEDED, recompute.error
    from indicators.registry import COMPUTATIONS

    regional = sum(len(c.yields) for c in COMPUTATIONS.values() if "sbs_r_nuts06_r2" in c.sources)
    assert regional == 4 + 2 + 11 + 1  # ecosystems_regional, regional_nace, clusters_regional, regional_wages
    assert f"{regional} indicators" in recompute.message
    # National rows were not even rewritten (same primary keys), regional ones gained 2015.
    national_after = sorted(
        IndicatorValue.objects.exclude(indicator__code__startswith="region_").values_list("pk", "value")
    )
    assert national_after == national_before
    assert IndicatorValue.objects.filter(indicator_id="region_emp", period="2015").exists()
    assert not IndicatorValue.objects.filter(indicator_id="emp", period="2015").exists()


def toy_double_employment(inputs, references):
    """A toy computation: twice the business-economy persons employed of EU members."""
    obs = inputs["sbs"]
    obs = obs[(obs["nace"] == "B-N_S95_X_K") & obs["geo"].isin(references["eu_members"])]
    return pd.DataFrame(
        {
            "indicator": "toy_emp_x2",
            "ecosystem": "",
            "geo": obs["geo"],
            "period": obs["period"],
            "value": obs["value"] * 2,
            "flags": obs["flags"],
            "rank": pd.NA,
        }
    )


def test_a_toy_indicator_is_one_registry_entry_plus_a_function(reference, tmp_path, monkeypatch):
    load_codelists()
    path = tmp_path / "sbs.tsv.gz"
    path.write_bytes(sbs_tsv())
    refresh.ingest("sbs_na_sca_r2", path=path)
    refresh.recompute()
    before = IndicatorValue.objects.count()
    monkeypatch.setitem(
        registry.COMPUTATIONS,
        "toy",
        registry.Computation(
            "toy",
            {"sbs": registry.Input("sbs_na_sca_r2", ("V16110",), {"unit": ""})},
            ("eu_members",),
            toy_double_employment,
            ("toy_emp_x2",),
        ),
    )
    monkeypatch.setitem(
        registry.INDICATORS,
        "toy_emp_x2",
        registry.IndicatorSpec(
            "toy_emp_x2", "Twice", "persons", "Toy.", "sbs_na_sca_r2", "country", breakdown="total"
        ),
    )
    assert registry.registry_problems() == []
    run = refresh.recompute(sources={"sbs_na_sca_r2"})
    assert run.status == Run.Status.SUCCEEDED, run.error
    toy = dict(
        IndicatorValue.objects.filter(indicator_id="toy_emp_x2", period="2014").values_list("geo", "value")
    )
    # Straight from the raw sample with plain pandas: V16110 total of AT/DE/FR, times two.
    raw = pd.read_csv(path, sep="\t", compression="gzip")
    key = raw.columns[0]
    row = raw[raw[key].str.startswith("B-N_S95_X_K,V16110,")]
    expected = {r[key].split(",")[2]: 2 * float(r["2014 "]) for _, r in row.iterrows()}
    assert toy == expected
    assert IndicatorValue.objects.count() == before + 2 * len(expected)
    refresh.recompute(sources={"sbs_na_sca_r2"})  # idempotent
    assert IndicatorValue.objects.count() == before + 2 * len(expected)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_recomputes_never_duplicate_values(reference, tmp_path):
    load_codelists()
    path = tmp_path / "sbs.tsv.gz"
    path.write_bytes(sbs_tsv())
    refresh.ingest("sbs_na_sca_r2", path=path)
    single = refresh.recompute()
    assert single.status == Run.Status.SUCCEEDED, single.error
    expected = IndicatorValue.objects.count()
    barrier, results = threading.Barrier(2), []

    def work():
        try:
            barrier.wait()
            results.append(refresh.recompute().status)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == [Run.Status.SUCCEEDED] * 2  # the second waited for the first
    assert IndicatorValue.objects.count() == expected


def test_a_recompute_that_cannot_get_the_lock_is_skipped(reference, tmp_path, monkeypatch):
    import zlib

    import psycopg

    load_codelists()
    path = tmp_path / "sbs.tsv.gz"
    path.write_bytes(sbs_tsv())
    refresh.ingest("sbs_na_sca_r2", path=path)
    monkeypatch.setattr(refresh, "RECOMPUTE_WAIT", 0.5)
    s = connection.settings_dict
    other = psycopg.connect(
        dbname=s["NAME"], user=s["USER"], host=s["HOST"] or None, port=s["PORT"] or None, autocommit=True
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [zlib.crc32(b"recompute")])
        run = refresh.recompute()
    finally:
        other.close()
    assert run.status == Run.Status.SKIPPED
    assert IndicatorValue.objects.count() == 0
