"""Page data for the strategic-dependency screen: /dependencies/ and /dependencies/products/<code>/.

Reads the stored screen (indicators.screen writes it) through indicators.selectors; every panel
is a plain dict like the profile pages' (see indicators/panels/__init__.py), so exports, permalinks
and citations work the same way. The API behind every panel is /api/v1/dependencies/.
"""

from __future__ import annotations

from django.urls import reverse

from .. import selectors as S
from ..charts import bar, is_number
from ..charts import dependencies as dc
from ..compute.dependencies import EU
from .common import cell, fmt, label_cell

PAGE_SIZE = 50
SORTS = {
    "product": lambda r: r["product"],
    "extra": lambda r: r["extra"],
    "hhi": lambda r: r["hhi"],
    "share": lambda r: r["extra_share"],
    "subst": lambda r: r["substitutability"],
    "top": lambda r: r["top_share"],
    "risk": lambda r: r["hhi_risk"],
}
SHOW = {
    "all": "all screened products",
    "flagged": "flagged products",
    "persistent": "flagged and persistent products",
    "risk": "flagged after discounting low-risk suppliers",
    "spof": "products with a single point of failure",
    "warning": "products with an early warning",
}
RISK_GROUPS = {
    "eea_efta": "EEA / EFTA",
    "candidates": "EU candidate countries",
    "like_minded": "G7 and like-minded partners",
    "other": "other countries",
}


def pct(value, decimals: int = 0) -> str:
    return f"{value * 100:.{decimals}f}%" if is_number(value) else "–"


def source_line(release: dict) -> str:
    return f"Source: Eurostat Comext ({release['source']}), release {release['id']}"


def short_name(importer: str, names: dict) -> str:
    return "EU27" if importer == EU else names.get(importer, importer)


def _source(release: dict) -> dict:
    info = S.release_infos().get(release["source"], {"code": release["source"]})
    return {**info, "vintage": release["vintage"]}


def product_ecosystems(product: dict | None) -> list[dict]:
    """The ecosystems a product's NACE class feeds in the current mapping (share of the division)."""
    nace = (product or {}).get("nace") or ""
    if not nace:
        return []
    rows = S.mapping_rows()["rows"]
    out = [
        {"slug": r["ecosystem__slug"], "name": r["ecosystem__name"], "nace": r["nace"], "share": r["share"]}
        for r in rows
        if nace.startswith(r["nace"])
    ]
    return sorted(out, key=lambda r: -r["share"])


def criteria_text(row: dict, rules: dict) -> str:
    """Why a row is (not) flagged, with the values it was judged on — the badge's explanation."""
    if not row["judged"]:
        return (
            f"Not judged: extra-EU imports of {fmt(row['extra'])} EUR are below the rules' floor "
            f"({fmt(rules['min_extra_imports'])} EUR) or cannot be attributed to a supplier."
        )
    parts = [
        f"HHI {fmt(row['hhi'], 2)} {'>' if row['crit_concentration'] else '≤'} {rules['hhi_threshold']:g}",
        f"extra-EU share {pct(row['extra_share'])} {'>' if row['crit_extra_share'] else '≤'} "
        f"{pct(rules['extra_share_threshold'])}",
    ]
    if row["crit_substitutability"] is None:
        parts.append("substitutability not computed (no exports loaded)")
    elif is_number(row["substitutability"]):
        parts.append(
            f"imports/exports {fmt(row['substitutability'], 2)} "
            f"{'>' if row['crit_substitutability'] else '≤'} {rules['substitutability_threshold']:g}"
        )
    else:
        parts.append("no exports (criterion 3 met)")
    verdict = "Flagged" if row["flagged"] else "Not flagged"
    return f"{verdict} (rules v{rules['number']}): " + "; ".join(parts) + "."


def _state(rules_number: int | None) -> tuple[dict | None, dict | None]:
    rules = S.dependency_rules(rules_number)
    if rules is None:
        return None, None
    return rules, S.dependency_release(rules["pk"])


