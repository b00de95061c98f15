"""Technology uptake by ecosystem from Eurostat's ICT-survey tables by NACE (issue 12).

The tables are not in the data mirror, so the end-to-end tests use hand-made files in the real
formats (tests/indicators/uptake_samples.py). The independent check recomputes every stored
value from the sample's bytes and the mapping CSV with plain pandas, with the code → division
cover written out by hand (not through our parser or compute functions).
"""

import gzip
import io

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from django.core.cache import cache

from indicators import refresh
from indicators.compute import uptake as U
from indicators.registry import BY_NACE_UPTAKE, SOURCES
from tests import dbsnapshot
from tests.indicators import uptake_samples as S

# --- pure: no database ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "divisions"),
    [
        ("C26", ("C26",)),
        ("C10-C12", ("C10", "C11", "C12")),
        ("C29_C30", ("C29", "C30")),
        ("D35_E36", ("D35", "E36")),
        ("E37-E39", ("E37", "E38", "E39")),
        ("H49-H52_N79", ("H49", "H50", "H51", "H52", "N79")),
        ("S951", ("S95",)),
        ("C10-S951_X_K", ()),  # an aggregate with exclusions never stands for a division
        ("N77-N82_X_N79", ()),
        ("C261", ()),  # a group is part of a division, not all of it
        ("M69_M702", ()),
        ("C12-C10", ()),
        ("C34", ()),  # not a division
        ("TOTAL", ()),
    ],
)
def test_survey_codes_cover_whole_divisions_only(code, divisions):
    assert U.divisions_of(code) == divisions


def test_a_section_covers_its_divisions():
    assert U.divisions_of("C") == tuple(f"C{n}" for n in range(10, 34))
    assert U.divisions_of("J") == ("J58", "J59", "J60", "J61", "J62", "J63")


def frame(rows, columns=("geo", "nace", "measure", "period", "value")):
    return pd.DataFrame(rows, columns=list(columns)).assign(flags="")


def test_each_division_takes_the_narrowest_group_with_a_value():
    uptake = frame(
        [
            ("AT", "C26", "m", "2024", np.nan),  # confidential: never read, never 0
            ("AT", "C26-C28", "m", "2024", 11.0),
            ("AT", "C", "m", "2024", 8.0),
            ("AT", "C10-C12", "m", "2024", 6.0),
        ]
    )
    got = U.division_uptake(uptake).set_index("division")
    assert got.loc["C26", "group"] == "C26-C28" and got.loc["C26", "value"] == 11.0
    assert got.loc["C27", "value"] == 11.0
    assert got.loc["C10", "group"] == "C10-C12" and got.loc["C13", "group"] == "C"
    assert len(got) == 24


def test_ecosystem_uptake_is_the_employment_weighted_mean_with_coverage():
    uptake = frame([("AT", "C10", "m", "2024", 10.0), ("AT", "C11", "m", "2024", 20.0)])
    sbs = frame(
        [
            ("AT", "C10", "V16110", "2015", 300.0),
            ("AT", "C11", "V16110", "2015", 100.0),
            ("AT", "C12", "V16110", "2015", 5.0),  # no survey value: out of both sums
            ("AT", "C10", "V16110", "2025", 1e9),  # after the survey year: not a weight
        ]
    )
    mapping = pd.DataFrame(
        [("food", "C10", 1.0), ("food", "C11", 0.5), ("food", "C12", 1.0), ("drinks", "C11", 1.0)],
        columns=["ecosystem", "nace", "share"],
    )
    out = U.ecosystem_uptake(uptake, sbs, mapping, {"AT"}, "x").set_index("ecosystem")
    assert out.loc["food", "value"] == pytest.approx((300 * 10 + 0.5 * 100 * 20) / (300 + 50))
    assert out.loc["food", "markers"] == ""  # 350 of 355 covered: above 90 %
    assert out.loc["food", "base_period"] == "2015"
    assert out.loc["drinks", "value"] == pytest.approx(20.0)
    # With C12 heavier the coverage falls below 90 %: incomplete, not ranked.
    sbs.loc[2, "value"] = 100.0
    out = U.ecosystem_uptake(uptake, sbs, mapping, {"AT"}, "x").set_index("ecosystem")
    assert out.loc["food", "markers"] == "I" and pd.isna(out.loc["food", "rank"])
    assert out.loc["drinks", "rank"] == 1


def test_no_weights_no_value_and_no_uptake_no_value():
    uptake = frame([("AT", "C10", "m", "2024", 10.0), ("DE", "C10", "m", "2024", np.nan)])
    sbs = frame([("DE", "C10", "V16110", "2015", 300.0)])
    mapping = pd.DataFrame([("food", "C10", 1.0)], columns=["ecosystem", "nace", "share"])
    out = U.ecosystem_uptake(uptake, sbs, mapping, {"AT", "DE"}, "x")
    assert out.empty  # AT has no weights; DE's uptake is confidential (never a 0)


