"""Cluster pages: reference data, the assessment (stars, US rule), badges and strength."""

from __future__ import annotations

import math

import pandas as pd
from django.urls import reverse

from ecosystems import selectors as taxonomy
from observatory.params import is_id

from ...compute import clusters as cc
from ...models import IndicatorValue
from ...selectors import (
    cached,
    default_period,
    eu_members,
    periods_of,
)
from ..common import fmt

METHODS = {"stars": "European Cluster Observatory stars", "us": "US Cluster Mapping strong clusters"}
FIGURES = ("cluster_emp", "cluster_units", "cluster_lq", "cluster_wage_ratio")
RULE_TEXT = {
    "size": "Size: employment in the top {top:.0%} of EU regions in this category",
    "specialisation": "Specialisation: location quotient ≥ {lq:g}",
    "productivity": "Productivity: wages per person employed ≥ {ratio:g} × the category's EU level",
    "dynamism": "Dynamism: employment growth over {window} years ≥ the EU's growth + {margin:g} pp",
    "us": "US strong cluster: LQ ≥ p{p75:.0f} of regions and ≥ {lqmin:g}; "
    "employment and local units ≥ p{p25:.0f}",
}


# --- reference data ------------------------------------------------------------------------------


def categories() -> list[dict]:
    rows = cached("cluster-categories", taxonomy.cluster_category_dicts)
    for r in rows:
        r["url"] = reverse("indicators:cluster-category", args=[r["slug"]])
    return rows


def category_map() -> dict[str, dict]:
    return {c["slug"]: c for c in categories()}


def kinds() -> dict[str, str]:
    return {c["slug"]: c["kind"] for c in categories()}


def parameter_sets() -> list[dict]:
    return cached("cluster-parameters", taxonomy.cluster_parameter_dicts)


def resolve_parameters(raw: str | None) -> dict | None:
    """The threshold version asked for (``?params=N``), else the current one; None if unknown."""
    sets = parameter_sets()
    if raw in (None, ""):
        return next((p for p in sets if p["is_current"]), sets[0] if sets else None)
    if not is_id(str(raw)):
        return None
    return next((p for p in sets if p["number"] == int(raw)), None)


def rules(params: dict) -> dict[str, str]:
    return {
        "size": RULE_TEXT["size"].format(top=params["size_top_share"]),
        "specialisation": RULE_TEXT["specialisation"].format(lq=params["specialisation_lq"]),
        "productivity": RULE_TEXT["productivity"].format(ratio=params["productivity_ratio"]),
        "dynamism": RULE_TEXT["dynamism"].format(
            window=params["growth_window"], margin=params["dynamism_margin"]
        ),
        "us": RULE_TEXT["us"].format(
            p75=params["us_lq_percentile"] * 100,
            lqmin=params["us_lq_min"],
            p25=params["us_size_percentile"] * 100,
        ),
    }


def periods() -> list[str]:
    return periods_of("cluster_emp")


def resolve_period(raw: str | None) -> str | None:
    ps = periods()
    return raw if raw in ps else default_period("cluster_emp")


# --- the assessment ------------------------------------------------------------------------------


