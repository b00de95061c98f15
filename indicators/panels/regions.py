"""Page data for /regions/<nuts>/: a NUTS 2 region's ecosystems, ranks, neighbours and peers."""

from __future__ import annotations

import math

from django.urls import reverse

from .. import charts
from ..registry import INDICATORS
from ..selectors import EU, cached, ecosystem_rows, eu_members, nace_names, periods_of, place_names, values
from .common import (
    cell,
    eco_names,
    eco_url,
    fmt,
    index,
    label_cell,
    latest_period,
    panel,
    ranking_summary,
    region_url,
    shown_flags,
    source_line,
    value_points,
)
from .countries import regions_panel
from .tables import Column, Table

REGION_INDICATORS = ("region_emp", "region_units", "region_share_emp", "region_lq_emp")
NACE_LQ_MIN_EMP = 500  # persons: smaller divisions' LQs are noise and are not listed as specialisations
SIMILAR_MIN_COMMON = 5  # ecosystems two regions must both have a complete share for


def region_profile(nuts: str, year: str | None = None) -> dict:
    period = latest_period("region_emp", year)
    return cached(f"region:{nuts}:{period}", lambda: _region_profile(nuts, period))


def region_table(ecos: list[dict], get, ranks: dict[str, tuple]) -> Table:
    """One row per ecosystem: the region's figures and its LQ ranks. GET(indicator, slug) is the
    value row (``value, flags, rank``); RANKS as from :func:`lq_ranks`."""
    table = Table(
        (
            Column("ecosystem", "Ecosystem"),
            Column("emp", "Persons employed"),
            Column("units", "Local units"),
            Column("share", "Share of regional employment (%)"),
            Column("lq", "Location quotient (EU = 1)"),
            Column("rank", "Rank in country"),
            Column("eu_lq_rank", "Rank by LQ among EU regions"),
            Column("country_lq_rank", "Rank by LQ in country"),
        )
    )
    for e in ecos:
        s = e["slug"]
        eu_rank, n_eu, c_rank, n_c = ranks.get(s, (None, 0, None, 0))
        table.add(
            ecosystem=label_cell(e["name"], eco_url(s)),
            emp=cell(get("region_emp", s)["value"], 0, get("region_emp", s)["flags"]),
            units=cell(get("region_units", s)["value"], 0, get("region_units", s)["flags"]),
            share=cell(get("region_share_emp", s)["value"], 1, get("region_share_emp", s)["flags"]),
            lq=cell(get("region_lq_emp", s)["value"], 2, get("region_lq_emp", s)["flags"]),
            rank=cell(get("region_emp", s)["rank"], 0),
            eu_lq_rank=cell(f"{eu_rank} of {n_eu}" if eu_rank else "–", num=False),
            country_lq_rank=cell(f"{c_rank} of {n_c}" if c_rank else "–", num=False),
        )
    return table


def _region_profile(nuts: str, period) -> dict:
    names = place_names()
    ecos = ecosystem_rows()
    rows = values(REGION_INDICATORS, geos=[nuts], periods=[period] if period else None)
    by = index(rows, "indicator", "ecosystem")

    def get(ind, slug):
        return by.get((ind, slug), {"value": None, "flags": "", "rank": None})

    rname = names.get(nuts, nuts)
    emp_points = value_points(ecos, lambda s: get("region_emp", s))
    lq_points = value_points(ecos, lambda s: get("region_lq_emp", s))
    panels = [
        _ecosystem_bar(nuts, rname, emp_points, period, lq=False),
        _ecosystem_bar(nuts, rname, lq_points, period, lq=True),
    ]
    neighbours = _neighbours(nuts, period)
    # A specialisation is a ranking: incomplete LQs (our marker I) are never in it.
    complete = [
        p
        for p in lq_points
        if charts.is_number(p["value"]) and "I" not in (get("region_lq_emp", p["key"]).get("markers") or "")
    ]
    top = sorted(complete, key=lambda p: -p["value"])[:3]
    # The country's regional map shows the top specialisation, else the largest employer.
    biggest = sorted((p for p in emp_points if charts.is_number(p["value"])), key=lambda p: -p["value"])
    mapped = top[0]["key"] if top else (biggest[0]["key"] if biggest else None)
    table = region_table(ecos, get, _region_ranks(nuts, period))
    extra = [
        p
        for p in (
            _region_trend_panel(nuts, rname, [t["key"] for t in top]),
            regions_panel(nuts[:2], mapped, period, highlight=nuts) if mapped else None,
            _region_nace_panel(nuts, rname, period),
            _region_wage_panel(nuts, rname),
        )
        if p
    ]
    panels += extra
    return {
        "period": period,
        "periods": periods_of("region_emp"),
        "columns": table.headers(),
        "table": table.cell_rows(),
        "panels": panels,
        "neighbours": neighbours,
        "specialisations": top,
        "code_2021": nuts,
        "published": published_as(nuts, rows),
        "peers": _similar_regions(nuts, period),
    }


