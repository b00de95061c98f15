"""What every page with chart panels shares: permalinks, exports, API links and citations."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ..exports import FORMATS, export

SITE = "EU Industry Observatory"


def page_query(request, **overrides) -> str:
    """The page's own query string without the export parameters (the permalink state)."""
    params = [
        (k, v) for k, vs in request.GET.lists() for v in vs if k not in {"panel", "format"} | set(overrides)
    ]
    params += [(k, v) for k, v in overrides.items() if v not in (None, "")]
    return urlencode(params)


def api_url(request, api: dict) -> str:
    params = []
    for key, value in api.items():
        if value in (None, "", []):
            continue
        for v in value if isinstance(value, list | tuple) else [value]:
            params.append((key, v))
    return request.build_absolute_uri(reverse("indicators:api-values") + "?" + urlencode(params))


def citation(panel: dict, permalink: str) -> str:
    src = panel["source"]
    return (
        f"{SITE}, “{panel['title']}”, based on {src.get('publisher', 'Eurostat')} dataset {src.get('code')} "
        f"(release {src.get('vintage') or 'not loaded'}). {permalink} (accessed {timezone.now():%Y-%m-%d})."
    )


def decorate(request, panels: list[dict]) -> list[dict]:
    """Add permalink, export links, API call and citation to each panel (copies; cache untouched)."""
    query = page_query(request)
    base = request.build_absolute_uri(request.path) + (f"?{query}" if query else "")
    out = []
    for p in panels:
        permalink = f"{base}#{p['id']}"
        sep = "&" if query else ""
        out.append(
            {
                **p,
                "permalink": permalink,
                "exports": {f: f"?{query}{sep}panel={p['id']}&format={f}" for f in FORMATS},
                "api_url": api_url(request, p["api"]),
                "citation": citation(p, permalink),
            }
        )
    return out


def render_with_panels(request, template: str, context: dict, panels_key: str = "panels"):
    """Render the page, or — with ?panel=<id>&format=csv|xlsx|json — that panel's data table."""
    panels = context.get(panels_key) or []
    if isinstance(panels, dict):
        panels = [panels]
    wanted = request.GET.get("panel")
    if wanted:
        fmt = request.GET.get("format", "csv")
        if fmt not in FORMATS:
            return HttpResponseBadRequest(f"Unknown format {fmt!r}; use csv, xlsx or json.")
        match = next((p for p in decorate(request, panels) if p["id"] == wanted), None)
        if match is None:
            raise Http404(f"No chart {wanted!r} on this page.")
        return export(match, fmt, match["permalink"], match["citation"])
    decorated = decorate(request, panels)
    context = {
        **context,
        panels_key: decorated if isinstance(context.get(panels_key), list) else decorated[0],
    }
    context.setdefault("has_charts", True)
    return render(request, template, context)
