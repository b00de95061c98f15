"""Page data for /technologies/ and /technologies/<slug>/ (and the country page's technology
section): generation from NCSES patent families, uptake from Eurostat ICT usage.

Panels are the same plain dicts as in indicators.panels (figure, summary, data table, source,
API query). Everything reads stored indicator values through indicators.selectors and is cached
by data generation.
"""

from __future__ import annotations

from django.urls import reverse

from .. import charts
from ..registry import SOURCES
from ..selectors import cached, periods_of, place_names, values
from ..sources.ncses import REGION_GEO, WIPO_FIELDS
from .common import cell, fmt, label_cell, panel, ranking_summary, shown_flags, source_of

EU = "EU27_2020"
RIVALS = ("US", "CN", "JP", "KR")
COMPARED = (EU, *RIVALS)
PATENTS = "ncses_sei2020_patents"
# Published figure the portal's headline is compared with (ATI = the Commission's Advanced
# Technologies for Industry monitor; its headline figure as the issue quotes it).
ATI_HEADLINE = {
    "value": 21.94,
    "text": "21.94% of advanced-technology global patent applications held by the EU27",
    "source": "European Commission, Advanced Technologies for Industry (ATI) monitor",
}
# Names for the NCSES places that are not in our Country reference (NCSES wording).
EXTRA_NAMES = {
    "WORLD": "World",
    "EU28": "EU-28 (with the UK)",
    "EU27_2020": "EU27 (EU-28 minus the UK)",
    "EU_OTH": "Other EU-28 members (not listed by NCSES)",
    "US": "United States",
    "CN": "China (incl. Hong Kong)",
    "JP": "Japan",
    "KR": "South Korea",
    "TW": "Taiwan",
    "CA": "Canada",
    "MX": "Mexico",
    "PR": "Puerto Rico",
    "AR": "Argentina",
    "BR": "Brazil",
    "RU": "Russia",
    "IN": "India",
    "MY": "Malaysia",
    "SG": "Singapore",
    "IL": "Israel",
    "ZA": "South Africa",
    "AU": "Australia",
    "NZ": "New Zealand",
}
# Places shown in "generation by country": named economies, not residuals or the world.
COUNTRY_GEOS = tuple(g for g in REGION_GEO.values() if g not in {"WORLD", "EU28", "EU_OTH"})


def name(geo: str) -> str:
    return EXTRA_NAMES.get(geo) or place_names().get(geo, geo)


def field_name(code: str) -> str:
    return "All fields" if code == "TOTAL" else WIPO_FIELDS.get(code, (code, ""))[0]


def tech_url(slug: str) -> str:
    return reverse("technologies:technology-detail", args=[slug])


def source_text(code: str = PATENTS) -> str:
    s = source_of_source(code)
    publisher = "NCSES SEI 2020" if code == PATENTS else "Eurostat"
    return f"Source: {publisher} {s['code']}, {s.get('vintage') or 'not loaded'}; EU Industry Observatory"


def source_of_source(code: str) -> dict:
    from ..selectors import release_infos

    return release_infos().get(code, {"code": code, "vintage": "", "publisher": ""})


def technologies() -> list[dict]:
    """Our technologies (curated list) with their WIPO weights and uptake codes."""

    def build():
        from observatory.models import Technology

        out = []
        for t in Technology.objects.filter(curated=True).prefetch_related("fields"):
            out.append(
                {
                    "slug": t.slug,
                    "name": t.name,
                    "definition": t.definition,
                    "uptake": list(t.uptake),
                    "uptake_note": t.uptake_note,
                    "fields": [
                        {
                            "code": f.wipo_field,
                            "name": field_name(f.wipo_field),
                            "weight": float(f.weight),
                            "reasoning": f.reasoning,
                        }
                        for f in t.fields.all()
                    ],
                }
            )
        return out

    return cached("technologies", build)


def technology(slug: str) -> dict | None:
    return next((t for t in technologies() if t["slug"] == slug), None)


def latest(indicator: str) -> str | None:
    periods = periods_of(indicator)
    return periods[-1] if periods else None


def uptake_status(tech: dict) -> list[dict]:
    """Each uptake code of the technology: registered? loaded? (for the honest empty state)."""
    loaded = {code for code, info in _releases().items() if info.get("release")}
    out = []
    for code in tech["uptake"]:
        source, _, measure = code.partition(":")
        out.append(
            {
                "code": code,
                "source": source,
                "measure": measure,
                "registered": source in SOURCES,
                "loaded": source in loaded,
            }
        )
    return out


def _releases() -> dict:
    from ..selectors import release_infos

    return release_infos()


def rankable(points: list[dict]) -> list[dict]:
    """Points that may be drawn in a ranking: not marked incomplete (I)."""
    return [p for p in points if "I" not in (p.get("flags") or "")]


