"""/dependencies/products/<code>/: one product's suppliers, criteria, members and intra-EU supply."""

from __future__ import annotations

from ... import selectors as S
from ...charts import bar, is_number
from ...charts import dependencies as dc
from ...compute.dependencies import EU
from ..common import cell, fmt, label_cell
from .base import _source, _state, criteria_text, pct, product_ecosystems, short_name, source_line

# --- one product ---------------------------------------------------------------------------------


def product_page(code: str, rules_number: int | None, importer: str) -> dict:
    rules, release = _state(rules_number)
    product = S.trade_products().get(code)
    base = {
        "rules": rules,
        "release": release,
        "product": product,
        "code": code,
        "importer": importer,
        "versions": S.dependency_versions(),
    }
    if rules is None or release is None:
        return {**base, "empty": True, "panels": []}
    rows = [r for r in S.dependency_results(rules["pk"], release["id"], product=code)]
    if not rows:
        return {**base, "empty": True, "panels": []}
    names = S.partner_names()
    mine = [r for r in rows if r["importer"] == importer]
    periods = sorted({r["period"] for r in rows}, key=int)
    api = {
        "endpoint": "indicators:api-dependencies",
        "rules": rules["number"],
        "importer": importer,
        "product": code,
    }
    suppliers = S.dependency_suppliers(release["id"], code, importer)
    panels = [
        _shares_panel(suppliers, periods, release, names, api, importer),
        _criteria_panel(mine, periods, rules, release, api, short_name(importer, names)),
    ]
    if importer == EU:
        panels.append(_members_panel(rows, periods[-1], release, names, api))
        panels.append(_intra_panel(suppliers, periods[-1], release, names, api))
    latest = next((r for r in reversed(mine) if r["period"] == periods[-1]), None)
    return {
        **base,
        "empty": False,
        "names": names,
        "importer_name": names.get(importer, importer),
        "importers": sorted({r["importer"] for r in rows}),
        "rows": [
            {
                "row": r,
                "explain": criteria_text(r, rules),
                "share": pct(r["extra_share"]),
                "hhi": fmt(r["hhi"], 2),
                "subst": fmt(r["substitutability"], 2)
                if r["crit_substitutability"] is not None
                else "not computed",
                "top_share": pct(r["top_share"]),
                "hhi_risk": fmt(r["hhi_risk"], 2),
                "extra": fmt(r["extra"] / 1e6, 2),
                "total": fmt(r["total"] / 1e6, 2),
                "top_partner_name": names.get(r["top_partner"], r["top_partner"]),
            }
            for r in mine
        ],
        "latest": latest,
        "latest_explain": criteria_text(latest, rules) if latest else "",
        "ecosystems": product_ecosystems(product),
        "panels": panels,
    }


def _shares_panel(suppliers, periods, release, names, api, importer) -> dict:
    totals: dict[str, float] = {}
    for s in suppliers:
        totals[s["partner"]] = totals.get(s["partner"], 0) + s["value"]
    top = [p for p, _ in sorted(totals.items(), key=lambda kv: -kv[1])[:8]]
    share = {(s["period"], s["partner"]): s["share"] for s in suppliers}
    series = [{"name": names.get(p, p), "values": [share.get((y, p)) for y in periods]} for p in top]
    rest = []
    for y in periods:
        known = [share.get((y, p)) for p in top if share.get((y, p)) is not None]
        has_year = any(s["period"] == y for s in suppliers)
        rest.append(max(0.0, 1 - sum(known)) if has_year else None)
    series.append({"name": "All others", "values": rest, "color": "#9ca3af"})
    figure = dc.stacked_shares(
        periods,
        series,
        title=f"Where {short_name(importer, names)}'s imports come from",
        source_line=source_line(release),
    )
    table = [[label_cell(s["name"])] + [cell(v, 3) for v in s["values"]] for s in series]
    last = periods[-1]
    lead = max(
        ((s["name"], s["values"][-1]) for s in series[:-1] if is_number(s["values"][-1])),
        key=lambda kv: kv[1],
        default=None,
    )
    summary = (
        f"Shares of all imports (intra- and extra-EU) by supplier, {periods[0]}–{last}. "
        f"In {last} the largest supplier was "
        f"{lead[0]} with {pct(lead[1])}."
        if lead
        else "No supplier data."
    )
    return {
        "id": "product-suppliers",
        "title": "Supplier shares over time",
        "figure": figure,
        "summary": summary,
        "columns": ["Supplier", *periods],
        "rows": table,
        "source": _source(release),
        "api": api,
    }


