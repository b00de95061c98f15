"""/transition/: the member states' twin-transition scoreboard (digital and green)."""

from django.views.decorators.http import require_safe

from ecosystems import selectors as taxonomy

from ..panels import transition as T
from .common import cache_public_page, render_with_panels


@require_safe
@cache_public_page
def transition(request):
    codes = ["name", *T.SCOREBOARD]
    sort = request.GET.get("sort", "digital_position")
    sort = sort if sort in codes else "digital_position"
    descending = request.GET.get("dir", "asc" if sort == "name" else "desc") == "desc"
    ranking = request.GET.get("indicator", "digital_position")
    ranking = ranking if ranking in T.RANKABLE else "digital_position"
    places = taxonomy.country_names()
    members = set(T.eu_members())
    geo = (request.GET.get("geo") or "").strip().upper()
    geo = geo if geo in places else None
    data = T.transition_overview(sort, descending, ranking, geo)
    has_data = any(m["year"] for m in data["meta"])
    context = {
        **data,
        "sort": sort,
        "descending": descending,
        "ranking": ranking,
        "rankable": [m for m in data["meta"] if m["code"] in T.RANKABLE],
        "geo": geo,
        "countries": sorted(((c, n) for c, n in places.items() if c in members), key=lambda x: x[1]),
        "has_data": has_data,
    }
    return render_with_panels(request, "indicators/transition.html", context)
