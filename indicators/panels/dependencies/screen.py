"""/dependencies/: the screen's table, scatter, supplier, churn panels and early warnings."""

from __future__ import annotations

from django.urls import reverse

from ... import selectors as S
from ...charts import bar
from ...charts import dependencies as dc
from ..common import cell, fmt, label_cell
from ..tables import Column, Table
from .base import (
    PAGE_SIZE,
    RISK_GROUPS,
    SHOW,
    SORTS,
    _source,
    _state,
    criteria_text,
    pct,
    product_ecosystems,
    short_name,
    source_line,
)


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


CHURN_COLUMNS = (
    Column("year", "Year"),
    Column("flagged", "Flagged"),
    Column("stayed", "Stayed from the year before"),
    Column("entered", "Entered"),
    Column("left", "Left"),
    Column("kept_share", "Share of last year's list kept"),
)


def _churn_panel(rows_all, release, api, importer, names) -> dict:
    import pandas as pd

    from ...compute.dependencies import churn

    frame = churn(pd.DataFrame(rows_all, columns=["importer", "product", "period", "flagged"]), importer)
    periods = list(frame["period"])
    values = frame[["flagged", "stayed", "entered", "left", "kept_share"]].astype("float64")

    def count_or_share(name, v):
        if pd.isna(v):
            return cell(None)
        return cell(v, 2) if name == "kept_share" else cell(int(v))

    table = Table(CHURN_COLUMNS)
    for period, (_, row) in zip(periods, values.iterrows(), strict=True):
        table.add(year=label_cell(period), **{name: count_or_share(name, v) for name, v in row.items()})

    def column(key):
        return [r[key]["value"] for r in table.rows]

    series = [
        {"name": "Stayed on the list", "values": column("stayed"), "color": "#003399"},
        {"name": "Entered", "values": column("entered"), "color": "#e07b00"},
    ]
    figure = dc.stacked_counts(
        periods,
        series,
        title=f"{short_name(importer, names)}: flagged products year by year",
        source_line=source_line(release),
        first=column("flagged"),
    )
    summary = (
        "; ".join(
            f"{r['year']['text']}: {r['flagged']['text']} flagged, {r['stayed']['text']} stayed, "
            f"{r['entered']['text']} entered, {r['left']['text']} left"
            for r in table.rows[1:]
        )
        or "Only one year screened: no churn yet."
    )
    return {
        "id": "screen-churn",
        "title": "Churn of the flagged list",
        "figure": figure,
        "summary": summary + ".",
        "columns": table.headers(),
        "rows": table.cell_rows(),
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
