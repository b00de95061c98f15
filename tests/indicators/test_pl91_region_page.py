"""Warszawski stołeczny (PL91, NUTS 2021) on the real regional SBS file of the mirror.

Eurostat publishes Mazowieckie as PL12 (NUTS 2013); NUTS 2021 splits it into PL91 (Warsaw) and PL92.
The region page must show PL91's figures, converted with the JRC matrix, and say they were
published as PL12. One value is recomputed here from the raw file with plain pandas.
"""

import gzip
import io
import re

import pandas as pd
import pytest
from django.conf import settings
from django.core.cache import cache

from indicators import reference as ref
from indicators import refresh
from indicators.models import IndicatorValue

pytestmark = [pytest.mark.django_db, pytest.mark.mirror]

SOURCE = "sbs_r_nuts06_r2"
EMP = "V16110"


# What the region page's ecosystem panels read. The file's other computations (clusters, divisions,
# wages: two thirds of its 1.3 M values) have their own real-file tests (test_compute_clusters,
# test_regional_nace, test_region_wages) and are left out of this build.
PAGE_COMPUTATIONS = ("ecosystems_regional",)


@pytest.fixture
def loaded(mirror, reference, monkeypatch):
    """Code lists, regions, the NUTS converter and the regional file, ingested and recomputed in
    the test's own transaction. One test uses it: a snapshot (tests/dbsnapshot.py) would copy
    every table out before and after the build (about 5 s) for no restore; a second test here
    would take `dbsnapshot.restore_or_take("pl91_mirror", build)` instead."""
    cache.clear()
    monkeypatch.setattr(refresh, "COMPUTATIONS", {c: refresh.COMPUTATIONS[c] for c in PAGE_COMPUTATIONS})
    build()
    yield mirror
    cache.clear()


def build():
    ref.load_codelists()
    ref.load_regions()
    assert ref.load_nuts_converter() > 0
    run = refresh.ingest(SOURCE)
    assert run.status == "succeeded", run.error
    run = refresh.recompute()
    assert run.status == "succeeded", run.error


def raw_emp(mirror, geo: str, period: str) -> pd.Series:
    """NACE -> persons employed of GEO in PERIOD, read from the raw file with plain pandas."""
    text = gzip.decompress((mirror / "eurostat" / f"{SOURCE}.tsv.gz").read_bytes()).decode()
    frame = pd.read_csv(io.StringIO(text), sep="\t", dtype=str)
    key = frame.columns[0]
    frame[["nace", "measure", "geo"]] = frame[key].str.split(",", expand=True)
    frame.columns = [c.strip() for c in frame.columns]
    rows = frame[(frame["measure"] == EMP) & (frame["geo"] == geo)].set_index("nace")[period]
    return pd.to_numeric(rows.str.strip().str.split(" ").str[0], errors="coerce")


def pl12_to_pl91_weight(mirror) -> float:
    """PL12's 2018 population inside PL91 over PL12's population (JRC matrix, plain pandas)."""
    matrix = pd.read_csv(mirror / "reference" / "jrc_nuts_converter" / "n2_cm_v2013_v2021.csv")
    pl12 = matrix[matrix["code_v2013"] == "PL12"]
    return float(pl12.loc[pl12["code_v2021"] == "PL91", "pop18"].sum() / pl12["pop18"].sum())


def mapping(ecosystem: str) -> dict[str, float]:
    frame = pd.read_csv(settings.BASE_DIR / "fixtures" / "reference" / "ecosystem_nace_mapping.csv")
    rows = frame[frame["ecosystem"] == ecosystem]
    return dict(zip(rows["nace"], rows["share"].astype(float), strict=True))


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    text = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def test_pl91_on_the_real_regional_file(client, loaded):
    """One test on one restore of the real build (restoring and checking its millions of rows
    costs about 25 s a test): the page, the pandas recomputation, the whole file in NUTS 2021."""
    page_shows_figures_published_as_pl12(client)
    digital_employment_agrees_with_pandas_and_the_jrc_matrix(loaded)
    real_regional_sbs_recomputes_in_nuts_2021()