def _criteria_panel(mine, periods, rules, release, api, where) -> dict:
    by = {r["period"]: r for r in mine}
    figure = dc.criterion_lines(
        periods,
        [by.get(y, {}).get("hhi") for y in periods],
        threshold=rules["hhi_threshold"],
        title=f"{where}: concentration of extra-EU suppliers (HHI) over time",
        source_line=source_line(release),
        label="HHI",
    )
    table = [
        [
            label_cell(y),
            cell(by.get(y, {}).get("hhi"), 3),
            cell(by.get(y, {}).get("extra_share"), 3),
            cell(by.get(y, {}).get("substitutability"), 3),
            label_cell("yes" if by.get(y, {}).get("flagged") else ("no" if y in by else "not screened")),
        ]
        for y in periods
    ]
    summary = "; ".join(
        f"{y}: HHI {fmt(by[y]['hhi'], 2)}, extra-EU share {pct(by[y]['extra_share'])}, "
        f"{'flagged' if by[y]['flagged'] else 'not flagged'}"
        for y in periods
        if y in by
    )
    return {
        "id": "product-criteria",
        "title": "The criteria over time",
        "figure": figure,
        "summary": summary + ".",
        "columns": ["Year", "HHI", "Extra-EU share", "Extra-EU imports / exports", "Flagged"],
        "rows": table,
        "source": _source(release),
        "api": api,
    }


def _members_panel(rows, period, release, names, api) -> dict:
    members = [r for r in rows if r["importer"] != EU and r["period"] == period]
    points = [
        {
            "key": r["importer"],
            "label": names.get(r["importer"], r["importer"]),
            "value": r["total"] / 1e6,
            "flags": "",
        }
        for r in members
    ]
    figure = bar(
        points,
        title=f"Which member states import it, {period}",
        source_line=source_line(release),
        unit="million EUR",
        decimals=2,
    )
    ranked = sorted(members, key=lambda r: -r["total"])
    summary = (
        f"Imports by member state in {period} (intra- and extra-EU). Largest: "
        + ", ".join(
            f"{names.get(r['importer'], r['importer'])} ({fmt(r['total'] / 1e6, 1)} million EUR)"
            for r in ranked[:3]
        )
        + "."
        if ranked
        else "No member-state imports."
    )
    return {
        "id": "product-members",
        "title": "Member states importing it",
        "figure": figure,
        "summary": summary,
        "columns": ["Member state", "Imports (million EUR)", "Extra-EU share", "Flagged for the member"],
        "rows": [
            [
                label_cell(names.get(r["importer"], r["importer"])),
                cell(r["total"] / 1e6, 3),
                cell(r["extra_share"], 3),
                label_cell("yes" if r["flagged"] else "no"),
            ]
            for r in ranked
        ],
        "source": _source(release),
        "api": api,
    }


def _intra_panel(suppliers, period, release, names, api) -> dict:
    intra = [s for s in suppliers if s["period"] == period and s["intra"]]
    points = [
        {
            "key": s["partner"],
            "label": names.get(s["partner"], s["partner"]),
            "value": s["value"] / 1e6,
            "flags": "",
        }
        for s in intra
    ]
    figure = bar(
        points,
        title=f"EU capacity proxy: intra-EU suppliers, {period}",
        source_line=source_line(release),
        unit="million EUR",
        decimals=2,
    )
    total = sum(s["value"] for s in intra)
    summary = (
        f"Member states supplying other members in {period} (among the product's top 10 suppliers): "
        + ", ".join(
            f"{p['label']} ({fmt(p['value'], 1)} million EUR)"
            for p in sorted(points, key=lambda p: -p["value"])[:3]
        )
        + f"; {fmt(total / 1e6, 1)} million EUR in all."
        if intra
        else f"No intra-EU supplier among the top 10 in {period}."
    )
    return {
        "id": "product-intra",
        "title": "Intra-EU suppliers (EU capacity proxy)",
        "figure": figure,
        "summary": summary,
        "columns": ["Member state", "Supplies to other members (million EUR)", "Share of all EU imports"],
        "rows": [
            [label_cell(p["label"]), cell(p["value"], 3), cell(s["share"], 3)]
            for p, s in zip(points, intra, strict=True)
        ],
        "source": _source(release),
        "api": api,
    }
