"""Pure Plotly figure builders: plain dicts in, a figure dict out (no plotly.py objects, no Django).

Every figure carries its title and a source line (dataset code + release vintage) inside the
layout, so a PNG or SVG downloaded from the page keeps what it shows and where it comes from.
Flags travel in `customdata` and appear in the hover text; missing values are left out of the
bars/map (never drawn as zero) and listed in the chart's data table instead.
"""

from __future__ import annotations

import math

from ..flags import describe

BLUE = "#003399"
YELLOW = "#ffcc00"
GREY = "#8a94a6"
PALETTE = ["#003399", "#e07b00", "#2a9d8f", "#c1121f", "#6a4c93", "#588157", "#8d5524", "#0096c7",
           "#d62828", "#495057"]  # fmt: skip
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13, "color": "#1b1f24"}


def is_number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def flag_text(flags: str) -> str:
    return f" [{flags}: {describe(flags)}]" if flags else ""


def _of_dicts(items) -> bool:
    return bool(items) and isinstance(items[0], dict)


def trace_types(value, found: set | None = None, depth: int = 8) -> set[str]:
    """Every trace type of the Plotly figures ({"data": [...], "layout": {...}}) inside VALUE:
    dicts and lists of dicts, DEPTH levels down (a panel's figure is three: panels, panel, figure).
    Lists of lists or of plain values (table rows, series) hold no figure and are not walked."""
    found = set() if found is None else found
    if depth < 0:
        return found
    if isinstance(value, dict):
        data = value.get("data")
        if isinstance(data, list) and isinstance(value.get("layout"), dict):
            found.update(t.get("type", "scatter") for t in data if isinstance(t, dict))
            return found
        for item in value.values():
            if isinstance(item, dict) or (isinstance(item, list | tuple) and _of_dicts(item)):
                trace_types(item, found, depth - 1)
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, dict):
                trace_types(item, found, depth - 1)
    return found


# Axis ticks in SI form ("2.2M", "450k") for large values, three significant digits; small
# values (ratios, LQs, shares) keep plain numbers: SI would print 0.5 as "500m".
SI_TICKS = ".3~s"
PLAIN_TICKS = ",~r"
TITLE_WIDTH = 42  # characters a title line may take before it wraps (a 390 px phone shows ~45)
SOURCE_WIDTH = 95
LABEL_WIDTH = 24  # category labels wrap too, so a phone-wide chart keeps them inside the figure


def tick_format(values) -> str:
    numbers = [abs(v) for v in values if is_number(v)]
    return SI_TICKS if numbers and max(numbers) >= 10_000 else PLAIN_TICKS


def wrap(text: str, width: int) -> str:
    """Break TEXT into lines of at most WIDTH characters at spaces, joined by <br> (Plotly)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])


def hide_empty_axes(layout: dict, values) -> None:
    """No values: no empty axes under the panel's "No ... values" sentence."""
    if not any(is_number(v) for v in values):
        for axis in ("xaxis", "yaxis"):
            layout.setdefault(axis, {})["visible"] = False


def base_layout(title: str, source_line: str, *, height: int = 420, bottom: int = 90) -> dict:
    """Title top left, source line at the bottom, axes that make room for their own labels.

    The margins are floors: axes set ``automargin`` so long tick labels widen them instead of
    being clipped; the mode bar stands vertically at the right edge, clear of the title.
    """
    title = wrap(title, TITLE_WIDTH)
    source_line = wrap(source_line, SOURCE_WIDTH)
    title_lines, source_lines = title.count("<br>") + 1, source_line.count("<br>") + 1
    bottom += 14 * (source_lines - 1)
    return {
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            # Plotly places a multi-line title by its first line, whatever the anchor: the first
            # line sits 30 px below the top and the others run down into the top margin, which
            # grows by a line per line (a top anchor pushed the first lines out of the figure).
            "yref": "container",
            "y": 1 - 30 / (height + 20 * (title_lines - 1) + 14 * (source_lines - 1)),
            "yanchor": "bottom",
            "font": {"size": 16},
        },
        "font": FONT,
        "height": height + 20 * (title_lines - 1) + 14 * (source_lines - 1),
        "margin": {"l": 60, "r": 40, "t": 40 + 20 * title_lines, "b": bottom, "autoexpand": True},
        "modebar": {"orientation": "v"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "annotations": [
            {
                "name": "source",  # static/js/charts.js leaves it out in a narrow panel (the caption has it)
                "text": source_line,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -bottom + 8,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11, "color": "#555"},
            }
        ],
    }