def screen_page(
    rules_number: int | None,
    year: str | None,
    importer: str,
    *,
    show: str = "all",
    ecosystem: str = "",
    supplier: str = "",
    risk: str = "",
    nace: str = "",
    sort: str = "hhi",
    descending: bool = True,
    page: int = 1,
) -> dict:
    rules, release = _state(rules_number)
    base = {"rules": rules, "release": release, "versions": S.dependency_versions(), "importer": importer}
    if rules is None or release is None:
        return {**base, "empty": True, "panels": []}
    periods = S.dependency_periods(rules["pk"], release["id"])
    period = year if year in periods else periods[-1]
    products = S.trade_products()
    names = S.partner_names()
    rows_all = S.dependency_results(rules["pk"], release["id"], importer)
    rows = [r for r in rows_all if r["period"] == period]
    eco_of = {p: product_ecosystems(products.get(p)) for p in {r["product"] for r in rows}}
    groups = S.country_groups(rules["country_groups_number"])

    def group_of(code: str) -> str:
        return groups.get(code, "other") if code else ""

    headline = _headline(rows, release, importer, period, names)
    selected = _filter(rows, show, ecosystem, supplier, risk, eco_of, group_of)
    if nace:
        selected = [r for r in selected if products.get(r["product"], {}).get("nace", "").startswith(nace)]
    divisions = sorted({(products.get(r["product"], {}).get("nace") or "")[:3] for r in rows} - {""})
    key = SORTS.get(sort, SORTS["hhi"])
    present = [r for r in selected if key(r) is not None]
    missing = [r for r in selected if key(r) is None]
    ordered = sorted(present, key=key, reverse=descending) + missing
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    api = {
        "endpoint": "indicators:api-dependencies",
        "rules": rules["number"],
        "importer": importer,
        "year": period,
    }
    table_panel = _table_panel(ordered, rules, release, products, names, api, period)
    panels = [
        _scatter_panel(rows, rules, release, products, api, period, importer, names),
        _supplier_panel(release, importer, period, rows, names, api),
        _churn_panel(rows_all, release, api, importer, names),
        table_panel,
    ]
    exports_computable = any(r["crit_substitutability"] is not None for r in rows)
    warnings = _warnings(rows, products, names)
    return {
        **base,
        "empty": False,
        "period": period,
        "periods": periods,
        "importers": S.dependency_importers(rules["pk"], release["id"]),
        "importer_name": names.get(importer, importer),
        "headline": headline,
        "panels": panels,
        "table": [_table_row(r, rules, products, names, eco_of, group_of) for r in shown],
        "count": len(ordered),
        "page": page,
        "pages": pages,
        "exports_computable": exports_computable,
        "warnings": warnings,
        "show": show if show in SHOW else "all",
        "show_options": SHOW,
        "risk_groups": RISK_GROUPS,
        "suppliers": sorted(
            {r["top_partner"] for r in rows if r["top_partner"]}, key=lambda c: names.get(c, c)
        ),
        "partner_names": names,
        "ecosystems": S.ecosystem_rows(),
        "divisions": [(d, S.activity_label(d)) for d in divisions],
    }


def _filter(rows, show, ecosystem, supplier, risk, eco_of, group_of):
    tests = {
        "all": lambda r: True,
        "flagged": lambda r: r["flagged"],
        "persistent": lambda r: r["flagged"] and r["persistent"],
        "risk": lambda r: r["flagged_risk"],
        "spof": lambda r: r["spof"],
        "warning": lambda r: r["newly_flagged"] or r["left_list"] or r["hhi_rising"] or r["share_jumped"],
    }
    test = tests.get(show, tests["all"])
    out = [r for r in rows if test(r)]
    if ecosystem:
        out = [r for r in out if any(e["slug"] == ecosystem for e in eco_of.get(r["product"], []))]
    if supplier:
        out = [r for r in out if r["top_partner"] == supplier]
    if risk:
        out = [r for r in out if group_of(r["top_partner"]) == risk]
    return out


def _headline(rows, release, importer, period, names) -> dict:
    judged = [r for r in rows if r["judged"]]
    flagged = [r for r in judged if r["flagged"]]
    extra_all = sum(r["extra"] for r in judged)
    extra_flagged = sum(r["extra"] for r in flagged)
    by_partner: dict[str, float] = {}
    flagged_codes = {r["product"] for r in flagged}
    for s in S.dependency_supplier_rows(release["id"], importer, period):
        if s["product"] in flagged_codes and not s["intra"]:
            by_partner[s["partner"]] = by_partner.get(s["partner"], 0) + s["value"]
    top = max(by_partner.items(), key=lambda kv: kv[1], default=(None, 0))
    return {
        "screened": len(rows),
        "judged": len(judged),
        "flagged": len(flagged),
        "persistent": sum(1 for r in flagged if r["persistent"]),
        "flagged_risk": sum(1 for r in judged if r["flagged_risk"]),
        "spof": sum(1 for r in judged if r["spof"]),
        "extra_all": extra_all,
        "extra_flagged": extra_flagged,
        "extra_flagged_share": extra_flagged / extra_all if extra_all else None,
        "top_supplier": top[0],
        "top_supplier_name": names.get(top[0], top[0]) if top[0] else "",
        "top_supplier_share": top[1] / extra_flagged if extra_flagged and top[0] else None,
        "period": period,
    }


