"""Figures of the strategic-dependency screen (pure: lists in, Plotly dicts out)."""

from __future__ import annotations

from . import BLUE, PALETTE, base_layout, is_number, wrap

RED = "#c1121f"
GREY = "#9ca3af"


def _threshold_line(axis: str, value: float, label: str) -> tuple[dict, dict]:
    vertical = axis == "x"
    shape = {
        "type": "line",
        "xref": "x" if vertical else "paper",
        "yref": "paper" if vertical else "y",
        "x0": value if vertical else 0,
        "x1": value if vertical else 1,
        "y0": 0 if vertical else value,
        "y1": 1 if vertical else value,
        "line": {"color": RED, "dash": "dash", "width": 2},
    }
    note = {
        "text": label,
        "xref": shape["xref"],
        "yref": shape["yref"],
        "x": value if vertical else 1,
        "y": 1 if vertical else value,
        "xanchor": "left" if vertical else "right",
        "yanchor": "top" if vertical else "bottom",
        "showarrow": False,
        "font": {"size": 11, "color": RED},
    }
    return shape, note


def screen_scatter(points: list[dict], *, hhi: float, share: float, title: str, source_line: str) -> dict:
    """HHI of extra-EU suppliers (x) against the extra-EU share of imports (y), both 0–1.

    points: dicts with ``key`` (CN8), ``label``, ``hhi``, ``share``, ``flagged`` (bool), ``value``
    (extra-EU imports, EUR, sizes the marker). The upper-right box beyond both thresholds is where
    criteria 1 and 2 are met; both axes always show the whole 0–1 range (never clipped).
    """
    shown = [p for p in points if is_number(p["hhi"]) and is_number(p["share"])]
    biggest = max((p["value"] for p in shown if is_number(p.get("value"))), default=1) or 1
    data = []
    for flagged, name, color in ((False, "Not flagged", GREY), (True, "Flagged", RED)):
        group = [p for p in shown if bool(p["flagged"]) == flagged]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [p["hhi"] for p in group],
                "y": [p["share"] for p in group],
                "text": [wrap(f"{p['key']} {p['label']}", 40) for p in group],
                "customdata": [p["key"] for p in group],
                "marker": {
                    "color": color,
                    "size": [8 + 22 * ((p.get("value") or 0) / biggest) ** 0.5 for p in group],
                    "opacity": 0.75,
                    "line": {"color": "#ffffff", "width": 1},
                },
                "hovertemplate": "%{text}<br>HHI %{x:.2f}, extra-EU share %{y:.0%}<extra>"
                + name
                + "</extra>",
            }
        )
    layout = base_layout(title, source_line, height=480)
    layout.update(
        xaxis={
            "title": {"text": "Concentration of extra-EU suppliers (HHI, 0–1)", "standoff": 8},
            "range": [0, 1.02],
            "gridcolor": "#e5e7eb",
            "tickformat": ".1f",
            "automargin": True,
        },
        yaxis={
            "title": {"text": "Extra-EU share of all imports", "standoff": 8},
            "range": [0, 1.02],
            "gridcolor": "#e5e7eb",
            "tickformat": ".0%",
            "automargin": True,
        },
        # Inside the plot, lower right (HHI high, share low: the sparsest corner), never over the title.
        legend={
            "x": 0.99,
            "xanchor": "right",
            "y": 0.01,
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.85)",
        },
    )
    shapes, notes = zip(
        _threshold_line("x", hhi, f"HHI {hhi:g}"),
        _threshold_line("y", share, f"share {share:.0%}"),
        strict=True,
    )
    layout["shapes"] = [
        *shapes,
        {
            "type": "rect",
            "xref": "x",
            "yref": "y",
            "x0": hhi,
            "x1": 1.02,
            "y0": share,
            "y1": 1.02,
            "fillcolor": "rgba(193,18,31,0.06)",
            "line": {"width": 0},
            "layer": "below",
        },
    ]
    layout["annotations"] += list(notes)
    return {"data": data, "layout": layout}


def stacked_shares(periods: list[str], series: list[dict], *, title: str, source_line: str) -> dict:
    """Each year's imports split by supplier (shares of all imports, stacking to 100%).

    series: dicts with ``name`` and ``values`` (a share per period, None when not traded).
    """
    data = [
        {
            "type": "bar",
            "name": s["name"],
            "x": periods,
            "y": [v if is_number(v) else None for v in s["values"]],
            "marker": {"color": s.get("color") or PALETTE[i % len(PALETTE)]},
            "hovertemplate": f"{s['name']} %{{x}}: %{{y:.1%}}<extra></extra>",
        }
        for i, s in enumerate(series)
    ]
    layout = base_layout(title, source_line, height=440)
    layout.update(
        barmode="stack",
        xaxis={"type": "category", "automargin": True},
        yaxis={
            "title": {"text": "Share of all imports", "standoff": 8},
            "range": [0, 1],
            "tickformat": ".0%",
            "gridcolor": "#e5e7eb",
            "automargin": True,
        },
        legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
    )
    layout["margin"]["r"] = 160
    return {"data": data, "layout": layout}


def criterion_lines(
    periods: list[str], values: list, *, threshold: float, title: str, source_line: str, label: str
) -> dict:
    """One criterion over the years with its threshold; the y axis starts at 0 and always shows the line."""
    top = max([v for v in values if is_number(v)] + [threshold]) * 1.15
    layout = base_layout(title, source_line, height=360)
    layout.update(
        xaxis={"type": "category", "automargin": True},
        yaxis={
            "title": {"text": label, "standoff": 8},
            "range": [0, top],
            "gridcolor": "#e5e7eb",
            "automargin": True,
        },
        showlegend=False,
    )
    shape, note = _threshold_line("y", threshold, f"threshold {threshold:g}")
    layout["shapes"] = [shape]
    layout["annotations"].append(note)
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": periods,
                "y": [v if is_number(v) else None for v in values],
                "connectgaps": False,
                "line": {"color": BLUE, "width": 3},
                "hovertemplate": f"%{{x}}: %{{y:.2f}} {label}<extra></extra>",
            }
        ],
        "layout": layout,
    }


def stacked_counts(
    periods: list[str], series: list[dict], *, title: str, source_line: str, first: list
) -> dict:
    """Flagged products per year, split into those that stayed from the year before and those that
    entered; the first year (no year before) is one bar of its own colour."""
    data = [
        {
            "type": "bar",
            "name": "Flagged (first year screened)",
            "x": periods[:1],
            "y": first[:1],
            "marker": {"color": GREY},
            "hovertemplate": "%{x}: %{y} flagged<extra></extra>",
        }
    ]
    data += [
        {
            "type": "bar",
            "name": s["name"],
            "x": periods[1:],
            "y": s["values"][1:],
            "marker": {"color": s.get("color") or PALETTE[i % len(PALETTE)]},
            "hovertemplate": f"{s['name']} %{{x}}: %{{y}}<extra></extra>",
        }
        for i, s in enumerate(series)
    ]
    layout = base_layout(title, source_line, height=400, bottom=150)
    layout.update(
        barmode="stack",
        xaxis={"type": "category", "automargin": True},
        yaxis={
            "title": {"text": "Products", "standoff": 8},
            "rangemode": "tozero",
            "gridcolor": "#e5e7eb",
            "automargin": True,
            "tickformat": "d",
        },
        # Below the axis: a legend over the plot would cover the title on a narrow screen.
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
    )
    return {"data": data, "layout": layout}