def bar(
    points: list[dict],
    *,
    title: str,
    source_line: str,
    unit: str,
    highlight: str | None = None,
    reference: tuple[str, float] | None = None,
    decimals: int = 0,
) -> dict:
    """Horizontal bar chart, largest on top.

    points: dicts with ``key`` (e.g. geo code), ``label``, ``value``, ``flags``. Points without a
    value are left out. ``highlight``: key drawn in yellow. ``reference``: (label, value) drawn as
    a dashed vertical line (e.g. the EU value).
    """
    shown = sorted((p for p in points if is_number(p["value"])), key=lambda p: p["value"])
    colors = [YELLOW if p["key"] == highlight else BLUE for p in shown]
    fmt = f",.{decimals}f"
    # A wrapped label takes two lines: give every bar room for them, or the labels overlap.
    per_bar = 34 if any(len(p["label"]) > LABEL_WIDTH for p in shown) else 22
    layout = base_layout(title, source_line, height=max(260, 60 + per_bar * len(shown)) + 70)
    layout.update(
        xaxis={
            "title": {"text": unit, "standoff": 8},
            "gridcolor": "#e5e7eb",
            "zeroline": True,
            "tickformat": tick_format(p["value"] for p in shown),
            "automargin": True,
        },
        yaxis={"automargin": True, "tickfont": {"size": 12}},
        showlegend=False,
        bargap=0.25,
    )
    hide_empty_axes(layout, [p["value"] for p in shown])
    if reference and is_number(reference[1]):
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": reference[1],
                "x1": reference[1],
                "y0": 0,
                "y1": 1,
                "line": {"color": "#c1121f", "dash": "dash", "width": 2},
            }
        ]
        layout["annotations"].append(
            {
                "text": f"{reference[0]}: {reference[1]:{fmt}}",
                "x": reference[1],
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11, "color": "#c1121f"},
            }
        )
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [wrap(p["label"], LABEL_WIDTH) for p in shown],
                "x": [p["value"] for p in shown],
                "customdata": [[p["key"], flag_text(p.get("flags", ""))] for p in shown],
                "marker": {"color": colors},
                "hovertemplate": f"%{{y}}: %{{x:{fmt}}} {unit}%{{customdata[1]}}<extra></extra>",
            }
        ],
        "layout": layout,
    }


def lines(series: list[dict], *, title: str, source_line: str, unit: str, decimals: int = 0) -> dict:
    """Time series, one line per series.

    series: dicts with ``name`` and ``points`` (list of ``period, value, flags`` dicts in time
    order). Missing values break the line (``connectgaps`` off) instead of dropping to zero. The
    axis spans the years from the first to the last with a value in any series: years no series
    has a value for at either end are left out (the data table still lists them).
    """
    fmt = f",.{decimals}f"
    valued = [p["period"] for s in series for p in s["points"] if is_number(p["value"])]
    first, last = (min(valued), max(valued)) if valued else (None, None)
    data = []
    for i, s in enumerate(series):
        pts = [p for p in s["points"] if first is None or first <= p["period"] <= last]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": s["name"],
                "x": [p["period"] for p in pts],
                "y": [p["value"] if is_number(p["value"]) else None for p in pts],
                "customdata": [flag_text(p.get("flags", "")) for p in pts],
                "connectgaps": False,
                "line": {"color": PALETTE[i % len(PALETTE)], "width": 3 if i == 0 else 2},
                "hovertemplate": f"{s['name']} %{{x}}: %{{y:{fmt}}} {unit}%{{customdata}}<extra></extra>",
            }
        )
    layout = base_layout(title, source_line, height=400)
    layout.update(
        xaxis={"type": "category", "gridcolor": "#e5e7eb", "automargin": True},
        yaxis={
            "title": {"text": unit, "standoff": 8},
            "gridcolor": "#e5e7eb",
            "rangemode": "tozero",
            "tickformat": tick_format(v for d in data for v in d["y"]),
            "automargin": True,
        },
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        showlegend=len(series) > 1,
    )
    hide_empty_axes(layout, [v for d in data for v in d["y"]])
    if len(series) > 1:
        layout["margin"]["t"] += 20  # room for the legend under the title
    return {"data": data, "layout": layout}


