"""The strategic-dependency screen, Django side: trade releases as Parquet, rules and country
groups from the database, results stored per rules version and trade release.

The arithmetic is in indicators/compute/dependencies.py (pure, DuckDB); this module reads its
inputs, runs it, and swaps the results in one transaction (readers see the old or the new).
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
from django.db import connection, transaction

from ecosystems import selectors as taxonomy

from .compute import dependencies as dep
from .loading import IngestError
from .models import (
    CountryGroupMember,
    CountryGroupVersion,
    DependencyResult,
    DependencyRules,
    DependencySupplier,
    Release,
    Source,
    TradeProduct,
)
from .reference import FIXTURES, ReferenceFile, read_reference
from .registry import ANALYSES
from .sources import cn as cn_files
from .sources import comext

logger = logging.getLogger(__name__)

ANALYSIS = ANALYSES["dependency_screen"]
CN_FILES = {
    "concordance": ReferenceFile(
        "reference/eurostat_classifications/CN_concordances_1988_2025_XLS_FORMAT.xls", ""
    ),
    "labels": ReferenceFile("reference/eurostat_classifications/CN2022.csv", ""),
    "cpa": ReferenceFile("reference/eurostat_classifications/CN2022_CPA21.csv", ""),
}


# ---------------------------------------------------------------- ingest: validate and store


def eu_members() -> frozenset[str]:
    return frozenset(taxonomy.eu27_codes())


def validate_trade(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Reporters must be EU member states (the parser checked codes, numbers, duplicates)."""
    members = eu_members()
    if not members:
        raise IngestError(f"{origin}: the EU member list is not loaded (run load_reference first)")
    bad = ~frame["reporter"].isin(members)
    if bad.any():
        first = frame.loc[bad, "reporter"].iloc[0]
        raise IngestError(f"{origin}: reporter {first!r} is not an EU member state ({int(bad.sum())} rows)")
    return frame


def parquet_path(release: Release) -> Path:
    return Path(release.raw_path + ".parquet")


def write_trade(release: Release, frame: pd.DataFrame) -> int:
    """The release's trade rows as a Parquet file beside its raw bytes (README Decision 23)."""
    path = parquet_path(release)
    tmp = path.with_suffix(".part")
    con = duckdb.connect()
    try:
        con.from_df(frame).write_parquet(str(tmp), compression="zstd")
    finally:
        con.close()
    tmp.replace(path)
    return len(frame)


def trade_release() -> Release | None:
    """The current release of the first trade source (in the analysis's order) that has one."""
    sources = Source.objects.filter(code__in=ANALYSIS.sources).select_related("current_release")
    by_code = {s.code: s.current_release for s in sources}
    return next((by_code[c] for c in ANALYSIS.sources if by_code.get(c)), None)


# ---------------------------------------------------------------- reference: groups and rules


@transaction.atomic
def load_country_groups() -> int:
    """Seed country-group versions from fixtures/reference/country_groups.csv (existing ones kept)."""
    rows = pd.read_csv(FIXTURES / "country_groups.csv", dtype=str, keep_default_na=False)
    created = 0
    for number, part in rows.groupby("version"):
        version, new = CountryGroupVersion.objects.get_or_create(
            number=int(number),
            defaults={"note": "Seeded from fixtures/reference/country_groups.csv (written by us)."},
        )
        if new:
            CountryGroupMember.objects.bulk_create(
                [
                    CountryGroupMember(version=version, partner=r.partner, group=r.group, note=r.note)
                    for r in part.itertuples()
                ]
            )
            created += len(part)
    ensure_rules()
    return created


def ensure_rules() -> DependencyRules:
    current = DependencyRules.objects.filter(is_current=True).first()
    if current:
        return current
    groups = CountryGroupVersion.objects.order_by("-number").first()
    if groups is None:
        groups = CountryGroupVersion.objects.create(number=1, note="Empty: no country groups loaded.")
    defaults = dep.Rules()
    return DependencyRules.objects.create(
        number=(DependencyRules.objects.order_by("-number").values_list("number", flat=True).first() or 0)
        + 1,
        note="The Commission's thresholds (SWD(2021) 352): HHI > 0.4, extra-EU share > 0.5, "
        "extra-EU imports / exports > 1; persistence 2 of 3 years; low-risk: EEA/EFTA and like-minded.",
        is_current=True,
        low_risk_groups=list(defaults.low_risk_groups),
        country_groups=groups,
    )


def rules_of(version: DependencyRules) -> dep.Rules:
    return dep.Rules(
        hhi_threshold=version.hhi_threshold,
        extra_share_threshold=version.extra_share_threshold,
        substitutability_threshold=version.substitutability_threshold,
        require_substitutability=version.require_substitutability,
        min_extra_imports=version.min_extra_imports,
        persistence_years=version.persistence_years,
        persistence_window=version.persistence_window,
        spof_share=version.spof_share,
        hhi_rise=version.hhi_rise,
        share_jump=version.share_jump,
        low_risk_groups=tuple(version.low_risk_groups or ()),
    )


def partners_of(version: DependencyRules) -> dep.Partners:
    groups = dict(
        CountryGroupMember.objects.filter(version=version.country_groups).values_list("partner", "group")
    )
    return dep.Partners(members=eu_members(), unallocated=comext.UNALLOCATED, groups=groups)


# ---------------------------------------------------------------- CN reference files


def concordance() -> pd.DataFrame | None:
    raw = read_reference(CN_FILES["concordance"])
    if raw is None:
        return None
    return _parsed_concordance(raw)


