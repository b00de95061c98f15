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
from ..charts import base_layout, is_number, wrap
from ..input_concordance import citations

FLAGGED, NOT_FLAGGED = "#b2182b", "#003399"
FIGURE_BARS = 70  # every input (the concordance covers 66): the log axis keeps the small ones readable


def select(kind: str, key: str, ecosystems: list[dict], version: int | None = None) -> dict:
    """The concordance rows (version VERSION, else the newest) for a start, grouped by product:
    for a product, the ecosystems using it; otherwise the inputs of every ecosystem of the chain
    (the start's own, or all those linked to the NACE divisions of a division, region or
    technology start). {"version", "newest", "ecosystems": [slugs], "products": {code: [use rows]}}.
    No query beyond the cached concordance, however many ecosystems."""
    concordance = S.ecosystem_inputs(version)
    if kind == "product":
        slugs = []
        rows = [r for r in concordance["rows"] if r["product"] == key]
    else:
        slugs = [e["slug"] for e in ecosystems[: 1 if kind == "ecosystem" else None]]
        rows = [r for r in concordance["rows"] if r["ecosystem_slug"] in set(slugs)]
    products: dict[str, list[dict]] = {}
    for r in rows:
        products.setdefault(r["product"], []).append(r)
    return {
        "version": concordance["version"],
        "newest": concordance.get("newest", True),
        "ecosystems": slugs,
        "products": products,
    }


def by_ecosystem(selected: dict, inputs: list[dict]) -> list[dict]:
    """The inputs grouped by the ecosystem using them, every ecosystem of the chain in its order
    (count 0: none in our concordance): [{"slug", "name", "count", "flagged", "codes"}] (a product
    used by two ecosystems counts in both)."""
    names = S.eco_names_map()
    groups = {
        slug: {"slug": slug, "name": names.get(slug, slug), "count": 0, "flagged": 0, "codes": []}
        for slug in selected["ecosystems"]
    }
    for p in inputs:
        for u in p["uses"]:
            g = groups.get(u["ecosystem_slug"])
            if g is None:
                continue
            g["count"] += 1
            g["flagged"] += bool((p["result"] or {}).get("flagged"))
            g["codes"].append(p["code"])
    return list(groups.values())  # an ecosystem using none of the screened products says so


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
                "ecosystem_slugs": [u["ecosystem_slug"] for u in uses],
                "code": code,
                "label": (products.get(code) or {}).get("label", ""),
                "url": reverse("indicators:dependency-product", args=[code]),
                "discuss_url": reverse("community:discuss", args=["product", code]),
                "result": result,
                "top_name": partners.get(top, top),
                "highlight": code == highlight,
                "uses": [
                    {
                        **u,
                        "ecosystem_name": names.get(u["ecosystem_slug"], u["ecosystem_slug"]),
                        "citations": citations(u["sources"]),
                    }
                    for u in uses
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
    older = "" if selected["newest"] else " — an older version, kept for permalinks"
    return (
        f"our input concordance v{selected['version']}{older} (ours, judged from the JRC 2020 foresight "
        f"study, the CRM Act 2023 annexes and the 2023 CRM study: inputs USED, not products made); {screened}"
    )


def figure(start: dict, inputs: list[dict], screen: dict) -> dict | None:
    """EU27 extra-EU imports of each input (€ million, latest screened year) as sorted horizontal
    bars on a log axis (the inputs span five orders of magnitude: rare-earth metals in the
    hundred thousands, nickel in the billions), each bar labelled with its value; flagged in red.
    At most FIGURE_BARS bars (the largest; in practice all), with the data table beside it."""
    points = [
        {
            "code": p["code"],
            "label": f"{p['code']} {_short(p['label'])}",
            "value": p["result"]["extra"] / 1e6,
            "flagged": bool(p["result"].get("flagged")),
        }
        for p in inputs
        if p["result"] and is_number(p["result"].get("extra")) and p["result"]["extra"] > 0
    ]
    if not points:
        return None
    shown = sorted(points, key=lambda p: -p["value"])[:FIGURE_BARS]
    shown.reverse()  # Plotly draws the first bar at the bottom: largest on top
    left_out = len(points) - len(shown)
    title = f"{start['label']}: imported inputs it uses, EU27 extra-EU imports {screen['period']}"
    if left_out:
        title += f" (the {len(shown)} largest of {len(points)})"
    layout = base_layout(
        title,
        f"Eurostat Comext ({screen['source']}); red = flagged by the dependency screen "
        f"(rules v{screen['rules']}), blue = not flagged; log scale; inputs: our input concordance (ours)",
        height=max(300, 110 + 26 * len(shown)) + 70,
    )
    low, high = min(p["value"] for p in shown), max(p["value"] for p in shown)
    layout.update(
        xaxis={
            "type": "log",
            "title": {"text": f"Extra-EU imports {screen['period']}, € million (log scale)", "standoff": 8},
            "gridcolor": "#e5e7eb",
            # Room for the value labels right of the longest bar (log axis ranges are log10 values).
            "range": [_log10(low) - 0.3, _log10(high) + 0.6],
            "automargin": True,
        },
        yaxis={
            "title": {"text": "Input (CN8 code and product)", "standoff": 8},
            "automargin": True,
            "tickfont": {"size": 12},
        },
        showlegend=False,
        bargap=0.25,
    )
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [wrap(p["label"], 30) for p in shown],
                "x": [p["value"] for p in shown],
                "text": [_money(p["value"]) for p in shown],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": [[p["code"], "flagged" if p["flagged"] else "not flagged"] for p in shown],
                "marker": {"color": [FLAGGED if p["flagged"] else NOT_FLAGGED for p in shown]},
                "hovertemplate": "%{y}: €%{x:,.3f} million (%{customdata[1]})<extra></extra>",
            }
        ],
        "layout": layout,
    }


def _log10(value: float) -> float:
    import math

    return math.log10(value)


def _money(million: float) -> str:
    """A bar's label: € million with the digits that matter at its size (0.04, 3.2, 1,234)."""
    if million >= 100:
        return f"€{million:,.0f}m"
    if million >= 1:
        return f"€{million:.1f}m"
    return f"€{million:.2g}m"


def _short(label: str) -> str:
    """A bar's product label: without the extract's "Part of: " prefix, cut at a word near 40."""
    label = label.removeprefix("Part of: ")
    if len(label) <= 40:
        return label
    return label[:40].rsplit(" ", 1)[0].rstrip(",;") + "…"