def incomplete_note(points: list[dict]) -> str:
    left = [p["label"] for p in points if "I" in (p.get("flags") or "")]
    if not left:
        return ""
    return f" Not ranked (the publisher says their counts are incomplete): {', '.join(left)}."


def _by(rows, *keys):
    return {tuple(r[k] for k in keys): r for r in rows}


# --- /technologies/ ------------------------------------------------------------------------------


def overview() -> dict:
    return cached("tech-overview", _overview)


def _overview() -> dict:
    techs = technologies()
    period = latest("pat_fam_share_world")
    slugs = [t["slug"] for t in techs]
    empty = {"technologies": techs, "period": None, "panels": [], "headline": None, "rows": []}
    if period is None:
        return empty
    rows = values(
        ["tech_pat_share_world", "tech_pat_rta", "tech_pat_share_change"],
        ecosystems=slugs,
        geos=COMPARED,
        periods=[period],
    )
    by = _by(rows, "indicator", "ecosystem", "geo")
    uptake_period = latest("tech_uptake")
    uptake = _by(
        values(["tech_uptake"], geos=[EU], periods=[uptake_period] if uptake_period else None),
        "ecosystem",
    )
    headline_rows = values(
        ["pat_fam_share_world", "pat_fam", "pat_fam_share_change"], ecosystems=["TOTAL"], periods=[period]
    )
    hl = _by(headline_rows, "indicator", "geo")
    headline = None
    if ("pat_fam_share_world", EU) in hl:
        eu = hl[("pat_fam_share_world", EU)]
        headline = {
            "period": period,
            "eu27": eu["value"],
            "eu27_text": fmt(eu["value"], 2),
            "eu28_text": fmt(hl.get(("pat_fam_share_world", "EU28"), {}).get("value"), 2),
            "families_text": fmt(hl.get(("pat_fam", EU), {}).get("value")),
            "world_text": fmt(hl.get(("pat_fam", "WORLD"), {}).get("value")),
            "change": hl.get(("pat_fam_share_change", EU)),
            "rivals": [
                {
                    "geo": g,
                    "name": name(g),
                    "text": fmt(hl.get(("pat_fam_share_world", g), {}).get("value"), 2),
                }
                for g in RIVALS
            ],
            "ati": ATI_HEADLINE,
            "china_text": fmt(hl.get(("pat_fam", "CN"), {}).get("value")),
            "china_share": fmt(hl.get(("pat_fam_share_world", "CN"), {}).get("value"), 1),
            "source": source_of("pat_fam_share_world"),
        }
    table = []
    for t in techs:
        s = by.get(("tech_pat_share_world", t["slug"], EU), {})
        ch = by.get(("tech_pat_share_change", t["slug"], EU), {})
        change = cell(ch.get("value"), 2, shown_flags(ch) if ch else "")
        if ch.get("base_period"):
            change["text"] += f" (from {ch['base_period']})"
        up = uptake.get((t["slug"],), {})
        table.append(
            [
                label_cell(t["name"], tech_url(t["slug"])),
                cell(s.get("value"), 2, shown_flags(s) if s else ""),
                change,
                *[
                    cell(
                        by.get(("tech_pat_rta", t["slug"], g), {}).get("value"),
                        2,
                        shown_flags(by.get(("tech_pat_rta", t["slug"], g), {})),
                    )
                    for g in COMPARED
                ],
                cell(up.get("value"), 1, up.get("flags", ""))
                if up
                else label_cell("not loaded" if t["uptake"] else "no survey indicator"),
            ]
        )
    columns = [
        "Technology",
        f"EU27 share of world patent families {period} (%)",
        "Change (percentage points, 10 years)",
        *[f"RTA {name(g)}" for g in COMPARED],
        f"EU27 enterprises using it{f' {uptake_period}' if uptake_period else ''} (%)",
    ]
    points = [
        {
            "key": t["slug"],
            "label": t["name"],
            "value": by.get(("tech_pat_share_world", t["slug"], EU), {}).get("value"),
            "flags": shown_flags(by.get(("tech_pat_share_world", t["slug"], EU), {})),
        }
        for t in techs
    ]
    share_panel = panel(
        "tech-eu-share",
        f"EU27 share of world patent families by technology, {period}",
        charts.bar(
            points,
            title=f"EU27 share of world patent families by technology, {period}",
            source_line=source_text(),
            unit="%",
            decimals=1,
            reference=("All fields", headline["eu27"]) if headline else None,
        ),
        ranking_summary(points, "EU27 share of world patent families", "%", 2, period),
        columns,
        table,
        "tech_pat_share_world",
        {"indicator": "tech_pat_share_world", "geo": EU, "period": period},
    )
    rta_figure = charts.grouped_bar(
        [t["name"] for t in techs],
        [
            {
                "name": name(g),
                "values": [by.get(("tech_pat_rta", t["slug"], g), {}).get("value") for t in techs],
                "flags": [shown_flags(by.get(("tech_pat_rta", t["slug"], g), {})) for t in techs],
            }
            for g in COMPARED
        ],
        title=f"Revealed technological advantage, {period} (1 = as specialised as in all fields)",
        source_line=source_text(),
        unit="RTA",
        decimals=2,
    )
    for i, trace in enumerate(rta_figure["data"]):
        trace["marker"]["color"] = charts.PALETTE[i % len(charts.PALETTE)]
    rta_rows = [
        [label_cell(t["name"], tech_url(t["slug"]))]
        + [
            cell(
                by.get(("tech_pat_rta", t["slug"], g), {}).get("value"),
                2,
                shown_flags(by.get(("tech_pat_rta", t["slug"], g), {})),
            )
            for g in COMPARED
        ]
        for t in techs
    ]
    rta_panel = panel(
        "tech-rta",
        f"Revealed technological advantage by technology: EU27, US, China, Japan, Korea, {period}",
        rta_figure,
        _rta_summary(techs, by, period),
        ["Technology", *[name(g) for g in COMPARED]],
        rta_rows,
        "tech_pat_rta",
        {"indicator": "tech_pat_rta", "geo": list(COMPARED), "period": period},
    )
    regional = _regional_panel()
    return {
        **empty,
        "period": period,
        "headline": headline,
        "panels": [
            share_panel,
            rta_panel,
            _trend_panel("TOTAL", "pat_fam_share_world", "All fields"),
            _tech_trend_panel(techs),
            _fields_panel(period),
        ]
        + ([regional] if regional else []),
    }