def _ecosystem_bar(nuts, rname, points, period, lq: bool) -> dict:
    """The region's persons employed (or its LQ) by ecosystem."""
    code = "region_lq_emp" if lq else "region_emp"
    if lq:
        title = f"{rname}: specialisation by ecosystem (location quotient vs EU), {period}"
        figure = charts.bar(
            points,
            title=title,
            source_line=source_line(code),
            unit="LQ",
            decimals=2,
            reference=("EU = 1", 1.0),
        )
        summary = ranking_summary(points, "Location quotient", "ratio (EU = 1)", 2, period)
    else:
        title = f"{rname}: persons employed by ecosystem, {period}"
        figure = charts.bar(points, title=title, source_line=source_line(code), unit="persons")
        summary = ranking_summary(points, "Persons employed", "persons", 0, period)
    decimals = 2 if lq else 0
    return panel(
        "specialisation" if lq else "employment",
        title,
        figure,
        summary.replace("places", "ecosystems"),
        ["Ecosystem", "Location quotient" if lq else "Persons employed"],
        [[label_cell(p["label"], eco_url(p["key"])), cell(p["value"], decimals, p["flags"])] for p in points],
        code,
        {"indicator": code, "geo": nuts, "period": period},
    )


def _region_ranks(nuts: str, period) -> dict[str, tuple]:
    if not period:
        return {}
    return lq_ranks(values(["region_lq_emp"], periods=[period]), nuts, set(eu_members()))


def lq_ranks(rows: list[dict], nuts: str, members: set[str]) -> dict[str, tuple]:
    """ecosystem -> (rank by LQ among EU regions, of how many, rank in its country, of how many),
    from region_lq_emp value rows (``geo, ecosystem, value, markers``). Only complete figures of
    regions of MEMBERS (and EL) are ranked: our marker I never is."""
    rows = [
        r
        for r in rows
        if charts.is_number(r["value"])
        and "I" not in (r.get("markers") or "")
        and r["geo"][:2] in members | {"EL"}
    ]
    out = {}
    by_eco: dict[str, list[dict]] = {}
    for r in rows:
        by_eco.setdefault(r["ecosystem"], []).append(r)
    for slug, group in by_eco.items():
        ordered = sorted(group, key=lambda r: -r["value"])
        codes = [r["geo"] for r in ordered]
        if nuts not in codes:
            continue
        national = [g for g in codes if g[:2] == nuts[:2]]
        out[slug] = (codes.index(nuts) + 1, len(codes), national.index(nuts) + 1, len(national))
    return out


def wage_series(rows: list[dict], nuts: str, rname: str) -> list[dict]:
    """The region's and the pooled EU27 regions' wages per person employed, one series each,
    over the years the region has (plain rows: ``geo, period, value, flags, markers``)."""
    own = {r["period"]: r for r in rows if r["geo"] == nuts}
    eu = {r["period"]: r for r in rows if r["geo"] == EU}
    periods = sorted(own)
    return [
        {
            "name": name,
            "points": [
                {
                    "period": p,
                    "value": src.get(p, {}).get("value"),
                    "flags": shown_flags(src[p]) if p in src else "",
                }
                for p in periods
            ],
        }
        for name, src in ((rname, own), ("EU27 regions (pooled)", eu))
    ]


