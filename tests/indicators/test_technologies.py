"""Technologies: the NCSES wide-table parser, the technology reference data, the pure compute
(shares, RTA, technology weights, concordance), mirror checks with plain pandas, and the pages."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from indicators.compute import technologies as T
from indicators.sources.base import ParseError
from indicators.sources.detect import detect_format, parse_bytes
from indicators.sources.ncses import FORMAT, REGION_GEO, SKIPPED_PATHS, TABLE_FIELDS, parse_ncses

# ------------------------------------------------------------------ hand-made NCSES sample

YEARS = ("2017", "2018")
HEADER = (
    "table_id,row_id,region_country_or_economy_full_path,region_country_or_economy_level_1,"
    "region_country_or_economy_level_2,region_country_or_economy_level_3,"
    "region_country_or_economy_level_4,region_country_or_economy_hierarchy_depth,"
    + ",".join(f"field_{y}_uspto_patents,field_{y}_patent_families" for y in YEARS)
)
# path -> (uspto, families) per year; families chosen so shares are easy to check by hand.
PLACES = {
    "World": ((100, 1000), (110, 1000)),
    "World -> North America": ((50, 220), (55, 220)),
    "World -> North America -> United States": ((40, 200), (45, 200)),
    "World -> Europe -> EU": ((20, 100), (22, 120)),
    "World -> Europe -> EU -> Germany": ((8, 40), (9, 50)),
    "World -> Europe -> EU -> United Kingdom": ((2, 10), (2, 20)),
    "World -> Europe -> EU -> All others": ((3, 20), (3, 20)),
    "World -> Asia -> China": ((10, 500), (12, 500)),
    "World -> Unclassified": ((0, 5), (0, 5)),
}


def row(table: str, n: int, path: str, cells: list[str]) -> str:
    levels = path.split(" -> ")
    padded = [*levels, *[""] * (4 - len(levels))]
    quoted = [f'"{c}"' if "," in c else c for c in padded]
    return ",".join([table, f"r{n:03d}", path, *quoted, str(len(levels)), *cells])


def ncses_table(table: str = "1917", scale: float = 1.0, places=None) -> str:
    lines = [HEADER]
    for n, (path, yearly) in enumerate((places or PLACES).items(), start=1):
        cells = [f"{v * scale:g}" for pair in yearly for v in pair]
        lines.append(row(table, n, path, cells))
    return "\n".join(lines) + "\n"


def sample(*tables: tuple[str, float]) -> bytes:
    return "".join(ncses_table(t, s) for t, s in tables or (("1917", 1.0), ("1903", 0.1))).encode()


def test_ncses_parser_maps_region_paths_to_geo_codes_and_tables_to_fields():
    assert detect_format(sample()) == FORMAT
    parsed = parse_bytes(sample(), "ncses.csv")
    frame = parsed.frame
    assert parsed.dimensions == ("wipo35", "geo", "count")
    # The EU row is the EU-28 and says so; the UK stays inside it and is listed on its own.
    assert set(frame["geo"]) == {"WORLD", "US", "EU28", "DE", "UK", "EU_OTH", "CN"}
    assert "EU27_2020" not in set(frame["geo"])
    assert set(frame["wipo35"]) == {"TOTAL", "W06"}  # 1917 = all fields, 1903 = computer technology
    got = frame.set_index(["wipo35", "geo", "count", "period"])["value"]
    assert got[("TOTAL", "EU28", "patent_families", "2018")] == 120
    assert got[("TOTAL", "US", "uspto_patents", "2017")] == 40
    assert got[("W06", "CN", "patent_families", "2018")] == pytest.approx(50)
    # Continental groups and "Unclassified" are not loaded (no Eurostat code of the same content).
    assert len(frame) == 2 * 7 * 2 * 2


def test_ncses_mapping_tables_are_complete():
    assert sorted(v for v in TABLE_FIELDS.values() if v != "TOTAL") == [f"W{n:02d}" for n in range(1, 36)]
    assert not set(REGION_GEO) & SKIPPED_PATHS
    assert REGION_GEO["World -> Europe -> EU"] == "EU28"


def test_ncses_special_values_become_flags_and_confidential_cells_have_no_value():
    text = ncses_table().replace(
        row("1917", 2, "World -> North America", ["50", "220", "55", "220"]),
        row("1917", 2, "World -> North America", ["50", "220", "55", "220"]),
    )
    text = text.replace(
        row("1917", 3, "World -> North America -> United States", ["40", "200", "45", "200"]),
        row("1917", 3, "World -> North America -> United States", ["40i", "D", "45", "200r"]),
    )
    frame = parse_ncses(text.encode(), "x").frame
    us = frame[frame["geo"] == "US"].set_index(["count", "period"])
    assert us.loc[("uspto_patents", "2017"), "flags"] == "e"
    assert np.isnan(us.loc[("patent_families", "2017"), "value"])
    assert us.loc[("patent_families", "2017"), "flags"] == "c"
    assert us.loc[("patent_families", "2018"), "flags"] == "r"


def _replace_row(n: int, path: str, new: str) -> bytes:
    cells = [f"{v:g}" for pair in PLACES[path] for v in pair]
    return ncses_table().replace(row("1917", n, path, cells), new).encode()


US = "World -> North America -> United States"
MALFORMED = [
    ("unknown region", _replace_row(3, US, row("1917", 3, "World -> North America -> Atlantis", ["1"] * 4)),
     "unknown region path 'World -> North America -> Atlantis'"),
    ("levels disagree", _replace_row(3, US, "1917,r003,World -> North America -> United States,World,"
                                             "Europe,United States,,3,1,1,1,1"), "disagrees with its levels"),
    ("depth wrong", _replace_row(3, US, row("1917", 3, US, ["1"] * 4).replace(",3,1,1", ",2,1,1")),
     "hierarchy depth"),
    ("unknown table", ncses_table("9999").encode(), "unknown table id '9999'"),
    ("non-numeric", _replace_row(3, US, row("1917", 3, US, ["1", "two", "3", "4"])),
     "non-numeric value 'two'"),
    ("negative", _replace_row(3, US, row("1917", 3, US, ["1", "-2", "3", "4"])), "negative count"),
    ("short row", _replace_row(3, US, row("1917", 3, US, ["1", "2", "3"])), "expected 12 cells, found 11"),
    ("bad header", ncses_table().replace("field_2018_patent_families", "field_2018_families").encode(),
     "unexpected column 'field_2018_families'"),
    ("region twice", (ncses_table() + ncses_table().split("\n", 1)[1]).encode(), "twice"),
    ("headers differ", (ncses_table() + ncses_table("1903").replace("2017", "2016")).encode(),
     "header differs"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "raw", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_ncses_samples_are_rejected_with_a_message(name, raw, message):
    with pytest.raises(ParseError) as err:
        parse_bytes(raw, "ncses.csv")
    assert message in str(err.value)
    assert "ncses.csv" in str(err.value)


def test_ncses_error_names_the_line():
    raw = _replace_row(3, US, row("1917", 3, "World -> Nowhere", ["1"] * 4))
    with pytest.raises(ParseError) as err:
        parse_bytes(raw, "ncses.csv")
    assert err.value.line == 4


# ------------------------------------------------------------------ pure compute, hand-made


def table(rows):
    return pd.DataFrame(rows, columns=["field", "geo", "period", "value"]).assign(markers="")


HAND = table(
    [
        ("TOTAL", "WORLD", "2018", 1000.0),
        ("TOTAL", "EU28", "2018", 100.0),
        ("TOTAL", "UK", "2018", 20.0),
        ("TOTAL", "US", "2018", 200.0),
        ("W01", "WORLD", "2018", 400.0),
        ("W01", "EU28", "2018", 80.0),
        ("W01", "UK", "2018", 10.0),
        ("W01", "US", "2018", 40.0),
        ("W02", "WORLD", "2018", 600.0),
        ("W02", "EU28", "2018", 20.0),
        ("W02", "UK", "2018", 10.0),
        ("W02", "US", "2018", 160.0),
    ]
)


def test_eu27_is_eu28_minus_uk_and_marked():
    out = T.with_eu27(HAND)
    eu27 = out[out["geo"] == "EU27_2020"].set_index("field")
    assert eu27.loc["TOTAL", "value"] == 80
    assert eu27.loc["W01", "value"] == 70
    assert set(eu27["markers"]) == {"A"}
    with pytest.raises(T.ComputeError):
        T.with_eu27(out)  # an EU27 already there would be mixed with the derived one


def test_world_shares_and_rta_on_hand_made_numbers():
    shares = T.world_shares(HAND).set_index(["field", "geo"])
    assert shares.loc[("TOTAL", "EU28"), "share"] == pytest.approx(10.0)
    assert shares.loc[("W01", "EU28"), "share"] == pytest.approx(20.0)
    # RTA = 20 % in the field / 10 % in all fields = 2; US: 10 % / 20 % = 0.5.
    assert shares.loc[("W01", "EU28"), "rta"] == pytest.approx(2.0)
    assert shares.loc[("W01", "US"), "rta"] == pytest.approx(0.5)
    assert shares.loc[("W02", "US"), "rta"] == pytest.approx((160 / 600 * 100) / 20)
    assert shares.loc[("TOTAL", "US"), "rta"] == pytest.approx(1.0)
    assert shares.loc[("W01", "WORLD"), "share"] == pytest.approx(100.0)


def test_share_change_over_ten_years():
    rows = table([("W01", "EU28", "2008", 30.0), ("W01", "WORLD", "2008", 100.0)])
    both = pd.concat([rows, HAND[HAND["field"] == "W01"]])
    change = T.share_change(T.world_shares(both)).set_index("geo")
    assert change.loc["EU28", "change"] == pytest.approx(20.0 - 30.0)
    assert change.loc["EU28", "base_period"] == "2008"


def test_technology_aggregates_use_the_weights_and_need_every_field():
    weights = pd.DataFrame(
        [("t1", "W01", 0.5), ("t1", "W02", 0.25), ("t2", "W03", 1.0)],
        columns=["technology", "wipo_field", "weight"],
    )
    tech = T.technology_families(HAND, weights).set_index(["technology", "geo"])
    assert tech.loc[("t1", "WORLD"), "value"] == pytest.approx(0.5 * 400 + 0.25 * 600)
    assert tech.loc[("t1", "EU28"), "value"] == pytest.approx(0.5 * 80 + 0.25 * 20)
    assert ("t2", "WORLD") not in tech.index  # W03 missing: no figure, never a partial one
    shares = T.world_shares(tech.reset_index().rename(columns={"technology": "field"})).set_index(
        ["field", "geo"]
    )
    assert shares.loc[("t1", "EU28"), "rta"] == pytest.approx((45 / 350 * 100) / 10)
    bad = weights.assign(weight=[0.5, 1.5, 1.0])
    with pytest.raises(T.ComputeError, match="not in"):
        T.technology_families(HAND, bad)


CONC = pd.DataFrame(
    [("W01", "C26", 0.6), ("W01", "C27", 0.4), ("W02", "C26", 0.1), ("W02", "J62", 0.9)],
    columns=["field", "nace", "share"],
)


def test_patents_by_nace_conserve_totals_and_shares_sum_to_one():
    assert T.concordance_check(CONC) == []
    by_nace = T.families_by_nace(HAND, CONC)
    fields_total = HAND[(HAND["field"] != "TOTAL")].groupby("geo")["value"].sum()
    assert by_nace.groupby("geo")["value"].sum().to_dict() == pytest.approx(fields_total.to_dict())
    eu = by_nace[by_nace["geo"] == "EU28"].set_index("nace")["value"]
    assert eu["C26"] == pytest.approx(0.6 * 80 + 0.1 * 20)
    mapping = pd.DataFrame(
        [("electronics", "C26", 1.0), ("digital", "J62", 0.5)], columns=["ecosystem", "nace", "share"]
    )
    eco = T.families_by_ecosystem(by_nace, mapping)
    eco = eco[eco["geo"] == "EU28"].set_index("ecosystem")["value"]
    assert eco["digital"] == pytest.approx(0.5 * 0.9 * 20)


def test_technology_split_over_industries_conserves_the_weighted_total():
    weights = pd.DataFrame(
        [("t1", "W01", 0.5), ("t1", "W02", 0.25)], columns=["technology", "wipo_field", "weight"]
    )
    mapping = pd.DataFrame(
        [("electronics", "C26", 1.0), ("digital", "J62", 0.5)], columns=["ecosystem", "nace", "share"]
    )
    eu = T.with_eu27(HAND)
    by_nace, by_eco = T.technology_by_industry(eu, weights, CONC, mapping, ("EU27_2020", "US"))
    assert set(by_nace["geo"]) == {"EU27_2020"}
    # EU27: W01 70, W02 10 -> 0.5 × 70 + 0.25 × 10 = 37.5 over C26, C27, J62.
    assert by_nace["value"].sum() == pytest.approx(37.5)
    got = by_nace.set_index("key")["value"]
    assert got["t1|C26"] == pytest.approx(0.5 * 70 * 0.6 + 0.25 * 10 * 0.1)
    eco = by_eco[by_eco["geo"] == "US"].set_index("key")["value"]
    assert eco["t1|digital"] == pytest.approx(0.25 * 160 * 0.9 * 0.5)


def test_a_concordance_missing_a_field_is_refused():
    with pytest.raises(T.ComputeError, match="W02"):
        T.families_by_nace(HAND, CONC[CONC["field"] == "W01"])


def test_a_concordance_whose_shares_do_not_sum_to_one_is_refused():
    broken = CONC.assign(share=[0.6, 0.2, 0.1, 0.9])
    assert T.concordance_check(broken) == ["W01: shares sum to 0.8000, not 1"]
    with pytest.raises(T.ComputeError, match="W01"):
        T.families_by_nace(HAND, broken)


def test_compute_patent_indicators_without_world_is_refused():
    with pytest.raises(T.ComputeError, match="WORLD"):
        T.compute_patent_indicators(HAND[HAND["geo"] != "WORLD"])


# ------------------------------------------------------------------ concordance reader


def test_concordance_reader_on_a_hand_made_workbook_and_a_broken_one():
    from indicators.sources.concordance import SHEET, parse_concordance

    def workbook(share_26=0.7):
        names = ["NACE/WIPO35", *[f"f{n}" for n in range(1, 36)]]
        codes = [None, *[f"W35F{n:02d}" for n in range(1, 36)]]
        rows = [["Title"] + [None] * 35, [None] * 36, names, codes]
        rows.append([26, *[share_26] * 35])
        rows.append([62, *[0.3] * 35])
        rows.append(["Total", *[1] * 35])
        buffer = io.BytesIO()
        pd.DataFrame(rows).to_excel(buffer, sheet_name=SHEET, header=False, index=False)
        return buffer.getvalue()

    frame = parse_concordance(workbook(), "conc.xlsx")
    assert set(frame["nace"]) == {"C26", "J62"}
    assert frame.groupby("field")["share"].sum().round(6).eq(1).all()
    with pytest.raises(ParseError, match="sum to"):
        parse_concordance(workbook(0.5), "conc.xlsx")
    with pytest.raises(ParseError, match="not a readable xlsx"):
        parse_concordance(b"not a workbook", "conc.xlsx")


# ------------------------------------------------------------------ reference data we write


def test_the_technology_fixture_is_consistent_and_broken_rows_are_refused(db):
    from indicators import reference as ref
    from observatory.models import Technology

    techs = ref._fixture_rows("technologies.csv")
    fields = ref._fixture_rows("technology_wipo_fields.csv")
    assert ref.check_technologies(techs, fields) == []
    slugs = {t["slug"] for t in techs}
    assert {"artificial-intelligence", "robotics", "photonics", "blockchain", "clean-technologies"} <= slugs
    assert all(f["reasoning"].startswith("Ours") for f in fields)
    bad = [*fields, {"technology": "robotics", "wipo_field": "W99", "weight": "2", "reasoning": "x"}]
    with pytest.raises(ref.TechnologyReferenceError) as err:
        ref.load_technologies(techs, bad)
    assert "W99" in str(err.value) and "not in (0, 1]" in str(err.value) and "Ours" in str(err.value)
    assert Technology.objects.count() == 0  # nothing changed
    assert ref.load_technologies() == (len(techs), len(fields))
    ai = Technology.objects.get(slug="artificial-intelligence")
    assert ai.curated and ai.uptake == ["isoc_eb_ai:E_AI_TANY", "isoc_eb_ain2:E_AI_TANY"]
    assert ai.fields.filter(wipo_field="W06").exists()
    assert ref.load_technologies() == (len(techs), len(fields))  # idempotent
    assert Technology.objects.count() == len(techs)


# ------------------------------------------------------------------ ingest and pages


@pytest.fixture
def tech_universe(reference, monkeypatch, tmp_path):
    """The hand-made NCSES sample ingested through the normal path, our technologies, a tiny
    concordance, and a recompute."""
    from django.core.cache import cache

    from ecosystems.models import CodeLabel
    from indicators import inputs, refresh
    from indicators import reference as ref

    cache.clear()
    CodeLabel.objects.bulk_create(
        [
            CodeLabel(dimension="geo", code=g, label=g)
            for g in ["WORLD", "US", "CN", "EU_OTH", "EU28", "DE", "UK"]
        ],
        ignore_conflicts=True,
    )
    ref.load_technologies()
    conc = pd.concat(
        [CONC, pd.DataFrame([(f, "C26", 1.0) for f in ("W06", "W08", "W09")], columns=CONC.columns)],
        ignore_index=True,
    )
    monkeypatch.setitem(inputs.REFERENCES, "patent_concordance", lambda: conc)
    path = tmp_path / "ncses.csv"
    # All fields, computer technology, semiconductors and optics: photonics (W09 + W08) is complete.
    path.write_bytes(sample(("1917", 1.0), ("1903", 0.1), ("1905", 0.05), ("1906", 0.05)))
    run = refresh.ingest("ncses_sei2020_patents", path=path)
    assert run.status == "succeeded", run.error
    run = refresh.recompute()
    assert run.status == "succeeded", run.error
    return path


@pytest.mark.django_db
def test_ncses_ingests_through_the_normal_path_and_the_api_serves_the_values(tech_universe, client):
    from indicators.models import IndicatorValue

    share = IndicatorValue.objects.get(
        indicator="pat_fam_share_world", ecosystem="TOTAL", geo="EU27_2020", period="2018"
    )
    assert share.value == pytest.approx((120 - 20) / 1000 * 100)
    assert share.markers == "A"
    eu28 = IndicatorValue.objects.get(
        indicator="pat_fam_share_world", ecosystem="TOTAL", geo="EU28", period="2018"
    )
    assert eu28.value == pytest.approx(12.0)
    # AI = 0.25 × computer technology (W06), the only one of its fields in the sample? No: AI also
    # needs W07 and W12, which the sample lacks, so AI has no figure rather than a partial one.
    assert not IndicatorValue.objects.filter(
        indicator="tech_pat_fam", ecosystem="artificial-intelligence"
    ).exists()
    # Photonics (W09 × 1 + W08 × 0.15) all falls to C26 in the test concordance: conserved.
    photonics = IndicatorValue.objects.get(
        indicator="tech_pat_fam", ecosystem="photonics", geo="EU27_2020", period="2018"
    ).value
    nace = IndicatorValue.objects.get(
        indicator="tech_pat_fam_nace", ecosystem="photonics|C26", geo="EU27_2020", period="2018"
    ).value
    assert nace == pytest.approx(photonics)
    response = client.get("/api/v1/values/", {"indicator": "pat_fam_rta", "geo": "US", "period": "2018"})
    assert response.status_code == 200
    assert "W06" in response.content.decode()


@pytest.mark.django_db
def test_malformed_ncses_file_changes_nothing(tech_universe, tmp_path):
    from indicators import refresh
    from indicators.models import IndicatorValue, Release

    before = (Release.objects.count(), IndicatorValue.objects.count())
    for name, raw, message in MALFORMED:
        path = tmp_path / f"{name}.csv"
        path.write_bytes(raw)
        run = refresh.ingest("ncses_sei2020_patents", path=path)
        assert run.status == "failed", name
        assert message in run.error, (name, run.error)
    assert (Release.objects.count(), IndicatorValue.objects.count()) == before


@pytest.mark.django_db
def test_technology_pages_render_with_charts_tables_exports_and_citation(tech_universe, client):
    response = client.get("/technologies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "EU27 share of world patent families, all fields" in html
    assert "10.00 %" in html  # (120 − 20) / 1000
    assert "21.94%" in html  # the published figure it is compared with
    assert "Cite this" in html and "Show the API call" in html
    csv_export = client.get("/technologies/", {"panel": "trend-TOTAL", "format": "csv"})
    assert csv_export.status_code == 200
    assert "2018" in csv_export.content.decode()
    detail = client.get("/technologies/photonics/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "WIPO technical fields it draws on" in text
    assert "Photonics: share of world patent families by economy, 2018" in text
    # Photonics = optics × 1 + semiconductors × 0.15: the EU27 share is the same as the fields'.
    assert "10.00 %" in text
    ai = client.get("/technologies/artificial-intelligence/").content.decode()
    assert "isoc_eb_ai:E_AI_TANY" in ai
    assert client.get("/technologies/no-such-technology/").status_code == 404


@pytest.mark.django_db
def test_technology_list_without_patent_data_explains_the_empty_state(reference, client):
    from django.core.cache import cache

    from indicators import reference as ref

    cache.clear()
    ref.load_technologies()
    html = client.get("/technologies/").content.decode()
    assert "have not been loaded" in html
    assert "Photonics" in html


# ------------------------------------------------------------------ the real mirror, plain pandas

NCSES_DIR = "reference/patents_ncses_sei2020_wipo35"


def _plain_families(mirror, table_id: str, year: str) -> pd.Series:
    """Patent families by region path in one table and year, read with plain pandas."""
    raw = pd.read_csv(mirror / NCSES_DIR / f"table_{table_id}_data.csv")
    return raw.set_index("region_country_or_economy_full_path")[f"field_{year}_patent_families"].astype(float)


@pytest.mark.mirror
def test_mirror_eu_share_and_rta_recomputed_with_plain_pandas(mirror):
    from indicators.fetch import _join
    from indicators.registry import SOURCES

    spec = SOURCES["ncses_sei2020_patents"]
    raw = _join([(mirror / p).read_bytes() for p in spec.part_paths()])
    obs = parse_bytes(raw, "ncses").frame
    obs = obs[obs["count"] == "patent_families"]
    tbl = pd.DataFrame(
        {"field": obs["wipo35"], "geo": obs["geo"], "period": obs["period"], "value": obs["value"]}
    )
    ours = T.compute_patent_indicators(tbl).set_index(["indicator", "ecosystem", "geo", "period"])["value"]

    total = _plain_families(mirror, "1917", "2018")
    eu, uk, world = (
        total["World -> Europe -> EU"],
        total["World -> Europe -> EU -> United Kingdom"],
        total["World"],
    )
    assert ours[("pat_fam_share_world", "TOTAL", "EU28", "2018")] == pytest.approx(eu / world * 100)
    assert ours[("pat_fam_share_world", "TOTAL", "EU27_2020", "2018")] == pytest.approx(
        (eu - uk) / world * 100
    )
    for table_id, field in (
        ("1903", "W06"),
        ("1905", "W08"),
        ("1912", "W15"),
        ("1930", "W24"),
        ("1938", "W32"),
    ):
        plain = _plain_families(mirror, table_id, "2018")
        share = (plain["World -> Europe -> EU"] - plain["World -> Europe -> EU -> United Kingdom"]) / plain[
            "World"
        ]
        assert ours[("pat_fam_share_world", field, "EU27_2020", "2018")] == pytest.approx(share * 100)
        us_rta = (plain["World -> North America -> United States"] / plain["World"]) / (
            total["World -> North America -> United States"] / world
        )
        assert ours[("pat_fam_rta", field, "US", "2018")] == pytest.approx(us_rta)
        cn = plain["World -> Asia -> China"] / plain["World"] * 100
        assert ours[("pat_fam_share_world", field, "CN", "2018")] == pytest.approx(cn)


@pytest.mark.mirror
def test_mirror_table_titles_match_our_field_codes(mirror):
    from indicators.sources.ncses import WIPO_FIELDS

    for table_id, field in TABLE_FIELDS.items():
        title = (
            (mirror / NCSES_DIR / f"table_{table_id}_README.md").read_text(encoding="utf-8").splitlines()[0]
        )
        if field == "TOTAL":
            assert "granted, by region" in title
            continue
        assert f"granted in {WIPO_FIELDS[field][0].lower()}," in title.lower(), (table_id, title)
    names = list(csv.DictReader((mirror / NCSES_DIR / "table_10550_data.csv").open(encoding="utf-8")))
    assert {r["technical_field"] for r in names} == {n for n, _ in WIPO_FIELDS.values()}


@pytest.mark.mirror
def test_mirror_concordance_read_and_checked_with_plain_pandas(mirror):
    from indicators.sources.concordance import SHEET, parse_concordance

    path = mirror / "reference" / "patent_nace_concordance" / "IPC_WIPO35_by_NACE2_concordance_table.xlsx"
    ours = parse_concordance(path.read_bytes(), path.name)
    grid = pd.read_excel(path, sheet_name=SHEET, header=None, engine="openpyxl")
    # Computer technology (W35F06) × NACE 26, located by hand in the sheet.
    col = int(np.flatnonzero(grid.iloc[4].astype(str).eq("W35F06"))[0])
    row26 = int(np.flatnonzero(grid.iloc[:, 1].astype(str).eq("26"))[0])
    assert ours.set_index(["field", "nace"]).loc[("W06", "C26"), "share"] == pytest.approx(
        float(grid.iloc[row26, col])
    )
    assert T.concordance_check(ours) == []
    assert ours.groupby("field")["share"].sum().round(4).eq(1).all()


@pytest.mark.django_db
def test_methodology_lists_our_technologies_weights_and_the_concordance_citation(reference, client):
    from indicators import reference as ref

    ref.load_technologies()
    html = client.get("/methodology/technologies/").content.decode()
    assert "Neuhäusler" in html and "EU28 − UK" in html
    assert "Ours (judged): AI models and machine learning" in html
    assert "World -&gt; Europe -&gt; EU" in html and "<code>EU28</code>" in html
    assert "/methodology/technologies/" in client.get("/methodology/").content.decode()


# ------------------------------------------------------------------ EPO regional, AI uptake

EPO_SAMPLE = (
    "unit,geo,time,values\n"
    "P_MHAB,AT,2012,200.5\nP_MHAB,AT34,2012,590.1\nP_MHAB,AT3,2012,300\nNR,AT34,2012,220.3\n"
    "P_MHAB,UKI1,2012,80\n"
)


def test_epo_intensity_keeps_countries_only_regions_come_in_nuts_2021_elsewhere():
    obs = parse_bytes(EPO_SAMPLE.encode(), "pat.csv").frame.rename(columns={"unit": "measure"})
    out = T.epo_intensity(obs).set_index(["indicator", "geo"])
    assert out.loc[("pat_ep_mhab", "AT"), "value"] == 200.5
    assert len(out) == 1  # NUTS 1/2 rows are not here; NR counts are not an intensity
    from indicators.registry import INDICATORS

    assert "region_pat_ep_mhab" not in INDICATORS  # one regional patent figure: region_patents_pmhab


def test_uptake_takes_the_technology_codes_and_never_invents_a_zero():
    frame = pd.DataFrame(
        {
            "geo": ["DK", "PL", "RO"],
            "measure": ["E_AI_TANY"] * 3,
            "period": ["2025"] * 3,
            "value": [42.0, 8.4, np.nan],
            "flags": ["", "", "c"],
        }
    )
    out = T.uptake_values(
        {"isoc_eb_ai": frame},
        {
            "artificial-intelligence": ["isoc_eb_ai:E_AI_TANY"],
            "cloud-computing": ["isoc_cicce_use:E_CC1_PANY"],
        },
    )
    assert set(out["ecosystem"]) == {"artificial-intelligence"}  # cloud's source is not loaded
    assert set(out["geo"]) == {"DK", "PL"}  # the confidential cell stays out


@pytest.mark.mirror
def test_mirror_epo_intensity_equals_the_raw_file(mirror):
    path = mirror / "reference" / "eurostat_patents_pat_ep_rtot" / "pat_ep_rtot_1977-2012.csv.gz"
    raw = pd.read_csv(path)
    plain = raw[(raw["unit"] == "P_MHAB") & (raw["time"] == 2012) & (raw["geo"].str.len() == 2)]
    plain = plain[plain["values"].notna()]
    obs = parse_bytes(path.read_bytes(), "pat").frame.rename(columns={"unit": "measure"})
    ours = T.epo_intensity(obs)
    ours = ours[ours["period"] == "2012"].set_index("geo")["value"]
    sample = plain.set_index("geo")["values"].sample(10, random_state=1)
    assert ours.loc[sample.index].to_numpy() == pytest.approx(sample.to_numpy())
    assert len(ours) == len(plain)


@pytest.mark.mirror
def test_mirror_ai_uptake_equals_the_raw_file(mirror):
    raw = pd.read_csv(mirror / "eurostat" / "isoc_eb_ai.csv")
    plain = raw[(raw["indic_is"] == "E_AI_TANY") & (raw["size_emp"] == "GE10")].set_index("geo")["OBS_VALUE"]
    obs = parse_bytes((mirror / "eurostat" / "isoc_eb_ai.csv").read_bytes(), "ai").frame
    obs = obs[(obs["size_emp"] == "GE10")].rename(columns={"indic_is": "measure"})
    out = T.uptake_values({"isoc_eb_ai": obs}, {"artificial-intelligence": ["isoc_eb_ai:E_AI_TANY"]})
    ours = out.set_index("geo")["value"]
    for geo in ("DK", "DE", "PL", "EU27_2020"):
        assert ours[geo] == pytest.approx(plain[geo])


@pytest.mark.mirror
@pytest.mark.django_db
def test_mirror_ncses_ingests_its_36_parts_and_a_second_fetch_changes_nothing(mirror, reference):
    from indicators import fetch as fetching
    from indicators import reference as ref
    from indicators import refresh
    from indicators.registry import SOURCES

    ref.load_codelists()
    first = refresh.ingest("ncses_sei2020_patents")
    assert first.status == "succeeded", first.error
    assert first.release.fetched_from.endswith("(+35 parts)")
    assert first.release.row_count == 36 * 36 * 21 * 2  # tables × places loaded × years × counts
    assert fetching.mirror_sha256(SOURCES["ncses_sei2020_patents"]) == first.release.sha256
    assert "ncses_sei2020_patents" not in refresh.sources_needing_update()
    assert refresh.ingest("ncses_sei2020_patents").status == "unchanged"


@pytest.mark.mirror
def test_mirror_china_2018_matches_the_figure_ncses_publishes(mirror):
    """NSB-2020-4, executive summary: "In 2018, China received about half (334,000) of these
    global patents"."""
    total = _plain_families(mirror, "1917", "2018")
    assert total["World -> Asia -> China"] == pytest.approx(334_000, abs=500)
    assert 0.45 < total["World -> Asia -> China"] / total["World"] < 0.55


