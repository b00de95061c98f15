"""Reads of the shared taxonomy, for every other app.

`community`, `observatory` and `indicators` read ecosystems, countries, regions, NACE activities and
the ecosystem mapping through these functions, never through the models' fields and managers, so
the taxonomy can change its tables without touching them. Functions that return a QuerySet do so
on purpose: the caller still filters, ranks or paginates it in the database (site search, form
choices). This module imports no other project app.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import (
    Activity,
    ClusterCategory,
    ClusterCategoryActivity,
    ClusterDefinitionVersion,
    ClusterLinkage,
    ClusterParameters,
    CodeLabel,
    Country,
    Ecosystem,
    EcosystemActivity,
    MappingVersion,
    NutsConversion,
    Region,
)

# --- ecosystems ---------------------------------------------------------------------------------


def ecosystems() -> QuerySet[Ecosystem]:
    """All ecosystems in their display order."""
    return Ecosystem.objects.order_by("order", "name")


def ecosystem(slug: str) -> Ecosystem | None:
    return Ecosystem.objects.filter(slug=slug).first() if slug else None


def ecosystem_count() -> int:
    return Ecosystem.objects.count()


def ecosystem_ids() -> dict[str, int]:
    """slug -> primary key of every ecosystem (for rows of other apps that point at one)."""
    return dict(Ecosystem.objects.values_list("slug", "pk"))


def ecosystem_dicts() -> list[dict]:
    """slug, name, short_name, description of every ecosystem, in display order."""
    return list(ecosystems().values("slug", "name", "short_name", "description"))


# --- places -------------------------------------------------------------------------------------


def countries() -> QuerySet[Country]:
    """Countries and aggregates, grouped by kind then by name (form choices, search)."""
    return Country.objects.order_by("kind", "name")


def member_countries() -> QuerySet[Country]:
    """Countries only (no EU27 or euro-area aggregate), by name: where an organisation can be."""
    return Country.objects.filter(kind=Country.Kind.COUNTRY).order_by("name")


def country(code: str) -> Country | None:
    return Country.objects.filter(code=code).first() if code else None


def country_dicts() -> list[dict]:
    """code, name, kind, eu27_2020 of every country and aggregate, by name."""
    return list(Country.objects.order_by("name").values("code", "name", "kind", "eu27_2020"))


def country_names(codes=None) -> dict[str, str]:
    qs = Country.objects.all() if codes is None else Country.objects.filter(code__in=list(codes))
    return dict(qs.values_list("code", "name"))


def eu27_codes() -> list[str]:
    """The EU27 (2020) member codes, sorted: the one list of members (the country reference)."""
    return list(Country.objects.filter(eu27_2020=True).order_by("code").values_list("code", flat=True))


def place_codes() -> set[str]:
    """Every country, aggregate and region code (any NUTS version): the geo codes we know."""
    return set(Country.objects.values_list("code", flat=True)) | set(
        Region.objects.values_list("code", flat=True)
    )


def nuts_conversion_rows(level: int, to_version: int, columns: list[str]) -> list[tuple]:
    """The JRC converter rows of one level into one NUTS version, as tuples of COLUMNS."""
    return list(NutsConversion.objects.filter(level=level, to_version=to_version).values_list(*columns))


def region_versions(code: str) -> list[Region]:
    """Every NUTS version of a region code, newest first (empty when the code is unknown)."""
    return list(Region.objects.filter(code=code).order_by("-version"))


def region(code: str) -> Region | None:
    """The newest NUTS version of a region code."""
    return Region.objects.filter(code=code).order_by("-version").first() if code else None


def region_exists(code: str) -> bool:
    return Region.objects.filter(code=code).exists()


def existing_regions(codes) -> set[str]:
    """The NUTS codes among CODES that exist (any version), in one query; codes that cannot be
    one (too long, not letters and digits) are not asked for."""
    wanted = {c for c in codes if 2 <= len(c) <= 9 and c.isascii() and c.isalnum()}
    if not wanted:
        return set()
    return set(Region.objects.filter(code__in=wanted).values_list("code", flat=True).distinct())


def newest_regions() -> QuerySet[Region]:
    """One row per NUTS code: its newest version (codes recur across versions)."""
    newest = Region.objects.order_by("code", "-version").distinct("code").values("pk")
    return Region.objects.filter(pk__in=newest)


def region_names() -> dict[str, str]:
    """NUTS code (any version) -> name; the newest version wins."""
    return dict(Region.objects.order_by("version").values_list("code", "name"))


def nuts2_names(version: int = 2021) -> dict[str, str]:
    """NUTS 2 code -> name in one NUTS version (the place pickers' list of regions)."""
    return dict(Region.objects.filter(level=2, version=version).order_by("code").values_list("code", "name"))


# --- NACE activities, code lists and the mapping ------------------------------------------------


def code_labels(dimension: str) -> dict[str, str]:
    """One Eurostat code list: code -> label (empty when not loaded)."""
    return dict(CodeLabel.objects.filter(dimension=dimension).values_list("code", "label"))


def nace_classes_by_dotted() -> dict[str, str]:
    """NACE class (level 4) dotted code ("C20.11") -> our code ("C2011")."""
    return dict(Activity.objects.filter(level=4).values_list("dotted", "code"))


def activities() -> QuerySet[Activity]:
    """NACE activities below the top level (sections, divisions, groups, classes)."""
    return Activity.objects.exclude(level=0)


def activity_names(codes) -> dict[str, str]:
    return dict(Activity.objects.filter(code__in=set(codes)).values_list("code", "name"))


def current_mapping() -> MappingVersion | None:
    return MappingVersion.objects.filter(is_current=True).first()


def mapping_version(number: int | None = None) -> MappingVersion | None:
    """A mapping version with ``row_count``: the given number, else the current (else the newest)."""
    qs = MappingVersion.objects.annotate(row_count=Count("rows"))
    if number is None:
        return qs.filter(is_current=True).first() or qs.first()
    return qs.filter(number=number).first()


def mapping_versions() -> list[MappingVersion]:
    return list(MappingVersion.objects.annotate(row_count=Count("rows")).order_by("-number"))


def mapping_entries(version: MappingVersion) -> list[EcosystemActivity]:
    """The rows of a mapping version (ecosystem loaded), by ecosystem order then NACE code."""
    return list(
        EcosystemActivity.objects.filter(version=version)
        .select_related("ecosystem")
        .order_by("ecosystem__order", "ecosystem__name", "nace")
    )


def mapping_rows(version: MappingVersion) -> list[tuple[str, str, float]]:
    """(ecosystem slug, nace, share) of every row of a mapping version."""
    rows = EcosystemActivity.objects.filter(version=version).values_list("ecosystem__slug", "nace", "share")
    return [(slug, nace, float(share)) for slug, nace, share in rows]


def mapping_dicts(version: MappingVersion) -> list[dict]:
    """The rows of a mapping version as dicts: ecosystem__slug, ecosystem__name, nace, share
    (float), confidence, source_note."""
    rows = list(
        EcosystemActivity.objects.filter(version=version)
        .order_by("ecosystem__order", "nace")
        .values("ecosystem__slug", "ecosystem__name", "nace", "share", "confidence", "source_note")
    )
    for r in rows:
        r["share"] = float(r["share"])
    return rows


def current_ecosystems_of(codes) -> dict[str, list[tuple[str, float]]]:
    """NACE code -> [(ecosystem name, share)] in the current mapping."""
    out: dict[str, list[tuple[str, float]]] = {}
    rows = EcosystemActivity.objects.filter(version__is_current=True, nace__in=list(codes))
    for nace, name, share in rows.values_list("nace", "ecosystem__name", "share"):
        out.setdefault(nace, []).append((name, share))
    return out


# --- cluster categories and thresholds ---------------------------------------------------------


def cluster_categories() -> QuerySet[ClusterCategory]:
    return ClusterCategory.objects.order_by("order", "name")


def cluster_category_dicts() -> list[dict]:
    return list(
        ClusterCategory.objects.values(
            "slug", "name", "kind", "us_name", "approximation", "sbs_coverage", "description", "order"
        )
    )


def current_cluster_definition() -> ClusterDefinitionVersion | None:
    return ClusterDefinitionVersion.objects.filter(is_current=True).first()


def cluster_definition_rows(version: ClusterDefinitionVersion) -> list[tuple]:
    """(category slug, category kind, nace, weight, traded_share) of every row of a version."""
    return list(
        ClusterCategoryActivity.objects.filter(version=version).values_list(
            "category__slug", "category__kind", "nace", "weight", "traded_share"
        )
    )


def cluster_threshold_sets() -> list[dict]:
    """Every threshold version, oldest first: number and its thresholds."""
    return [{"number": p.number, **p.thresholds()} for p in ClusterParameters.objects.order_by("number")]


def cluster_definition_dicts() -> list[dict]:
    """Rows of the current cluster definitions: category, kind, nace, weight, traded_share (floats)."""
    version = ClusterDefinitionVersion.objects.filter(is_current=True).first()
    if version is None:
        return []
    rows = ClusterCategoryActivity.objects.filter(version=version).values(
        "category__slug", "category__kind", "nace", "weight", "traded_share", "source_note"
    )
    return [
        {
            "category": r["category__slug"],
            "kind": r["category__kind"],
            "nace": r["nace"],
            "weight": float(r["weight"]),
            "traded_share": float(r["traded_share"]),
            "share": float(r["weight"]) * float(r["traded_share"]),
            "note": r["source_note"],
            "version": version.number,
        }
        for r in rows
    ]


def cluster_parameter_dicts() -> list[dict]:
    """Every threshold version, newest first: number, is_current, note, created_at and thresholds."""
    return [
        {
            "number": p.number,
            "is_current": p.is_current,
            "note": p.note,
            "created_at": p.created_at,
            **p.thresholds(),
        }
        for p in ClusterParameters.objects.order_by("-number")
    ]


def cluster_links() -> list[tuple[str, str, str]]:
    return list(ClusterLinkage.objects.values_list("core__slug", "linked__slug", "strength"))