def _region_wage_panel(nuts: str, rname: str) -> dict | None:
    """Wages and salaries per person employed in the region's business economy, against the EU."""
    code = "region_wage_emp"
    rows = values([code], geos=[nuts, EU])
    series = wage_series(rows, nuts, rname)
    periods = [pt["period"] for pt in series[0]["points"]]
    if not periods:
        return None
    title = f"{rname}: wages and salaries per person employed, business economy"
    last = series[0]["points"][-1]
    eu_last = series[1]["points"][-1]
    summary = (
        f"{rname}: EUR {fmt(last['value'], 1)} thousand per person employed in {last['period']}"
        + (
            f" (EU27 regions pooled: {fmt(eu_last['value'], 1)})"
            if charts.is_number(eu_last["value"])
            else ""
        )
        + ". I: the sections with both figures employ under 90% of the region's persons employed (shown, "
        "not ranked). The EU27 pool counts the member regions with a complete figure that year, so its "
        "composition changes between years."
    )
    return panel(
        "region-wages",
        title,
        charts.lines(
            series, title=title, source_line=source_line(code), unit=INDICATORS[code].unit, decimals=1
        ),
        summary,
        ["Year", *(s["name"] for s in series)],
        [
            [label_cell(p), *(cell(s["points"][i]["value"], 1, s["points"][i]["flags"]) for s in series)]
            for i, p in enumerate(periods)
        ],
        code,
        {"indicator": code, "geo": [nuts, EU]},
    )


def _region_trend_panel(nuts: str, rname: str, slugs: list[str]) -> dict | None:
    if not slugs:
        return None
    rows = values(["region_emp"], geos=[nuts], ecosystems=slugs)
    periods = periods_of("region_emp")
    by = index(rows, "ecosystem", "period")
    names = eco_names()

    def at(slug, p):
        return by.get((slug, p), {})

    series = [
        {
            "name": names.get(slug, slug),
            "points": [
                {"period": p, "value": at(slug, p).get("value"), "flags": at(slug, p).get("flags", "")}
                for p in periods
            ],
        }
        for slug in slugs
    ]
    title = f"{rname}: persons employed in its most specialised ecosystems"
    return panel(
        "region-trend",
        title,
        charts.lines(series, title=title, source_line=source_line("region_emp"), unit="persons"),
        f"Persons employed {periods[0] if periods else ''}–{periods[-1] if periods else ''} in "
        + ", ".join(s["name"] for s in series)
        + ".",
        ["Year", *(s["name"] for s in series)],
        [
            [
                label_cell(p),
                *(cell(at(slug, p).get("value"), 0, at(slug, p).get("flags", "")) for slug in slugs),
            ]
            for p in periods
        ],
        "region_emp",
        {"indicator": "region_emp", "geo": nuts, "ecosystem": slugs},
    )


def nace_points(rows: list[dict], names: dict[str, str], min_emp: float = NACE_LQ_MIN_EMP) -> list[dict]:
    """Points of the NACE divisions with an LQ and at least MIN_EMP persons employed, from
    region_nace_lq / region_nace_emp value rows of one region (``indicator, ecosystem`` = the
    division, ``value, flags``)."""
    by = index(rows, "indicator", "ecosystem")
    points = []
    for d in {r["ecosystem"] for r in rows}:
        lq, emp = by.get(("region_nace_lq", d), {}), by.get(("region_nace_emp", d), {})
        if (
            charts.is_number(lq.get("value"))
            and charts.is_number(emp.get("value"))
            and emp["value"] >= min_emp
        ):
            points.append(
                {
                    "key": d,
                    "label": f"{d} {names.get(d, '')}",
                    "value": lq["value"],
                    "flags": lq.get("flags", ""),
                    "emp": emp["value"],
                }
            )
    return points


def _region_nace_panel(nuts: str, rname: str, period) -> dict | None:
    """The NACE divisions the region is most specialised in (LQ), among divisions with at least
    NACE_LQ_MIN_EMP persons employed."""
    if not period or "region_nace_lq" not in INDICATORS:
        return None
    rows = values(["region_nace_lq", "region_nace_emp"], geos=[nuts], periods=[period])
    points = nace_points(rows, nace_names({r["ecosystem"] for r in rows}))
    if not points:
        return None
    top = sorted(points, key=lambda p: -p["value"])[:12]
    title = f"{rname}: the NACE divisions it is most specialised in, {period}"
    return panel(
        "region-nace",
        title,
        charts.bar(
            top,
            title=title,
            source_line=source_line("region_nace_lq"),
            unit="LQ",
            decimals=2,
            reference=("EU = 1", 1.0),
        ),
        f"Location quotient by NACE division (divisions with at least {NACE_LQ_MIN_EMP} persons "
        f"employed), {period}: " + ", ".join(f"{p['label']} ({fmt(p['value'], 2)})" for p in top[:3]) + ".",
        ["NACE division", "Location quotient", "Persons employed"],
        [
            [
                label_cell(p["label"], reverse("indicators:nace-regions", args=[p["key"]])),
                cell(p["value"], 2, p["flags"]),
                cell(p["emp"], 0),
            ]
            for p in top
        ],
        "region_nace_lq",
        {"indicator": "region_nace_lq", "geo": nuts, "period": period},
    )


