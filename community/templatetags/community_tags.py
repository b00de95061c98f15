"""Forum template tags.

`{% discussion_panel kind key title %}` on ecosystem, country, region, indicator and publication
pages marks the place of the panel that shows the threads tied to that object that the viewer may
read (loaded on its own, community.views.discuss.panel), with a "Discuss this" link.
kind is one of "ecosystem" (slug), "country" (geo code), "region" (NUTS code), "indicator"
(indicator code), "publication" (slug).
"""

import re

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from .. import selectors
from ..evidence import KINDS

register = template.Library()


@register.inclusion_tag("community/_discussion_placeholder.html", takes_context=True)
def discussion_panel(context, kind: str, key: str, title: str = ""):
    """The panel's place on an evidence page: its heading and the "Discuss this" link, with no
    query. The threads and the collaboration counts depend on the viewer and change with every
    post, so they are not part of the page (which is built once per data generation and cached):
    site.js loads them from community:panel, which is also the panel's own page without script."""
    enabled = kind in KINDS and bool(key)
    return {
        "kind": kind,
        "key": key,
        "title": title,
        "enabled": enabled,
        "discuss_url": reverse("community:discuss", args=[kind, key]) if enabled else "",
        "panel_url": reverse("community:panel", args=[kind, key]) if enabled else "",
    }


def panel_context(user, kind: str, key: str, title: str = "") -> dict:
    """What community/_discussion_panel.html shows USER about (KIND, KEY): the threads USER may
    read, the organisations and open offers tied to it, and the follow button."""
    enabled = kind in KINDS and bool(key) and user is not None
    return {
        "collaboration": _collaboration(user, kind, str(key)) if enabled else None,
        "threads": selectors.threads_for_target(user, kind, str(key)) if enabled else [],
        "kind": kind,
        "key": key,
        "title": title,
        "enabled": enabled,
        "discuss_url": reverse("community:discuss", args=[kind, key]) if enabled else "",
        "user": user,
    }


def _collaboration(user, kind: str, key: str) -> dict | None:
    """Organisations and open offers tied to an ecosystem, a country or a region (the same panel as
    the discussion, so every profile page shows them), with a follow-new-offers button."""
    from urllib.parse import urlencode

    from ..organisations import selectors as org_selectors

    if kind == "ecosystem":
        filters, follow = {"ecosystem": key}, {"ecosystem": key}
    elif kind == "country":
        from ecosystems import selectors as taxonomy

        place = taxonomy.country(key)
        if place is None or place.kind != place.Kind.COUNTRY:
            return None  # organisations are in countries: no directory link for EU27 or the euro area
        filters, follow = {"country": key}, {"region": key}
    elif kind == "region":
        filters, follow = {"region": key}, {"region": key}
    else:
        return None
    offer_filters = {k: v for k, v in filters.items() if k != "region"}
    offers = org_selectors.offers(offer_filters)
    if kind == "region":
        offers = offers.filter(organisation__region__startswith=key)
    target = {"ecosystem__slug": key} if kind == "ecosystem" else {"region": key}
    return {
        "organisations": org_selectors.directory(filters).count(),
        "offers": offers.count(),
        "organisations_url": reverse("organisations:organisation-list") + "?" + urlencode(filters),
        "offers_url": reverse("organisations:offer-list") + "?" + urlencode(offer_filters),
        "follow": follow,
        "following": bool(user) and org_selectors.following(user, **target),
    }


@register.simple_tag(takes_context=True)
def forum_unread_count(context) -> int:
    """Counted once a request: the site header and the forum bar both show it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return 0
    if not hasattr(request, "_forum_unread_count"):
        request._forum_unread_count = selectors.unread_notification_count(user)
    return request._forum_unread_count


_TAG_RE = re.compile(r"(<[^>]*>)")


@register.filter
def markdown(text: str):
    """Safe Markdown (markdown-it-py js-default preset, then the nh3 allow-list), @mentions marked.

    Mentions are wrapped only in text between tags (never inside attributes, code or pre), and the
    handle alphabet ([A-Za-z0-9._+-]) cannot carry markup, so the result stays safe.
    """
    from community.actions import MENTION_RE
    from observatory.markdown import render_markdown

    parts, in_code = [], 0
    for part in _TAG_RE.split(str(render_markdown(text))):
        if part.startswith("<"):
            name = part[1:].lstrip("/").split(" ", 1)[0].split(">", 1)[0].lower()
            if name in {"code", "pre"}:
                in_code += -1 if part.startswith("</") else 1
        elif not in_code:
            part = MENTION_RE.sub(r'<span class="mention">@\1</span>', part)
        parts.append(part)
    return mark_safe("".join(parts))  # noqa: S308 - sanitised HTML plus our own <span> around [\w.+-]
