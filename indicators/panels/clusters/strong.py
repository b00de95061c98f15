"""Strong clusters for other pages (matchmaking, value chains, ecosystem pairs)."""

from __future__ import annotations

from ...models import IndicatorValue
from ...selectors import (
    cached,
)
from .base import assessment, category_map, is_strong, resolve_parameters, resolve_period

# --- strong clusters, for other pages (matchmaking, value chains, ecosystem pairs) ---------------


def strong_clusters(method: str = "stars") -> dict:
    """The strong (region, category) pairs of the default year and the current thresholds — the
    same verdicts as /clusters/regions/<nuts>/: {"rows": [{"geo", "category", "name", "stars",
    "lq", "emp"}], "period", "version", "method", "min_stars"}; rows empty when not computed.

    Read from the stars recompute stored for this threshold version (``cluster_stars``,
    ``cluster_us_strong`` with ``parameter_version``; Decision 25), not from a fresh assessment of
    every region × category: the other pages that need only the verdicts (explorer, ecosystem
    pairs, matchmaking) then cost two indexed queries instead of the cluster pages' ~30 s cold
    assessment on the real data. :func:`assessed_strong_clusters` is the same from the assessment."""
    params = resolve_parameters(None)
    period = resolve_period(None)
    if params is None or period is None:
        return {"rows": [], "period": None, "version": None, "method": method, "min_stars": None}
    key = f"strong-clusters:{method}:{period}:{params['number']}"
    return cached(key, lambda: _stored_strong(method, period, params))


def _stored_strong(method: str, period: str, params: dict) -> dict:
    min_stars = int(params["strong_min_stars"])
    verdicts = IndicatorValue.objects.filter(
        indicator_id__in=["cluster_stars", "cluster_us_strong"],
        period=period,
        parameter_version=params["number"],
    ).values_list("indicator_id", "ecosystem", "geo", "value")
    stars, us = {}, {}
    for indicator, category, geo, value in verdicts:
        (stars if indicator == "cluster_stars" else us)[(geo, category)] = value
    if method == "us":
        strong = [k for k, v in us.items() if v == 1]
    else:
        strong = [k for k, v in stars.items() if v is not None and v >= min_stars]
    figures = {}
    if strong:
        for indicator, category, geo, value in IndicatorValue.objects.filter(
            indicator_id__in=["cluster_lq", "cluster_emp"],
            period=period,
            parameter_version__isnull=True,
            geo__in=sorted({g for g, _ in strong}),
        ).values_list("indicator_id", "ecosystem", "geo", "value"):
            figures[(indicator, geo, category)] = value
    cats = category_map()
    rows = [
        {
            "geo": geo,
            "category": category,
            "name": cats.get(category, {}).get("name", category),
            "stars": None if stars.get((geo, category)) is None else int(stars[(geo, category)]),
            "lq": figures.get(("cluster_lq", geo, category)),
            "emp": figures.get(("cluster_emp", geo, category)),
        }
        for geo, category in sorted(strong)
    ]
    return {
        "rows": rows,
        "period": period,
        "version": params["number"],
        "method": method,
        "min_stars": min_stars,
    }


def assessed_strong_clusters(method: str = "stars") -> dict:
    """:func:`strong_clusters` from a fresh assessment (as the cluster pages compute their badges);
    a test holds the two equal."""
    params = resolve_parameters(None)
    period = resolve_period(None)
    if params is None or period is None:
        return {"rows": [], "period": None, "version": None, "method": method, "min_stars": None}
    cats = category_map()
    rows = [
        {
            "geo": r["geo"],
            "category": r["category"],
            "name": cats.get(r["category"], {}).get("name", r["category"]),
            "stars": r["stars"],
            "lq": r.get("lq"),
            "emp": r.get("emp"),
        }
        for r in assessment(period, params)
        if is_strong(r, method, params)
    ]
    return {
        "rows": rows,
        "period": period,
        "version": params["number"],
        "method": method,
        "min_stars": int(params["strong_min_stars"]),
    }
