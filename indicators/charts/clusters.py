"""Cluster figures: the US-style portfolio bubble chart and a distribution histogram (pure dicts)."""

from __future__ import annotations

import math

from . import BLUE, GREY, YELLOW, base_layout, flag_text, hide_empty_axes, is_number, wrap

QUADRANTS = (
    # (x side, y side, label): x = growth vs the EU's, y = LQ vs 1
    (1, 1, "Strong and advancing"),
    (-1, 1, "Strong but declining"),
    (1, -1, "Emerging: growing, not yet specialised"),
    (-1, -1, "Weak and declining"),
)


def portfolio(
    points: list[dict],
    *,
    title: str,
    source_line: str,
    x_centre: float = 0.0,
    y_centre: float = 1.0,
    x_label: str = "Employment growth (%)",
) -> dict:
    """One bubble per category: x = employment growth, y = LQ, size = employment.

    points: dicts with ``key``, ``label``, ``x``, ``y``, ``size`` (employment), ``flags`` and
    ``strong`` (drawn in yellow). Points without x or y are left out (listed in the table).
    The quadrant lines cross at (``x_centre``, ``y_centre``): the EU's growth and LQ = 1.
    """
    shown = [
        p for p in points if is_number(p.get("x")) and is_number(p.get("y")) and is_number(p.get("size"))
    ]
    biggest = max((p["size"] for p in shown), default=1) or 1
    layout = base_layout(title, source_line, height=560)
    xs = [p["x"] for p in shown] + [x_centre]
    ys = [p["y"] for p in shown] + [y_centre]
    x_pad = (max(xs) - min(xs)) * 0.08 or 1
    y_pad = (max(ys) - min(ys)) * 0.08 or 0.2
    x_range = [min(xs) - x_pad, max(xs) + x_pad]
    y_range = [max(0, min(ys) - y_pad), max(ys) + y_pad]
    layout.update(
        xaxis={
            "title": {"text": x_label, "standoff": 8},
            "gridcolor": "#e5e7eb",
            "zeroline": False,
            "range": x_range,
            "automargin": True,
        },
        yaxis={
            "title": {"text": "Location quotient (EU = 1)", "standoff": 8},
            "gridcolor": "#e5e7eb",
            "zeroline": False,
            "range": y_range,
            "automargin": True,
        },
        showlegend=False,
    )
    hide_empty_axes(layout, [p["y"] for p in shown])
    line = {"color": GREY, "dash": "dash", "width": 1.5}
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": x_centre,
            "x1": x_centre,
            "y0": 0,
            "y1": 1,
            "line": line,
        },
        {
            "type": "line",
            "xref": "paper",
            "yref": "y",
            "x0": 0,
            "x1": 1,
            "y0": y_centre,
            "y1": y_centre,
            "line": line,
        },
    ]
    for sx, sy, text in QUADRANTS:
        layout["annotations"].append(
            {
                "text": wrap(text, 22),
                "xref": "paper",
                "yref": "paper",
                "x": 0.99 if sx > 0 else 0.01,
                "y": 0.99 if sy > 0 else 0.01,
                "xanchor": "right" if sx > 0 else "left",
                "yanchor": "top" if sy > 0 else "bottom",
                "showarrow": False,
                "font": {"size": 11, "color": "#555"},
            }
        )
    sizes = [8 + 52 * math.sqrt(p["size"] / biggest) for p in shown]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [p["x"] for p in shown],
                "y": [p["y"] for p in shown],
                "text": [wrap(p["label"], 18) if s > 24 else "" for p, s in zip(shown, sizes, strict=True)],
                "textposition": "middle center",
                "textfont": {"size": 10},
                "customdata": [
                    [p["label"], f"{p['size']:,.0f}", flag_text(p.get("flags", ""))] for p in shown
                ],
                "marker": {
                    "size": sizes,
                    "color": [YELLOW if p.get("strong") else BLUE for p in shown],
                    "opacity": 0.7,
                    "line": {"color": "#1b1f24", "width": 0.8},
                },
                "hovertemplate": "%{customdata[0]}: LQ %{y:.2f}, growth %{x:.1f} %, "
                "%{customdata[1]} persons employed%{customdata[2]}<extra></extra>",
            }
        ],
        "layout": layout,
    }


def histogram(values: list[float], *, title: str, source_line: str, unit: str, edges: list[float]) -> dict:
    """Counts of VALUES between consecutive EDGES (the last bin is open-ended): a bar per bin."""
    counts = [0] * len(edges)
    for v in values:
        if not is_number(v):
            continue
        i = max(j for j, e in enumerate(edges) if v >= e) if v >= edges[0] else 0
        counts[i] += 1
    labels = [f"{a:g}–{b:g}" for a, b in zip(edges, edges[1:], strict=False)] + [f"≥ {edges[-1]:g}"]
    layout = base_layout(title, source_line, height=380)
    layout.update(
        xaxis={"title": {"text": unit, "standoff": 8}, "type": "category", "automargin": True},
        yaxis={"title": {"text": "regions", "standoff": 8}, "gridcolor": "#e5e7eb", "automargin": True},
        showlegend=False,
        bargap=0.1,
    )
    hide_empty_axes(layout, counts if any(counts) else [None])
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": counts,
                "marker": {"color": BLUE},
                "hovertemplate": f"{unit} %{{x}}: %{{y}} regions<extra></extra>",
            }
        ],
        "layout": layout,
    }