def test_patent_intensity_per_thousand_employed_and_never_partial():
    emp = pd.DataFrame(
        [("EU28", "C26", "2018", 1000.0), ("EU28", "C27", "2018", 500.0), ("EU28", "J62", "2018", np.nan),
         ("US", "C26", "2018", 2000.0), ("US", "C27", "2018", 100.0), ("US", "J62", "2018", 4000.0)],
        columns=["geo", "nace", "period", "value"],
    )  # fmt: skip
    mapping = pd.DataFrame([("electronics", "C26", 1.0), ("digital", "J62", 0.5), ("digital", "C27", 0.2)],
                           columns=["ecosystem", "nace", "share"])  # fmt: skip
    out = T.patent_intensity(HAND, emp, CONC, mapping).set_index(["indicator", "ecosystem", "geo"])["value"]
    # EU28 C26: (0.6 × 80 + 0.1 × 20) families / 1000 persons × 1000 = 50.
    assert out[("pat_intensity_nace", "C26", "EU28")] == pytest.approx(50.0)
    assert ("pat_intensity_nace", "J62", "EU28") not in out.index  # confidential employment: none
    assert out[("pat_intensity_ecosystem", "electronics", "EU28")] == pytest.approx(50.0)
    assert ("pat_intensity_ecosystem", "digital", "EU28") not in out.index  # J62 missing: not partial
    us_digital = (0.9 * 160 * 0.5 + 0.4 * 40 * 0.2) / (4000 * 0.5 + 100 * 0.2) * 1000
    assert out[("pat_intensity_ecosystem", "digital", "US")] == pytest.approx(us_digital)


