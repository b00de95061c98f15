from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from community import selectors as community
from indicators.selectors import home_summary

from .. import selectors
from ..health import run_checks


@require_safe
def home(request):
    headlines = selectors.eu_headlines()
    context = home_summary() | {
        "headlines": headlines,
        "headline_flags": selectors.flags_used(headlines),
        "ecosystems": selectors.ecosystem_entry_points(),
        "publications": selectors.latest_publications(limit=4),
        "threads": community.active_public_threads(limit=5),
        "freshness": selectors.data_freshness(),
    }
    return render(request, "observatory/home.html", context)


@require_safe
def about(request):
    return render(request, "observatory/about.html")


@require_safe
def privacy(request):
    return render(request, "observatory/privacy.html")


@never_cache
@require_safe
def healthz(request):
    """200 when every configured dependency answers, 503 otherwise (body says which)."""
    checks = run_checks()
    healthy = all(state in {"ok", "not configured"} for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
