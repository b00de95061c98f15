"""The panels' table and figure builders on plain rows: no database (no django_db mark)."""

import pytest

from indicators.panels import compare, countries, ecosystems, regions
from indicators.panels.common import change_text, points_table, ranking_summary, value_points
from indicators.panels.tables import Column, Table, sort_rows

ECOS = [{"slug": "tourism", "name": "Tourism"}, {"slug": "health", "name": "Health"}]


def value(v=None, flags="", rank=None, **extra):
    return {"value": v, "flags": flags, "rank": rank, **extra}


def texts(cells):
    return [c["text"] for c in cells]


# --- tables -------------------------------------------------------------------------------------


def test_table_rows_come_out_in_column_order():
    t = Table((Column("a", "A"), Column("b", "B")))
    t.add(b={"text": "2"}, a={"text": "1"})
    assert t.headers() == ["A", "B"]
    assert t.cell_rows() == [[{"text": "1"}, {"text": "2"}]]


def test_table_row_must_name_every_column():
    t = Table((Column("a", "A"), Column("b", "B")))
    with pytest.raises(ValueError, match="differ from columns"):
        t.add(a={"text": "1"})


def test_table_rejects_duplicate_column_keys():
    with pytest.raises(ValueError, match="duplicate"):
        Table((Column("a", "A"), Column("a", "B")))


def test_table_select_keeps_rows_and_renames():
    t = Table((Column("a", "A"), Column("b", "B"), Column("c", "C")))
    t.add(a={"text": "1"}, b={"text": "2"}, c={"text": "3"})
    sub = t.select("c", "a", titles={"a": "First"})
    assert sub.headers() == ["C", "First"]
    assert sub.cell_rows() == [[{"text": "3"}, {"text": "1"}]]
    with pytest.raises(KeyError):
        t.select("z")


def test_table_extend_adds_columns_at_the_end():
    t = Table((Column("a", "A"),))
    t.add(a={"text": "1"})
    t.extend([Column("b", "B")], [{"b": {"text": "2"}}])
    assert t.headers() == ["A", "B"] and t.cell_rows() == [[{"text": "1"}, {"text": "2"}]]


def test_sort_rows_by_column_name_missing_last_both_ways():
    rows = [
        {"name": "b", "by": {"emp": {"value": 1}}},
        {"name": "a", "by": {"emp": {"value": None}}},
        {"name": "c", "by": {"emp": {"value": 3}}},
    ]
    assert [r["name"] for r in sort_rows(rows, "emp", True)] == ["c", "b", "a"]
    assert [r["name"] for r in sort_rows(rows, "emp", False)] == ["b", "c", "a"]
    assert [r["name"] for r in sort_rows(rows, "name", False, label="name")] == ["a", "b", "c"]


# --- shared helpers -----------------------------------------------------------------------------


def test_points_table_largest_first_missing_last():
    points = [
        {"key": "AT", "label": "Austria", "value": None, "flags": "c"},
        {"key": "DE", "label": "Germany", "value": 10.0, "flags": ""},
        {"key": "FR", "label": "France", "value": 20.0, "flags": "p"},
    ]
    rows = points_table(points, 0, link=lambda g: f"/{g}/")
    assert [r[0]["text"] for r in rows] == ["France", "Germany", "Austria"]
    assert rows[0][0]["href"] == "/FR/" and rows[2][1]["text"] == "confidential"


def test_ranking_summary_counts_missing():
    points = [
        {"label": "A", "value": 3.0},
        {"label": "B", "value": None},
        {"label": "C", "value": 1.0},
    ]
    text = ranking_summary(points, "X", "u", 0, "2020")
    assert text.startswith("X in 2020, u: highest A (3), C (1); lowest C (1). 2 places have a value")
    assert text.endswith("1 are missing or confidential.")


