"""/technologies/<slug>/: one technology's figures, fields and industries."""

from __future__ import annotations

from django.urls import reverse

from ... import charts
from ...selectors import cached, periods_of, values
from ..common import cell, fmt, label_cell, panel, ranking_summary, shown_flags
from .base import (
    COMPARED,
    COUNTRY_GEOS,
    EU,
    _by,
    field_name,
    incomplete_note,
    latest,
    name,
    rankable,
    source_text,
    technology,
    uptake_status,
)
from .overview import _trend_panel

# --- /technologies/<slug>/ -----------------------------------------------------------------------


def detail(slug: str) -> dict:
    return cached(f"tech-detail:{slug}", lambda: _detail(slug))


def _detail(slug: str) -> dict:
    tech = technology(slug)
    period = latest("pat_fam_share_world")
    out = {
        "tech": tech,
        "period": period,
        "panels": [],
        "uptake_status": uptake_status(tech),
        "fields": tech["fields"],
    }
    panels = []
    if period:
        rows = values(
            ["tech_pat_share_world", "tech_pat_rta", "tech_pat_fam"], ecosystems=[slug], periods=[period]
        )
        by = _by(rows, "indicator", "geo")
        geos = [g for g in COUNTRY_GEOS if ("tech_pat_fam", g) in by]
        eu = by.get(("tech_pat_share_world", EU), {})
        out["key"] = {
            "share": fmt(eu.get("value"), 2),
            "rta": fmt(by.get(("tech_pat_rta", EU), {}).get("value"), 2),
            "families": fmt(by.get(("tech_pat_fam", EU), {}).get("value")),
            "world": fmt(by.get(("tech_pat_fam", "WORLD"), {}).get("value")),
        }
        pts = [
            {
                "key": g,
                "label": name(g),
                "value": by[("tech_pat_share_world", g)]["value"],
                "flags": shown_flags(by[("tech_pat_share_world", g)]),
            }
            for g in geos
            if ("tech_pat_share_world", g) in by
        ]
        table = [
            [
                label_cell(name(g)),
                cell(
                    by.get(("tech_pat_fam", g), {}).get("value"),
                    0,
                    shown_flags(by.get(("tech_pat_fam", g), {})),
                ),
                cell(by.get(("tech_pat_share_world", g), {}).get("value"), 2),
                cell(by.get(("tech_pat_rta", g), {}).get("value"), 2),
            ]
            for g in sorted(geos, key=lambda g: -(by.get(("tech_pat_fam", g), {}).get("value") or 0))
        ]
        title = f"{tech['name']}: share of world patent families by economy, {period}"
        panels.append(
            panel(
                "generation",
                title,
                charts.bar(
                    rankable(pts),
                    title=title,
                    source_line=source_text(),
                    unit="% of world",
                    decimals=1,
                    highlight=EU,
                ),
                ranking_summary(
                    rankable(pts), f"{tech['name']}: share of world patent families", "%", 2, period
                )
                + incomplete_note(pts),
                ["Economy", "Patent families (weighted)", "Share of world (%)", "RTA"],
                table,
                "tech_pat_share_world",
                {"indicator": "tech_pat_share_world", "ecosystem": slug, "period": period},
            )
        )
        panels.append(_trend_panel(slug, "tech_pat_share_world", tech["name"]))
        rta_pts = [
            {
                "key": g,
                "label": name(g),
                "value": by[("tech_pat_rta", g)]["value"],
                "flags": shown_flags(by[("tech_pat_rta", g)]),
            }
            for g in geos
            if ("tech_pat_rta", g) in by
        ]
        title = f"{tech['name']}: revealed technological advantage, {period}"
        panels.append(
            panel(
                "rta",
                title,
                charts.bar(
                    rankable(rta_pts),
                    title=title,
                    source_line=source_text(),
                    unit="RTA",
                    decimals=2,
                    highlight=EU,
                    reference=("Neutral", 1.0),
                ),
                ranking_summary(rankable(rta_pts), f"{tech['name']}: RTA", "ratio", 2, period)
                + incomplete_note(rta_pts),
                ["Economy", "RTA"],
                [
                    [label_cell(p["label"]), cell(p["value"], 2, p["flags"])]
                    for p in sorted(rta_pts, key=lambda p: -p["value"])
                ],
                "tech_pat_rta",
                {"indicator": "tech_pat_rta", "ecosystem": slug, "period": period},
            )
        )
    if period:
        panels.append(_tech_fields_panel(tech, period))
        panels += _industry_panels(tech, period)
    uptake_period = latest("tech_uptake")
    uptake_rows = values(["tech_uptake"], ecosystems=[slug], periods=[uptake_period]) if uptake_period else []
    if uptake_rows:
        members = set(_eu_members())
        pts = [
            {"key": r["geo"], "label": name(r["geo"]), "value": r["value"], "flags": shown_flags(r)}
            for r in uptake_rows
            if r["geo"] in members
        ]
        eu_row = next((r for r in uptake_rows if r["geo"] == EU), None)
        title = (
            f"{tech['name']}: enterprises using it, % of enterprises (10+ persons employed), {uptake_period}"
        )
        panels.append(
            panel(
                "uptake",
                title,
                charts.bar(
                    pts,
                    title=title,
                    source_line=source_text("isoc_eb_ai"),
                    unit="% of enterprises",
                    decimals=1,
                    reference=("EU27", eu_row["value"]) if eu_row else None,
                ),
                ranking_summary(pts, f"Enterprises using {tech['name']}", "%", 1, uptake_period),
                ["Member state", "% of enterprises"],
                [
                    [
                        label_cell(p["label"], reverse("ecosystems:country-detail", args=[p["key"]])),
                        cell(p["value"], 1, p["flags"]),
                    ]
                    for p in sorted(pts, key=lambda p: -p["value"])
                ],
                "tech_uptake",
                {"indicator": "tech_uptake", "ecosystem": slug, "period": uptake_period},
            )
        )
        map_title = f"{tech['name']}: enterprises using it by member state, {uptake_period}"
        panels.append(
            panel(
                "uptake-map",
                map_title,
                charts.choropleth(
                    pts,
                    geojson_url=reverse("indicators:geometry", args=[0]),
                    title=map_title,
                    source_line=source_text("isoc_eb_ai"),
                    unit="% of enterprises",
                    decimals=1,
                ),
                ranking_summary(pts, f"Enterprises using {tech['name']}", "%", 1, uptake_period),
                ["Member state", "% of enterprises"],
                [
                    [label_cell(p["label"]), cell(p["value"], 1, p["flags"])]
                    for p in sorted(pts, key=lambda p: p["label"])
                ],
                "tech_uptake",
                {"indicator": "tech_uptake", "ecosystem": slug, "period": uptake_period},
            )
        )
        out["uptake_eu"] = fmt(eu_row["value"], 1) if eu_row else None
        out["uptake_period"] = uptake_period
    out["uptake_years"] = periods_of("tech_uptake")
    out["panels"] = panels
    out["panel_ids"] = [p["id"] for p in panels]
    return out


