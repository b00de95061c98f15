"""Chart builders are pure: plain dicts in, Plotly figure dicts out (no database)."""

import math

import pytest

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


def test_lines_span_the_years_some_series_has_a_value_for():
    def points(values):
        return [{"period": str(2005 + i), "value": v, "flags": ""} for i, v in enumerate(values)]

    series = [
        {"name": "EU27", "points": points([None, None, 5.0, None, 6.0, None])},
        {"name": "DE", "points": points([None, 1.0, None, 2.0, None, None])},
    ]
    eu, de = charts.lines(series, title="T", source_line="S", unit="u")["data"]
    assert eu["x"] == de["x"] == ["2006", "2007", "2008", "2009"]  # 2005 and 2010: no value anywhere
    assert eu["y"] == [None, 5.0, None, 6.0] and de["y"] == [1.0, None, 2.0, None]  # gaps inside stay
    nothing = [{"name": "EU27", "points": points([None, None])}]
    empty = charts.lines(nothing, title="T", source_line="S", unit="u")
    assert empty["data"][0]["x"] == ["2005", "2006"]  # nothing to trim to: as given


def test_choropleth_uses_the_portals_geojson_and_europe_frame():
    fig = charts.choropleth(
        POINTS, geojson_url="/geo/nuts2021/0.geojson", title="T", source_line="S", unit="u"
    )
    trace = fig["data"][0]
    assert trace["geojson"] == "/geo/nuts2021/0.geojson"
    assert trace["locations"] == ["DE", "FR"]
    assert fig["layout"]["geo"]["visible"] is False
    assert fig["layout"]["geo"]["lonaxis"]["range"] == [-25, 45]


def _colour_at(trace, value):
    """The colorscale stop Plotly uses for VALUE (exact when VALUE sits on a stop)."""
    position = (value - trace["zmin"]) / (trace["zmax"] - trace["zmin"])
    return next(colour for stop, colour in trace["colorscale"] if abs(stop - position) < 1e-9)


@pytest.mark.parametrize(
    "values",
    [(0.5, 3.0), (0.2, 6.0), (1.2, 4.0), (0.1, 0.9), (1.6, 1.6)],
    ids=["both-sides", "skewed-like-textiles", "all-above", "all-below", "single"],
)
def test_choropleth_diverging_scale_puts_white_exactly_at_one(values):
    pts = [{"key": str(i), "label": str(i), "value": v, "flags": ""} for i, v in enumerate(values)]
    trace = charts.choropleth(pts, geojson_url="/g", title="T", source_line="S", unit="LQ", diverging_at=1.0)[
        "data"
    ][0]
    assert "zmid" not in trace  # Plotly ignores zmid beside zmin/zmax: the stops do the centring
    assert trace["zmin"] <= min(values) and trace["zmax"] >= max(values)
    assert _colour_at(trace, 1.0) == charts.WHITE
    if max(values) > 1:
        assert _colour_at(trace, trace["zmax"]) == charts.DARK_BLUE  # above average is blue
    if min(values) < 1:
        assert _colour_at(trace, trace["zmin"]) == charts.RED
    assert "EU average" in " ".join(trace["colorbar"]["ticktext"])


@pytest.mark.parametrize("kind", ["bar", "lines", "grouped_bar"])
def test_axes_make_room_for_their_tick_labels(kind):
    pts = [{"key": "A", "label": "A long region name", "value": 2_200_000.0, "flags": ""}]
    figure = {
        "bar": lambda: charts.bar(pts, title="T", source_line="S", unit="persons"),
        "lines": lambda: charts.lines(
            [{"name": "EU", "points": [{"period": "2014", "value": 2.2e6, "flags": ""}]}],
            title="T",
            source_line="S",
            unit="persons",
        ),
        "grouped_bar": lambda: charts.grouped_bar(
            ["A"], [{"name": "EU", "values": [2.2e6], "flags": [""]}], title="T", source_line="S", unit="x"
        ),
    }[kind]()
    layout = figure["layout"]
    assert layout["margin"]["l"] >= 40
    assert layout["xaxis"]["automargin"] and layout["yaxis"]["automargin"]
    assert layout["modebar"]["orientation"] == "v"  # not over the title
    value_axis = layout["yaxis"] if kind == "lines" else layout["xaxis"]
    assert value_axis["tickformat"] == charts.SI_TICKS  # "2.2M", not "2,200,000" cut to "0"


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


def test_small_values_keep_plain_ticks_and_long_titles_wrap():
    pts = [
        {"key": "A", "label": "A", "value": 0.5, "flags": ""},
        {"key": "B", "label": "B", "value": 1.8, "flags": ""},
    ]
    title = "Tourism: employment specialisation (location quotient) by country and year, 2014"
    figure = charts.bar(pts, title=title, source_line="S", unit="LQ")
    assert figure["layout"]["xaxis"]["tickformat"] == charts.PLAIN_TICKS  # not "500m"
    lines = figure["layout"]["title"]["text"].split("<br>")
    assert len(lines) >= 2 and all(len(line) <= charts.TITLE_WIDTH for line in lines)
    assert figure["layout"]["margin"]["t"] >= 80  # room for both lines


def test_a_chart_without_values_draws_no_empty_axes():
    pts = [{"key": "A", "label": "A", "value": None, "flags": "c"}]
    figure = charts.bar(pts, title="T", source_line="S", unit="x")
    assert figure["layout"]["xaxis"]["visible"] is False and figure["layout"]["yaxis"]["visible"] is False