def test_change_text_only_between_complete_years():
    pts = [
        {"period": "2010", "value": 100.0, "flags": "I"},
        {"period": "2011", "value": 110.0, "flags": ""},
        {"period": "2012", "value": 121.0, "flags": "A"},
    ]
    assert change_text(pts) == " (10.0 % from 2011 to 2012, complete years)."
    assert "no change computed" in change_text(pts[:2])


def test_value_points_take_key_label_and_value():
    got = value_points(ECOS, lambda s: value(5.0 if s == "health" else None, "e"))
    assert got == [
        {"key": "tourism", "label": "Tourism", "value": None, "flags": "e"},
        {"key": "health", "label": "Health", "value": 5.0, "flags": "e"},
    ]


# --- ecosystems ---------------------------------------------------------------------------------


def test_overview_table_named_columns_and_change_base_year():
    data = {
        ("emp", "tourism"): value(1000.0, "A"),
        ("emp_change", "tourism"): value(5.25, base_period="2011"),
        ("va", "health"): value(12.5),
    }
    table = ecosystems.overview_table(ECOS, lambda ind, slug: data.get((ind, slug)), "2020")
    assert table["sort_keys"] == ["name", "emp", "va", "ent", "share", "productivity", "change"]
    assert table["columns"][-1] == "Change in employment to 2020, from the first complete year (%)"
    tourism, health = table["rows"]
    assert tourism["by"]["emp"]["text"] == "1,000" and tourism["by"]["emp"]["flags"] == "A"
    assert tourism["by"]["change"]["text"] == "5.2 (from 2011)"
    assert health["by"]["emp"]["text"] == "–" and health["by"]["emp"]["value"] is None
    assert tourism["cells"] == [tourism["by"][k] for k in table["sort_keys"]]


def test_ranked_members_by_rank_unranked_last():
    data = {
        ("emp", "DE"): value(5.0, rank=1),
        ("emp", "FR"): value(3.0, rank=2),
        ("emp", "MT"): value(1.0, "", None),
    }
    got = ecosystems.ranked_members(
        ["MT", "FR", "DE"], {"DE": "Germany"}, lambda i, g: data.get((i, g), value())
    )
    assert [r["geo"] for r in got["rows"]] == ["DE", "FR", "MT"]
    assert got["columns"][:2] == ["Rank", "Country"] and got["rows"][0]["name"] == "Germany"


def test_composition_marks_partial_sums_and_builds_the_treemap():
    mine = [
        {"nace": "I55", "nace_name": "Accommodation", "share": 1.0, "confidence": "high"},
        {"nace": "H51", "nace_name": "Air transport", "share": 0.5, "confidence": "medium"},
        {"nace": "N79", "nace_name": "Travel agencies", "share": 1.0, "confidence": "high"},
    ]
    emp = {"I55": (200.0, 27), "H51": (100.0, 26)}
    got = ecosystems.composition("tourism", "Tourism", mine, emp, 27, {"number": 3, "verified": False})
    rows = got["table"].cell_rows()
    assert texts(rows[0]) == ["I55", "Accommodation", "1.00", "high", "200"]
    assert rows[1][-1]["text"] == "50" and rows[1][-1]["flags"] == "i"  # 26 of 27 members
    assert rows[2][-1]["text"] == "–"
    assert [n["id"] for n in got["nodes"]] == ["tourism", "I55", "H51"] and got["nodes"][0]["value"] == 250.0
    assert got["summary"] == (
        "Tourism is built from 3 NACE activities (mapping version 3, unverified draft). "
        "Largest by share-weighted employment: I55 Accommodation, H51 Air transport."
    )


def test_trend_summary_without_values():
    assert (
        ecosystems.trend_summary("Tourism", [{"period": "2020", "value": None, "flags": ""}])
        == "No EU values."
    )


# --- countries ----------------------------------------------------------------------------------