def page_shows_figures_published_as_pl12(client):
    text = page_text(client, "/regions/PL91/?year=2014")
    assert "Warszawski stołeczny (PL91)" in text
    assert "Its figures were published as PL12, NUTS 2013 and converted to NUTS 2021" in text
    assert "employment and local units by ecosystem, 2014" in text  # the table, not the empty state
    assert "No regional figures for this country." not in text
    # Beside the values of the country's regional map: where PL91's figure comes from (Poland has
    # more conversions than the summary names: its data table gives each region's published code).
    assert "regions were converted to NUTS 2021 from the code they were published under" in text
    assert re.search(r"Warszawski stołeczny \(PL91\) [\d.]+(?: \S+)? PL12 \(NUTS 2013\)", text), text[:3000]
    html = client.get("/regions/PL91/?year=2014").content.decode()
    assert '<th scope="col">Published as</th>' in html  # a text column: left-aligned like its cells
    assert '<th scope="col" class="num">Location quotient</th>' in html
    digital = IndicatorValue.objects.get(
        indicator_id="region_emp", ecosystem="digital", geo="PL91", period="2014"
    )
    assert (digital.published_geo, digital.geo_version) == ("PL12", "2013")
    assert "E" in digital.markers  # a split: estimated with population weights
    assert re.search(rf"Digital {digital.value:,.0f} E\b", text), "the value and its marker on the page"
    # "Most specialised in" ranks LQs: only complete ones (no marker I) may be listed.
    lqs = IndicatorValue.objects.filter(indicator_id="region_lq_emp", geo="PL91", period="2014")
    listed = re.search(r"Most specialised in: (.*?)\.", text)
    complete = [v for v in lqs if v.value is not None and "I" not in v.markers]
    if not complete:
        assert listed is None, listed.group(1)
    else:
        assert listed is not None
        from ecosystems.models import Ecosystem

        names = dict(Ecosystem.objects.values_list("slug", "name"))
        incomplete = {names[v.ecosystem] for v in lqs if "I" in v.markers}
        assert not [n for n in incomplete if n in listed.group(1)], listed.group(1)


def digital_employment_agrees_with_pandas_and_the_jrc_matrix(loaded):
    """Digital persons employed in PL91, 2014 = Σ share × PL12's published cell × PL12's
    population share inside PL91 (the divisions of digital are all published for PL12 in 2014)."""
    cells = raw_emp(loaded, "PL12", "2014")
    shares = mapping("digital")
    assert cells[list(shares)].notna().all()
    want = sum(share * cells[nace] for nace, share in shares.items()) * pl12_to_pl91_weight(loaded)
    got = IndicatorValue.objects.get(
        indicator_id="region_emp", ecosystem="digital", geo="PL91", period="2014"
    )
    assert got.value == pytest.approx(want, rel=1e-9)
    assert 0.3 < pl12_to_pl91_weight(loaded) < 0.7  # a real split, not a recoding


def real_regional_sbs_recomputes_in_nuts_2021():
    """The whole real regional file through ingest and recompute (the build above): every value in
    NUTS 2021 with its published code and version; no pre-2021 code left; nothing ranked at 0
    that is incomplete. (Was in test_nuts_converter_reference.py, with its own build of the same
    state: one build per session now.)"""
    values = IndicatorValue.objects.filter(indicator_id="region_emp")
    pl91 = values.get(ecosystem="construction", geo="PL91", period="2014")
    assert (pl91.published_geo, pl91.geo_version, pl91.markers) == ("PL12", "2013", "E")
    assert pl91.value > 0
    assert not values.filter(geo__in=["PL12", "DE41", "UKI1", "SI01", "FI18"]).exists()
    de40 = values.filter(geo="DE40", period="2008").first()
    assert de40 is not None and (de40.published_geo, de40.geo_version) == ("DE41+DE42", "2006")
    assert not values.filter(value=0, rank__isnull=False, flags__contains="i").exists()