def _tech_fields_panel(tech: dict, period: str) -> dict:
    """The technology's WIPO fields: EU27 share of world and RTA against the rivals, with weights."""
    codes = [f["code"] for f in tech["fields"]]
    rows = values(["pat_fam_share_world", "pat_fam_rta"], ecosystems=codes, geos=COMPARED, periods=[period])
    by = _by(rows, "indicator", "ecosystem", "geo")
    weights = {f["code"]: f["weight"] for f in tech["fields"]}
    title = f"{tech['name']}: the WIPO fields it draws on, share of world patent families, {period}"
    series = [
        {
            "name": name(g),
            "values": [by.get(("pat_fam_share_world", c, g), {}).get("value") for c in codes],
            "flags": [shown_flags(by.get(("pat_fam_share_world", c, g), {})) for c in codes],
        }
        for g in COMPARED
    ]
    figure = charts.grouped_bar(
        [f"{field_name(c)} (× {weights[c]:g})" for c in codes],
        series,
        title=title,
        source_line=source_text(),
        unit="% of world",
        decimals=1,
    )
    for i, trace in enumerate(figure["data"]):
        trace["marker"]["color"] = charts.PALETTE[i % len(charts.PALETTE)]
    table = [
        [label_cell(f"{c} {field_name(c)}"), cell(weights[c], 3)]
        + [cell(by.get(("pat_fam_share_world", c, g), {}).get("value"), 2) for g in COMPARED]
        + [cell(by.get(("pat_fam_rta", c, EU), {}).get("value"), 2)]
        for c in codes
    ]
    eu = [(field_name(c), by.get(("pat_fam_share_world", c, EU), {}).get("value")) for c in codes]
    summary = (
        f"{tech['name']} draws on {len(codes)} WIPO field(s); EU27 share of world in {period}: "
        + "; ".join(f"{n} {fmt(v, 2)}%" for n, v in eu)
    )
    return panel(
        "tech-fields",
        title,
        figure,
        summary + ".",
        ["WIPO field", "Our weight", *[f"{name(g)} share (%)" for g in COMPARED], "EU27 RTA"],
        table,
        "pat_fam_share_world",
        {"indicator": "pat_fam_share_world", "ecosystem": codes, "geo": list(COMPARED), "period": period},
    )