def test_country_table_and_its_share_columns():
    data = {
        ("share_emp", "tourism", "DE"): value(4.0),
        ("share_emp", "tourism", "EU27_2020"): value(5.0, "A"),
        ("emp", "tourism", "DE"): value(1e6, rank=1),
    }
    table = countries.country_table(ECOS, lambda i, s, g="DE": data.get((i, s, g), value()), "2020")
    shares = table.select("ecosystem", "share", "eu_share", titles={"share": "DE (%)"})
    assert shares.headers() == ["Ecosystem", "DE (%)", "EU27 share (%)"]
    assert texts(shares.cell_rows()[0]) == ["Tourism", "4.0", "5.0"]
    assert texts(table.cell_rows()[0])[:3] == ["Tourism", "1,000,000", "1"]


def test_country_groups_totals_leaders_and_no_lq_for_aggregates():
    rows = [
        {"indicator": "emp", "geo": "DE", "ecosystem": "tourism", "value": 10.0},
        {"indicator": "emp", "geo": "DE", "ecosystem": "health", "value": 30.0},
        {"indicator": "emp", "geo": "DE", "ecosystem": "retail", "value": None},
        {"indicator": "lq_emp", "geo": "DE", "ecosystem": "tourism", "value": 1.5},
        {"indicator": "lq_emp", "geo": "EA19", "ecosystem": "tourism", "value": 1.01},
    ]
    places = [
        {"code": "DE", "name": "Germany", "kind": "country", "eu27_2020": True},
        {"code": "NO", "name": "Norway", "kind": "country", "eu27_2020": False},
        {"code": "EA19", "name": "Euro area", "kind": "aggregate", "eu27_2020": False},
    ]
    groups = countries.country_groups(places, rows, {"health": "Health", "tourism": "Tourism"})
    de = groups["eu"][0]
    assert (de["total"], de["largest"], de["specialised"], de["specialised_lq"]) == (
        "40",
        "Health",
        "Tourism",
        "1.50",
    )
    assert groups["other"] == []  # Norway has no data
    assert groups["aggregate"][0]["specialised"] == "" and groups["aggregate"][0]["specialised_lq"] == "–"


def test_region_points_keep_nuts2_and_note_recoded_codes():
    rows = [
        {
            "geo": "PL91",
            "value": 1.2,
            "flags": "",
            "markers": "E",
            "published_geo": "PL12",
            "geo_version": "2013",
        },
        {"geo": "PL9", "value": 1.0, "flags": "", "markers": ""},
        {
            "geo": "PL21",
            "value": 0.8,
            "flags": "",
            "markers": "",
            "published_geo": "PL21",
            "geo_version": "2021",
        },
    ]
    points, notes = countries.region_points(rows, {"PL91": "Warszawski stołeczny"})
    assert [p["key"] for p in points] == ["PL91", "PL21"]
    assert points[0]["label"] == "Warszawski stołeczny (PL91)" and points[0]["flags"] == "E"
    assert notes == ["PL91 from PL12 (NUTS 2013)"]
    assert [p["published"] for p in points] == ["PL12 (NUTS 2013)", ""]


# --- regions ------------------------------------------------------------------------------------


def test_lq_ranks_skip_incomplete_and_non_members():
    rows = [
        {"geo": "DE21", "ecosystem": "tourism", "value": 2.0, "markers": ""},
        {"geo": "DE22", "ecosystem": "tourism", "value": 3.0, "markers": ""},
        {"geo": "FR10", "ecosystem": "tourism", "value": 4.0, "markers": ""},
        {"geo": "AT11", "ecosystem": "tourism", "value": 9.0, "markers": "I"},
        {"geo": "NO01", "ecosystem": "tourism", "value": 9.0, "markers": ""},
        {"geo": "EL30", "ecosystem": "tourism", "value": 1.0, "markers": ""},
    ]
    assert regions.lq_ranks(rows, "DE21", {"DE", "FR", "AT"}) == {"tourism": (3, 4, 2, 2)}
    assert regions.lq_ranks(rows, "AT11", {"DE", "FR", "AT"}) == {}