def _similar_regions(nuts: str, period, n: int = 5) -> list[dict]:
    if not period:
        return []
    return similar_regions(values(["region_share_emp"], periods=[period]), nuts, place_names(), n)


def similar_regions(rows: list[dict], nuts: str, names: dict[str, str], n: int = 5) -> list[dict]:
    """The N regions whose ecosystem structure (region_share_emp value rows: ``geo, ecosystem,
    value, markers``) is closest to NUTS's: cosine similarity over the ecosystems both have a
    complete share for (at least SIMILAR_MIN_COMMON)."""
    vectors: dict[str, dict[str, float]] = {}
    for r in rows:
        if charts.is_number(r["value"]) and "I" not in (r.get("markers") or ""):
            vectors.setdefault(r["geo"], {})[r["ecosystem"]] = r["value"]
    mine = vectors.get(nuts)
    if not mine or len(mine) < SIMILAR_MIN_COMMON:
        return []
    scored = []
    for geo, vec in vectors.items():
        common = set(mine) & set(vec)
        if geo == nuts or len(common) < SIMILAR_MIN_COMMON:
            continue
        dot = sum(mine[k] * vec[k] for k in common)
        norm = math.sqrt(sum(mine[k] ** 2 for k in common)) * math.sqrt(sum(vec[k] ** 2 for k in common))
        if norm:
            scored.append((dot / norm, geo, len(common)))
    scored.sort(reverse=True)
    return [
        {
            "code": g,
            "name": names.get(g, g),
            "url": region_url(g),
            "similarity": round(sim, 3),
            "ecosystems": k,
        }
        for sim, g, k in scored[:n]
    ]


def published_as(nuts: str, rows: list[dict]) -> str:
    """How the region's figures (ROWS, its values) were published ("PL12, NUTS 2013"), when not
    under its own NUTS 2021 code."""
    seen = sorted(
        {(r.get("published_geo") or nuts, r.get("geo_version") or "") for r in rows}
        - {(nuts, ""), (nuts, "2021")}
    )
    return "; ".join(f"{code}, NUTS {version}" if version else code for code, version in seen)


def _neighbours(nuts: str, period) -> list[dict]:
    rows = values(("region_emp", "region_lq_emp"), periods=[period] if period else None, geo_prefix=nuts[:2])
    return neighbours(rows, nuts, eco_names(), place_names())


def neighbours(rows: list[dict], nuts: str, ecosystems: dict[str, str], places: dict[str, str]) -> list[dict]:
    """The NUTS 2 regions among ROWS (region_emp / region_lq_emp value rows of one country),
    largest first: persons employed summed over the ecosystems, top specialisation (LQ)."""
    out: dict[str, dict] = {}
    for r in rows:
        if len(r["geo"]) != 4:
            continue
        item = out.setdefault(
            r["geo"],
            {
                "code": r["geo"],
                "name": places.get(r["geo"], r["geo"]),
                "emp": 0.0,
                "url": region_url(r["geo"]),
                "top": None,
                "top_lq": -1,
                "current": r["geo"] == nuts,
            },
        )
        if not charts.is_number(r["value"]):
            continue
        if r["indicator"] == "region_emp":
            item["emp"] += r["value"]
        elif r["value"] > item["top_lq"]:
            item["top"], item["top_lq"] = ecosystems.get(r["ecosystem"], r["ecosystem"]), r["value"]
    result = sorted(out.values(), key=lambda i: -i["emp"])
    for i in result:
        i["emp_text"] = fmt(i["emp"])
        i["top_lq_text"] = fmt(i["top_lq"], 2) if i["top"] else "–"
    return result
