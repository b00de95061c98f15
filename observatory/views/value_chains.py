"""The value-chain explorer: /value-chains/?ecosystem=… | nace=… | product=… | technology=… | region=…

Walks ecosystem ↔ NACE divisions ↔ imported products (dependency flags) ↔ regions specialised in
those divisions ↔ organisations and open offers there. The evidence chain comes from
indicators.panels.value_chains; organisations from community (this view is above both)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from community import selectors as forum
from community.organisations import selectors as organisations
from indicators import selectors as indicator_selectors
from indicators.panels import value_chains as V
from indicators.views.common import render_with_panels
from observatory import selectors as site

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
    evidence = _evidence(request.user, kind, key, chain)
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
    if chain["inputs_figure"]:
        panels.insert(0, _inputs_panel(chain))
    context = {
        "evidence": evidence,
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


def _inputs_panel(chain: dict) -> dict:
    from indicators.panels import cell, label_cell

    rows = [
        [
            label_cell(f"{p['code']} {p['label'][:70]}", p["url"]),
            label_cell("; ".join(f"{u['ecosystem_name']}: {u['use']}" for u in p["uses"])),
            label_cell(
                ("flagged" + (", persistent" if p["result"]["persistent"] else ""))
                if p["result"]["flagged"]
                else "not flagged"
            ),
            cell(p["result"]["hhi"], 2),
            cell(p["result"]["extra_share"], 2),
            label_cell(p["top_name"] or "–"),
            cell(p["result"]["top_share"], 2),
            cell(p["result"]["extra"] / 1e6, 1),
        ]
        for p in chain["inputs"]
        if p["result"]
    ]
    flagged = sum(1 for p in chain["inputs"] if (p["result"] or {}).get("flagged"))
    return {
        "id": "inputs",
        "title": f"{chain['start']['label']}: imported inputs it uses",
        "figure": chain["inputs_figure"],
        "summary": f"{len(rows)} screened imported inputs used (our input concordance "
        f"v{chain['input_version']}); {flagged} flagged by the dependency screen (rules "
        f"v{chain['screen']['rules']}, {chain['screen']['period']}).",
        "columns": [
            "Input (CN8)",
            "Used for",
            "EU dependency",
            "HHI",
            "Extra-EU share",
            "Top supplier",
            "Top supplier's share",
            "Extra-EU imports (€ million)",
        ],
        "rows": rows,
        "source": indicator_selectors.release_infos().get(
            "comext_crm_imports", {"code": "comext_crm_imports"}
        ),
        "api": {
            "endpoint": "indicators:api-dependencies",
            "rules": chain["screen"]["rules"],
            "importer": "EU27_2020",
            "year": chain["screen"]["period"],
        },
    }


def _evidence(user, kind: str, key: str, chain: dict) -> dict:
    """Publications and forum threads linked to the chain: to its ecosystems, the products it uses
    or makes, its regions (and their countries, for publications) and the start technology; and
    where to start a discussion when there is none (the start itself, else its first ecosystem)."""
    ecosystems = [e["slug"] for e in chain["ecosystems"][:5]]
    products = [p["code"] for p in chain["inputs"]] + [p["code"] for p in chain["products"][:40]]
    regions = chain["region_codes"]
    targets = {"ecosystem": ecosystems, "product": products, "region": regions}
    if kind == "technology":
        targets["technology"] = [key]
    countries = sorted({r[:2] for r in regions} | ({key[:2]} if kind == "region" else set()))
    if kind in ("ecosystem", "product", "region", "technology"):
        discuss = (kind, key, chain["start"]["label"])
    elif chain["ecosystems"]:
        discuss = ("ecosystem", chain["ecosystems"][0]["slug"], chain["ecosystems"][0]["name"])
    else:
        discuss = None
    return {
        "threads": forum.threads_for_targets(user, targets),
        "publications": site.publications_tagged(
            ecosystems, countries, [key] if kind == "technology" else []
        ),
        "discuss": {
            "url": reverse("community:discuss", args=[discuss[0], discuss[1]]) + "?new=1",
            "label": discuss[2],
            "kind": discuss[0],
        }
        if discuss
        else None,
        "publications_url": reverse("publication-list")
        + (f"?ecosystem={ecosystems[0]}" if ecosystems else ""),
    }


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
