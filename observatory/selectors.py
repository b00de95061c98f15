"""Read queries for the site shell: publications, the home page, the methodology pages."""

from django.db.models import Max, Q
from django.http import Http404
from django.urls import reverse

from ecosystems import selectors as taxonomy
from indicators.compute.ecosystems import MAX_MISSING_SHARE, MIN_ESTIMATE_SHARE, SHARE_APPLIES
from indicators.compute.markers import MARKERS
from indicators.flags import FLAGS, describe
from indicators.models import IndicatorValue, Source
from indicators.registry import INDICATORS, SOURCES

from .models import Publication

EU = "EU27_2020"
# Home-page headline figures: (indicator code, how to aggregate over the 14 ecosystems).
HEADLINE_INDICATORS = ("emp", "va", "ent")


def _with_tags(qs):
    return qs.prefetch_related("ecosystems", "countries", "technologies")


def published_publications(filters: dict | None = None):
    """Published publications, newest first, narrowed by `kind`, `ecosystem` (slug), `country`
    (geo code), `technology` (slug), `year` (int) when given."""
    qs = Publication.objects.published()
    filters = filters or {}
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("ecosystem"):
        qs = qs.filter(ecosystems__slug=filters["ecosystem"])
    if filters.get("country"):
        qs = qs.filter(countries__code=filters["country"])
    if filters.get("technology"):
        qs = qs.filter(technologies__slug=filters["technology"])
    if filters.get("year"):
        qs = qs.filter(published_at__year=filters["year"])
    return _with_tags(qs.distinct().order_by("-published_at", "-pk"))


def publication_years() -> list[int]:
    return sorted(
        {d.year for d in Publication.objects.published().dates("published_at", "year")}, reverse=True
    )


def get_publication_for_user(user, slug: str) -> Publication:
    """The one access rule: the public sees published items; staff also see drafts and scheduled
    ones (as a preview). Anything else is a 404, so drafts do not even leak their existence."""
    qs = Publication.objects.all() if user.is_staff else Publication.objects.published()
    publication = _with_tags(qs).filter(slug=slug).first()
    if publication is None:
        raise Http404("No such publication.")
    return publication


def related_publications(ecosystem: str = "", country: str = "", limit: int = 5) -> list[Publication]:
    filters = {"ecosystem": ecosystem, "country": country}
    return list(published_publications(filters)[:limit])


def publications_tagged(ecosystems=(), countries=(), technologies=(), limit: int = 6) -> list[dict]:
    """Published publications tagged with any of these ecosystems (slugs), countries (geo codes) or
    technologies (slugs), newest first, in one query: the value-chain explorer's publications edge."""
    query = Q()
    if ecosystems:
        query |= Q(ecosystems__slug__in=list(ecosystems))
    if countries:
        query |= Q(countries__code__in=list(countries))
    if technologies:
        query |= Q(technologies__slug__in=list(technologies))
    if not query:
        return []
    rows = (
        Publication.objects.published()
        .filter(query)
        .order_by("-published_at", "-pk")
        .values("slug", "title", "kind", "published_at")
        .distinct()[:limit]
    )
    return [{**r, "url": reverse("publication-detail", args=[r["slug"]])} for r in rows]


def latest_publications(limit: int = 4) -> list[Publication]:
    return list(published_publications()[:limit])


# --- home ---------------------------------------------------------------------------------------


