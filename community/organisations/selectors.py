"""Reads for the organisation directory, offers, events and feeds (and for other apps).

CONTRACT (observatory.search and other apps, e.g. a value-chain explorer, rely on these):
- search_organisations(query, limit=5) -> (list of dicts {"title", "url", "snippet" (safe HTML:
  escaped, only <mark> added), "rank", "meta"}, total); approved organisations only.
- directory(filters) -> QuerySet[Organisation] of approved organisations; filters keys (all
  optional): "ecosystem" (slug), "country" (code), "region" (NUTS prefix: "DE1" finds DE11),
  "technology" (slug), "category" (cluster category slug), "verified" (bool), "q" (full-text).
- offers(filters) -> QuerySet[Offer] of approved organisations; "state" ("open" default, "closed",
  "expired", "all"), "kind", "ecosystem", "country", "technology", "organisation", "q", "region"
  (partners wanted there: the offer names the code or a parent of it, or names no region).
- suggestions(offer, limit=10) -> [{"organisation", "score", "reasons": [str]}], bounded queries.
"""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from observatory.params import bounded_terms

from ..actions import HIGHLIGHT_START, HIGHLIGHT_STOP
from ..models import Follow
from ..selectors import _highlight
from .models import Event, InterestMessage, ManagerInvitation, Offer, Organisation

MAX_QUERY_LENGTH = 200
# Public fields, in the CSV export's column order.
CSV_FIELDS = (
    "name", "legal_form", "country", "region", "website", "ecosystems", "technologies", "cluster_categories",
    "member_count",
    "sme_share", "year_founded", "contact_role", "validated", "verification_criteria", "url",
)  # fmt: skip


def readable_organisations(user) -> QuerySet[Organisation]:
    """Approved organisations, plus (signed in) the ones the user manages or proposed; all for staff."""
    if user.is_authenticated and user.is_staff:
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.public()
    managed = Organisation.managers.through.objects.filter(organisation=OuterRef("pk"), user=user)
    return Organisation.objects.filter(
        Q(status=Organisation.Status.APPROVED) | Q(proposed_by=user) | Q(Exists(managed))
    )


def _search(qs, raw: str, vector_field="search_vector"):
    q = bounded_terms(raw, MAX_QUERY_LENGTH)
    if not q:
        return qs, None
    query = SearchQuery(q, search_type="websearch", config="english")
    simple = SearchQuery(q, search_type="websearch", config="simple")
    qs = qs.filter(Q(**{vector_field: query}) | Q(**{vector_field: simple}))
    qs = qs.annotate(rank=SearchRank(F(vector_field), query) + SearchRank(F(vector_field), simple))
    return qs, query


def directory(filters: dict) -> QuerySet[Organisation]:
    """Approved organisations filtered by ecosystem, country, region, technology, verified, q."""
    qs = Organisation.objects.public().select_related("country")
    if filters.get("ecosystem"):
        qs = qs.filter(ecosystems__slug=filters["ecosystem"])
    if filters.get("country"):
        qs = qs.filter(country_id=filters["country"])
    if filters.get("region"):
        qs = qs.filter(region__startswith=filters["region"])
    if filters.get("technology"):
        qs = qs.filter(technologies__slug=filters["technology"])
    if filters.get("category"):
        qs = qs.filter(cluster_categories__slug=filters["category"])
    if filters.get("verified"):
        qs = qs.filter(is_verified=True)
    qs, query = _search(qs, filters.get("q", ""))
    qs = qs.prefetch_related("ecosystems", "technologies", "cluster_categories").distinct()
    return qs.order_by("-rank", "name", "pk") if query is not None else qs.order_by("name", "pk")


def _blank(value):
    return "" if value is None else value


