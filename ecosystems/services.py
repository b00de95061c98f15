"""Writes of the shared taxonomy, for every other app (the reads are in selectors.py).

Loading the reference (indicators/reference.py reads and parses the files) and the curators'
version actions (indicators/admin.py) change ecosystems, countries, regions, NACE activities, code
lists, the NUTS converter, the mapping and the cluster definitions only through these functions.
They take plain rows (dicts, tuples), never model instances, and each is atomic: a failure leaves
the tables as they were. This module imports no other project app.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Max

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
    NutsChange,
    NutsConversion,
    Region,
)

_NATIVE = {"CharField": str, "TextField": str, "FloatField": float, "IntegerField": int}
_NATIVE |= {"PositiveSmallIntegerField": int, "SmallIntegerField": int, "PositiveIntegerField": int}


def _copy_rows(model, fields: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Insert ROWS (tuples in FIELDS' order) with PostgreSQL COPY: the bulk replacements of the
    reference tables (tens of thousands of converter rows) without a model instance per row,
    about 4x bulk_create. Each value goes through its field's get_db_prep_save, as bulk_create
    does (2.0 into an integer column is 2, NaN into a text column 'nan'); the database checks
    what it checks for an INSERT (lengths, NOT NULL, CHECK and unique constraints), and a
    failure aborts the surrounding transaction, so the table is left as it was."""
    model_fields = [model._meta.get_field(f) for f in fields]
    # A value already of the column's own Python type needs no conversion (the common case).
    native = [_NATIVE.get(f.get_internal_type()) for f in model_fields]
    prep = [f.get_db_prep_save for f in model_fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in model_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    n = 0
    # The driver's errors as Django's (DataError, IntegrityError…), as for any other query.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    value if type(value) is kind else p(value, connection)
                    for kind, p, value in zip(native, prep, row, strict=True)
                ]
            )
            n += 1
    return n


# --- places -------------------------------------------------------------------------------------


@transaction.atomic
def upsert_countries(rows: Iterable[dict]) -> int:
    """Countries and aggregates by code: ``code`` plus name, iso2, kind, eu27_2020, efta."""
    n = 0
    for row in rows:
        row = dict(row)
        Country.objects.update_or_create(code=row.pop("code"), defaults=row)
        n += 1
    return n


@transaction.atomic
def replace_regions(version: int, rows: Iterable[dict]) -> int:
    """Every region of one NUTS version, replaced: code, level, country, name."""
    Region.objects.filter(version=version).delete()
    fields = ("version", "code", "level", "country", "name")
    return _copy_rows(
        Region, fields, ((version, r["code"], r["level"], r["country"], r["name"]) for r in rows)
    )


@transaction.atomic
def replace_nuts_changes(from_version: int, to_version: int, rows: Iterable[dict]) -> int:
    """The official change table between two NUTS versions, replaced: old_code, new_code, change, note."""
    NutsChange.objects.filter(from_version=from_version, to_version=to_version).delete()
    made = NutsChange.objects.bulk_create(
        [NutsChange(from_version=from_version, to_version=to_version, **r) for r in rows]
    )
    return len(made)


@transaction.atomic
def replace_nuts_conversions(rows: Iterable[dict]) -> int:
    """The JRC NUTS converter matrices, replaced as a whole (rows as parse_converter gives them)."""
    NutsConversion.objects.all().delete()
    fields = ("level", "from_version", "to_version", "from_code", "to_code")
    fields += ("areakm", "pop18", "pop11", "artif_surf18", "artif_surf12")
    return _copy_rows(NutsConversion, fields, (tuple(r[f] for f in fields) for r in rows))


# --- code lists and NACE --------------------------------------------------------------------------


@transaction.atomic
def replace_code_labels(dimension: str, labels: dict[str, str]) -> int:
    """One Eurostat code list (code -> label), replaced."""
    CodeLabel.objects.filter(dimension=dimension).delete()
    return _copy_rows(
        CodeLabel, ("dimension", "code", "label"), ((dimension, c, lb) for c, lb in labels.items())
    )


@transaction.atomic
def replace_activities(rows: Iterable[dict], aggregates: Iterable[dict] = ()) -> int:
    """The NACE structure, replaced: rows with code, dotted, level, section, name, parent (code or
    ""); then Eurostat's aggregates (code, name) not already in it, at level 0."""
    Activity.objects.all().delete()
    # Parents are set in the same insert: the FK is checked at commit (deferred), not per row.
    made = Activity.objects.bulk_create(
        [
            Activity(
                code=r["code"],
                dotted=r["dotted"],
                level=r["level"],
                section=r["section"],
                name=r["name"],
                parent_id=r["parent"] or None,
            )
            for r in rows
        ]
    )
    known = {a.code for a in made}
    Activity.objects.bulk_create(
        [
            Activity(code=a["code"], dotted=a["code"], level=0, name=a["name"][:300])
            for a in aggregates
            if a["code"] not in known
        ]
    )
    return Activity.objects.count()


# --- ecosystems and the mapping -------------------------------------------------------------------


