"""The dependency summaries on the country and ecosystem pages."""

from __future__ import annotations

from django.urls import reverse

from ... import selectors as S
from ...compute.dependencies import EU
from ..common import fmt
from .base import _state, pct, product_ecosystems

# --- summaries on the country and ecosystem pages -------------------------------------------------


def summary_for(*, importer: str | None = None, ecosystem: str | None = None, limit: int = 10) -> dict | None:
    """The latest year's flagged products of a member state (as its own importer), or of the EU
    among the products an ecosystem's activities make; None when nothing is screened."""
    rules, release = _state(None)
    if rules is None or release is None:
        return None
    periods = S.dependency_periods(rules["pk"], release["id"])
    period = periods[-1]
    who = importer or EU
    if who not in S.dependency_importers(rules["pk"], release["id"]):
        return None
    rows = [r for r in S.dependency_results(rules["pk"], release["id"], who) if r["period"] == period]
    products = S.trade_products()
    if ecosystem:
        rows = [
            r
            for r in rows
            if any(e["slug"] == ecosystem for e in product_ecosystems(products.get(r["product"])))
        ]
    names = S.partner_names()
    flagged = sorted((r for r in rows if r["judged"] and r["flagged"]), key=lambda r: -r["extra"])
    query = f"?importer={who}" if who != EU else ""
    items = [
        {
            "product": r["product"],
            "label": products.get(r["product"], {}).get("label", ""),
            "url": reverse("indicators:dependency-product", args=[r["product"]]) + query,
            "hhi": fmt(r["hhi"], 2),
            "share": pct(r["extra_share"]),
            "top": names.get(r["top_partner"], r["top_partner"]),
            "top_share": pct(r["top_share"]),
            "persistent": r["persistent"],
            "extra": fmt(r["extra"] / 1e6, 1),
        }
        for r in flagged[:limit]
    ]
    params = (
        [("year", period)]
        + ([("importer", who)] if who != EU else [])
        + ([("ecosystem", ecosystem)] if ecosystem else [])
    )
    from urllib.parse import urlencode

    return {
        "period": period,
        "rules": rules["number"],
        "screened": len(rows),
        "flagged": len(flagged),
        "persistent": sum(1 for r in flagged if r["persistent"]),
        "items": items,
        "more_url": reverse("indicators:dependencies") + "?" + urlencode(params + [("show", "flagged")]),
        "source": release["source"],
        "importer": who,
        "scope": "ecosystem" if ecosystem else "importer",
    }
