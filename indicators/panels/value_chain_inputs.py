"""The explorer's "inputs used" step: the screened imported products an ecosystem USES, from our
input concordance (fixtures/reference/ecosystem_inputs.csv, ours; :mod:`indicators.input_concordance`),
with the dependency screen's verdict on each (flag, persistence, HHI, extra-EU share, top supplier).

Distinct from the products an ecosystem's divisions *make* (CN → CPA → NACE): lithium carbonate is
made by the chemical industry but used by battery makers in the mobility ecosystem. No query of
its own beyond the cached concordance: the screen rows come with the chain's one screen query.
"""

from __future__ import annotations

from django.urls import reverse

from .. import selectors as S
from ..charts import bar, is_number

MAX_ECOSYSTEMS = 3  # a NACE, region or technology start: the inputs of its first ecosystems only
FLAGGED, NOT_FLAGGED = "#b2182b", "#003399"


def select(kind: str, key: str, ecosystems: list[dict]) -> dict:
    """The concordance rows for a start, grouped by product: for a product, the ecosystems using
    it; otherwise the inputs of the chain's ecosystems (the start's own, or its first
    ``MAX_ECOSYSTEMS``). {"version", "ecosystems": [slugs], "products": {code: [use rows]}}."""
    concordance = S.ecosystem_inputs()
    if kind == "product":
        slugs = []
        rows = [r for r in concordance["rows"] if r["product"] == key]
    else:
        slugs = [e["slug"] for e in ecosystems[: 1 if kind == "ecosystem" else MAX_ECOSYSTEMS]]
        rows = [r for r in concordance["rows"] if r["ecosystem_slug"] in slugs]
    products: dict[str, list[dict]] = {}
    for r in rows:
        products.setdefault(r["product"], []).append(r)
    return {"version": concordance["version"], "ecosystems": slugs, "products": products}


def rows(selected: dict, screen: dict, highlight: str | None = None) -> list[dict]:
    """One row per input product with its uses and the screen's EU27 row (None: not screened);
    flagged first, then persistent, then by extra-EU imports."""
    products = S.trade_products()
    partners = S.partner_names()
    names = S.eco_names_map()
    out = []
    for code, uses in selected["products"].items():
        result = screen["rows"].get(code)
        top = (result or {}).get("top_partner") or ""
        out.append(
            {
                "code": code,
                "label": (products.get(code) or {}).get("label", ""),
                "url": reverse("indicators:dependency-product", args=[code]),
                "discuss_url": reverse("community:discuss", args=["product", code]),
                "result": result,
                "top_name": partners.get(top, top),
                "highlight": code == highlight,
                "uses": [
                    {**u, "ecosystem_name": names.get(u["ecosystem_slug"], u["ecosystem_slug"])} for u in uses
                ],
            }
        )
    out.sort(
        key=lambda p: (
            not (p["result"] or {}).get("flagged"),
            not (p["result"] or {}).get("persistent"),
            -((p["result"] or {}).get("extra") or 0),
            p["code"],
        )
    )
    return out


def edge(selected: dict, screen: dict) -> str:
    if selected["version"] is None:
        return (
            "input concordance not loaded (run manage.py load_reference): "
            "the inputs an ecosystem uses are not shown"
        )
    screened = (
        f"dependency screen, rules v{screen['rules']}, {screen['source']} release {screen['release']}, "
        f"{screen['period']} (EU27 importer)"
        if screen["rules"]
        else "dependency screen not run yet (no trade data loaded): inputs shown without flags"
    )
    return (
        f"our input concordance v{selected['version']} (ours, judged from the JRC 2020 foresight study, "
        f"the CRM Act 2023 annexes and the 2023 CRM study: inputs USED, not products made); {screened}"
    )


def figure(start: dict, inputs: list[dict], screen: dict) -> dict | None:
    """EU27 extra-EU imports of each input (€ million, latest screened year), flagged in red."""
    points = [
        {
            "key": p["code"],
            "label": f"{p['code']} {p['label'].removeprefix('Part of: ')[:24]}",
            "value": p["result"]["extra"] / 1e6,
            "flags": "",
            "flagged": bool(p["result"].get("flagged")),
        }
        for p in inputs
        if p["result"] and is_number(p["result"].get("extra"))
    ]
    if not points:
        return None
    fig = bar(
        points,
        title=f"{start['label']}: imported inputs it uses, EU27 extra-EU imports {screen['period']}",
        source_line=f"Eurostat Comext ({screen['source']}); red = flagged by the dependency screen "
        f"(rules v{screen['rules']}); inputs: our input concordance (ours)",
        unit="€ million",
        decimals=1,
    )
    order = sorted(points, key=lambda p: p["value"])  # the builder's order: largest on top
    fig["data"][0]["marker"]["color"] = [FLAGGED if p["flagged"] else NOT_FLAGGED for p in order]
    return fig