def test_the_newer_definition_of_a_measure_wins_within_a_year():
    uptake = frame(
        [
            ("AT", "C26", "E_DI3_GELO", "2023", 61.0),
            ("AT", "C26", "E_DI4_GELO", "2023", 70.0),
            ("AT", "C26", "E_DI3_GELO", "2022", 60.0),
        ]
    )
    kept = U.newest_measure(uptake).set_index("period")["value"]
    assert kept.to_dict() == {"2023": 70.0, "2022": 60.0}


def test_every_by_nace_table_is_registered_with_the_publishers_api_and_its_formats():
    for code, *_ in BY_NACE_UPTAKE:
        spec = SOURCES[code]
        assert (
            spec.remote_url.startswith("https://ec.europa.eu/eurostat/api/")
            and code.upper() in spec.remote_url
        )
        assert "eurostat-tsv-2023" in spec.formats and "sdmx-csv-2" in spec.formats
    # The older ICT tables' API answers TSV too: a live refresh must accept it.
    for code in ("isoc_e_dii", "isoc_eb_ai", "env_ac_ainah_r2"):
        assert "eurostat-tsv-2023" in SOURCES[code].formats


# --- through ingest and recompute (PostgreSQL) -------------------------------------------------


@pytest.fixture
def codelists(reference):
    from ecosystems.models import CodeLabel

    CodeLabel.objects.bulk_create(
        [CodeLabel(dimension=d, code=c, label=c) for d, c in S.codelabels()], ignore_conflicts=True
    )


def ingest(code, raw, tmp_path):
    path = tmp_path / code
    path.write_bytes(raw)
    return refresh.ingest(code, path=path)


@pytest.fixture
def uptake_loaded(codelists, tmp_path):
    def build():
        for code, raw in (("sbs_na_sca_r2", S.sbs_tsv()), ("isoc_eb_ain2", S.ai_tsv())):
            run = ingest(code, raw, tmp_path)
            assert run.status == "succeeded", run.error
        run = refresh.recompute()
        assert run.status == "succeeded", run.error

    cache.clear()
    dbsnapshot.restore_or_take("uptake_loaded", build)  # built once per session
    yield
    cache.clear()


def independent_uptake() -> pd.DataFrame:
    """Plain pandas from the sample bytes and fixtures/reference/ecosystem_nace_mapping.csv."""
    text = gzip.decompress(S.ai_tsv()).decode()
    raw = pd.read_csv(io.StringIO(text), sep="\t", dtype=str)
    key = raw.columns[0]
    dims = ["freq", "size", "nace", "indic_is", "unit", "geo"]
    raw[dims] = raw[key].str.split(",", expand=True)
    long = raw.drop(columns=[key]).melt(id_vars=dims, var_name="year")
    long["year"] = long["year"].str.strip()
    long["value"] = pd.to_numeric(long["value"].str.strip().str.split(" ").str[0], errors="coerce")
    long = long[long["value"].notna() & long["nace"].isin(S.COVERS)]

    sbs_text = gzip.decompress(S.sbs_tsv()).decode()
    sbs = pd.read_csv(io.StringIO(sbs_text), sep="\t", dtype=str)
    skey = sbs.columns[0]
    sbs[["nace", "indic", "geo"]] = sbs[skey].str.split(",", expand=True)
    sbs = sbs.drop(columns=[skey]).melt(id_vars=["nace", "indic", "geo"], var_name="year", value_name="emp")
    sbs["year"] = sbs["year"].str.strip().astype(int)
    sbs["emp"] = pd.to_numeric(sbs["emp"].str.strip(), errors="coerce")
    sbs = sbs.dropna(subset=["emp"])

    mapping = pd.read_csv(settings.BASE_DIR / "fixtures" / "reference" / "ecosystem_nace_mapping.csv")
    members = {"AT", "DE", "FR"}  # the members the SBS sample has
    out = []
    for year in S.YEARS:
        y = int(year)
        weights = {}
        for geo, rows in sbs[sbs["year"] <= y].groupby("geo"):
            last = rows[rows["year"] == rows["year"].max()]
            weights[geo] = dict(zip(last["nace"], last["emp"], strict=True))
        eu = {}
        for geo in members & set(weights):
            for d, e in weights[geo].items():
                eu[d] = eu.get(d, 0.0) + e
        weights["EU27_2020"] = eu
        for geo in S.GEOS:
            cells = long[(long["geo"] == geo) & (long["year"] == year)]
            best = {}
            for _, c in cells.iterrows():
                for d in S.COVERS[c["nace"]]:
                    width = len(S.COVERS[c["nace"]])
                    if d not in best or width < best[d][0]:
                        best[d] = (width, c["value"])
            for eco, rows in mapping.groupby("ecosystem"):
                num = den = total = 0.0
                for _, m in rows.iterrows():
                    e = weights.get(geo, {}).get(m["nace"])
                    if e is None or m["share"] * e <= 0:
                        continue
                    total += m["share"] * e
                    if m["nace"] in best:
                        num += m["share"] * e * best[m["nace"]][1]
                        den += m["share"] * e
                if den > 0:
                    out.append((eco, geo, year, num / den, den / total < 0.9))
    return pd.DataFrame(out, columns=["ecosystem", "geo", "period", "value", "incomplete"])