def _regional_panel() -> dict | None:
    """EPO applications per million inhabitants by NUTS 2 region (NUTS 2021), latest year."""
    indicator = "region_patents_pmhab"
    period = latest(indicator)
    if period is None:
        return None
    rows = values([indicator], periods=[period])
    names = place_names()
    pts = [
        {
            "key": r["geo"],
            "label": f"{names.get(r['geo'], r['geo'])} ({r['geo']})",
            "value": r["value"],
            "flags": shown_flags(r),
            "published": r.get("published_geo") or r["geo"],
        }
        for r in rows
        if len(r["geo"]) == 4
    ]
    estimated = sum("E" in p["flags"] for p in pts)
    title = f"EPO patent applications per million inhabitants by NUTS 2 region, {period} (all fields)"
    summary = ranking_summary(
        pts, "EPO patent applications per million inhabitants", "per million", 1, period
    )
    summary += (
        " Regions are NUTS 2021, converted from the published NUTS 2010 codes with the JRC converter"
        f" (population weights); {estimated} region figure(s) come from a split and are estimated (E)."
    )
    return panel(
        "regions",
        title,
        charts.choropleth(
            pts,
            geojson_url=reverse("indicators:geometry", args=[2]),
            title=title,
            source_line=source_text("pat_ep_rtot"),
            unit="per million inhabitants",
            decimals=0,
        ),
        summary,
        ["NUTS 2 region (NUTS 2021)", "Applications per million inhabitants", "Published as"],
        [
            [label_cell(p["label"]), cell(p["value"], 1, p["flags"]), label_cell(p["published"])]
            for p in sorted(pts, key=lambda p: -(p["value"] or 0))
        ],
        indicator,
        {"indicator": indicator, "period": period},
    )


def _rta_summary(techs, by, period) -> str:
    strong = [t["name"] for t in techs if (by.get(("tech_pat_rta", t["slug"], EU)) or {}).get("value", 0) > 1]
    text = f"In {period} the EU27 has a revealed technological advantage (RTA above 1) in "
    text += (", ".join(strong) if strong else "none of the technologies") + "."
    return (
        text
        + " RTA above 1 means a larger share of the world's families in the technology than in all fields."
    )