def choropleth(
    points: list[dict],
    *,
    geojson_url: str,
    title: str,
    source_line: str,
    unit: str,
    decimals: int = 0,
    diverging_at: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    highlight: dict | None = None,
) -> dict:
    """A map of places coloured by value, on the portal's own GISCO GeoJSON (fetched by URL).

    points: dicts with ``key`` (the feature id: NUTS code), ``label``, ``value``, ``flags``.
    Places without a value are not coloured. ``diverging_at``: centre a two-colour scale there
    (1 for location quotients). ``bounds``: (lon_min, lon_max, lat_min, lat_max) to zoom to;
    default: Europe. ``highlight``: {"key", "label"} of one place drawn with a thick dark outline
    on top (a second, unfilled trace with its own legend entry), e.g. the region a profile is about.
    """
    shown = [p for p in points if is_number(p["value"])]
    fmt = f",.{decimals}f"
    trace = {
        "type": "choropleth",
        "geojson": geojson_url,
        "featureidkey": "id",
        "locations": [p["key"] for p in shown],
        "z": [p["value"] for p in shown],
        "text": [p["label"] for p in shown],
        "customdata": [flag_text(p.get("flags", "")) for p in shown],
        "hovertemplate": f"%{{text}}: %{{z:{fmt}}} {unit}%{{customdata}}<extra></extra>",
        "marker": {"line": {"color": "#ffffff", "width": 0.6}},
        "colorbar": {"title": {"text": unit, "side": "right"}, "thickness": 14, "len": 0.8},
    }
    if diverging_at is not None and shown:
        trace.update(diverging_scale([p["value"] for p in shown], diverging_at))
    else:
        trace["colorscale"] = [[0, "#e8eefc"], [1, BLUE]]
    layout = base_layout(title, source_line, height=520, bottom=40)
    layout["geo"] = {
        "visible": False,
        "projection": {"type": "mercator"},
        # Europe, not the French overseas regions that "fit to locations" would zoom out to.
        "lonaxis": {"range": list(bounds[:2]) if bounds else [-25, 45]},
        "lataxis": {"range": list(bounds[2:]) if bounds else [34, 71]},
        "showframe": False,
        "bgcolor": "#ffffff",
    }
    layout["margin"] = {"l": 0, "r": 0, "t": 50, "b": 40}
    data = [trace]
    if highlight:
        clear = "rgba(0,0,0,0)"
        data.append(
            {
                "type": "choropleth",
                "geojson": geojson_url,
                "featureidkey": "id",
                "locations": [highlight["key"]],
                "z": [1],
                "colorscale": [[0, clear], [1, clear]],
                "showscale": False,
                "marker": {"line": {"color": "#111111", "width": 3}},
                "name": highlight["label"],
                "showlegend": True,
                "hovertemplate": f"{highlight['label']}<extra></extra>",
            }
        )
        layout["showlegend"] = True
        layout["legend"] = {"x": 0, "y": 0, "xanchor": "left", "yanchor": "bottom", "bgcolor": "#ffffffcc"}
    return {"data": data, "layout": layout}


