"""Helpers every page family's panels share: cells, the panel dict, sources, links, summaries.

A panel is a plain dict — everything one chart needs on the page and in its exports: ``id``,
``title``, ``figure`` (Plotly dict from indicators.charts), ``summary`` (text alternative),
``columns`` + ``rows`` (the data table, see :mod:`.tables`; cells are dicts with ``text``,
``value``, ``flags``, optional ``href``), ``source`` (the release the numbers come from),
``api`` (the /api/v1/values/ query that returns the same values).
"""

from __future__ import annotations

from django.urls import reverse

from .. import charts
from ..flags import describe
from ..registry import INDICATORS
from ..selectors import default_period, ecosystem_rows, periods_of, release_infos


def fmt(value, decimals: int = 0) -> str:
    if not charts.is_number(value):
        return "–"
    return f"{value:,.{decimals}f}"


def cell(value, decimals: int = 0, flags: str = "", href: str = "", num: bool = True) -> dict:
    """A table cell. Missing values print as '–' (or 'confidential' for flag c), never as 0."""
    if isinstance(value, str) and not num:
        return {"text": value, "value": value, "flags": flags, "href": href, "num": False}
    text = fmt(value, decimals)
    if text == "–" and "c" in (flags or ""):
        text = "confidential"
    return {
        "text": text,
        "value": round(value, decimals + 2) if charts.is_number(value) else None,
        "flags": flags or "",
        "flag_title": describe(flags) if flags else "",
        "href": href,
        "num": True,
    }


def label_cell(text: str, href: str = "") -> dict:
    return cell(text, href=href, num=False)


def spec(code: str):
    return INDICATORS[code]


def source_of(indicator: str) -> dict:
    return release_infos().get(spec(indicator).source, {"code": spec(indicator).source, "vintage": ""})


def source_line(indicator: str) -> str:
    s = source_of(indicator)
    publisher = s.get("publisher") or "Eurostat"
    return f"Source: {publisher} {s['code']}, {s.get('vintage') or 'not loaded'}; EU Industry Observatory"


def pct_change(first, last) -> float | None:
    if charts.is_number(first) and charts.is_number(last) and first:
        return (last / first - 1) * 100
    return None


def latest_period(indicator: str, wanted: str | None = None) -> str | None:
    """The year asked for when it has data, else the default year (latest with good coverage)."""
    periods = periods_of(indicator)
    if wanted and wanted in periods:
        return wanted
    return default_period(indicator)


def eco_names() -> dict[str, str]:
    return {e["slug"]: e["name"] for e in ecosystem_rows()}


def eco_url(slug: str) -> str:
    return reverse("ecosystems:ecosystem-detail", args=[slug])


def country_url(geo: str) -> str:
    return reverse("ecosystems:country-detail", args=[geo])


def region_url(nuts: str) -> str:
    return reverse("ecosystems:region-detail", args=[nuts])


def index(rows: list[dict], *keys: str) -> dict:
    """Rows by KEYS; a value row's display flags are the publisher's letters then our markers
    (told apart by flags.describe and by the two legends)."""
    shown = [{**r, "flags": shown_flags(r)} for r in rows]
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in shown}


def shown_flags(row: dict) -> str:
    """What a page shows beside a value: the publisher's flags, then our markers (A, E, I)."""
    return (row.get("flags") or "") + (row.get("markers") or "")


def stored_change(row: dict) -> dict:
    """A cell for a stored change (e.g. emp_change): its value and the base year it runs from."""
    c = cell(row.get("value"), 1, row.get("flags", ""))
    if charts.is_number(row.get("value")) and row.get("base_period"):
        c["text"] = f"{c['text']} (from {row['base_period']})"
    return c


def complete_change(first: dict, last: dict) -> float | None:
    """% change, never from or to a figure our markers call incomplete (I)."""
    if "I" in (first.get("markers") or "") or "I" in (last.get("markers") or ""):
        return None
    return pct_change(first.get("value"), last.get("value"))


def panel(pid, title, figure, summary, columns, rows, indicator, api) -> dict:
    return {
        "id": pid,
        "title": title,
        "figure": figure,
        "summary": summary,
        "columns": columns,
        "rows": rows,
        "source": source_of(indicator),
        "api": api,
    }


def incomplete(point: dict) -> bool:
    """A value our markers call incomplete (I: a lower bound, some components missing): shown,
    never ranked."""
    return "I" in (point.get("flags") or "")


def ranking_summary(points: list[dict], what: str, unit: str, decimals: int, period: str) -> str:
    """The highest and lowest places among the complete values; incomplete ones (marker I) are
    counted, never ranked."""
    numeric = [p for p in points if charts.is_number(p["value"])]
    ranked = sorted((p for p in numeric if not incomplete(p)), key=lambda p: -p["value"])
    partial, missing = len(numeric) - len(ranked), len(points) - len(numeric)
    if not numeric:
        return f"No {what} values for {period}."
    if ranked:
        top = ", ".join(f"{p['label']} ({fmt(p['value'], decimals)})" for p in ranked[:3])
        text = f"{what} in {period}, {unit}: highest {top}; lowest {ranked[-1]['label']} "
        text += f"({fmt(ranked[-1]['value'], decimals)}). "
    else:
        text = f"{what} in {period}, {unit}: no complete value to rank. "
    text += f"{len(numeric)} places have a value"
    if partial:
        text += f", {partial} of them incomplete (lower bounds, marked I, not ranked)"
    return text + (f", {missing} are missing or confidential." if missing else ".")


def points_table(points: list[dict], decimals: int, link=None) -> list[list[dict]]:
    """Place/value rows in by_value's order (complete values largest first, then incomplete
    ones, then places without a value); LINK(key) gives each label's href (default the country page)."""
    link = link or country_url
    return [
        [label_cell(p["label"], link(p["key"])), cell(p["value"], decimals, p["flags"])]
        for p in by_value(points)
    ]


def by_value(points: list[dict]) -> list[dict]:
    """POINTS in points_table's order: complete values largest first, then incomplete ones
    (marker I: lower bounds, not ranked among the complete), then places without a value."""

    def key(p):
        number = charts.is_number(p["value"])
        return (not number, number and incomplete(p), -(p["value"] or 0) if number else 0)

    return sorted(points, key=key)


def change_text(points: list[dict]) -> str:
    """ " (+x % from YEAR to YEAR, complete years)." between the first and last complete points
    (no marker I), or a sentence saying none was computed."""
    complete = [p for p in points if not incomplete(p)]
    if len(complete) < 2:
        return " (no change computed: too few complete years)."
    change = pct_change(complete[0]["value"], complete[-1]["value"])
    return f" ({fmt(change, 1)} % from {complete[0]['period']} to {complete[-1]['period']}, complete years)."


def value_points(items: list[dict], get, key: str = "slug", label: str = "name") -> list[dict]:
    """Chart points (``key, label, value, flags``) for ITEMS (dicts with KEY and LABEL), each
    value row from GET(item's key) (a dict with ``value`` and ``flags``)."""
    return [
        {"key": i[key], "label": i[label], "value": get(i[key])["value"], "flags": get(i[key])["flags"]}
        for i in items
    ]
