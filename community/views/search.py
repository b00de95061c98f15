from django.views.decorators.http import require_GET

from .. import selectors
from ._common import render_page


@require_GET
def forum_search(request):
    query = request.GET.get("q", "").strip()[: selectors.MAX_QUERY_LENGTH]
    results = selectors.search_posts(request.user, query, limit=30) if query else []
    return render_page(request, "forum_search", {"query": query, "results": results})
