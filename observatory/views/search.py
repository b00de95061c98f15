"""Site search page: `/search/?q=…[&kind=…]`."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..search import KINDS, clean_query, site_search

OVERVIEW_LIMIT = 5  # hits shown per group on the overview; "all N" opens the group
GROUP_LIMIT = 50  # hits shown when one group is selected with ?kind=
EXAMPLES = ["DE", "Greece", "C25", "digital", "emp", "productivity", "sbs_na_sca_r2", "hydrogen"]


@require_safe
def search(request):
    q = clean_query(request.GET.get("q"))
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else None
    groups = site_search(q, request.user, kind=kind, limit=GROUP_LIMIT if kind else OVERVIEW_LIMIT)
    context = {
        "q": q,
        "kind": kind,
        "kind_label": KINDS.get(kind, ""),
        "groups": groups,
        "total": sum(g.total for g in groups),
        "examples": EXAMPLES,
        "kinds": KINDS,
    }
    # Live results (htmx, as the user types): only the results fragment, a template partial.
    template = "observatory/search.html#results" if request.htmx else "observatory/search.html"
    return render(request, template, context)
