"""RSS and Atom feeds of published publications: all, or one type (?type=) and/or one ecosystem
(?ecosystem=), the same GET parameters as the list page."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode

from ecosystems import selectors as taxonomy

from . import selectors
from .models import Publication

FEED_SIZE = 30


class PublicationsRss(Feed):
    def get_object(self, request):
        kind = request.GET.get("type", "")
        slug = request.GET.get("ecosystem", "")
        if kind and kind not in Publication.Kind.values:
            raise Http404("Unknown publication type.")
        ecosystem = taxonomy.ecosystem(slug)
        if slug and ecosystem is None:
            raise Http404("Unknown ecosystem.")
        return {"kind": kind, "ecosystem": ecosystem}

    def title(self, obj):
        parts = ["EU Industry Observatory publications"]
        if obj["kind"]:
            parts.append(str(Publication.Kind(obj["kind"]).label))
        if obj["ecosystem"]:
            parts.append(obj["ecosystem"].name)
        return " — ".join(parts)

    url_name = "publication-feed-rss"

    def _query(self, obj) -> str:
        params = {"type": obj["kind"], "ecosystem": getattr(obj["ecosystem"], "slug", "")}
        query = urlencode({k: v for k, v in params.items() if v})
        return f"?{query}" if query else ""

    def link(self, obj):
        return reverse("publication-list") + self._query(obj)

    def feed_url(self, obj):
        return reverse(self.url_name) + self._query(obj)

    def description(self, obj):
        return "Technology watch, policy briefs, sectoral and product watch, EU and international reports."

    subtitle = description

    def items(self, obj):
        filters = {"kind": obj["kind"], "ecosystem": getattr(obj["ecosystem"], "slug", "")}
        return selectors.published_publications(filters)[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item):
        return item.authors or None

    def item_categories(self, item):
        return [item.get_kind_display(), *(e.name for e in item.ecosystems.all())]


class PublicationsAtom(PublicationsRss):
    feed_type = Atom1Feed
    url_name = "publication-feed-atom"
