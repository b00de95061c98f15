"""Site search: one query across ecosystems, places, activities, indicators, datasets,
publications and the forum posts the user may read.

PostgreSQL full-text search (websearch syntax) ranks prose; an exact code match (``DE``, ``C25``,
``emp``, ``sbs_na_sca_r2``) outranks everything, and a name containing the query outranks a match
in a description only. Snippets come from ``SearchHeadline`` with sentinel markers, so the text is
escaped first and only our own ``<mark>`` tags are real HTML.
"""

import re
from dataclasses import dataclass, field

import nh3
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import Case, F, FloatField, Q, Value, When
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from community import selectors as community
from community.organisations import selectors as organisations
from ecosystems import selectors as taxonomy
from indicators.models import Indicator, Source

from . import aliases
from .models import Publication
from .params import bounded_terms

MAX_QUERY = 200
EXACT = 100.0  # an exact code match beats any text rank (text ranks are below 1 plus bonuses)
NAME_BONUS = 0.5  # a word of the name/title starts with the query
WHOLE_NAME_BONUS = 1.0  # the name/title is the query
START, STOP = "\ue000", "\ue001"  # private-use sentinels, never in real text

KINDS = {
    "ecosystem": _("Ecosystems"),
    "country": _("Countries"),
    "region": _("Regions"),
    "activity": _("Economic activities (NACE)"),
    "indicator": _("Indicators"),
    "dataset": _("Datasets"),
    "publication": _("Publications"),
    "technology": _("Technologies"),
    "organisation": _("Organisations"),
    "post": _("Forum"),
}


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    rank: float
    code: str = ""
    snippet: SafeString | str = ""
    meta: str = ""


@dataclass
class Group:
    kind: str
    label: str
    total: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def top_rank(self) -> float:
        return self.hits[0].rank if self.hits else 0.0


def clean_query(raw: str | None) -> str:
    return bounded_terms(raw, MAX_QUERY)


def highlight(text: str | None) -> SafeString:
    """Escape a SearchHeadline result, then turn our sentinels into <mark> tags."""
    safe = escape(text or "").replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 (escaped above; only our own tags added)


