"""Dependency pages: sorts, filters, risk groups and small helpers shared by every page."""

from __future__ import annotations

from ... import selectors as S
from ...charts import is_number
from ...compute.dependencies import EU
from ..common import fmt

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