@pytest.mark.django_db
def test_stored_uptake_equals_an_independent_recomputation_from_the_raw_files(uptake_loaded):
    from indicators.models import IndicatorValue

    expected = independent_uptake().set_index(["ecosystem", "geo", "period"])
    stored = pd.DataFrame(
        list(
            IndicatorValue.objects.filter(indicator_id="eco_ai_uptake").values(
                "ecosystem", "geo", "period", "value", "markers", "rank"
            )
        )
    ).set_index(["ecosystem", "geo", "period"])
    assert len(expected) >= 10 and sorted(stored.index) == sorted(expected.index)
    joined = stored.join(expected.add_suffix("_expected"))
    assert np.allclose(joined["value"].astype(float), joined["value_expected"], rtol=1e-9)


@pytest.mark.django_db
def test_markers_and_ranks_follow_coverage_and_confidentiality(uptake_loaded):
    from indicators.models import IndicatorValue

    expected = independent_uptake().set_index(["ecosystem", "geo", "period"])
    for row in IndicatorValue.objects.filter(indicator_id="eco_ai_uptake"):
        incomplete = bool(expected.loc[(row.ecosystem, row.geo, row.period), "incomplete"])
        assert (row.markers == "I") == incomplete
        if incomplete or row.geo == "EU27_2020":
            assert row.rank is None
    # AT's C26 is confidential in 2024: electronics falls back to the section's value, not 0.
    at = IndicatorValue.objects.get(
        indicator_id="eco_ai_uptake", ecosystem="electronics", geo="AT", period="2024"
    )
    assert at.value > 0 and at.base_period == "2015"
    # DE's C30 employment is confidential in 2015: the weights still come from DE's 2015 column.
    de = IndicatorValue.objects.get(
        indicator_id="eco_ai_uptake", ecosystem="mobility-transport-automotive", geo="DE", period="2023"
    )
    assert de.value == pytest.approx(11.0) and de.base_period == "2015"


@pytest.mark.django_db
def test_sdmx_csv_and_tsv_of_the_same_table_give_the_same_observations(codelists, tmp_path):
    from indicators.models import Observation, Source

    def observations():
        release = Source.objects.get(code="isoc_eb_ain2").current_release
        return sorted(
            Observation.objects.filter(release=release).values_list("geo", "nace", "period", "value", "flags")
        )

    assert ingest("isoc_eb_ain2", S.ai_tsv(), tmp_path).status == "succeeded"
    from_tsv = observations()
    assert ingest("isoc_eb_ain2", S.ai_sdmx_csv(), tmp_path).status == "succeeded"
    from_csv = observations()
    # 48 cells; DE's J61 2024 is missing without a flag (dropped), AT's C26 2024 is confidential (kept)
    assert len(from_tsv) == 47 and from_tsv == from_csv


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "cells", "message"),
    [
        ("unknown activity", {("C99-C98", "AT"): ("1.0", "2.0")}, "C99-C98"),
        ("not a number", {("C26", "AT"): ("abc", "2.0")}, "abc"),
        ("above 100 %", {("C26", "AT"): ("150.0", "2.0")}, "150"),
    ],
)
def test_malformed_by_nace_files_are_refused_and_change_nothing(codelists, tmp_path, name, cells, message):
    from indicators.models import Source

    assert ingest("isoc_eb_ain2", S.ai_tsv(), tmp_path).status == "succeeded"
    before = Source.objects.get(code="isoc_eb_ain2").current_release_id
    run = ingest("isoc_eb_ain2", S.ai_tsv({**S.AI, **cells}), tmp_path)
    assert run.status == "failed" and message in run.error
    assert Source.objects.get(code="isoc_eb_ain2").current_release_id == before