def _headline(expression, query, config="english"):
    return SearchHeadline(
        expression,
        query,
        config=config,
        start_sel=START,
        stop_sel=STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _starts(field_name: str, q: str) -> Q:
    """The name has a word starting with the query ("DE" finds "Deutschland", not "Sweden")."""
    return Q(**{f"{field_name}__iregex": r"\m" + re.escape(q)})


def _exact(condition: Q, bonus: float = EXACT) -> Case:
    return Case(When(condition, then=Value(bonus)), default=Value(0.0), output_field=FloatField())


def _ranked(qs, vector, query, exact: Q, name: Q, bonus: float = EXACT, whole: Q | None = None):
    """Annotate rank = text rank + exact-code bonus + name bonus (+ whole-name bonus when the
    name is the query itself, so "manufacturing" finds NACE section C before a report title);
    keep matching rows only."""
    rank = SearchRank(F("search"), query) + _exact(exact, bonus) + _exact(name, NAME_BONUS)
    if whole is not None:
        rank = rank + _exact(whole, WHOLE_NAME_BONUS)
    return (
        qs.annotate(search=vector)
        .filter(Q(search=query) | exact | name)
        .annotate(rank=rank)
        .order_by("-rank", "pk")  # ties in a stable order
    )


def _alias(kind: str, q: str, field_name: str = "code") -> Q:
    """Exact match through the alias table (observatory/aliases.py); matches nothing without one."""
    codes = aliases.codes_for(q).get(kind)
    return Q(**{f"{field_name}__in": sorted(codes)}) if codes else Q(pk__in=[])


def _ecosystems(q, query, limit):
    vector = (
        SearchVector("name", weight="A", config="english")
        + SearchVector("short_name", weight="A", config="english")
        + SearchVector("description", weight="B", config="english")
    )
    qs = _ranked(
        taxonomy.ecosystems(),
        vector,
        query,
        Q(slug__iexact=q) | Q(short_name__iexact=q) | _alias("ecosystem", q, "slug"),
        _starts("name", q) | _starts("short_name", q),
        whole=Q(name__iexact=q),
    ).annotate(snippet=_headline("description", query))
    hits = [
        Hit("ecosystem", e.name, reverse("ecosystems:ecosystem-detail", args=[e.slug]), e.rank, e.slug,
            highlight(e.snippet))
        for e in qs[:limit]
    ]  # fmt: skip
    return hits, qs.count()


def _countries(q, query, limit):
    vector = SearchVector("name", config="simple")
    simple = SearchQuery(q, search_type="websearch", config="simple")
    qs = _ranked(
        taxonomy.countries(),
        vector,
        simple,
        Q(code__iexact=q) | Q(iso2__iexact=q) | _alias("country", q),
        _starts("name", q),
    )
    hits = [
        Hit("country", c.name, reverse("ecosystems:country-detail", args=[c.code]), c.rank, c.code,
            meta=c.get_kind_display())
        for c in qs[:limit]
    ]  # fmt: skip
    return hits, qs.count()


def _regions(q, query, limit):
    vector = SearchVector("name", config="simple")
    simple = SearchQuery(q, search_type="websearch", config="simple")
    # A NUTS 0 region shares its code with the country: the country ranks first (lower bonus).
    qs = _ranked(
        taxonomy.newest_regions(), vector, simple,
        Q(code__iexact=q) | _alias("region", q), _starts("name", q),
        bonus=EXACT - 10, whole=Q(name__iexact=q),
    )  # fmt: skip
    hits = [
        Hit("region", r.name, reverse("ecosystems:region-detail", args=[r.code]), r.rank, r.code,
            meta=_("NUTS %(level)s, version %(version)s") % {"level": r.level, "version": r.version})
        for r in qs[:limit]
    ]  # fmt: skip
    return hits, qs.count()


def _activities(q, query, limit):
    vector = SearchVector("name", config="english")
    qs = _ranked(
        taxonomy.activities(), vector, query,
        Q(code__iexact=q) | Q(dotted=q) | _alias("activity", q), _starts("name", q),
        bonus=EXACT - 5, whole=Q(name__iexact=q),
    ).annotate(snippet=_headline("name", query))  # fmt: skip
    rows = list(qs[:limit])
    in_mapping = _ecosystems_of(r.code for r in rows)
    url = reverse("methodology-ecosystems")

    def link(a):
        # A division has its NACE view of regions (map + ranking); other levels, the mapping.
        if a.level == 2:
            return reverse("indicators:nace-regions", args=[a.code])
        return f"{url}?nace={a.code}"

    hits = [
        Hit("activity", f"{a.code} — {a.name}", link(a), a.rank, a.code,
            meta=", ".join(in_mapping.get(a.code, [])))
        for a in rows
    ]  # fmt: skip
    return hits, qs.count()


def _ecosystems_of(codes) -> dict[str, list[str]]:
    found = taxonomy.current_ecosystems_of(codes)
    return {nace: [f"{name} ({share:.0%})" for name, share in pairs] for nace, pairs in found.items()}


def _indicators(q, query, limit):
    vector = SearchVector("title", weight="A", config="english") + SearchVector(
        "description", weight="B", config="english"
    )
    qs = _ranked(
        Indicator.objects.all(),
        vector,
        query,
        Q(code__iexact=q),
        _starts("title", q),
        whole=Q(title__iexact=q),
    ).annotate(snippet=_headline("description", query))
    hits = [
        Hit("indicator", i.title, reverse("indicators:indicator-detail", args=[i.code]), i.rank, i.code,
            highlight(i.snippet), meta=i.unit)
        for i in qs[:limit]
    ]  # fmt: skip
    return hits, qs.count()


def _datasets(q, query, limit):
    vector = (
        SearchVector("code", weight="A", config="simple")
        + SearchVector("title", weight="A", config="english")
        + SearchVector("publisher", weight="C", config="simple")
    )
    qs = _ranked(
        Source.objects.all(), vector, query, Q(code__iexact=q), _starts("title", q), whole=Q(title__iexact=q)
    ).annotate(snippet=_headline("title", query))
    hits = [
        Hit("dataset", s.title, reverse("indicators:source-detail", args=[s.code]), s.rank, s.code,
            meta=s.publisher)
        for s in qs[:limit]
    ]  # fmt: skip
    return hits, qs.count()


def _publications(q, query, limit):
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("authors", weight="B", config="simple")
        + SearchVector("body", weight="C", config="english")
    )
    qs = _ranked(
        Publication.objects.published(),
        vector,
        query,
        Q(slug__iexact=q),
        _starts("title", q),
        bonus=EXACT - 20,
    ).annotate(snippet=_headline("summary", query))
    hits = [
        Hit("publication", p.title, p.get_absolute_url(), p.rank, snippet=highlight(p.snippet),
            meta=f"{p.get_kind_display()} · {p.published_at:%d %b %Y}")
        for p in qs[:limit]
    ]  # fmt: skip
    return hits, qs.count()


