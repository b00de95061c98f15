"""Chart builders are pure: plain dicts in, Plotly figure dicts out (no database)."""

import math

from indicators import charts

POINTS = [
    {"key": "DE", "label": "Germany", "value": 30.0, "flags": ""},
    {"key": "FR", "label": "France", "value": 20.0, "flags": "p"},
    {"key": "MT", "label": "Malta", "value": None, "flags": "c"},
    {"key": "LU", "label": "Luxembourg", "value": float("nan"), "flags": ""},
]


def test_bar_sorts_largest_on_top_and_leaves_out_missing_values():
    fig = charts.bar(POINTS, title="T", source_line="S", unit="persons")
    trace = fig["data"][0]
    assert trace["y"] == ["France", "Germany"]  # plotly draws the last category on top
    assert trace["x"] == [20.0, 30.0]
    assert "Malta" not in trace["y"] and 0 not in trace["x"]


def test_bar_carries_flags_into_the_hover_text():
    trace = charts.bar(POINTS, title="T", source_line="S", unit="u")["data"][0]
    assert "provisional" in trace["customdata"][0][1]
    assert "customdata[1]" in trace["hovertemplate"]


def test_bar_highlight_and_reference_line():
    fig = charts.bar(POINTS, title="T", source_line="S", unit="u", highlight="DE", reference=("EU27", 25.0))
    assert fig["data"][0]["marker"]["color"] == [charts.BLUE, charts.YELLOW]
    assert fig["layout"]["shapes"][0]["x0"] == 25.0


def test_every_figure_carries_title_and_source_line_for_image_exports():
    for fig in (
        charts.bar(POINTS, title="Title A", source_line="Source: Eurostat x, release 3", unit="u"),
        charts.lines([], title="Title A", source_line="Source: Eurostat x, release 3", unit="u"),
        charts.choropleth(
            POINTS, geojson_url="/g", title="Title A", source_line="Source: Eurostat x, release 3", unit="u"
        ),
        charts.treemap([], title="Title A", source_line="Source: Eurostat x, release 3", unit="u"),
    ):
        assert fig["layout"]["title"]["text"] == "Title A"
        assert fig["layout"]["annotations"][0]["text"] == "Source: Eurostat x, release 3"


def test_lines_break_at_missing_values_instead_of_dropping_to_zero():
    series = [
        {
            "name": "EU27",
            "points": [
                {"period": "2013", "value": 1.0, "flags": ""},
                {"period": "2014", "value": float("nan"), "flags": "c"},
                {"period": "2015", "value": 3.0, "flags": "p"},
            ],
        }
    ]
    trace = charts.lines(series, title="T", source_line="S", unit="u")["data"][0]
    assert trace["y"] == [1.0, None, 3.0]
    assert trace["connectgaps"] is False
    assert trace["x"] == ["2013", "2014", "2015"]


def test_choropleth_uses_the_portals_geojson_and_europe_frame():
    fig = charts.choropleth(
        POINTS, geojson_url="/geo/nuts2021/0.geojson", title="T", source_line="S", unit="u"
    )
    trace = fig["data"][0]
    assert trace["geojson"] == "/geo/nuts2021/0.geojson"
    assert trace["locations"] == ["DE", "FR"]
    assert fig["layout"]["geo"]["visible"] is False
    assert fig["layout"]["geo"]["lonaxis"]["range"] == [-25, 45]


def test_choropleth_diverging_scale_is_centred_on_one_for_location_quotients():
    pts = [
        {"key": "A", "label": "A", "value": 0.5, "flags": ""},
        {"key": "B", "label": "B", "value": 3.0, "flags": ""},
    ]
    trace = charts.choropleth(pts, geojson_url="/g", title="T", source_line="S", unit="LQ", diverging_at=1.0)[
        "data"
    ][0]
    assert trace["zmid"] == 1.0
    assert trace["zmin"] == 0.0 and trace["zmax"] == 3.0


def test_choropleth_zooms_to_given_bounds():
    fig = charts.choropleth(
        POINTS, geojson_url="/g", title="T", source_line="S", unit="u", bounds=(5, 15, 47, 55)
    )
    assert fig["layout"]["geo"]["lonaxis"]["range"] == [5, 15]
    assert fig["layout"]["geo"]["lataxis"]["range"] == [47, 55]


def test_treemap_keeps_hierarchy():
    nodes = [
        {"id": "tourism", "label": "Tourism", "parent": "", "value": 30},
        {"id": "I55", "label": "I55", "parent": "tourism", "value": 10},
        {"id": "I56", "label": "I56", "parent": "tourism", "value": 20},
    ]
    trace = charts.treemap(nodes, title="T", source_line="S", unit="u")["data"][0]
    assert trace["parents"] == ["", "tourism", "tourism"]
    assert trace["branchvalues"] == "total"
    assert trace["values"][0] == sum(trace["values"][1:])


def test_grouped_bar_has_one_trace_per_series_and_no_bar_for_missing():
    fig = charts.grouped_bar(
        ["A", "B"],
        [
            {"name": "DE", "values": [1.0, math.nan], "flags": ["", "c"]},
            {"name": "EU27", "values": [2.0, 3.0], "flags": ["", ""]},
        ],
        title="T",
        source_line="S",
        unit="%",
    )
    assert [t["name"] for t in fig["data"]] == ["DE", "EU27"]
    assert fig["data"][0]["x"] == [1.0, None]
    assert fig["layout"]["barmode"] == "group"


def test_builders_return_json_serialisable_dicts():
    import json

    json.dumps(charts.bar(POINTS[:2], title="T", source_line="S", unit="u"))
    json.dumps(charts.choropleth(POINTS[:2], geojson_url="/g", title="T", source_line="S", unit="u"))