@pytest.mark.django_db
def test_dii_by_nace_keeps_the_newer_definition(codelists, tmp_path):
    from indicators.models import IndicatorValue

    for code, raw in (("sbs_na_sca_r2", S.sbs_tsv()), ("isoc_e_diin2", S.dii_tsv())):
        assert ingest(code, raw, tmp_path).status == "succeeded"
    assert refresh.recompute().status == "succeeded"
    got = dict(
        IndicatorValue.objects.filter(
            indicator_id="eco_basic_di", ecosystem="electronics", geo="AT"
        ).values_list("period", "value")
    )
    assert got == {"2022": pytest.approx(60.0), "2023": pytest.approx(70.0)}


@pytest.mark.django_db
def test_ecosystem_page_says_which_tables_are_missing_then_shows_the_uptake(codelists, tmp_path, client):
    cache.clear()
    html = client.get("/ecosystems/digital/").content.decode()
    assert "No uptake figure by ecosystem yet" in html
    for code, *_ in BY_NACE_UPTAKE:
        assert f"<code>{code}</code>" in html
    for code, raw in (("sbs_na_sca_r2", S.sbs_tsv()), ("isoc_eb_ain2", S.ai_tsv())):
        assert ingest(code, raw, tmp_path).status == "succeeded"
    assert refresh.recompute().status == "succeeded"
    cache.clear()
    html = client.get("/ecosystems/digital/").content.decode()
    assert 'id="uptake-eco_ai_uptake-figure"' in html
    assert "No uptake figure by ecosystem yet" not in html and "<code>isoc_eb_bdn2</code>" in html
    csv = client.get("/ecosystems/digital/?panel=uptake-eco_ai_uptake&format=csv").content.decode()
    assert "Austria" in csv and "2015" in csv
    api = client.get("/api/v1/values/?indicator=eco_ai_uptake&ecosystem=digital&geo=AT").json()
    assert {r["period"] for r in api["results"]} == {"2023", "2024"}
    cache.clear()


@pytest.mark.django_db
def test_high_tech_patents_are_stored_as_published_and_ranked_among_members(reference, tmp_path, client):
    from ecosystems.models import CodeLabel
    from indicators.models import IndicatorValue

    CodeLabel.objects.bulk_create(
        [
            CodeLabel(dimension=d, code=c, label=c)
            for d, c in [("ipc", "HT"), ("ipc", "SMC"), ("unit", "P_MHAB"), ("unit", "NR"), ("geo", "EU28")]
        ],
        ignore_conflicts=True,
    )
    assert ingest("pat_ep_ntec", S.high_tech_tsv(), tmp_path).status == "succeeded"
    assert refresh.recompute().status == "succeeded"
    # Plain pandas from the sample: P_MHAB cells with a number, flags stripped.
    raw = pd.read_csv(io.StringIO(gzip.decompress(S.high_tech_tsv()).decode()), sep="\t", dtype=str)
    key = raw.columns[0]
    raw[["freq", "ipc", "unit", "geo"]] = raw[key].str.split(",", expand=True)
    long = raw.drop(columns=[key]).melt(id_vars=["freq", "ipc", "unit", "geo"], var_name="year")
    long["value"] = pd.to_numeric(long["value"].str.strip().str.split(" ").str[0], errors="coerce")
    long = long[(long["unit"] == "P_MHAB") & long["value"].notna()]
    expected = {(r.ipc, r.geo, r.year.strip()): r.value for r in long.itertuples()}
    stored = {
        (v.ecosystem, v.geo, v.period): v for v in IndicatorValue.objects.filter(indicator_id="pat_ht_mhab")
    }
    assert set(stored) == set(expected)
    assert all(stored[k].value == pytest.approx(v) for k, v in expected.items())
    assert stored[("HT", "DE", "2012")].rank == 1 and stored[("HT", "FR", "2012")].rank == 2
    assert stored[("HT", "EU28", "2012")].rank is None  # an aggregate is not ranked
    assert stored[("HT", "AT", "2013")].flags == "p"
    api = client.get("/api/v1/values/?indicator=pat_ht_mhab&geo=AT").json()
    assert len(api["results"]) == 4
    # The indicator page maps one high-tech group (the total, HT), never a place twice.
    from indicators.panels.indicator import indicator_view

    view = indicator_view("pat_ht_mhab", "2012", None)
    mapped = next(p for p in view["panels"] if p["id"] == "map")
    labels = [r[0]["text"] for r in mapped["rows"]]
    assert len(labels) == len(set(labels)) == 3 and ": HT," in mapped["title"]


@pytest.mark.django_db
def test_indicator_page_of_an_unloaded_source_says_so(reference, client):
    cache.clear()
    html = client.get("/indicators/eco_ai_uptake/").content.decode()
    assert "No values yet: the source isoc_eb_ain2 is not loaded." in html
    assert 'href="/data/isoc_eb_ain2/"' in html
    assert "Load the data (make run" not in html
