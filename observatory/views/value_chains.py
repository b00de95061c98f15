"""The value-chain explorer: /value-chains/?ecosystem=… | nace=… | product=… | technology=… | region=…

Walks ecosystem ↔ NACE divisions ↔ imported products (dependency flags) ↔ regions specialised in
those divisions ↔ organisations and open offers there. The evidence chain comes from
indicators.panels.value_chains; organisations from community (this view is above both)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from community.organisations import selectors as organisations
from indicators import selectors as indicator_selectors
from indicators.panels import value_chains as V
from indicators.views.common import render_with_panels

KINDS = ("ecosystem", "nace", "product", "technology", "region")


@require_safe
def explorer(request):
    given = [(k, request.GET.get(k, "").strip()) for k in KINDS if request.GET.get(k, "").strip()]
    if not given:
        return render(
            request,
            "observatory/value_chains.html",
            {
                "chain": None,
                "ecosystems": indicator_selectors.ecosystem_rows(),
                "categories": V.cluster_category_choices(),
                "has_charts": False,
            },
        )
    kind, key = given[0]
    key = key[:60] if kind in ("ecosystem", "technology") else key[:12].upper()
    category = request.GET.get("category", "").strip()[:60]
    chain = V.explore(kind, key, category)
    if chain is None:
        raise Http404(
            f"Nothing to start from: {kind} {key!r}" + (f", category {category!r}." if category else ".")
        )
    where = organisations.in_regions(chain["region_codes"])
    working = organisations.in_categories([c["slug"] for c in chain["clusters"]["categories"]])
    panels = []
    if chain["figure"]:
        source = indicator_selectors.release_infos().get("sbs_r_nuts06_r2", {"code": "sbs_r_nuts06_r2"})
        rows = []
        from indicators.panels import cell, label_cell

        for d in chain["divisions"]:
            for r in chain["regions"].get(d["nace"], []):
                rows.append(
                    [
                        label_cell(f"{d['nace']} {d['name']}"),
                        label_cell(f"{r['name']} ({r['geo']})"),
                        cell(r["emp"]),
                        cell(r["lq"], 2),
                    ]
                )
        panels.append(
            {
                "id": "chain",
                "title": f"{chain['start']['label']}: divisions and specialised regions",
                "figure": chain["figure"],
                "summary": f"{len(chain['divisions'])} NACE divisions; for each, the regions most "
                "specialised in it.",
                "columns": ["NACE division", "Region", "Persons employed", "Location quotient"],
                "rows": rows,
                "source": source,
                "api": {"indicator": "region_nace_lq", "ecosystem": [d["nace"] for d in chain["divisions"]]},
            }
        )
    context = {
        "chain": chain,
        "where": where,
        "working": working,
        "category": category,
        "categories": V.cluster_category_choices(),
        "kind": kind,
        "key": key,
        "panels": panels,
        "has_charts": bool(panels),
        "ecosystems": indicator_selectors.ecosystem_rows(),
    }
    return render_with_panels(request, "observatory/value_chains.html", context)


@require_safe
def locomotives(request):
    """/value-chains/locomotives/?weights=N&pair=a--b: ecosystem pairs ranked by their
    cross-ecosystem collaboration potential, every component shown (our weights, version N)."""
    from indicators.panels import locomotives as L

    weights = L.resolve_weights(request.GET.get("weights"))
    if weights is None:
        raise Http404("No such weight version.")
    query = request.GET.copy()
    query["weights"] = str(weights["number"])  # a permalink keeps its weight version
    request.GET = query
    result = L.pairs(weights)
    key = request.GET.get("pair", "")[:130]
    selected = next((r for r in result["rows"] if r["key"] == key), None)
    if key and selected is None:
        raise Http404("No such ecosystem pair.")
    panel = L.panel_of(result)
    context = {
        "result": result,
        "rows": result["rows"][: L.TOP] if selected is None else [selected],
        "selected": selected,
        "weights": weights,
        "labels": L.LABELS,
        "panels": [panel] if panel else [],
        "has_charts": bool(panel),
    }
    return render_with_panels(request, "observatory/locomotives.html", context)
