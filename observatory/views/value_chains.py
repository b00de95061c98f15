"""The value-chain explorer: /value-chains/?ecosystem=… | nace=… | product=… | technology=… | region=…

Walks ecosystem ↔ NACE divisions ↔ imported products (dependency flags) ↔ regions specialised in
those divisions ↔ organisations and open offers there. The evidence chain comes from
indicators.panels.value_chains; organisations from community (this view is above both)."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from community import selectors as forum
from community.organisations import selectors as organisations
from indicators import pages
from indicators import selectors as indicator_selectors
from indicators.panels import value_chains as V
from indicators.views.common import cache_public_page, render_with_panels
from indicators.views.profiles import canonical, prebuilt_block
from observatory import selectors as site
from observatory.params import is_id

KINDS = ("ecosystem", "nace", "product", "technology", "region")


def _empty(request, error: str = "", status: int = 200):
    """The explorer's form alone; with ERROR, why the request shows no chain (404: nothing there)."""
    return render(
        request,
        "observatory/value_chains.html",
        {
            "chain": None,
            "error": error,
            "ecosystems": indicator_selectors.ecosystem_rows(),
            "categories": V.cluster_category_choices(),
            "input_versions": indicator_selectors.input_concordance_versions(),
            "has_charts": False,
        },
        status=status,
    )


def _input_version(raw: str) -> tuple[int | None, str]:
    """(version number or None for the newest, "" or why RAW is not a version of our input
    concordance). Only ASCII digits, at most 4 of them: "²", "1e3", "-1", "0x1", a NUL or a
    20-digit number are not version numbers."""
    if raw == "":
        return None, ""
    numbers = [v["number"] for v in indicator_selectors.input_concordance_versions()]
    known = ", ".join(f"v{n}" for n in sorted(numbers)) or _("none loaded")
    if not (is_id(raw) and len(raw) <= 4 and raw[0] != "0"):
        return None, _(
            "“inputs” must be the number of a version of our input concordance (versions: %(known)s)."
        ) % {"known": known}
    if int(raw) not in numbers:
        return None, _("Our input concordance has no version %(n)s (versions: %(known)s).") % {
            "n": int(raw),
            "known": known,
        }
    return int(raw), ""


def _pin(request, version: int | None) -> None:
    """A permalink keeps the concordance version it showed, as ?weights= and ?params= do."""
    if version is not None:
        query = request.GET.copy()
        query["inputs"] = str(version)
        request.GET = query


@require_safe
def explorer(request):
    if any("\x00" in v for vs in request.GET.lists() for v in vs[1]):
        return _empty(request, _("The address holds a NUL character: no such value."), 404)
    given = [(k, request.GET.get(k, "").strip()) for k in KINDS if request.GET.get(k, "").strip()]
    version, problem = _input_version(request.GET.get("inputs", "").strip())
    if problem:
        return _empty(request, problem, 404)
    if not given:
        return _empty(request)
    kind, key = given[0]
    key = key[:60] if kind in ("ecosystem", "technology") else key[:12].upper()
    category = request.GET.get("category", "").strip()[:60]
    chain = V.explore(kind, key, category, version)
    if chain is None:
        what = {
            "ecosystem": _("ecosystem"),
            "nace": _("NACE division"),
            "product": _("product (CN8)"),
            "technology": _("technology"),
            "region": _("NUTS 2 region"),
        }[kind]
        message = _("Nothing to start from: no %(what)s “%(key)s”") % {"what": what, "key": key[:60]}
        if category:
            message += _(", or no cluster category “%(c)s”") % {"c": category[:60]}
        return _empty(request, message + ".", 404)
    _pin(request, chain["input_version"])
    # Walking on from here keeps an older concordance version asked for (the newest needs nothing).
    keep = f"&inputs={version}" if version is not None and not chain["input_newest"] else ""
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
        "input_versions": indicator_selectors.input_concordance_versions(),
        "version_links": _version_links(kind, key, category),
        "keep": keep,
    }
    return render_with_panels(request, "observatory/value_chains.html", context)


def _version_links(kind: str, key: str, category: str) -> dict[int, str]:
    """version number -> this start's explorer query at that version of our input concordance."""
    base = [(kind, key)] + ([("category", category)] if category else [])
    return {
        v["number"]: "?" + urlencode([*base, ("inputs", v["number"])])
        for v in indicator_selectors.input_concordance_versions()
    }


def _inputs_panel(chain: dict) -> dict:
    from indicators.panels import cell, label_cell

    rows = [
        [
            label_cell(f"{p['code']} {p['label'][:70]}", p["url"]),
            label_cell(", ".join(u["ecosystem_name"] for u in p["uses"])),
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
        "summary": f"{len(rows)} screened imported inputs used by {len(chain['input_groups'])} "
        f"ecosystem(s) (our input concordance v{chain['input_version']}); {flagged} flagged by the "
        "dependency screen (rules "
        f"v{chain['screen']['rules']}, {chain['screen']['period']}).",
        "columns": [
            "Input (CN8)",
            "Ecosystems using it",
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
@cache_public_page(canonical=canonical(pages.LOCOMOTIVES), stored=True)
def locomotives(request):
    """/value-chains/locomotives/?weights=N&pair=a--b: ecosystem pairs ranked by their
    cross-ecosystem collaboration potential, every component shown (our weights, version N).
    A page family (indicators.pages.LOCOMOTIVES): its payload and {% prebuilt %} block are built
    by the refresh's warm step, so a cold visit is one lookup plus the page's frame."""
    from indicators.panels import locomotives as L

    if L.resolve_weights(request.GET.get("weights")) is None:
        raise Http404("No such weight version.")
    pair = request.GET.get("pair", "")
    if pair and not (len(pair) <= 130 and pages.CHECKS["pair"](pair, pages.domains())):
        raise Http404("No such ecosystem pair.")
    context, built_at = pages.page(pages.LOCOMOTIVES, request.GET, prebuilt_block(request))
    query = request.GET.copy()
    query["weights"] = str(context["weights"]["number"])  # a permalink keeps its weight version
    request.GET = query
    context = {**context, "payload_generation": built_at}
    return render_with_panels(request, pages.LOCOMOTIVES.template, context)