def _technologies(q, query, limit):
    from .models import Technology

    vector = SearchVector("name", weight="A", config="english") + SearchVector(
        "definition", weight="B", config="english"
    )
    qs = _ranked(
        Technology.objects.filter(curated=True),  # the ones with a technology page
        vector,
        query,
        Q(slug__iexact=q),
        _starts("name", q),
        whole=Q(name__iexact=q),
    ).annotate(snippet=_headline("definition", query))
    hits = [
        Hit("technology", t.name, reverse("technologies:technology-detail", args=[t.slug]), t.rank, t.slug,
            highlight(t.snippet))
        for t in qs[:limit]
    ]  # fmt: skip
    return hits, qs.count()


def _posts(user, q, limit):
    """Forum posts through the community app's contract; it alone decides what `user` may read."""
    results = community.search_posts(user, q, limit=max(limit, 20))
    hits = [
        Hit("post", r["title"], r["url"], float(r.get("rank") or 0),
            snippet=mark_safe(nh3.clean(str(r.get("snippet", "")), tags={"mark"}, attributes={})),  # noqa: S308
            meta=r.get("space", ""))
        for r in results
    ]  # fmt: skip
    return hits[:limit], len(results)


def _organisations(q, query, limit):
    """Approved organisation profiles, through the community app's contract."""
    results, total = organisations.search_organisations(q, limit=limit)
    hits = [
        Hit("organisation", r["title"], r["url"], float(r["rank"]), meta=r["meta"],
            snippet=mark_safe(nh3.clean(str(r["snippet"]), tags={"mark"}, attributes={})))  # noqa: S308
        for r in results
    ]  # fmt: skip
    return hits, total


SEARCHERS = {
    "ecosystem": _ecosystems,
    "country": _countries,
    "region": _regions,
    "activity": _activities,
    "indicator": _indicators,
    "dataset": _datasets,
    "publication": _publications,
    "technology": _technologies,
    "organisation": _organisations,
}


def site_search(raw_query: str, user, kind: str | None = None, limit: int = 5) -> list[Group]:
    """Groups of hits for `raw_query`, the group with the best hit first; empty groups dropped.

    `kind` (a key of KINDS) restricts the search to one group. Forum posts come from
    `community.selectors.search_posts(user, …)`, so permissions are the forum's.
    """
    q = clean_query(raw_query)
    if not q:
        return []
    query = SearchQuery(q, search_type="websearch", config="english")
    groups = []
    for name, label in KINDS.items():
        if kind and kind != name:
            continue
        hits, total = _posts(user, q, limit) if name == "post" else SEARCHERS[name](q, query, limit)
        if total:
            groups.append(Group(name, str(label), total, hits))
    # Stable sort keeps KINDS order between groups whose best hits rank the same.
    return sorted(groups, key=lambda g: -g.top_rank)
