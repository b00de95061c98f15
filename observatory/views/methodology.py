"""Methodology pages, generated from the data and the registry (never hand-written tables)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ecosystems import selectors as taxonomy

from .. import selectors
from ..params import is_id


@require_safe
def methodology(request):
    return render(
        request,
        "observatory/methodology.html",
        {
            "mapping": selectors.mapping_version(),
            "indicator_count": len(selectors.indicator_definitions()),
            "cluster_parameters": taxonomy.cluster_parameter_dicts(),
            "cluster_categories": taxonomy.cluster_category_dicts(),
            "locomotive_weights": _locomotive_weights(),
            "input_concordance": _input_concordance(),
        },
    )


def _locomotive_weights() -> list[dict]:
    """Our ecosystem-pair weights, one row per version × parameter (newest version first)."""
    from indicators.reference import locomotive_weights

    return [
        {"number": n, "parameter": name, "value": value, "reasoning": v["reasoning"].get(name, "")}
        for n, v in sorted(locomotive_weights().items(), reverse=True)
        for name, value in [*v["weights"].items(), ("related_min", v["related_min"])]
    ]


def _input_concordance() -> dict:
    """Our ecosystem → imported-input concordance: the newest version's rows with their cited
    passages, every version with its note, and what each version changed from the one before."""
    from indicators import input_concordance
    from indicators import selectors as indicator_selectors

    data = indicator_selectors.ecosystem_inputs()
    names = indicator_selectors.eco_names_map()

    def named(r):
        return {
            **r,
            "ecosystem_name": names.get(r["ecosystem_slug"], r["ecosystem_slug"]),
            "citations": input_concordance.citations(r["sources"]),
        }

    versions = indicator_selectors.input_concordance_versions()
    return {
        "version": data["version"],
        "notes": input_concordance.file_note() if data["version"] else [],
        "rows": [named(r) for r in data["rows"]],
        "versions": [{**v, "changed": [named(r) for r in _changed(v["number"])]} for v in versions],
    }


def _changed(number: int) -> list[dict]:
    """Rows of version NUMBER whose use, confidence or reasoning differ from version NUMBER − 1
    (or that it adds); locators alone do not count. [] for the first version."""
    from indicators import selectors as indicator_selectors

    if number <= 1:
        return []
    before = {
        (r["ecosystem_slug"], r["product"]): r
        for r in indicator_selectors.ecosystem_inputs(number - 1)["rows"]
    }
    fields = ("use", "confidence", "reasoning")
    return [
        r
        for r in indicator_selectors.ecosystem_inputs(number)["rows"]
        if (old := before.get((r["ecosystem_slug"], r["product"]))) is None
        or any(old[f] != r[f] for f in fields)
    ]


@require_safe
def methodology_ecosystems(request):
    """The mapping table: the current version, or `?version=N` for an older one; `?nace=C25`
    narrows it to one NACE code (the site search links there)."""
    number = request.GET.get("version")
    version = selectors.mapping_version(int(number) if is_id(number) else None)
    if number and version is None:
        raise Http404("No such mapping version.")
    rows = selectors.mapping_rows(version) if version else []
    nace = (request.GET.get("nace") or "").strip().upper()
    if nace:
        rows = [r for r in rows if r.nace.upper() == nace]
    context = {"version": version, "rows": rows, "versions": selectors.mapping_versions(), "nace": nace}
    return render(request, "observatory/methodology_ecosystems.html", context)


@require_safe
def methodology_indicators(request):
    context = {
        "indicators": selectors.indicator_definitions(),
        "flags": selectors.flags_legend(),
        "markers": selectors.markers_legend(),
        "eu_method": selectors.eu_method(),
        "dependency": selectors.dependency_method(),
    }
    return render(request, "observatory/methodology_indicators.html", context)


@require_safe
def methodology_sources(request):
    return render(
        request, "observatory/methodology_sources.html", {"sources": selectors.sources_with_licences()}
    )


@require_safe
def methodology_search_aliases(request):
    """The English and common names the site search understands (our table, in git)."""
    from ..aliases import alias_rows

    rows = sorted(alias_rows(), key=lambda r: (r["kind"], r["alias"].lower()))
    return render(request, "observatory/methodology_search_aliases.html", {"rows": rows})


@require_safe
def methodology_technologies(request):
    """Our technologies, their WIPO-field weights and uptake codes, and the patent sources."""
    from ..models import Technology

    technologies = Technology.objects.filter(curated=True).prefetch_related("fields")
    from indicators.sources.ncses import REGION_GEO, SKIPPED_PATHS, WIPO_FIELDS

    context = {
        "technologies": [
            {
                "tech": t,
                "fields": [
                    {"field": f, "name": WIPO_FIELDS.get(f.wipo_field, (f.wipo_field, ""))[0]}
                    for f in t.fields.all()
                ],
            }
            for t in technologies
        ],
        "regions": sorted(REGION_GEO.items(), key=lambda kv: kv[1]),
        "skipped": sorted(SKIPPED_PATHS),
    }
    return render(request, "observatory/methodology_technologies.html", context)


def methodology_transition(request):
    """The twin-transition scoreboard's method: DESI years, EU aggregates, composites, ETS map."""
    from indicators.compute import transition
    from indicators.panels import transition as transition_panels
    from indicators.reference import ets_ecosystem_map

    context = {
        "params": transition_panels.parameters(),
        "ets_map": ets_ecosystem_map().to_dict("records"),
        "max_missing": f"{transition.MAX_MISSING_SHARE:.0%}",
    }
    return render(request, "observatory/methodology_transition.html", context)