def _trend_panel(key: str, indicator: str, label: str) -> dict:
    rows = values([indicator], ecosystems=[key], geos=COMPARED)
    series = []
    for g in COMPARED:
        pts = [
            {"period": r["period"], "value": r["value"], "flags": shown_flags(r)}
            for r in rows
            if r["geo"] == g
        ]
        if pts:
            series.append({"name": name(g), "points": pts})
    periods = sorted({r["period"] for r in rows})
    idx = _by(rows, "geo", "period")
    table = [
        [label_cell(p)]
        + [cell(idx.get((g, p), {}).get("value"), 2, shown_flags(idx.get((g, p), {}))) for g in COMPARED]
        for p in periods
    ]
    title = (
        f"Share of world patent families, {label}, {periods[0]}–{periods[-1]}"
        if periods
        else f"Share of world patent families, {label}"
    )

    def at(g, p):
        return fmt(idx.get((g, p), {}).get("value"), 2)

    summary = "No values."
    if periods:
        first, last = periods[0], periods[-1]
        summary = (
            f"Share of world patent families in {label}: EU27 {at(EU, first)}% in {first}, "
            f"{at(EU, last)}% in {last}; China {at('CN', first)}% → {at('CN', last)}%."
        )
    return panel(
        f"trend-{key}",
        title,
        charts.lines(series, title=title, source_line=source_text(), unit="% of world", decimals=1),
        summary,
        ["Year", *[name(g) for g in COMPARED]],
        table,
        indicator,
        {"indicator": indicator, "ecosystem": key, "geo": list(COMPARED)},
    )


def _tech_trend_panel(techs: list[dict]) -> dict:
    """EU27 share of world patent families, every technology, every year."""
    rows = values(["tech_pat_share_world"], ecosystems=[t["slug"] for t in techs], geos=[EU])
    idx = _by(rows, "ecosystem", "period")
    periods = sorted({r["period"] for r in rows})
    series = [
        {
            "name": t["name"],
            "points": [
                {
                    "period": p,
                    "value": idx[(t["slug"], p)]["value"],
                    "flags": shown_flags(idx[(t["slug"], p)]),
                }
                for p in periods
                if (t["slug"], p) in idx
            ],
        }
        for t in techs
        if any((t["slug"], p) in idx for p in periods)
    ]
    span = f"{periods[0]}–{periods[-1]}" if periods else ""
    title = f"EU27 share of world patent families by technology, {span}"
    table = [
        [label_cell(p)] + [cell(idx.get((t["slug"], p), {}).get("value"), 2) for t in techs] for p in periods
    ]
    first, last = (periods[0], periods[-1]) if periods else ("", "")
    falls = [
        t["name"]
        for t in techs
        if (t["slug"], first) in idx
        and (t["slug"], last) in idx
        and idx[(t["slug"], last)]["value"] < idx[(t["slug"], first)]["value"]
    ]
    summary = (
        f"From {first} to {last} the EU27 share of world patent families fell in {len(falls)} of the "
        f"{len(series)} technologies."
        if periods
        else "No values."
    )
    figure = charts.lines(series, title=title, source_line=source_text(), unit="% of world", decimals=1)
    for i, trace in enumerate(figure["data"]):
        if i >= len(charts.PALETTE):  # colours repeat after ten lines: tell them apart by the dash
            trace["line"]["dash"] = "dot"
    return panel(
        "tech-trend",
        title,
        figure,
        summary,
        ["Year", *[t["name"] for t in techs]],
        table,
        "tech_pat_share_world",
        {"indicator": "tech_pat_share_world", "geo": EU},
    )


def _fields_panel(period: str) -> dict:
    codes = sorted(WIPO_FIELDS)
    rows = values(["pat_fam_share_world", "pat_fam_rta"], ecosystems=codes, geos=COMPARED, periods=[period])
    by = _by(rows, "indicator", "ecosystem", "geo")
    points = [
        {
            "key": c,
            "label": field_name(c),
            "value": by.get(("pat_fam_share_world", c, EU), {}).get("value"),
            "flags": shown_flags(by.get(("pat_fam_share_world", c, EU), {})),
        }
        for c in codes
    ]
    table = [
        [label_cell(f"{c} {field_name(c)}"), label_cell(WIPO_FIELDS[c][1])]
        + [
            cell(
                by.get(("pat_fam_share_world", c, EU), {}).get("value"),
                2,
                shown_flags(by.get(("pat_fam_share_world", c, EU), {})),
            )
        ]
        + [cell(by.get(("pat_fam_rta", c, g), {}).get("value"), 2) for g in COMPARED]
        for c in codes
    ]
    title = f"EU27 share of world patent families by WIPO technical field, {period}"
    return panel(
        "wipo-fields",
        title,
        charts.bar(points, title=title, source_line=source_text(), unit="%", decimals=1),
        ranking_summary(points, "EU27 share of world patent families by field", "%", 2, period),
        ["WIPO field", "Sector", "EU27 share of world (%)", *[f"RTA {name(g)}" for g in COMPARED]],
        table,
        "pat_fam_share_world",
        {"indicator": "pat_fam_share_world", "geo": EU, "period": period},
    )


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
    from ..selectors import ecosystem_rows

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
    from ..selectors import values as _values_all

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
    from ..selectors import eu_members

    return eu_members()


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
    from ..selectors import default_period

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
