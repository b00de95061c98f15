"""Page data for /compare/: one indicator for up to MAX_COMPARE places over time."""

from __future__ import annotations

from .. import charts
from ..selectors import cached, periods_of, place_names, values
from .common import (
    cell,
    country_url,
    eco_names,
    label_cell,
    panel,
    points_table,
    ranking_summary,
    region_url,
    shown_flags,
    source_line,
    spec,
)

MAX_COMPARE = 10

# --- /compare/ -----------------------------------------------------------------------------------


# A regional indicator and its national counterpart: a mixed comparison (a region against its
# country and the EU) shows each place with the indicator of its own level, and says so.
NATIONAL_OF = {"region_emp": "emp", "region_share_emp": "share_emp", "region_lq_emp": "lq_emp"}
REGIONAL_OF = {v: k for k, v in NATIONAL_OF.items()}


def compare_codes(code: str, geos: list[str], is_region) -> dict[str, str]:
    """geo -> the indicator code that place is shown with (its level's counterpart of CODE)."""
    out = {}
    for g in geos:
        if is_region(g):
            out[g] = REGIONAL_OF.get(code, code) if spec(code).scope != "region" else code
        else:
            out[g] = NATIONAL_OF.get(code, code) if spec(code).scope == "region" else code
    return out


def compare_view(
    geos: list[str],
    code: str,
    ecosystem: str | None,
    codes: dict[str, str] | None = None,
    year: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> dict:
    geos = list(dict.fromkeys(geos))[:MAX_COMPARE]
    codes = codes or {g: code for g in geos}
    key = f"cmp:{code}:{ecosystem}:{','.join(f'{g}={codes[g]}' for g in geos)}:{year}:{start}:{end}"
    return cached(key, lambda: _compare_view(geos, code, ecosystem, codes, year, start, end))


def _compare_view(geos, code, ecosystem, codes, year, start, end) -> dict:
    s = spec(code)
    names = place_names()
    used = sorted(set(codes.values()))
    rows = values(used, ecosystems=[ecosystem], geos=geos)
    by = {
        (r["geo"], r["period"]): {**r, "flags": shown_flags(r)}
        for r in rows
        if r["indicator"] == codes[r["geo"]]
    }
    all_periods = sorted({p for c in used for p in periods_of(c)})
    with_data = sorted({p for (_, p), r in by.items() if charts.is_number(r.get("value"))})
    periods = [p for p in all_periods if (not start or p >= start) and (not end or p <= end)]
    # The snapshot year: the one asked for when a chosen place has a value then, else the latest
    # year in which any chosen place has one (never an empty chart for a year nobody has).
    latest = year if year in with_data else (with_data[-1] if with_data else None)
    ename = eco_names().get(ecosystem, ecosystem)
    mixed = len(used) > 1
    label = (
        (lambda g: f"{names.get(g, g)} ({'regional' if spec(codes[g]).scope == 'region' else 'national'})")
        if mixed
        else (lambda g: names.get(g, g))
    )
    series = [
        {
            "name": label(g),
            "points": [
                {
                    "period": p,
                    "value": by.get((g, p), {}).get("value"),
                    "flags": by.get((g, p), {}).get("flags") or "",
                }
                for p in periods
            ],
        }
        for g in geos
    ]
    title = f"{s.title}: {ename}, {', '.join(names.get(g, g) for g in geos)}"
    points = [
        {
            "key": g,
            "label": label(g),
            "value": by.get((g, latest), {}).get("value"),
            "flags": by.get((g, latest), {}).get("flags") or "",
        }
        for g in geos
    ]
    bar_title = f"{s.title}: {ename}, {latest}"
    sources = ", ".join(sorted({spec(c).source for c in used}))
    source_text = f"Source: Eurostat {sources}; EU Industry Observatory" if mixed else source_line(code)
    span = f"{periods[0]}–{periods[-1]}" if periods else ""
    line_panel = panel(
        "compare-lines",
        title,
        charts.lines(series, title=title, source_line=source_text, unit=s.unit, decimals=s.decimals),
        f"{s.title} over {span} for {len(geos)} places." if periods else "No years in the chosen range.",
        ["Year", *(x["name"] for x in series)],
        [
            [
                label_cell(p),
                *(
                    cell(by.get((g, p), {}).get("value"), s.decimals, by.get((g, p), {}).get("flags") or "")
                    for g in geos
                ),
            ]
            for p in periods
        ],
        code,
        {"indicator": used, "ecosystem": ecosystem, "geo": geos, "period_from": start, "period_to": end},
    )
    bar_panel = panel(
        "compare-latest",
        bar_title,
        charts.bar(points, title=bar_title, source_line=source_text, unit=s.unit, decimals=s.decimals),
        ranking_summary(points, s.title, s.unit, s.decimals, latest or ""),
        ["Place", s.title],
        points_table(
            points,
            s.decimals,
            link=lambda g: region_url(g) if spec(codes[g]).scope == "region" else country_url(g),
        ),
        code,
        {"indicator": used, "ecosystem": ecosystem, "geo": geos, "period": latest},
    )
    return {
        "spec": s,
        "geos": geos,
        "periods": all_periods,
        "period": latest,
        "years_with_data": with_data,
        "mixed": mixed,
        "codes_used": [spec(c) for c in used],
        "panels": [line_panel, bar_panel],
    }