def region_counts(qs) -> list[dict]:
    """Organisations of `qs` per NUTS 2 region (the directory's map): key, label, value."""
    from django.db.models import Count

    from ecosystems import selectors as taxonomy

    counts = (
        qs.order_by()
        .exclude(region="")
        .values("region")
        .annotate(n=Count("pk", distinct=True))
        .values_list("region", "n")
    )
    counts = dict(counts)
    names = dict(taxonomy.newest_regions().filter(code__in=list(counts)).values_list("code", "name"))
    return [
        {"key": code, "label": f"{names.get(code, code)} ({code})", "value": n, "flags": ""}
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def csv_rows(qs):
    """The public fields of `qs`, one list per organisation (header first). Text only: the view
    neutralises spreadsheet formulas."""
    from django.conf import settings

    base = settings.COMMUNITY_SITE_URL.rstrip("/")
    yield list(CSV_FIELDS)
    for org in qs:
        yield [
            org.name, org.get_legal_form_display(), org.country_id, org.region, org.website,
            ";".join(e.slug for e in org.ecosystems.all()), ";".join(t.slug for t in org.technologies.all()),
            ";".join(c.slug for c in org.cluster_categories.all()),
            _blank(org.member_count), _blank(org.sme_share),
            org.year_founded or "", org.contact_role, "yes" if org.is_verified else "no",
            org.verification_criteria if org.is_verified else "", base + org.get_absolute_url(),
        ]  # fmt: skip


def search_organisations(raw: str, limit: int = 5) -> tuple[list[dict], int]:
    qs, query = _search(Organisation.objects.public().select_related("country"), raw)
    if query is None:
        return [], 0
    qs = qs.annotate(
        headline=SearchHeadline(
            "description", query, config="english", start_sel=HIGHLIGHT_START, stop_sel=HIGHLIGHT_STOP,
            max_words=30, min_words=12,
        )
    ).order_by("-rank", "name", "pk")  # fmt: skip
    hits = [
        {
            "title": o.name,
            "url": o.get_absolute_url(),
            "snippet": _highlight(o.headline or ""),
            "rank": float(o.rank),
            "meta": " · ".join(x for x in [o.country.name, o.region] if x),
        }
        for o in qs[:limit]
    ]
    return hits, qs.count()


def offers(filters: dict, today=None) -> QuerySet[Offer]:
    """Offers of approved organisations; state "open" (default), "closed", "expired" or "all"."""
    today = today or timezone.localdate()
    qs = Offer.objects.public().select_related("organisation__country")
    state = filters.get("state") or "open"
    if state == "open":
        qs = qs.open(today)
    elif state == "closed":
        qs = qs.exclude(closed_at=None)
    elif state == "expired":
        qs = qs.filter(closed_at=None, deadline__lt=today)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("ecosystem"):
        qs = qs.filter(ecosystems__slug=filters["ecosystem"])
    if filters.get("country"):
        qs = qs.filter(organisation__country_id=filters["country"])
    if filters.get("technology"):
        qs = qs.filter(technologies__slug=filters["technology"])
    if filters.get("organisation"):
        qs = qs.filter(organisation=filters["organisation"])
    if code := filters.get("region"):
        # Wanted in DE11 = an offer naming DE, DE1 or DE11 (or anywhere: no region named).
        prefixes = [code[:n] for n in range(2, len(code) + 1)]
        qs = qs.filter(Q(regions__overlap=prefixes) | Q(regions=[]))
    qs, query = _search(qs, filters.get("q", ""))
    qs = qs.prefetch_related("ecosystems", "technologies").distinct()
    return (
        qs.order_by("-rank", "-created_at", "-pk") if query is not None else qs.order_by("-created_at", "-pk")
    )


def events(ecosystem: str = "", upcoming: bool = True, now=None) -> QuerySet[Event]:
    now = now or timezone.now()
    qs = Event.objects.filter(organisation__status=Organisation.Status.APPROVED).select_related(
        "organisation"
    )
    if upcoming:
        qs = qs.filter(ends_at__gte=now)
    if ecosystem:
        qs = qs.filter(ecosystems__slug=ecosystem)
    return qs.prefetch_related("ecosystems").distinct().order_by("starts_at", "pk")


def following(user, **target) -> bool:
    return user.is_authenticated and Follow.objects.filter(user=user, **target).exists()


def inbox(org: Organisation) -> QuerySet[InterestMessage]:
    """An organisation's interest messages (first messages; their replies prefetched)."""
    return (
        InterestMessage.objects.filter(organisation=org, reply_to=None)
        .select_related("sender", "offer")
        .prefetch_related("replies__sender")
    )


def my_messages(user) -> QuerySet[InterestMessage]:
    return (
        InterestMessage.objects.filter(sender=user, reply_to=None)
        .select_related("organisation", "offer")
        .prefetch_related("replies__sender")
    )


def open_invitations(user) -> QuerySet[ManagerInvitation]:
    return ManagerInvitation.objects.filter(
        user=user,
        accepted_at=None,
        organisation__status__in=[Organisation.Status.APPROVED, Organisation.Status.PROPOSED],
    ).select_related("organisation", "invited_by")


def history(org: Organisation):
    return org.changes.select_related("actor")


def managers(org: Organisation):
    return list(org.managers.order_by("display_name", "pk"))


# --- matchmaking ------------------------------------------------------------------------------


def _divisions_by_ecosystem() -> tuple[dict[str, set[str]], dict[str, str], int | None]:
    """Current mapping: ecosystem slug -> NACE divisions (C29 from C29/C291), slug -> name, version."""
    from ecosystems import selectors as taxonomy

    version = taxonomy.current_mapping()
    if version is None:
        return {}, {}, None
    divisions: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for row in taxonomy.mapping_dicts(version):
        code = row["nace"]
        if len(code) >= 3 and code[0].isalpha() and code[1:3].isdigit():
            divisions.setdefault(row["ecosystem__slug"], set()).add(code[:3])
            names[row["ecosystem__slug"]] = row["ecosystem__name"]
    return divisions, names, version.number


def _wanted(org: Organisation, codes: list[str]) -> str:
    for code in codes:
        if (org.region and org.region.startswith(code)) or org.country_id == code:
            return code
    return ""


def _strong_related(wanted_ecosystems: dict[str, str]) -> tuple[dict[str, list[dict]], dict, dict]:
    """Regions strong (cluster stars, as on /clusters/regions/<nuts>/) in cluster categories related
    to the wanted ecosystems: (geo -> strong rows, category slug -> ecosystem names it relates to,
    the assessment's {"version", "period"}). Cached by data generation in indicators."""
    from indicators import selectors as evidence

    strong = evidence.strong_clusters()
    if not strong["rows"] or not wanted_ecosystems:
        return {}, {}, strong
    related = evidence.cluster_categories_of_ecosystems()
    via: dict[str, list[str]] = {}
    for slug, name in wanted_ecosystems.items():
        for category in related.get(slug, {}):
            via.setdefault(category, []).append(name)
    by_region: dict[str, list[dict]] = {}
    for row in strong["rows"]:
        if row["category"] in via:
            by_region.setdefault(row["geo"], []).append(row)
    for rows in by_region.values():
        rows.sort(key=lambda r: (-(r["stars"] or 0), r["name"]))
    return by_region, via, strong


def suggestions(offer: Offer, limit: int = 10) -> list[dict]:
    """Organisations that could answer `offer`, each with the reasons shown: same ecosystem or a
    neighbouring one (sharing NACE divisions in the current mapping), located in a region strong
    in a cluster category related to the offer's ecosystems (cluster stars), working in such a
    category, in a region wanted, and from another country first (cross-border). A bounded number
    of queries whatever the data (the cluster evidence is cached)."""
    wanted_ecosystems = {e.slug: e.name for e in offer.ecosystems.all()} or {
        e.slug: e.name for e in offer.organisation.ecosystems.all()
    }
    divisions, names, version = _divisions_by_ecosystem()
    own = (
        set().union(*(divisions.get(slug, set()) for slug in wanted_ecosystems))
        if wanted_ecosystems
        else set()
    )
    neighbours = {
        slug: sorted(divs & own)
        for slug, divs in divisions.items()
        if slug not in wanted_ecosystems and divs & own
    }
    strong_regions, via, strong = _strong_related(wanted_ecosystems)
    wanted_regions = list(offer.regions)
    region_q = Q(pk__in=[])
    for code in wanted_regions:
        region_q |= Q(region__startswith=code) | Q(country_id=code)
    candidates = (
        Organisation.objects.public()
        .exclude(pk=offer.organisation_id)
        .filter(
            Q(ecosystems__slug__in=[*wanted_ecosystems, *neighbours])
            | Q(cluster_categories__slug__in=list(via))
            | Q(region__in=list(strong_regions))
            | region_q
        )
        .select_related("country")
        .prefetch_related("ecosystems", "cluster_categories")
        .distinct()
    )
    rows = []
    for org in candidates[:500]:
        slugs = {e.slug for e in org.ecosystems.all()}
        score, reasons = 0, []
        same = sorted(wanted_ecosystems[s] for s in slugs & set(wanted_ecosystems))
        if same:
            score += 3
            reasons.append(f"works in {', '.join(same)}")
        for slug in sorted(slugs & set(neighbours)):
            if not same:
                score += 1
            shared = ", ".join(neighbours[slug][:4])
            reasons.append(
                f"neighbouring ecosystem {names.get(slug, slug)}: shares NACE {shared} "
                f"with the offer's ecosystems (mapping v{version})"
            )
            break
        if org.region in strong_regions:
            score += 2
            best = strong_regions[org.region][0]
            more = len(strong_regions[org.region]) - 1
            reasons.append(
                f"region {org.region} is strong in {best['name']} ({best['stars']} stars, thresholds "
                f"v{strong['version']}, {strong['period']}){f' and {more} more related' if more else ''}; "
                f"category related to {', '.join(via[best['category']])}"
            )
        categories = sorted(c.name for c in org.cluster_categories.all() if c.slug in via)
        if categories:
            score += 1
            reasons.append(f"works in cluster category {', '.join(categories[:3])}")
        if code := _wanted(org, wanted_regions):
            score += 2
            reasons.append(f"located in {org.region or org.country_id}, where partners are wanted ({code})")
        if org.country_id != offer.organisation.country_id:
            score += 1
            reasons.append(f"in {org.country.name}: cross-border")
        if org.is_verified:
            reasons.append("validated profile")
        rows.append({"organisation": org, "score": score, "reasons": reasons})
    rows.sort(key=lambda r: (-r["score"], r["organisation"].name.lower(), r["organisation"].pk))
    return rows[:limit]


def in_regions(codes, limit_per_region: int = 5) -> dict[str, dict]:
    """NUTS code -> {"organisations": [...], "open_offers": n} for the value-chain explorer:
    approved organisations located in those regions and their open offers. Two queries."""
    codes = list(codes)
    if not codes:
        return {}
    out: dict[str, dict] = {c: {"organisations": [], "open_offers": 0} for c in codes}
    for org in Organisation.objects.public().filter(region__in=codes).order_by("name"):
        if len(out[org.region]["organisations"]) < limit_per_region:
            out[org.region]["organisations"].append(
                {"name": org.name, "url": org.get_absolute_url(), "verified": org.is_verified}
            )
    today = timezone.localdate()
    for region in (
        Offer.objects.public()
        .open(today)
        .filter(organisation__region__in=codes)
        .values_list("organisation__region", flat=True)
    ):
        out[region]["open_offers"] += 1
    return out


def in_categories(slugs, limit_per_category: int = 8) -> dict[str, list[dict]]:
    """Cluster category slug -> approved organisations working in it (the value-chain explorer).
    One query."""
    slugs = list(slugs)
    out: dict[str, list[dict]] = {s: [] for s in slugs}
    if not slugs:
        return out
    through = Organisation.cluster_categories.through.objects.filter(
        clustercategory__slug__in=slugs, organisation__status=Organisation.Status.APPROVED
    ).values_list("clustercategory__slug", "organisation__name", "organisation__slug", "organisation__region")
    from django.urls import reverse

    for slug, name, org_slug, region in through.order_by("organisation__name"):
        if len(out[slug]) < limit_per_category:
            out[slug].append(
                {
                    "name": name,
                    "region": region,
                    "url": reverse("organisations:organisation-detail", args=[org_slug]),
                }
            )
    return out