def _industry_panels(tech: dict, period: str) -> list[dict]:
    """Which ecosystems and NACE divisions generate the technology (EU27, concordance)."""
    from ...selectors import ecosystem_rows

    slug = tech["slug"]
    out = []
    eco_names = {e["slug"]: e["name"] for e in ecosystem_rows()}
    keys = [f"{slug}|{e}" for e in eco_names]
    rows = values(["tech_pat_fam_ecosystem"], ecosystems=keys, geos=[EU], periods=[period])
    if rows:
        pts = [
            {"key": key, "label": eco_names.get(key, key), "value": r["value"], "flags": shown_flags(r)}
            for r in rows
            for key in [r["ecosystem"].split("|", 1)[1]]
        ]
        total = sum(p["value"] for p in pts) or None
        title = f"{tech['name']}: EU27 patent families by ecosystem (estimated), {period}"
        out.append(
            panel(
                "ecosystems",
                title,
                charts.bar(pts, title=title, source_line=source_text(), unit="patent families", decimals=0),
                ranking_summary(
                    pts, f"{tech['name']}: EU27 patent families by ecosystem", "families", 0, period
                )
                + " Estimated: WIPO fields → NACE divisions (Fraunhofer ISI concordance) → ecosystems "
                "(our mapping).",
                ["Ecosystem", "Patent families (estimated)", "Share of the mapped families (%)"],
                [
                    [
                        label_cell(p["label"], reverse("ecosystems:ecosystem-detail", args=[p["key"]])),
                        cell(p["value"], 0, p["flags"]),
                        cell(p["value"] / total * 100 if total else None, 1),
                    ]
                    for p in sorted(pts, key=lambda p: -p["value"])
                ],
                "tech_pat_fam_ecosystem",
                {"indicator": "tech_pat_fam_ecosystem", "geo": EU, "period": period},
            )
        )
    from ...selectors import values as _values_all

    nace_rows = [
        r
        for r in _values_all(["tech_pat_fam_nace"], geos=[EU], periods=[period])
        if r["ecosystem"].startswith(slug + "|")
    ]
    if nace_rows:
        total = sum(r["value"] for r in nace_rows) or None
        top = sorted(nace_rows, key=lambda r: -r["value"])[:15]
        pts = [
            {"key": r["ecosystem"].split("|", 1)[1], "label": _nace_label(r["ecosystem"].split("|", 1)[1]),
             "value": r["value"], "flags": shown_flags(r)}
            for r in top
        ]  # fmt: skip
        title = f"{tech['name']}: EU27 patent families by NACE division, top 15 (estimated), {period}"
        out.append(
            panel(
                "nace",
                title,
                charts.bar(pts, title=title, source_line=source_text(), unit="patent families", decimals=0),
                ranking_summary(
                    pts, f"{tech['name']}: EU27 patent families by NACE division", "families", 0, period
                ),
                ["NACE division", "Patent families (estimated)", "Share of the technology's families (%)"],
                [
                    [
                        label_cell(p["label"]),
                        cell(p["value"], 0, p["flags"]),
                        cell(p["value"] / total * 100 if total else None, 1),
                    ]
                    for p in pts
                ],
                "tech_pat_fam_nace",
                {"indicator": "tech_pat_fam_nace", "geo": EU, "period": period},
            )
        )
    return out


def _nace_label(code: str) -> str:
    from ecosystems import selectors as taxonomy

    labels = cached("nace-labels", lambda: taxonomy.code_labels("nace_r2"))
    return f"{code} {labels.get(code, '')}".strip()


def _eu_members() -> list[str]:
    from ...selectors import eu_members

    return eu_members()