@transaction.atomic
def upsert_ecosystems(rows: Iterable[dict]) -> int:
    """Ecosystems by slug: ``slug`` plus name, short_name, description, order."""
    for row in rows:
        row = dict(row)
        Ecosystem.objects.update_or_create(slug=row.pop("slug"), defaults=row)
    return Ecosystem.objects.count()


@transaction.atomic
def seed_mapping(note: str, rows: Iterable[dict]) -> int:
    """Mapping v1 (current) from rows with ecosystem (slug), nace, share, confidence, source_note,
    only when no mapping version exists yet (curators' versions win). Returns the rows written."""
    if MappingVersion.objects.exists():
        return 0
    version = MappingVersion.objects.create(number=1, is_current=True, note=note)
    ecosystems = dict(Ecosystem.objects.values_list("slug", "pk"))
    made = EcosystemActivity.objects.bulk_create(
        [
            EcosystemActivity(
                version=version, ecosystem_id=ecosystems[r["ecosystem"]], **{k: r[k] for k in _MAPPING_FIELDS}
            )
            for r in rows
        ]
    )
    return len(made)


_MAPPING_FIELDS = ("nace", "share", "confidence", "source_note")


def next_mapping_number() -> int:
    return (MappingVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def copy_mapping_version(version: MappingVersion, user) -> MappingVersion:
    """A new draft version holding the rows of VERSION."""
    copy = MappingVersion.objects.create(
        number=next_mapping_number(), note=f"Copy of v{version.number}: ", created_by=user
    )
    EcosystemActivity.objects.bulk_create(
        [
            EcosystemActivity(
                version=copy, ecosystem_id=r.ecosystem_id, **{k: getattr(r, k) for k in _MAPPING_FIELDS}
            )
            for r in version.rows.all()
        ]
    )
    return copy


@transaction.atomic
def make_mapping_current(version: MappingVersion) -> None:
    MappingVersion.objects.filter(is_current=True).update(is_current=False)
    MappingVersion.objects.filter(pk=version.pk).update(is_current=True)


# --- cluster categories, definitions and thresholds -----------------------------------------------


@transaction.atomic
def upsert_cluster_categories(rows: Iterable[dict]) -> int:
    """Cluster categories by slug: ``slug`` plus name, kind, us_name, approximation, sbs_coverage,
    description, order."""
    for row in rows:
        row = dict(row)
        ClusterCategory.objects.update_or_create(slug=row.pop("slug"), defaults=row)
    return ClusterCategory.objects.count()


@transaction.atomic
def seed_cluster_definitions(note: str, rows: Iterable[dict]) -> int:
    """Definitions v1 (current) from rows with category (slug), nace, weight, traded_share,
    naics_count, confidence, source_note, only when no version exists yet. Returns rows written."""
    if ClusterDefinitionVersion.objects.exists():
        return 0
    version = ClusterDefinitionVersion.objects.create(number=1, is_current=True, note=note)
    categories = dict(ClusterCategory.objects.values_list("slug", "pk"))
    made = ClusterCategoryActivity.objects.bulk_create(
        [
            ClusterCategoryActivity(
                version=version,
                category_id=categories[r["category"]],
                **{k: v for k, v in r.items() if k != "category"},
            )
            for r in rows
        ]
    )
    return len(made)


def next_cluster_definition_number() -> int:
    return (ClusterDefinitionVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def copy_cluster_definition(version: ClusterDefinitionVersion, user) -> ClusterDefinitionVersion:
    copy = ClusterDefinitionVersion.objects.create(
        number=next_cluster_definition_number(), note=f"Copy of v{version.number}: ", created_by=user
    )
    rows = list(version.rows.all())
    for r in rows:
        r.pk, r.version = None, copy
    ClusterCategoryActivity.objects.bulk_create(rows)
    return copy


@transaction.atomic
def make_cluster_definition_current(version: ClusterDefinitionVersion) -> None:
    ClusterDefinitionVersion.objects.filter(is_current=True).update(is_current=False)
    ClusterDefinitionVersion.objects.filter(pk=version.pk).update(is_current=True)


def seed_cluster_parameters(note: str) -> bool:
    """Thresholds v1 (current, the model's defaults) when no version exists yet."""
    if ClusterParameters.objects.exists():
        return False
    ClusterParameters.objects.create(number=1, is_current=True, note=note)
    return True


def retire_current_cluster_parameters() -> int:
    """Un-mark the current thresholds and return the number the next version takes (call inside
    the transaction that saves it)."""
    number = (ClusterParameters.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    ClusterParameters.objects.filter(is_current=True).update(is_current=False)
    return number


@transaction.atomic
def replace_cluster_links(rows: Iterable[tuple[str, str, str]]) -> int:
    """The related-cluster links, replaced as a whole: (core US name, linked US name, strength);
    names that match no category, and self-links, are skipped."""
    by_name = dict(ClusterCategory.objects.exclude(us_name="").values_list("us_name", "pk"))
    links = {}
    for core, linked, strength in rows:
        a, b = by_name.get(core), by_name.get(linked)
        if a and b and a != b:
            links[(a, b)] = ClusterLinkage(core_id=a, linked_id=b, strength=strength)
    ClusterLinkage.objects.all().delete()
    ClusterLinkage.objects.bulk_create(links.values())
    return len(links)
