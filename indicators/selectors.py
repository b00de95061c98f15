"""Read queries for pages and exports."""

from django.db.models import Count, Prefetch

from ecosystems.models import Country, Ecosystem, MappingVersion

from .flags import FLAGS
from .models import IndicatorValue, Release, Run, Source
from .registry import SOURCES


def home_summary() -> dict:
    sources = Source.objects.filter(current_release__isnull=False).select_related("current_release")
    return {
        "ecosystem_count": Ecosystem.objects.count(),
        "country_count": Country.objects.filter(eu27_2020=True).count(),
        "sources": sources,
        "observation_total": sum(s.current_release.row_count for s in sources),
        "indicator_value_total": IndicatorValue.objects.count(),
        "mapping": MappingVersion.objects.filter(is_current=True).first(),
    }


def catalogue() -> list[Source]:
    return list(
        Source.objects.select_related("current_release")
        .annotate(release_count=Count("releases"))
        .order_by("publisher", "code")
    )


def source_detail(code: str) -> Source | None:
    source = (
        Source.objects.filter(code=code)
        .select_related("current_release")
        .prefetch_related(Prefetch("releases", queryset=Release.objects.order_by("-fetched_at")))
        .first()
    )
    if source is None:
        return None
    source.spec = SOURCES.get(code)
    source.recent_runs = Run.objects.filter(source=source)[:10]
    return source


def flag_legend() -> dict[str, str]:
    return FLAGS


def release_for_download(code: str, release_id: int) -> Release | None:
    return Release.objects.filter(source_id=code, pk=release_id).select_related("source").first()