@lru_cache(maxsize=2)
def _parsed_concordance(raw: bytes) -> pd.DataFrame:
    return cn_files.parse_concordance(raw, CN_FILES["concordance"].mirror_path)


def product_rows(codes: set[str], predecessors: dict[str, str] | None = None) -> list[TradeProduct]:
    frame = cn_files.parse_products(
        read_reference(CN_FILES["labels"]), read_reference(CN_FILES["cpa"]), codes, predecessors
    )
    classes = taxonomy.nace_classes_by_dotted()
    found = {
        r.code: TradeProduct(code=r.code, label=r.label, cpa=r.cpa, nace=classes.get(r.cpa[:5], ""))
        for r in frame.itertuples()
    }
    return [found.get(c) or TradeProduct(code=c) for c in sorted(codes)]


# ---------------------------------------------------------------- run and store


RESULT_COLUMNS = [
    f.column
    for f in DependencyResult._meta.concrete_fields
    if f.column not in {"id", "rules_id", "release_id"}
]
SUPPLIER_COLUMNS = [
    f.column for f in DependencySupplier._meta.concrete_fields if f.column not in {"id", "release_id"}
]


def compute(version: DependencyRules, release: Release) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the pure screen over RELEASE's Parquet file with VERSION's rules."""
    path = parquet_path(release)
    if not path.is_file():
        raise IngestError(
            f"{release.source_id}: the columnar copy of release {release.pk} is missing ({path})"
        )
    # DuckDB would otherwise keep up to 80% of RAM as buffer pool; 3 GB keeps the full annual
    # table's screen under the 4 GB aim (bench/dependencies.py runs with the same cap).
    con = duckdb.connect(config={"memory_limit": "3GB"})
    try:
        con.read_parquet(str(path)).create_view("trade")
        return dep.run(con, "trade", partners_of(version), rules_of(version), concordance())
    finally:
        con.close()


def run_screen(version: DependencyRules | None = None, release: Release | None = None) -> int:
    """Compute and store the screen for VERSION (current) on RELEASE (current trade release).

    Returns the number of result rows (0 when no trade data are loaded). The old results of the
    same version and release are replaced in one transaction; other versions' stay as they were.
    """
    version = version or ensure_rules()
    release = release or trade_release()
    if release is None:
        return 0
    screen, suppliers = compute(version, release)
    chained = screen[screen["family"] != ""].drop_duplicates("product")
    products = product_rows(
        set(screen["product"]), dict(zip(chained["product"], chained["family"], strict=True))
    )
    with transaction.atomic():
        DependencyResult.objects.filter(rules=version, release=release).delete()
        _copy(DependencyResult, {"rules_id": version.pk, "release_id": release.pk}, screen, RESULT_COLUMNS)
        if not DependencySupplier.objects.filter(release=release).exists():
            _copy(DependencySupplier, {"release_id": release.pk}, suppliers, SUPPLIER_COLUMNS)
        # One statement for every product; a code the CN tables don't know keeps what it had.
        known = [p for p in products if p.label or p.cpa]
        TradeProduct.objects.bulk_create(
            known, update_conflicts=True, unique_fields=["code"], update_fields=["label", "cpa", "nace"]
        )
        TradeProduct.objects.bulk_create(
            [p for p in products if not (p.label or p.cpa)], ignore_conflicts=True
        )
        from .loading import bump_generation

        bump_generation()
    return len(screen)


def _copy(model, constants: dict, frame: pd.DataFrame, columns: list[str]) -> None:
    out = frame.reindex(columns=columns).copy()
    for key, value in constants.items():
        out.insert(0, key, value)
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype).startswith("str"):
            out[column] = out[column].fillna("")
    buffer = io.StringIO()
    out.to_csv(buffer, header=False, index=False, float_format="%.12g", na_rep="")
    names = ", ".join(out.columns)
    text = [
        f.column for f in model._meta.concrete_fields if f.get_internal_type() in {"CharField", "TextField"}
    ]
    text = [c for c in text if c in out.columns]
    sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({', '.join(text)}))"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(buffer.getvalue())


def recompute_screen(run=None) -> int:
    """The recompute hook (registry ANALYSES): rerun the current rules on the current release."""
    return run_screen()


def member_supplier_rows(release_id: int, product: str, importer: str, top: int = 10) -> list[dict]:
    """One member state's suppliers of PRODUCT per year (its top TOP), read from the release's
    Parquet file: the stored supplier rows are the EU importer's only (Decision 23)."""
    release = Release.objects.filter(pk=release_id).first()
    if release is None or not parquet_path(release).is_file():
        return []
    members = eu_members()
    con = duckdb.connect()
    try:
        rows = con.read_parquet(str(parquet_path(release))).filter(
            duckdb.ColumnExpression("product") == duckdb.ConstantExpression(product)
        )
        rows = rows.filter(duckdb.ColumnExpression("reporter") == duckdb.ConstantExpression(importer))
        frame = rows.filter(duckdb.ColumnExpression("flow") == duckdb.ConstantExpression("1")).df()
    finally:
        con.close()
    out = []
    for period, part in frame.groupby("period"):
        total = part["value"].sum()
        for rank, row in enumerate(
            part.sort_values(["value", "partner"], ascending=[False, True]).head(top).itertuples(), 1
        ):
            out.append(
                {
                    "period": period,
                    "partner": row.partner,
                    "value": row.value,
                    "share": row.value / total if total else None,
                    "intra": row.partner in members,
                    "rank": rank,
                }
            )
    return out
