"""Feeds: an Atom feed of new offers (all, or ?ecosystem=slug) and iCalendar feeds of events
(all, or ?ecosystem=slug). iCalendar is written by hand (RFC 5545: CRLF lines folded at 75
octets, text escaped), so no dependency is needed for it."""

import html
from datetime import timedelta

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from ecosystems import selectors as taxonomy
from observatory.markdown import plain_text as _markup_free

from . import selectors

FEED_SIZE = 50
ICAL_SIZE = 500  # events in one calendar (the past 90 days and everything ahead)


def _ecosystem(request):
    slug = request.GET.get("ecosystem", "")
    ecosystem = taxonomy.ecosystem(slug) if slug else None
    if slug and ecosystem is None:
        raise Http404("Unknown ecosystem.")
    return ecosystem


class OffersAtom(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        return {"ecosystem": _ecosystem(request)}

    def title(self, obj):
        suffix = f" — {obj['ecosystem'].name}" if obj["ecosystem"] else ""
        return f"EU Industry Observatory: new collaboration offers{suffix}"

    def _query(self, obj):
        return "?" + urlencode({"ecosystem": obj["ecosystem"].slug}) if obj["ecosystem"] else ""

    def link(self, obj):
        return reverse("organisations:offer-list") + self._query(obj)

    def feed_url(self, obj):
        return reverse("organisations:offer-feed") + self._query(obj)

    def subtitle(self, obj):
        return "Partner searches, calls for partners, technology offers and requests, value-chain gaps."

    def items(self, obj):
        filters = {"ecosystem": obj["ecosystem"].slug if obj["ecosystem"] else "", "state": "all"}
        return selectors.offers(filters)[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.title}"

    def item_description(self, item):
        # Atom summaries are type="html": readers render them, so the member's text is escaped once.
        return escape(plain_text(item.description)[:2000])

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.organisation.name

    def item_categories(self, item):
        return [item.get_kind_display(), *(e.name for e in item.ecosystems.all())]


def plain_text(markdown: str) -> str:
    """Markdown -> text for feeds and calendars: no markup, entities decoded (the feed generator
    escapes once; a calendar shows text as is)."""
    return html.unescape(_markup_free(markdown))


# --- iCalendar --------------------------------------------------------------------------------


def _escape(text: str) -> str:
    text = (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF + space (RFC 5545 3.1)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current)
            current = b""
        current += encoded
    out.append(current)
    return "\r\n ".join(part.decode("utf-8") for part in out)


def _stamp(value) -> str:
    return timezone.localtime(value, timezone.UTC).strftime("%Y%m%dT%H%M%SZ")


def _categories(event) -> str:
    names = [str(event.get_kind_display()), *(e.name for e in event.ecosystems.all())]
    return ",".join(_escape(n) for n in names)


def ical(events, name: str) -> str:
    base = settings.COMMUNITY_SITE_URL.rstrip("/")
    host = base.split("://", 1)[-1].split("/", 1)[0] or "observatory"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//EU Industry Observatory//Events//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    now = _stamp(timezone.now())
    for event in events:
        where = "Online" if event.is_online and not event.location else event.location
        if event.is_online and event.location:
            where = f"{event.location} (and online)"
        description = f"{event.organisation.name}. {plain_text(event.description)}".strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(event.starts_at)}",
            f"DTEND:{_stamp(event.ends_at)}",
            f"SUMMARY:{_escape(event.title)}",
            f"LOCATION:{_escape(where)}",
            f"DESCRIPTION:{_escape(description[:4000])}",
            f"URL:{base}{event.get_absolute_url()}",
            f"CATEGORIES:{_categories(event)}",
            f"STATUS:{'CANCELLED' if event.is_cancelled else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


@require_GET
def events_ical(request):
    ecosystem = _ecosystem(request)
    events = selectors.events(ecosystem.slug if ecosystem else "", upcoming=False)
    events = events.filter(ends_at__gte=timezone.now() - timedelta(days=90))[:ICAL_SIZE]
    name = "EU Industry Observatory events" + (f" — {ecosystem.name}" if ecosystem else "")
    response = HttpResponse(ical(events, name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response