def test_region_table_rank_texts():
    get = {("region_emp", "tourism"): value(500.0, rank=2)}
    table = regions.region_table(ECOS, lambda i, s: get.get((i, s), value()), {"tourism": (3, 200, 1, 9)})
    assert table.headers()[-2:] == ["Rank by LQ among EU regions", "Rank by LQ in country"]
    assert texts(table.cell_rows()[0])[-3:] == ["2", "3 of 200", "1 of 9"]
    assert texts(table.cell_rows()[1])[-2:] == ["–", "–"]


def test_similar_regions_cosine_over_common_complete_shares():
    base = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0, "e": 5.0}
    rows = [{"geo": "X", "ecosystem": k, "value": v, "markers": ""} for k, v in base.items()]
    rows += [{"geo": "SAME", "ecosystem": k, "value": 2 * v, "markers": ""} for k, v in base.items()]
    rows += [{"geo": "FLIP", "ecosystem": k, "value": 6 - v, "markers": ""} for k, v in base.items()]
    rows += [{"geo": "FEW", "ecosystem": k, "value": v, "markers": ""} for k, v in list(base.items())[:4]]
    rows += [{"geo": "INC", "ecosystem": k, "value": v, "markers": "I"} for k, v in base.items()]
    got = regions.similar_regions(rows, "X", {"SAME": "Same shape"})
    assert [g["code"] for g in got] == ["SAME", "FLIP"]
    assert got[0]["similarity"] == 1.0 and got[0]["name"] == "Same shape" and got[0]["ecosystems"] == 5
    assert got[1]["similarity"] == round(35 / 55, 3)


def test_neighbours_sum_employment_and_take_the_top_lq():
    rows = [
        {"indicator": "region_emp", "geo": "DE21", "ecosystem": "tourism", "value": 10.0},
        {"indicator": "region_emp", "geo": "DE22", "ecosystem": "tourism", "value": 30.0},
        {"indicator": "region_emp", "geo": "DE22", "ecosystem": "health", "value": 5.0},
        {"indicator": "region_lq_emp", "geo": "DE22", "ecosystem": "health", "value": 1.7},
        {"indicator": "region_lq_emp", "geo": "DE22", "ecosystem": "tourism", "value": 0.9},
        {"indicator": "region_emp", "geo": "DE2", "ecosystem": "tourism", "value": 99.0},
    ]
    got = regions.neighbours(rows, "DE21", {"health": "Health"}, {})
    assert [(n["code"], n["emp_text"], n["top"], n["top_lq_text"], n["current"]) for n in got] == [
        ("DE22", "35", "Health", "1.70", False),
        ("DE21", "10", None, "–", True),
    ]


def test_published_as_lists_other_codes_and_versions():
    rows = [
        {"published_geo": "PL12", "geo_version": "2013"},
        {"published_geo": "PL91", "geo_version": "2021"},
        {},
    ]
    assert regions.published_as("PL91", rows) == "PL12, NUTS 2013"


def test_nace_points_need_an_lq_and_enough_employment():
    rows = [
        {"indicator": "region_nace_lq", "ecosystem": "C29", "value": 2.0, "flags": ""},
        {"indicator": "region_nace_emp", "ecosystem": "C29", "value": 600.0, "flags": ""},
        {"indicator": "region_nace_lq", "ecosystem": "C30", "value": 5.0, "flags": ""},
        {"indicator": "region_nace_emp", "ecosystem": "C30", "value": 499.0, "flags": ""},
    ]
    got = regions.nace_points(rows, {"C29": "Motor vehicles"})
    assert got == [{"key": "C29", "label": "C29 Motor vehicles", "value": 2.0, "flags": "", "emp": 600.0}]


# --- compare ------------------------------------------------------------------------------------