RED, WHITE, DARK_BLUE = "#b2182b", "#f7f7f7", "#2166ac"


def diverging_scale(values: list[float], centre: float) -> dict:
    """Colour settings that put white exactly at CENTRE (1 = the EU average for an LQ).

    Plotly ignores ``zmid`` once ``zmin``/``zmax`` are set, so the white stop is placed explicitly
    at ``(centre - zmin) / (zmax - zmin)``; the range always contains the centre, so a map whose
    places are all above average still shows them all as blue. The colour bar marks the centre.
    """
    zmin, zmax = min(min(values), centre), max(max(values), centre)
    if zmax == zmin:
        zmin, zmax = centre - 1, centre + 1
    mid = (centre - zmin) / (zmax - zmin)
    stops = [[0, RED], [mid, WHITE], [1, DARK_BLUE]]
    if mid == 0:
        stops = [[0, WHITE], [1, DARK_BLUE]]
    elif mid == 1:
        stops = [[0, RED], [1, WHITE]]
    return {
        "colorscale": stops,
        "zmin": zmin,
        "zmax": zmax,
        "colorbar": {
            "title": {"text": "above / below<br>the EU average", "side": "right"},
            "tickvals": [zmin, centre, zmax],
            "ticktext": [f"{zmin:.2f}", f"{centre:g} = EU average", f"{zmax:.2f}"],
            "thickness": 14,
            "len": 0.8,
        },
    }


def treemap(nodes: list[dict], *, title: str, source_line: str, unit: str) -> dict:
    """Treemap: nodes are dicts with ``id``, ``label``, ``parent`` ('' for the root) and ``value``
    (leaves only; parents are the sum of their children), plus ``hover`` text."""
    return {
        "data": [
            {
                "type": "treemap",
                "ids": [n["id"] for n in nodes],
                "labels": [n["label"] for n in nodes],
                "parents": [n["parent"] for n in nodes],
                "values": [n["value"] for n in nodes],
                "customdata": [n.get("hover", "") for n in nodes],
                "branchvalues": "total",
                "textinfo": "label+percent root",
                "hovertemplate": f"%{{label}}<br>%{{value:,.0f}} {unit}<br>%{{customdata}}<extra></extra>",
            }
        ],
        "layout": base_layout(title, source_line, height=480, bottom=40),
    }


def grouped_bar(
    categories: list[str], series: list[dict], *, title: str, source_line: str, unit: str, decimals: int = 0
) -> dict:
    """Horizontal grouped bars: one bar per series for each category (e.g. a country vs the EU).

    series: dicts with ``name``, ``values`` and ``flags`` aligned with ``categories``; missing
    values draw no bar.
    """
    fmt = f",.{decimals}f"
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": s["name"],
            "y": [wrap(c, LABEL_WIDTH) for c in categories],
            "x": [v if is_number(v) else None for v in s["values"]],
            "customdata": [flag_text(f) for f in s["flags"]],
            "marker": {"color": [BLUE, GREY, YELLOW][i % 3]},
            "hovertemplate": f"{s['name']} · %{{y}}: %{{x:{fmt}}} {unit}%{{customdata}}<extra></extra>",
        }
        for i, s in enumerate(series)
    ]
    layout = base_layout(title, source_line, height=max(300, 80 + 34 * len(categories)) + 70)
    layout.update(
        barmode="group",
        xaxis={
            "title": {"text": unit, "standoff": 8},
            "gridcolor": "#e5e7eb",
            "tickformat": tick_format(v for s in series for v in s["values"]),
            "automargin": True,
        },
        yaxis={"automargin": True, "autorange": "reversed"},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    hide_empty_axes(layout, [v for s in series for v in s["values"]])
    layout["margin"]["t"] += 20  # room for the legend under the title
    return {"data": data, "layout": layout}