@pytest.mark.django_db
def test_admin_shows_a_technology_with_its_weights_inline(reference, client, staff):
    from indicators import reference as ref
    from observatory.models import Technology

    ref.load_technologies()
    client.force_login(staff)
    tech = Technology.objects.get(slug="robotics")
    response = client.get(f"/admin/observatory/technology/{tech.pk}/change/")
    assert response.status_code == 200
    assert "Ours (judged): manipulators and grippers" in response.content.decode()


@pytest.mark.django_db
def test_site_search_finds_a_technology(reference, client):
    from indicators import reference as ref

    ref.load_technologies()
    html = client.get("/search/", {"q": "robotics"}).content.decode()
    assert "/technologies/robotics/" in html
    assert "/technologies/photonics/" in client.get("/search/", {"q": "lasers"}).content.decode()


@pytest.mark.django_db
def test_publications_tagged_with_a_technology_show_on_its_page_and_filter_the_list(reference, client):
    from indicators import reference as ref
    from observatory.models import Technology
    from tests.observatory.test_publications import make_publication

    ref.load_technologies()
    tagged = make_publication("robots-2025", title="Robots in European factories")
    tagged.technologies.add(Technology.objects.get(slug="robotics"))
    make_publication("other-2025", title="Something else entirely")
    page = client.get("/technologies/robotics/").content.decode()
    assert "Robots in European factories" in page and "?technology=robotics" in page
    listing = client.get("/publications/", {"technology": "robotics"}).content.decode()
    assert "Robots in European factories" in listing and "Something else entirely" not in listing


