"""Evidence links: `{% discussion_panel kind key %}` on ecosystem, country, region, indicator and
publication pages shows the threads tied to that object and a "Discuss this" link.

kind is one of "ecosystem" (slug), "country" (geo code), "region" (NUTS code), "indicator"
(indicator code), "publication" (slug). The community issue implements it; until then it renders
nothing.
"""

from django import template

register = template.Library()


@register.inclusion_tag("community/_discussion_panel.html", takes_context=True)
def discussion_panel(context, kind: str, key: str, title: str = ""):
    return {"threads": [], "kind": kind, "key": key, "title": title, "enabled": False}