def eu_headlines() -> list[dict]:
    """EU27_2020 totals over the 14 ecosystems for the latest year of each headline indicator.

    Each: ``code, title, unit, decimals, value, period, vintage, source, flags`` — the sum over ecosystems
    of the ecosystem figures (the mapping's shares of one NACE activity never exceed 1, so the sum
    is the employment etc. covered by the ecosystems). Empty list when nothing is computed.
    """
    out = []
    for code in HEADLINE_INDICATORS:
        spec = INDICATORS.get(code)
        values = IndicatorValue.objects.filter(indicator_id=code, geo=EU, value__isnull=False)
        period = values.aggregate(p=Max("period"))["p"]
        if spec is None or period is None:
            continue
        rows = list(values.filter(period=period).select_related("release"))
        # Any flag of a summed value qualifies the sum (e.g. "i": a component missing).
        flags = "".join(sorted({letter for r in rows for letter in r.flags}))
        out.append(
            {
                "code": code,
                "title": spec.title,
                "unit": spec.unit,
                "decimals": spec.decimals,
                "value": sum(r.value for r in rows),
                "ecosystems": len(rows),
                "period": period,
                "vintage": rows[0].release.vintage_label,
                "source": rows[0].release.source_id,
                "flags": flags,
                "flags_text": describe(flags),
            }
        )
    return out


def flags_used(headlines: list[dict]) -> list[tuple[str, str]]:
    """(letter, meaning) for every flag on any headline figure, for one legend under them."""
    letters = sorted({letter for h in headlines for letter in h["flags"]})
    return [(letter, FLAGS.get(letter, letter)) for letter in letters]


def ecosystem_entry_points() -> list[dict]:
    """The 14 ecosystems with their latest EU27 persons employed (None when not computed)."""
    latest = {}
    values = IndicatorValue.objects.filter(indicator_id="emp", geo=EU, value__isnull=False)
    period = values.aggregate(p=Max("period"))["p"]
    if period:
        latest = {v.ecosystem: v.value for v in values.filter(period=period)}
    return [{"ecosystem": e, "emp": latest.get(e.slug), "period": period} for e in taxonomy.ecosystems()]


def data_freshness() -> list[Source]:
    """Every registered source with its current release (None when not loaded), by publisher."""
    return list(Source.objects.select_related("current_release").order_by("publisher", "code"))


# --- methodology --------------------------------------------------------------------------------


mapping_version = taxonomy.mapping_version
mapping_versions = taxonomy.mapping_versions


def mapping_rows(version) -> list:
    """The mapping rows of a version, with each NACE code's name attached as ``nace_name``."""
    rows = taxonomy.mapping_entries(version)
    names = taxonomy.activity_names(r.nace for r in rows)
    for row in rows:
        row.nace_name = names.get(row.nace, "")
    return rows


def indicator_definitions() -> list[dict]:
    """Every indicator of the registry with its source's title, in registry order."""
    return [{"spec": spec, "source": SOURCES.get(spec.source)} for spec in INDICATORS.values()]


def flags_legend() -> dict[str, str]:
    return FLAGS


def markers_legend() -> dict[str, str]:
    """Our own markers (A, E, I), kept apart from the publisher's flags."""
    return MARKERS


def eu_method() -> dict:
    """The EU-aggregate method's stated parameters, for the methodology page."""
    return {
        "share_applies": SHARE_APPLIES,
        "max_missing_pct": round(MAX_MISSING_SHARE * 100),
        "min_estimate_pct": round(MIN_ESTIMATE_SHARE * 100),
    }


def sources_with_licences() -> list[dict]:
    """Registry sources (the truth for licence and credit) with their loaded row, if any."""
    loaded = {s.code: s for s in Source.objects.select_related("current_release")}
    return [{"spec": spec, "row": loaded.get(code)} for code, spec in SOURCES.items()]


def country_names(codes) -> dict[str, str]:
    return taxonomy.country_names(codes)


def dependency_method() -> dict | None:
    """The dependency screen's current rules and country groups (ours), for the methodology page."""
    from indicators import selectors as indicator_selectors

    rules = indicator_selectors.dependency_rules()
    if rules is None:
        return None
    groups = indicator_selectors.country_groups(rules["country_groups_number"])
    by_group: dict[str, list[str]] = {}
    for partner, group in sorted(groups.items()):
        by_group.setdefault(group, []).append(partner)
    return {"rules": rules, "groups": by_group, "versions": indicator_selectors.dependency_versions()}