def _num(v):
    if v is None or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _bool(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else bool(v)


def assessment(period: str, params: dict) -> list[dict]:
    """Every region × category of PERIOD with its figures, rules met and cut-offs (dicts)."""
    return cached(f"cluster-assess:{period}:{params['number']}", lambda: _assessment(period, params))


def _assessment(period: str, params: dict) -> list[dict]:
    base = str(int(period) - int(params["growth_window"]))
    rows = IndicatorValue.objects.filter(
        indicator_id__in=FIGURES, period__in=[period, base], parameter_version__isnull=True
    ).values_list("indicator_id", "ecosystem", "geo", "period", "value", "flags", "markers")
    frame = pd.DataFrame(
        list(rows), columns=["indicator", "ecosystem", "geo", "period", "value", "flags", "markers"]
    )
    if frame.empty:
        return []
    frame["indicator"] = frame["indicator"].str.removeprefix("cluster_")
    frame["value"] = frame["value"].astype("float64")
    out = cc.assess(frame, params, kinds(), members=eu_members(), periods=[period])
    if out.empty:
        return []
    own = frame[(frame["indicator"] == "emp") & (frame["period"] == period)]
    markers = dict(zip(zip(own["ecosystem"], own["geo"], strict=True), own["markers"], strict=True))
    records = []
    for r in out.to_dict("records"):
        rec = {k: (_bool(v) if k in (*cc.STARS, "us_strong") else v) for k, v in r.items()}
        for k, v in rec.items():
            if k not in (
                *cc.STARS,
                "us_strong",
                "category",
                "geo",
                "period",
                "base_period",
            ) and not isinstance(v, bool):
                rec[k] = _num(v)
        stars = _num(r["stars"])
        rec["stars"] = None if stars is None else int(stars)
        rec["markers"] = markers.get((r["category"], r["geo"]), "")
        records.append(rec)
    return records


def is_strong(row: dict, method: str, params: dict) -> bool:
    if method == "us":
        return bool(row.get("us_strong"))
    return (row.get("stars") or 0) >= int(params["strong_min_stars"])


def star_counts(rows: list[dict]) -> dict:
    counts = {n: 0 for n in range(0, 5)}
    jobs = {n: 0.0 for n in range(0, 5)}
    for r in rows:
        if r["stars"] is None:
            continue
        counts[r["stars"]] += 1
        jobs[r["stars"]] += r["emp"] or 0
    strong_us = [r for r in rows if r.get("us_strong")]
    return {
        "by_stars": [{"stars": n, "pairs": counts[n], "jobs": jobs[n]} for n in range(1, 5)],
        "at_least_one": sum(counts[n] for n in range(1, 5)),
        "not_assessed": sum(1 for r in rows if r["stars"] is None),
        "us_strong": len(strong_us),
        "us_jobs": sum(r["emp"] or 0 for r in strong_us),
    }


# --- badges --------------------------------------------------------------------------------------


def _pct(p) -> str:
    return "–" if p is None else f"p{p * 100:.0f}"


def badges(row: dict, params: dict) -> list[dict]:
    """One badge per rule: met (True/False/None = not assessed), rule, value, cut-off, percentile."""
    text = rules(params)
    items = [
        ("size", "Size", row.get("emp"), row.get("size_cut"), row.get("size_pct"), 0, "persons"),
        (
            "specialisation",
            "Specialisation",
            row.get("lq"),
            row.get("specialisation_cut"),
            row.get("specialisation_pct"),
            2,
            "LQ",
        ),
        (
            "productivity",
            "Productivity",
            row.get("wage_ratio"),
            row.get("productivity_cut"),
            row.get("productivity_pct"),
            2,
            "× EU",
        ),
        ("dynamism", "Dynamism", row.get("growth"), row.get("dynamism_cut"), row.get("dynamism_pct"), 1, "%"),
    ]
    out = []
    for key, label, value, cut, pct, dec, unit in items:
        met = row.get(key)
        out.append(
            {
                "key": key,
                "label": label,
                "met": met,
                "rule": text[key],
                "value": fmt(value, dec),
                "cut": fmt(cut, dec),
                "unit": unit,
                "pct": _pct(pct),
                "state": "met" if met else ("not-assessed" if met is None else "not-met"),
                "note": ""
                if met is not None
                else "not assessed: a figure is missing, incomplete or confidential",
            }
        )
    us = row.get("us_strong")
    out.append(
        {
            "key": "us",
            "label": "US strong",
            "met": us,
            "rule": text["us"],
            "value": f"LQ {fmt(row.get('lq'), 2)} ({_pct(row.get('specialisation_pct'))}), "
            f"{fmt(row.get('emp'))} persons ({_pct(row.get('size_pct'))}), "
            f"{fmt(row.get('units'))} local units ({_pct(row.get('units_pct'))})",
            "cut": f"LQ {fmt(max(row.get('us_lq_cut') or 0, params['us_lq_min']), 2)}, "
            f"{fmt(row.get('us_emp_cut'))} persons, {fmt(row.get('us_units_cut'))} units",
            "unit": "",
            "pct": _pct(row.get("specialisation_pct")),
            "state": "met" if us else ("not-assessed" if us is None else "not-met"),
            "note": "" if us is not None else "not assessed (incomplete figures, or an emerging industry)",
        }
    )
    return out


def stars_text(row: dict) -> str:
    if row.get("stars") is None:
        return "not assessed"
    return "★" * row["stars"] + "☆" * (4 - row["stars"])


# --- strength ------------------------------------------------------------------------------------


def strength_values(period: str | None, version: int, method: str) -> dict[tuple[str, str], float]:
    """Stored cluster strength (% of traded employment in strong clusters): (geo, period) -> value."""
    code = "cluster_strength_us" if method == "us" else "cluster_strength_stars"

    def build():
        qs = IndicatorValue.objects.filter(indicator_id=code, parameter_version=version, value__isnull=False)
        if period:
            qs = qs.filter(period=period)
        return {(g, p): v for g, p, v in qs.values_list("geo", "period", "value")}

    return cached(f"cluster-strength:{code}:{version}:{period}", build)


def ranks(values: dict[str, float]) -> dict[str, int]:
    """Rank 1 = highest; ties share the best rank."""
    ordered = sorted(values.values(), reverse=True)
    return {g: ordered.index(v) + 1 for g, v in values.items()}
