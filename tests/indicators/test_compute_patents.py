"""Regional patent intensity in NUTS 2021: counts and implied population converted, then divided."""

import gzip

import pandas as pd
import pytest

from indicators.compute.patents import compute_patent_indicators
from tests.indicators.test_compute_ecosystems import mirror_path

CONVERTER = pd.DataFrame(
    [
        (2010, 2021, "XX11", "XX1A", 600.0),  # XX11 split 60/40 ...
        (2010, 2021, "XX11", "XX1B", 400.0),
        (2010, 2021, "XX12", "XX1B", 500.0),  # ... and XX1B also takes all of XX12
        (2010, 2021, "XX13", "XX13", 800.0),
        (2021, 2021, "XX1A", "XX1A", 600.0),
    ],
    columns=["from_version", "to_version", "from_code", "to_code", "pop18"],
)


def obs(rows):
    out = []
    for geo, nr, pmhab in rows:
        out += [(geo, "", "NR", "2012", nr, ""), (geo, "", "P_MHAB", "2012", pmhab, "")]
    return pd.DataFrame(out, columns=["geo", "nace", "measure", "period", "value", "flags"])


def test_intensity_is_recomputed_from_converted_counts_and_population():
    # XX11: 100 applications, 1 million people; XX12: 30 for 0.5 million; XX13: none.
    got = compute_patent_indicators(
        obs([("XX11", 100.0, 100.0), ("XX12", 30.0, 60.0), ("XX13", 0.0, 0.0)]), CONVERTER
    ).set_index("geo")
    assert got.loc["XX1A", "value"] == pytest.approx(100.0)  # a split keeps the intensity
    assert "E" in got.loc["XX1A", "markers"]
    assert got.loc["XX1B", "value"] == pytest.approx((40 + 30) / (0.4 + 0.5))  # pooled, not averaged
    assert got.loc["XX13", "value"] == 0.0  # no applications, unchanged: 0, not missing
    assert got.loc["XX1A", "rank"] == 1


@pytest.mark.mirror
def test_mirror_regions_match_the_published_intensity():
    path = mirror_path() / "reference" / "eurostat_patents_pat_ep_rtot" / "pat_ep_rtot_1977-2012.csv.gz"
    if not path.is_file():
        pytest.skip(f"data mirror not found at {path}")
    with gzip.open(path, "rt") as fh:
        raw = pd.read_csv(fh, dtype={"time": str})
    sample = raw[raw["geo"].isin(["AT11", "DE21", "FI1B", "SI02"]) & raw["unit"].isin(["NR", "P_MHAB"])]
    frame = pd.DataFrame(
        {
            "geo": sample["geo"],
            "nace": "",
            "measure": sample["unit"],
            "period": sample["time"],
            "value": sample["values"].astype(float),
            "flags": "",
        }
    )
    got = compute_patent_indicators(frame, None).set_index(["geo", "period"])["value"]
    published = raw[raw["unit"] == "P_MHAB"].set_index(["geo", "time"])["values"]
    for geo in ("AT11", "DE21", "FI1B", "SI02"):
        assert got.loc[(geo, "2012")] == pytest.approx(published.loc[(geo, "2012")], rel=1e-9)


@pytest.mark.mirror
@pytest.mark.django_db
def test_real_patent_file_ingests_and_recomputes_in_nuts_2021(mirror, reference):
    from indicators import reference as ref
    from indicators import refresh
    from indicators.models import IndicatorValue

    ref.load_codelists()  # the source validates geo and unit codes
    ref.load_nuts_converter()
    run = refresh.ingest("pat_ep_rtot")
    assert run.status == "succeeded", run.error
    assert run.release.row_count == 103_075
    recompute = refresh.recompute(sources=["pat_ep_rtot"])
    assert recompute.status == "succeeded", recompute.error
    values = IndicatorValue.objects.filter(indicator_id="region_patents_pmhab", period="2012")
    assert values.count() > 250
    at11 = values.get(geo="AT11")
    assert at11.value == pytest.approx(62.74) and at11.markers == ""
    si04 = values.get(geo="SI04")  # NUTS 2021 code, published as SI02 (NUTS 2010)
    assert si04.published_geo == "SI02" and "E" in si04.markers
