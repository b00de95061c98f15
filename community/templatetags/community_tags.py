"""Forum template tags.

`{% discussion_panel kind key title %}` on ecosystem, country, region, indicator and publication
pages shows the threads tied to that object that the viewer may read, and a "Discuss this" link.
kind is one of "ecosystem" (slug), "country" (geo code), "region" (NUTS code), "indicator"
(indicator code), "publication" (slug).
"""

from django import template
from django.urls import reverse

from .. import selectors
from ..evidence import KINDS

register = template.Library()


@register.inclusion_tag("community/_discussion_panel.html", takes_context=True)
def discussion_panel(context, kind: str, key: str, title: str = ""):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    enabled = kind in KINDS and bool(key) and user is not None
    threads = selectors.threads_for_target(user, kind, str(key)) if enabled else []
    discuss_url = reverse("community:discuss", args=[kind, key]) if enabled else ""
    return {
        "threads": threads,
        "kind": kind,
        "key": key,
        "title": title,
        "enabled": enabled,
        "discuss_url": discuss_url,
        "user": user,
    }


@register.simple_tag(takes_context=True)
def forum_unread_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return selectors.unread_notification_count(user) if user is not None else 0


@register.filter
def markdown(text: str):
    """Safe Markdown (markdown-it-py js-default preset, then the nh3 allow-list)."""
    from observatory.markdown import render_markdown

    return render_markdown(text)
