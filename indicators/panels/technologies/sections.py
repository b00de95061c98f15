"""The technology sections of the country page and the ecosystem page."""

from __future__ import annotations

from ...selectors import cached, values
from ..common import fmt, source_of
from .base import COUNTRY_GEOS, EU, _by, latest, name, source_of_source, tech_url, technologies

# --- country page section --------------------------------------------------------------------------


def country_section(geo: str) -> dict | None:
    """Patent specialisation of a country by technology (RTA, share) when NCSES lists it."""
    return cached(f"tech-country:{geo}", lambda: _country_section(geo))


def _country_section(geo: str) -> dict | None:
    period = latest("tech_pat_rta")
    if period is None:
        return None
    uptake_period = latest("tech_uptake")
    uptake = []
    if uptake_period:
        up = _by(values(["tech_uptake"], geos=[geo, EU], periods=[uptake_period]), "ecosystem", "geo")
        names = {t["slug"]: t["name"] for t in technologies()}
        uptake = [
            {
                "name": names.get(slug, slug),
                "url": tech_url(slug),
                "value": fmt(r["value"], 1),
                "eu": fmt(up.get((slug, EU), {}).get("value"), 1),
                "period": uptake_period,
            }
            for (slug, g), r in up.items()
            if g == geo
        ]
    rows = values(["tech_pat_rta", "tech_pat_share_world"], geos=[geo, EU], periods=[period])
    if not any(r["geo"] == geo for r in rows):
        return {"period": period, "listed": False, "uptake": uptake}
    by = _by(rows, "indicator", "ecosystem", "geo")
    techs = technologies()
    ranked = sorted(
        (t for t in techs if ("tech_pat_rta", t["slug"], geo) in by),
        key=lambda t: -by[("tech_pat_rta", t["slug"], geo)]["value"],
    )
    return {
        "period": period,
        "listed": True,
        "rows": [
            {
                "name": t["name"],
                "url": tech_url(t["slug"]),
                "rta": fmt(by[("tech_pat_rta", t["slug"], geo)]["value"], 2),
                "eu_rta": fmt(by.get(("tech_pat_rta", t["slug"], EU), {}).get("value"), 2),
                "share": fmt(by.get(("tech_pat_share_world", t["slug"], geo), {}).get("value"), 2),
            }
            for t in ranked
        ],
        "strongest": [t["name"] for t in ranked[:3]],
        "uptake": uptake,
    }


# --- ecosystem page section ------------------------------------------------------------------------


def ecosystem_section(slug: str) -> dict | None:
    """Patent families mapped to the ecosystem (concordance × mapping), by economy, latest year."""
    return cached(f"tech-ecosystem:{slug}", lambda: _ecosystem_section(slug))


def _ecosystem_section(slug: str) -> dict | None:
    period = latest("pat_fam_ecosystem")
    if period is None:
        return None
    rows = values(["pat_fam_ecosystem"], ecosystems=[slug])
    latest_rows = {r["geo"]: r for r in rows if r["period"] == period}
    world = latest_rows.get("WORLD", {}).get("value")
    ranked = sorted(
        (r for g, r in latest_rows.items() if g in COUNTRY_GEOS and "I" not in (r.get("markers") or "")),
        key=lambda r: -r["value"],
    )
    return {
        "period": period,
        "eu": fmt(latest_rows.get(EU, {}).get("value")),
        "eu_share": fmt(latest_rows[EU]["value"] / world * 100, 2) if world and EU in latest_rows else "–",
        "rows": [
            {
                "name": name(r["geo"]),
                "value": fmt(r["value"]),
                "share": fmt(r["value"] / world * 100, 2) if world else "–",
            }
            for r in ranked[:12]
        ],
        "source": source_of("pat_fam_ecosystem"),
        "intensity": _intensity_rows(slug),
    }


def _intensity_rows(slug: str) -> dict | None:
    from ...selectors import default_period

    period = default_period("pat_intensity_ecosystem")
    if period is None:
        return None
    rows = values(["pat_intensity_ecosystem"], ecosystems=[slug], periods=[period])
    ranked = sorted(rows, key=lambda r: -r["value"])
    return {
        "period": period,
        "rows": [{"name": name(r["geo"]), "value": fmt(r["value"], 2)} for r in ranked],
        "sbs": source_of_source("sbs_na_sca_r2"),
    }