def _table_row(r, rules, products, names, eco_of, group_of) -> dict:
    product = products.get(r["product"], {})
    return {
        "product": r["product"],
        "label": product.get("label", ""),
        "url": reverse("indicators:dependency-product", args=[r["product"]]),
        "ecosystems": eco_of.get(r["product"], []),
        "row": r,
        "top_partner_name": names.get(r["top_partner"], r["top_partner"]),
        "top_group": RISK_GROUPS.get(group_of(r["top_partner"]), ""),
        "explain": criteria_text(r, rules),
        "hhi": fmt(r["hhi"], 2),
        "share": pct(r["extra_share"]),
        "subst": fmt(r["substitutability"], 2) if r["crit_substitutability"] is not None else "not computed",
        "top_share": pct(r["top_share"]),
        "hhi_risk": fmt(r["hhi_risk"], 2),
        "extra": fmt(r["extra"] / 1e6, 1),
    }


def _table_panel(rows, rules, release, products, names, api, period) -> dict:
    columns = [
        "CN8",
        "Product",
        "Extra-EU imports (million EUR)",
        "HHI",
        "Extra-EU share",
        "Extra-EU imports / exports",
        "Top supplier",
        "Top supplier share",
        "HHI without low-risk suppliers",
        "Flagged",
        "Persistent",
        "Years judged",
        "Criteria",
    ]
    table = []
    for r in rows:
        table.append(
            [
                label_cell(r["product"]),
                label_cell(products.get(r["product"], {}).get("label", "")),
                cell(r["extra"] / 1e6, 3),
                cell(r["hhi"], 3),
                cell(r["extra_share"], 3),
                cell(r["substitutability"], 3),
                label_cell(names.get(r["top_partner"], r["top_partner"])),
                cell(r["top_share"], 3),
                cell(r["hhi_risk"], 3),
                label_cell("yes" if r["flagged"] else "no"),
                label_cell("yes" if r["persistent"] else "no"),
                cell(r["years_judged"]),
                label_cell(criteria_text(r, rules)),
            ]
        )
    return {
        "id": "screen-table",
        "title": f"Dependency screen, {period}: every product with every criterion",
        "figure": None,
        "summary": f"{len(rows)} products in this selection.",
        "columns": columns,
        "rows": table,
        "source": _source(release),
        "api": api,
    }


def _scatter_panel(rows, rules, release, products, api, period, importer, names) -> dict:
    judged = [r for r in rows if r["judged"]]
    points = [
        {
            "key": r["product"],
            "label": products.get(r["product"], {}).get("label", "")[:60],
            "hhi": r["hhi"],
            "share": r["extra_share"],
            "flagged": r["flagged"],
            "value": r["extra"],
        }
        for r in judged
    ]
    where = short_name(importer, names)
    inside = sum(1 for r in judged if r["crit_concentration"] and r["crit_extra_share"])
    figure = dc.screen_scatter(
        points,
        hhi=rules["hhi_threshold"],
        share=rules["extra_share_threshold"],
        title=f"{where}, {period}: supplier concentration against reliance on extra-EU imports",
        source_line=source_line(release),
    )
    summary = (
        f"{len(judged)} products judged; {inside} lie beyond both thresholds (HHI above "
        f"{rules['hhi_threshold']:g} and extra-EU share above {pct(rules['extra_share_threshold'])}); "
        f"{sum(1 for r in judged if r['flagged'])} are flagged. Marker size: extra-EU import value."
    )
    table = [
        [
            label_cell(p["key"]),
            label_cell(p["label"]),
            cell(p["hhi"], 3),
            cell(p["share"], 3),
            label_cell("yes" if p["flagged"] else "no"),
        ]
        for p in sorted(points, key=lambda p: -(p["hhi"] or 0))
    ]
    return {
        "id": "screen-scatter",
        "title": "Concentration (HHI) against extra-EU share",
        "figure": figure,
        "summary": summary,
        "columns": ["CN8", "Product", "HHI", "Extra-EU share", "Flagged"],
        "rows": table,
        "source": _source(release),
        "api": api,
    }


