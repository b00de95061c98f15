"""/technologies/ and /technologies/<slug>/: generation (patent families) and uptake by technology."""

from django.http import Http404
from django.views.decorators.http import require_safe

from ..panels import technologies as T
from .common import cache_public_page, render_with_panels


@require_safe
@cache_public_page
def technology_list(request):
    data = T.overview()
    return render_with_panels(request, "technologies/technology_list.html", {**data})


@require_safe
@cache_public_page
def technology_detail(request, slug):
    if T.technology(slug) is None:
        raise Http404(f"No technology {slug}.")
    from observatory.models import Publication

    data = T.detail(slug)
    publications = (
        Publication.objects.published().filter(technologies__slug=slug).order_by("-published_at")[:5]
    )
    context = {**data, "publications": list(publications)}
    return render_with_panels(request, "technologies/technology_detail.html", context)