def test_compare_codes_show_each_place_at_its_own_level():
    def is_region(g):
        return len(g) == 4

    assert compare.compare_codes("emp", ["DE", "DE21"], is_region) == {"DE": "emp", "DE21": "region_emp"}
    assert compare.compare_codes("region_lq_emp", ["FR", "FR10"], is_region) == {
        "FR": "lq_emp",
        "FR10": "region_lq_emp",
    }


@pytest.mark.django_db
def test_many_converted_regions_are_counted_in_the_summary_and_listed_in_the_table(monkeypatch):
    """Up to INLINE_CONVERSIONS conversions are named in the map's summary; more (France: 25) are
    counted there, and the data table gives each region's published code."""

    def rows(n):
        converted = [
            {"geo": f"FRK{i}", "value": 1.0 + i / 10, "flags": "", "markers": "E", "published_geo": f"FR7{i}"}
            for i in range(n)
        ]
        return [*converted, {"geo": "FR10", "value": 0.5, "flags": "", "markers": ""}]

    monkeypatch.setattr(countries, "latest_period", lambda code, year: "2014")
    for n, inline in ((countries.INLINE_CONVERSIONS, True), (countries.INLINE_CONVERSIONS + 1, False)):
        for row in (got := rows(n)):
            row.setdefault("geo_version", "2013")
        monkeypatch.setattr(countries, "values", lambda *a, got=got, **k: got)
        out = countries.regions_panel("FR", "tourism", "2014")
        assert ("FRK0 from FR70 (NUTS 2013)" in out["summary"]) is inline
        assert (f"{n} of these regions were converted to NUTS 2021" in out["summary"]) is not inline
        assert out["columns"][-1] == "Published as"
        table = {row[0]["text"]: row[-1]["text"] for row in out["rows"]}
        assert table[f"FRK{n - 1} (FRK{n - 1})"] == "FR7" + str(n - 1) + " (NUTS 2013)"
        assert table["FR10 (FR10)"] == "unchanged"
        assert [row[1]["value"] for row in out["rows"]] == sorted((r["value"] for r in got), reverse=True)


def test_incomplete_values_are_shown_and_counted_never_ranked():
    """A lower bound (marker I) is neither the highest nor the lowest place, and sorts after the
    complete values in the data table (France's regional LQs: Corse's incomplete 1.29 was named
    the highest)."""
    points = [
        {"key": "FRM0", "label": "Corse", "value": 1.29, "flags": "bI"},
        {"key": "FR10", "label": "Ile-de-France", "value": 0.78, "flags": "b"},
        {"key": "FRB0", "label": "Centre", "value": 0.68, "flags": ""},
        {"key": "FRD1", "label": "Basse-Normandie", "value": 0.62, "flags": "I"},
        {"key": "FRZZ", "label": "Nowhere", "value": None, "flags": "c"},
    ]
    text = ranking_summary(points, "LQ", "ratio", 2, "2014")
    assert text.startswith("LQ in 2014, ratio: highest Ile-de-France (0.78), Centre (0.68); lowest Centre")
    assert "Corse" not in text and "Basse-Normandie" not in text
    assert "4 places have a value, 2 of them incomplete (lower bounds, marked I, not ranked)" in text
    rows = points_table(points, 2, link=lambda key: f"/{key}/")
    assert [r[0]["text"] for r in rows] == ["Ile-de-France", "Centre", "Corse", "Basse-Normandie", "Nowhere"]
    only_partial = ranking_summary([points[0], points[3]], "LQ", "ratio", 2, "2014")
    assert only_partial.startswith("LQ in 2014, ratio: no complete value to rank. 2 places have a value")


def test_text_columns_are_the_non_numeric_cells_after_the_first():
    from indicators.templatetags.charts import text_columns

    rows = [[{"text": "Corse", "num": False}, {"text": "1.29", "num": True}, {"text": "FR83", "num": False}]]
    assert text_columns(rows) == [2]
    assert text_columns([]) == []
