"""`{% related_publications ecosystem="slug" %}` / `{% related_publications country="DE" %}` on the
profile pages: the place of the panel of the newest published items tagged with that ecosystem or
country (loaded on its own from publication-related: curators publish without a data refresh, and
the page is built once per data generation), with a link to the publication list filtered the
same way. `related_context` is what the panel itself shows."""

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode

from .. import selectors

register = template.Library()


@register.inclusion_tag("observatory/publications/_related_placeholder.html")
def related_publications(ecosystem: str = "", country: str = ""):
    params = _params(ecosystem, country)
    query = f"?{urlencode(params)}" if params else ""
    return {
        "ecosystem": ecosystem,
        "country": country,
        "list_url": reverse("publication-list") + query,
        "panel_url": reverse("publication-related") + query + ("&" if query else "?") + "fragment=1",
        "enabled": True,
    }


def related_context(ecosystem: str = "", country: str = "", limit: int = 5) -> dict:
    params = _params(ecosystem, country)
    return {
        "publications": selectors.related_publications(ecosystem=ecosystem, country=country, limit=limit),
        "ecosystem": ecosystem,
        "country": country,
        "list_url": reverse("publication-list") + (f"?{urlencode(params)}" if params else ""),
        "enabled": True,
    }


def _params(ecosystem: str, country: str) -> dict:
    return {k: v for k, v in (("ecosystem", ecosystem), ("country", country)) if v}


@register.filter
def kind_badge_class(kind: str) -> str:
    """A CSS modifier per publication type (colours in publications.css)."""
    return f"pub-kind pub-kind-{kind}"


@register.filter
def figure(value, decimals=0) -> str:
    """A statistic with thousands grouping: 96299184.2 -> "96,299,184" (decimals=0)."""
    if value is None or value == "":
        return "—"
    decimals = int(decimals)
    # number_format truncates; round first so 642942.6 shows as 642,943.
    return number_format(round(float(value), decimals), decimals, use_l10n=True, force_grouping=True)


@register.filter
def share(value) -> str:
    """A mapping share without trailing zeros: Decimal("0.0500") -> "0.05", Decimal("1.0000") -> "1"."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f}"
