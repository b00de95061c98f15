"""Publications: the filtered list, detail (with staff preview), the PDF download and the cover image."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from .. import selectors
from ..covers import CONTENT_TYPES, extension
from ..forms import PublicationFilterForm
from ..markdown import render_markdown
from ..models import Publication

PER_PAGE = 10


@require_safe
def publication_list(request):
    form = PublicationFilterForm(request.GET or None, years=selectors.publication_years())
    filters = form.filters() if request.GET else {}
    page = Paginator(selectors.published_publications(filters), PER_PAGE).get_page(request.GET.get("page"))
    # The feed links follow the list's type/ecosystem filters (the feeds support those two).
    feed_params = {"type": filters.get("kind"), "ecosystem": filters.get("ecosystem")}
    feed_query = urlencode({k: v for k, v in feed_params.items() if v})
    return render(
        request,
        "observatory/publication_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "filters": filters,
            "feed_query": feed_query,
            "kinds": Publication.Kind,
        },
    )


@require_safe
def publication_related(request):
    """The "Publications" panel of an ecosystem or country page (?ecosystem=slug or ?country=DE):
    site.js loads it into the page with &fragment=1; without it, the filtered publication list
    (the panel's full version). Loaded on its own because curators publish without a data refresh
    and the page is built once per data generation."""
    from ..templatetags.publication_tags import related_context

    ecosystem, country = request.GET.get("ecosystem", "")[:80], request.GET.get("country", "")[:12]
    if request.GET.get("fragment") != "1":
        params = {k: v for k, v in (("ecosystem", ecosystem), ("country", country)) if v}
        return redirect(reverse("publication-list") + (f"?{urlencode(params)}" if params else ""))
    response = render(request, "observatory/publications/_related.html", related_context(ecosystem, country))
    response.headers["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, public=True, max_age=60)
    return response


@require_safe
def publication_detail(request, slug):
    publication = selectors.get_publication_for_user(request.user, slug)
    context = {
        "publication": publication,
        "body_html": render_markdown(publication.body),
        "citation_url": request.build_absolute_uri(publication.get_absolute_url()),
    }
    response = render(request, "observatory/publication_detail.html", context)
    if not publication.is_public:
        # A staff preview: never cached anywhere, never indexed.
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def publication_pdf(request, slug):
    """The attachment as a download under a safe name (the slug), never rendered inline."""
    publication = selectors.get_publication_for_user(request.user, slug)
    if not publication.pdf:
        raise Http404("This publication has no PDF.")
    try:
        handle = publication.pdf.open("rb")
    except FileNotFoundError:
        raise Http404("The PDF file is missing on this server.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=f"{publication.slug}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not publication.is_public:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def publication_cover(request, slug):
    """The cover image, inline, with the content type its (validated) extension implies."""
    publication = selectors.get_publication_for_user(request.user, slug)
    content_type = CONTENT_TYPES.get(extension(publication.cover.name)) if publication.cover else None
    if content_type is None:
        raise Http404("This publication has no cover image.")
    try:
        handle = publication.cover.open("rb")
    except FileNotFoundError:
        raise Http404("The image file is missing on this server.") from None
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if publication.is_public:
        patch_cache_control(response, public=True, max_age=60 * 60)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response