def _supplier_panel(release, importer, period, rows, names, api) -> dict:
    flagged = {r["product"] for r in rows if r["judged"] and r["flagged"]}
    by_partner: dict[str, float] = {}
    for s in S.dependency_supplier_rows(release["id"], importer, period):
        if s["product"] in flagged and not s["intra"]:
            by_partner[s["partner"]] = by_partner.get(s["partner"], 0) + s["value"]
    points = [
        {"key": k, "label": names.get(k, k), "value": v / 1e6, "flags": ""}
        for k, v in sorted(by_partner.items(), key=lambda kv: -kv[1])[:15]
    ]
    total = sum(by_partner.values())
    figure = bar(
        points,
        title=f"Who supplies the flagged products, {period}",
        source_line=source_line(release),
        unit="million EUR",
        decimals=1,
    )
    top = points[0] if points else None
    summary = (
        f"Extra-EU imports of the {len(flagged)} flagged products by supplier (top 10 suppliers of each "
        f"product counted). Largest: {top['label']} with {fmt(top['value'], 1)} million EUR "
        f"({pct(top['value'] * 1e6 / total)} of the total)."
        if top
        else f"No product is flagged in {period}."
    )
    return {
        "id": "screen-suppliers",
        "title": "Suppliers of the flagged products",
        "figure": figure,
        "summary": summary,
        "columns": ["Supplier", "Extra-EU imports of flagged products (million EUR)", "Share"],
        "rows": [
            [label_cell(p["label"]), cell(p["value"], 2), cell(p["value"] * 1e6 / total, 3)] for p in points
        ],
        "source": _source(release),
        "api": api,
    }


def _churn_panel(rows_all, release, api, importer, names) -> dict:
    import pandas as pd

    from ..compute.dependencies import churn

    frame = churn(pd.DataFrame(rows_all, columns=["importer", "product", "period", "flagged"]), importer)
    periods = list(frame["period"])
    values = frame[["flagged", "stayed", "entered", "left", "kept_share"]].astype("float64")

    def count_or_share(name, v):
        if pd.isna(v):
            return cell(None)
        return cell(v, 2) if name == "kept_share" else cell(int(v))

    table = [
        [label_cell(period)] + [count_or_share(name, v) for name, v in row.items()]
        for period, (_, row) in zip(periods, values.iterrows(), strict=True)
    ]
    series = [
        {"name": "Stayed on the list", "values": [row[2]["value"] for row in table], "color": "#003399"},
        {"name": "Entered", "values": [row[3]["value"] for row in table], "color": "#e07b00"},
    ]
    figure = dc.stacked_counts(
        periods,
        series,
        title=f"{short_name(importer, names)}: flagged products year by year",
        source_line=source_line(release),
        first=[row[1]["value"] for row in table],
    )
    churned = [row for row in table[1:]]
    summary = (
        "; ".join(
            f"{row[0]['text']}: {row[1]['text']} flagged, {row[2]['text']} stayed, "
            f"{row[3]['text']} entered, {row[4]['text']} left"
            for row in churned
        )
        or "Only one year screened: no churn yet."
    )
    return {
        "id": "screen-churn",
        "title": "Churn of the flagged list",
        "figure": figure,
        "summary": summary + ".",
        "columns": [
            "Year",
            "Flagged",
            "Stayed from the year before",
            "Entered",
            "Left",
            "Share of last year's list kept",
        ],
        "rows": table,
        "source": _source(release),
        "api": api,
    }


def _warnings(rows, products, names) -> dict:
    def item(r, text):
        return {
            "product": r["product"],
            "label": products.get(r["product"], {}).get("label", ""),
            "url": reverse("indicators:dependency-product", args=[r["product"]]),
            "text": text,
        }

    return {
        "newly": [
            item(r, f"HHI {fmt(r['hhi'], 2)}, extra-EU share {pct(r['extra_share'])}")
            for r in rows
            if r["newly_flagged"]
        ],
        "left": [
            item(r, f"HHI {fmt(r['hhi'], 2)}, extra-EU share {pct(r['extra_share'])}")
            for r in rows
            if r["left_list"]
        ],
        "rising": [item(r, f"HHI now {fmt(r['hhi'], 2)}") for r in rows if r["hhi_rising"]],
        "jumps": [
            item(
                r,
                f"{names.get(r['jump_partner'], r['jump_partner'])} "
                f"+{pct(r['share_jump'])} of extra-EU imports",
            )
            for r in rows
            if r["share_jumped"]
        ],
    }


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