@pytest.mark.django_db
def test_the_data_page_lists_every_part_of_a_multi_file_source(reference, client):
    html = client.get("/data/ncses_sei2020_patents/").content.decode()
    assert html.count('rel="noopener">https://raw.githubusercontent.com/bq-org/') == 36
    assert "{part}" not in html


def test_places_the_publisher_calls_undercounted_are_marked_and_never_a_trend_end():
    rows = table(
        [("TOTAL", "WORLD", "2008", 100.0), ("TOTAL", "ZA", "2008", 1.0),
         ("TOTAL", "WORLD", "2018", 100.0), ("TOTAL", "ZA", "2018", 0.1), ("TOTAL", "IN", "2018", 2.0)]
    )  # fmt: skip
    marked = T.mark_undercounted(rows).set_index(["geo", "period"])["markers"]
    assert marked[("ZA", "2018")] == "I" and marked[("IN", "2018")] == "I"
    assert marked[("ZA", "2008")] == ""  # only 2018 is missing for South Africa
    out = T.compute_patent_indicators(rows)
    za = out[(out["geo"] == "ZA") & (out["indicator"] == "pat_fam_share_world")].set_index("period")
    assert za.loc["2018", "markers"] == "I"
    assert out[(out["indicator"] == "pat_fam_share_change") & (out["geo"] == "ZA")].empty
