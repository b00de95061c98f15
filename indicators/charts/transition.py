"""The twin-transition quadrant: a labelled scatter with reference lines (pure dicts, no Django)."""

from __future__ import annotations

from . import BLUE, YELLOW, base_layout, flag_text, is_number


def quadrant(
    points: list[dict],
    *,
    title: str,
    source_line: str,
    x_title: str,
    y_title: str,
    x_ref: tuple[str, float] | None,
    y_ref: tuple[str, float] | None,
    highlight: str | None = None,
    decimals: int = 1,
) -> dict:
    """Scatter of places, each labelled with its code; dashed lines at the reference values
    (e.g. the EU27) split the plane into four labelled quadrants.

    points: ``key`` (geo), ``label`` (name), ``x``, ``y`` and optional ``flags``; points missing
    either coordinate are left out (the data table lists them).
    """
    shown = [p for p in points if is_number(p["x"]) and is_number(p["y"])]
    fmt = f",.{decimals}f"
    layout = base_layout(title, source_line, height=560, bottom=110)
    layout.update(
        xaxis={
            "title": {"text": x_title, "standoff": 8},
            "gridcolor": "#e5e7eb",
            "zeroline": False,
            "automargin": True,
        },
        yaxis={
            "title": {"text": y_title, "standoff": 8},
            "gridcolor": "#e5e7eb",
            "zeroline": False,
            "automargin": True,
        },
        showlegend=False,
        shapes=[],
    )
    if not shown:
        layout["xaxis"]["visible"] = layout["yaxis"]["visible"] = False
    for axis, ref in (("x", x_ref), ("y", y_ref)):
        if not ref or not is_number(ref[1]):
            continue
        line = {"type": "line", "line": {"color": "#c1121f", "dash": "dash", "width": 2}}
        if axis == "x":
            line.update(xref="x", yref="paper", x0=ref[1], x1=ref[1], y0=0, y1=1)
            note = {"x": ref[1], "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom"}
        else:
            line.update(xref="paper", yref="y", x0=0, x1=1, y0=ref[1], y1=ref[1])
            note = {
                "x": 1,
                "y": ref[1],
                "xref": "paper",
                "yref": "y",
                "xanchor": "right",
                "yanchor": "bottom",
            }
        layout["shapes"].append(line)
        layout["annotations"].append(
            {
                **note,
                "text": f"{ref[0]}: {ref[1]:{fmt}}",
                "showarrow": False,
                "font": {"size": 11, "color": "#c1121f"},
            }
        )
    corners = [
        (0.99, 0.99, "right", "top", "ahead<br>on both"),
        (0.01, 0.99, "left", "top", "green ahead,<br>digital behind"),
        (0.99, 0.01, "right", "bottom", "digital ahead,<br>green behind"),
        (0.01, 0.01, "left", "bottom", "behind<br>on both"),
    ]
    if x_ref and y_ref and shown:
        for x, y, xa, ya, text in corners:
            layout["annotations"].append(
                {
                    "text": text,
                    "x": x,
                    "y": y,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": xa,
                    "yanchor": ya,
                    "showarrow": False,
                    "font": {"size": 10, "color": "#555"},
                }
            )
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [p["x"] for p in shown],
                "y": [p["y"] for p in shown],
                "text": [p["key"] for p in shown],
                "textposition": "top center",
                "customdata": [[p["label"], flag_text(p.get("flags", ""))] for p in shown],
                "marker": {
                    "size": 11,
                    "color": [YELLOW if p["key"] == highlight else BLUE for p in shown],
                    "line": {"color": "#1b1f24", "width": 1},
                },
                "hovertemplate": (
                    f"%{{customdata[0]}}: {x_title} %{{x:{fmt}}}, {y_title} %{{y:{fmt}}}%{{customdata[1]}}"
                    "<extra></extra>"
                ),
            }
        ],
        "layout": layout,
    }
