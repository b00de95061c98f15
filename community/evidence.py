"""Evidence links: the observatory objects a thread can discuss, validated through public models."""

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from ecosystems import selectors as taxonomy

KINDS = ("ecosystem", "country", "region", "indicator", "publication", "product", "technology")


@dataclass(frozen=True)
class Target:
    kind: str
    key: str
    label: str
    url: str


def _url(name: str, key: str) -> str:
    try:
        return reverse(name, args=[key])
    except NoReverseMatch:
        return ""


def _ecosystem(key):
    obj = taxonomy.ecosystem(key)
    return obj and (obj.name, _url("ecosystems:ecosystem-detail", obj.slug))


def _country(key):
    obj = taxonomy.country(key)
    return obj and (obj.name, _url("ecosystems:country-detail", obj.code))


def _region(key):
    obj = taxonomy.region(key)
    return obj and (f"{obj.name} ({obj.code})", _url("ecosystems:region-detail", obj.code))


def _indicator(key):
    from indicators.models import Indicator

    obj = Indicator.objects.filter(code=key).first()
    if obj:
        return obj.title, _url("indicators:indicator-detail", obj.code)
    from indicators.registry import INDICATORS

    spec = INDICATORS.get(key)
    return spec and (getattr(spec, "title", key), _url("indicators:indicator-detail", key))


def _publication(key):
    # Built on another branch: looked up lazily, and its absence is not an error.
    try:
        model = apps.get_model("observatory", "Publication")
    except LookupError:
        return None
    manager = model.objects
    queryset = manager.published() if hasattr(manager, "published") else manager.all()
    obj = queryset.filter(slug=key).first()
    return obj and (obj.title, obj.get_absolute_url())


def _product(key):
    from indicators.selectors import trade_products

    obj = trade_products().get(key)
    return obj and (f"{key} {obj['label'][:80]}".strip(), _url("indicators:dependency-product", key))


def _technology(key):
    # The Technology table lives in observatory: looked up lazily, like publications.
    try:
        model = apps.get_model("observatory", "Technology")
    except LookupError:
        return None
    obj = model.objects.filter(slug=key).first()
    return obj and (obj.name, _url("technologies:technology-detail", obj.slug))


_RESOLVERS = {
    "technology": _technology,
    "ecosystem": _ecosystem,
    "country": _country,
    "region": _region,
    "indicator": _indicator,
    "publication": _publication,
    "product": _product,
}


def resolve_target(kind: str, key: str) -> Target | None:
    """The evidence object named by (kind, key), or None when there is no such object."""
    resolver = _RESOLVERS.get(kind)
    if resolver is None or not key or len(key) > 80:
        return None
    found = resolver(key)
    return Target(kind, key, found[0], found[1]) if found else None
