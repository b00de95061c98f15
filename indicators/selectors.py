"""Read queries for pages and exports."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import Count, F, Prefetch

from ecosystems import selectors as taxonomy

from .flags import FLAGS
from .models import IndicatorValue, Release, Run, Source
from .registry import SOURCES


def home_summary() -> dict:
    sources = Source.objects.filter(current_release__isnull=False).select_related("current_release")
    return {
        "ecosystem_count": taxonomy.ecosystem_count(),
        "country_count": len(taxonomy.eu27_codes()),
        "sources": sources,
        "observation_total": sum(s.current_release.row_count for s in sources),
        "indicator_value_total": IndicatorValue.objects.count(),
        "mapping": taxonomy.current_mapping(),
    }


def catalogue() -> list[Source]:
    """Every registered source; one not loaded says why (its last ingest's outcome, the registry's
    note, whether the mirror holds it)."""
    from django.db.models import OuterRef, Subquery

    from . import fetch as fetching

    last = Run.objects.filter(source=OuterRef("pk"), kind=Run.Kind.INGEST).order_by("-created_at")
    sources = list(
        Source.objects.select_related("current_release")
        .annotate(
            release_count=Count("releases"),
            last_status=Subquery(last.values("status")[:1]),
            last_error=Subquery(last.values("error")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
        )
        .order_by("publisher", "code")
    )
    root = fetching.mirror_root()
    for source in sources:
        spec = SOURCES.get(source.code)
        if source.current_release_id or spec is None:
            continue
        in_mirror = bool(root) and all((root / path).is_file() for path in spec.part_paths())
        if source.last_status is None:
            source.not_loaded_reason = (
                f"Never fetched yet: an administrator loads it with manage.py refresh {source.code}."
            )
        elif not in_mirror:
            source.not_loaded_reason = (
                "Not in the offline data mirror, and the publisher could not be reached "
                f"({(source.last_error or '').splitlines()[0][:160]})."
            )
        else:
            source.not_loaded_reason = (
                f"The last load was rejected: {(source.last_error or '').splitlines()[0][:200]}"
            )
        source.registry_note = spec.note
    return sources


def _reason(source) -> str:
    """The last ingest error without the URL or file it names (that is on the source's page)."""
    first = ((source.last_error or "").splitlines() or [""])[0]
    return first.split(": ", 1)[-1][:200] or str(source.last_status)


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


# --- Reads for the profile, indicator and compare pages and the API ---------------------------
# Everything below is cached by data generation: a refresh or recompute bumps the generation, so
# no cached figure outlives the values it was built from.

EU = "EU27_2020"


_request_generation: ContextVar[tuple[int, int] | None] = ContextVar("request_generation", default=None)


def generations() -> tuple[int, int]:
    """(data generation, served generation); read once per request (GenerationMiddleware), so one
    page is built from one consistent generation with one query (indicators.loading)."""
    from .loading import current_generations, published_generations

    value = _request_generation.get()
    if value is None:
        forced = _serving.get()
        if forced is not None:
            value = (forced, forced)
        else:
            value = published_generations() if _page_lookup.get() else current_generations()
        if _in_request.get():
            _request_generation.set(value)
    return value


def generation() -> int:
    """The data generation: what the tables hold now, so the key of anything built now."""
    return generations()[0]


def served_generation() -> int:
    """The generation pages are served from: the data generation, or an older one while a refresh
    holds the warm pages until the new ones are pre-built (indicators.payloads)."""
    return generations()[1]


_in_request: ContextVar[bool] = ContextVar("in_request", default=False)
# True while GenerationMiddleware asks the page cache, before any snapshot: the generations come
# from their published copy (indicators.loading.published_generations), not from PostgreSQL.
_page_lookup: ContextVar[bool] = ContextVar("page_lookup", default=False)


@contextmanager
def pinned_generation(data_generation: int):
    """Build everything inside at DATA_GENERATION (pages, selectors, their cache keys), as a
    request does: the warm task pins the generation it is pre-building."""
    tokens = (_in_request.set(True), _request_generation.set((data_generation, data_generation)))
    try:
        yield
    finally:
        _request_generation.reset(tokens[1])
        _in_request.reset(tokens[0])


_serving: ContextVar[int | None] = ContextVar("serving", default=None)


@contextmanager
def serving(data_generation: int):
    """Requests handled inside (the warm step rendering pages through the middleware) read and
    key everything at DATA_GENERATION as if it were already served: the pages it renders are
    cached under the keys visitors use once the generation is released."""
    token = _serving.set(data_generation)
    try:
        yield
    finally:
        _serving.reset(token)


# Assets and probes read no data: no snapshot transaction (nor a database connection) for them.
NO_DATA_PATHS = ("/static/", "/media/", "/charts/", "/healthz")


class GenerationMiddleware:
    """Reads of one request see one data generation.

    A GET or HEAD runs in a REPEATABLE READ transaction: the generation and every figure the page
    reads come from one snapshot, so a refresh committing mid-render (an ingest's swap, a
    recompute's) never mixes two generations in a page or in what is cached under its key
    (readers never wait: PostgreSQL snapshots take no locks). The generation a response was built
    from, when it read one, is sent as `X-Data-Generation` (the load drill checks pages by it).

    Before that, a page in the anonymous page cache (views.common.cache_public_page) is answered
    with no transaction and no query: the generations that make its key come from their published
    copy in the cache (indicators.loading.published_generations), and the page was built from
    one generation, the one in its key. On a miss the generations are read again inside the
    snapshot, from PostgreSQL.
    Last in MIDDLEWARE, so every other middleware (CSP, frame options…) sees that answer too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tokens = (_in_request.set(True), _request_generation.set(None))
        try:
            reads_data = not request.path.startswith(NO_DATA_PATHS)
            if request.method in ("GET", "HEAD") and reads_data and not connection.in_atomic_block:
                token = _page_lookup.set(True)
                try:
                    response = cached_page(request)
                finally:
                    _page_lookup.reset(token)
                if response is None:
                    _request_generation.set(None)  # read again, inside the snapshot
                    with transaction.atomic():
                        with connection.cursor() as cursor:
                            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                        response = self.get_response(request)
            else:  # writes keep READ COMMITTED; a test's transaction is already one snapshot
                response = self.get_response(request)
            seen = _request_generation.get()
            if seen is not None:
                data, served = seen
                response.headers["X-Data-Generation"] = str(data)
                if served != data:  # a refresh holds the warm pages: pre-built ones are from SERVED
                    response.headers["X-Served-Generation"] = str(served)
            return response
        finally:
            _request_generation.reset(tokens[1])
            _in_request.reset(tokens[0])


def cached_page(request):
    """The page cache's answer to REQUEST when its view is a cached page and it is there, else
    None (URL resolved here; a query whose parameter domains this process has not read for the
    generation waits for the snapshot, where they are built)."""
    from django.core.cache import caches
    from django.core.cache.backends.dummy import DummyCache
    from django.urls import Resolver404, get_resolver

    if isinstance(caches["default"], DummyCache):
        return None  # nothing is ever there (the benchmarks' "uncached" mode)
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None
    lookup = getattr(match.func, "cached_page", None)
    if lookup is None:
        return None
    from .pages import domains_known

    if request.GET and not domains_known():
        return None
    return lookup(request, *match.args, **match.kwargs)


def cached(key: str, build, timeout: int = 24 * 3600):
    from django.core.cache import cache

    full_key = f"sel:{key}:g{generation()}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, timeout)
    return value


def release_infos() -> dict[str, dict]:
    """source code -> {code, title, publisher, licence, credit, release, vintage, fetched, updated}."""

    def build():
        out = {}
        for s in Source.objects.select_related("current_release"):
            rel = s.current_release
            out[s.code] = {
                "code": s.code,
                "title": s.title,
                "publisher": s.publisher,
                "licence": s.licence,
                "credit": s.credit,
                "release": rel.pk if rel else None,
                "vintage": rel.vintage_label if rel else "",
                "fetched": rel.fetched_at.date().isoformat() if rel else "",
                "updated": rel.publisher_updated.isoformat() if rel and rel.publisher_updated else "",
                "sha256": rel.sha256 if rel else "",
            }
        return out

    return cached("releases", build)


def country_dicts() -> list[dict]:
    """code, name, kind, eu27_2020 of every country and aggregate, by name."""
    return cached("countries", taxonomy.country_dicts)


def place_names() -> dict[str, str]:
    """geo code (country, aggregate or NUTS region of any version) -> name; newest version wins."""

    def build():
        names = taxonomy.region_names()
        names.update(taxonomy.country_names())
        return names

    return cached("places", build)


def ecosystem_rows() -> list[dict]:
    return cached(
        "ecosystems",
        taxonomy.ecosystem_dicts,
    )


def eu_members() -> list[str]:
    return cached(
        "eu27",
        taxonomy.eu27_codes,
    )


# Beside the publisher's flags: our markers (compute/markers.py), the members a figure lacks or
# estimates, the base year of a change, and the code/NUTS version a regional value was published in.
VALUE_DETAIL = ("markers", "missing_geos", "estimated_geos", "base_period", "published_geo", "geo_version")


def values(
    indicators,
    *,
    ecosystems=None,
    geos=None,
    periods=None,
    geo_prefix: str | None = None,
    release: int | None = None,
) -> list[dict]:
    """Indicator values as dicts (indicator, ecosystem, geo, period, value, flags, rank, release,
    mapping_version, and the VALUE_DETAIL columns), ordered by indicator, ecosystem, geo, period.
    One query."""
    qs = IndicatorValue.objects.filter(indicator_id__in=list(indicators))
    if ecosystems:
        qs = qs.filter(ecosystem__in=list(ecosystems))
    if geos:
        qs = qs.filter(geo__in=list(geos))
    if geo_prefix:
        qs = qs.filter(geo__startswith=geo_prefix)
    if periods:
        qs = qs.filter(period__in=list(periods))
    if release:
        qs = qs.filter(release_id=release)
    fields = (
        "indicator_id",
        "ecosystem",
        "geo",
        "period",
        "value",
        "flags",
        "rank",
        "release_id",
        "mapping_version",
        *VALUE_DETAIL,
    )
    keys = (
        "indicator", "ecosystem", "geo", "period", "value", "flags", "rank", "release", "mapping_version",
        *VALUE_DETAIL,
    )  # fmt: skip
    rows = qs.order_by("indicator_id", "ecosystem", "geo", "period").values_list(*fields)
    return [dict(zip(keys, row, strict=True)) for row in rows]


def periods_of(indicator: str) -> list[str]:
    return cached(
        f"periods:{indicator}",
        lambda: sorted(
            IndicatorValue.objects.filter(indicator_id=indicator).values_list("period", flat=True).distinct()
        ),
    )


def mapping_rows(version=None) -> dict:
    """The mapping version (current by default) and its rows with NACE names."""

    def build():
        mv = version or taxonomy.current_mapping()
        if mv is None:
            return {"version": None, "rows": []}
        rows = taxonomy.mapping_dicts(mv)
        names = taxonomy.activity_names(r["nace"] for r in rows)
        for r in rows:
            r["nace_name"] = names.get(r["nace"], "")
        return {
            "version": {"number": mv.number, "verified": mv.verified, "note": mv.note},
            "rows": rows,
        }

    return cached(f"mapping:{version.pk if version else 'current'}", build)


def nace_names(codes) -> dict[str, str]:
    """NACE code (Eurostat form) -> name."""
    import hashlib

    codes = sorted(set(codes))
    key = hashlib.blake2b(",".join(codes).encode(), digest_size=8).hexdigest()  # short cache keys
    return cached(f"nace-names:{key}", lambda: taxonomy.activity_names(codes))


def nace_employment(naces, geos, period: str, source: str = "sbs_na_sca_r2") -> dict[str, tuple]:
    """Persons employed (V16110) per NACE code summed over `geos` in one period, from the current
    release's observations: nace -> (sum, number of geos with a value). One query."""
    from django.db.models import Count, Sum

    from .models import Observation

    rel = release_infos().get(source, {}).get("release")
    if not rel:
        return {}
    rows = (
        Observation.objects.filter(
            release_id=rel, geo__in=list(geos), nace__in=list(naces), measure="V16110", period=period
        )
        .exclude(value__isnull=True)
        .values("nace")
        .annotate(total=Sum("value"), n=Count("id"))
    )
    return {r["nace"]: (r["total"], r["n"]) for r in rows}


def geometries(level: int) -> dict:
    """GeoJSON FeatureCollection of the current NUTS 2021 outlines at a level (ids = NUTS codes)."""
    from .models import Geometry

    def build():
        rel = release_infos().get(f"nuts2021_rg_60m_l{level}", {}).get("release")
        features = [
            {"type": "Feature", "id": nuts_id, "properties": {"name": name}, "geometry": geom}
            for nuts_id, name, geom in Geometry.objects.filter(release_id=rel).values_list(
                "nuts_id", "name", "geometry"
            )
        ]
        return {"type": "FeatureCollection", "features": features}

    return cached(f"geometries:{level}", build)


def period_coverage() -> dict[str, dict[str, int]]:
    """indicator -> {period: number of non-missing values}, for every (indicator, period) that has
    rows at all (0 when all of them are missing): one GROUP BY over the values a generation,
    instead of one query per indicator (the parameter domains ask for every indicator's years)."""
    from django.db.models import Count, Q

    def build():
        out: dict[str, dict[str, int]] = {}
        rows = (
            IndicatorValue.objects.values_list("indicator_id", "period")
            .annotate(n=Count("id", filter=Q(value__isnull=False)))
            .order_by()
        )
        for code, period, n in rows:
            out.setdefault(code, {})[period] = n
        return out

    return cached("period-coverage", build)


def default_period(indicator: str) -> str | None:
    """The latest year with good coverage: at least 80 % of the best-covered year's values.

    The newest year is often thin (late or confidential countries, so no EU total); opening a page
    on a year full of gaps would show little. Any year can still be chosen in the URL.
    """
    counts = {p: n for p, n in period_coverage().get(indicator, {}).items() if n}
    if not counts:
        return None
    best = max(counts.values())
    return max(p for p, n in counts.items() if n >= 0.8 * best)


def country_bounds(country: str) -> tuple[float, float, float, float] | None:
    """(lon_min, lon_max, lat_min, lat_max) of a country's mainland outline (points inside
    Europe's frame, so overseas regions don't zoom the map out to the Atlantic), with a margin."""

    def build():
        from .models import Geometry

        rel = release_infos().get("nuts2021_rg_60m_l0", {}).get("release")
        geom = (
            Geometry.objects.filter(release_id=rel, nuts_id=country)
            .values_list("geometry", flat=True)
            .first()
        )
        if not geom:
            return None
        pts = [pt for pt in _points(geom["coordinates"]) if -25 <= pt[0] <= 45 and 34 <= pt[1] <= 72]
        if not pts:
            return None
        lons, lats = [p[0] for p in pts], [p[1] for p in pts]
        mx, my = (max(lons) - min(lons)) * 0.08 + 0.3, (max(lats) - min(lats)) * 0.08 + 0.3
        return (min(lons) - mx, max(lons) + mx, min(lats) - my, max(lats) + my)

    return cached(f"bounds:{country}", build)


def _points(coords):
    if coords and isinstance(coords[0], int | float):
        yield coords
        return
    for c in coords:
        yield from _points(c)


# --- The strategic-dependency screen ----------------------------------------------------------


def dependency_versions() -> list[dict]:
    from .models import DependencyRules

    return cached(
        "dep-versions",
        lambda: list(
            DependencyRules.objects.order_by("-number").values(
                "number", "note", "is_current", "created_at", "country_groups__number"
            )
        ),
    )


def dependency_rules(number: int | None = None) -> dict | None:
    """A rules version as a dict (the current one when NUMBER is None); None when there is none."""
    from django.forms.models import model_to_dict

    from .models import DependencyRules

    def build():
        qs = DependencyRules.objects.select_related("country_groups")
        found = qs.filter(number=number).first() if number else qs.filter(is_current=True).first()
        if found is None:
            return None
        out = model_to_dict(found, exclude=["created_by"])
        out.update(
            pk=found.pk, country_groups_number=found.country_groups.number, created_at=found.created_at
        )
        return out

    return cached(f"dep-rules:{number or 'current'}", build)


def dependency_release(rules_pk: int) -> dict | None:
    """The trade release whose results the page shows for a rules version: the newest release
    with results for it (the current one once the screen has run on it)."""
    from .models import DependencyResult

    def build():
        release_id = (
            DependencyResult.objects.filter(rules_id=rules_pk)
            .order_by("-release_id")
            .values_list("release_id", flat=True)
            .first()
        )
        if release_id is None:
            return None
        release = Release.objects.select_related("source").get(pk=release_id)
        return {
            "id": release.pk,
            "source": release.source_id,
            "title": release.source.title,
            "vintage": release.vintage_label,
            "fetched": release.fetched_at,
            "current": release.source.current_release_id == release.pk,
            "period_min": release.period_min,
            "period_max": release.period_max,
        }

    return cached(f"dep-release:{rules_pk}", build)


def dependency_results(
    rules_pk: int, release_id: int, importer: str | None = None, product: str | None = None
) -> list[dict]:
    """Screen rows (dicts, every column) for an importer (all importers when None) or a product."""
    from .models import DependencyResult

    def build():
        qs = DependencyResult.objects.filter(rules_id=rules_pk, release_id=release_id)
        if importer:
            qs = qs.filter(importer=importer)
        if product:
            qs = qs.filter(product=product)
        return list(qs.order_by("importer", "product", "period").values())

    return cached(f"dep-results:{rules_pk}:{release_id}:{importer or '*'}:{product or '*'}", build)


def dependency_periods(rules_pk: int, release_id: int) -> list[str]:
    from .models import DependencyResult

    return cached(
        f"dep-periods:{rules_pk}:{release_id}",
        lambda: sorted(
            DependencyResult.objects.filter(rules_id=rules_pk, release_id=release_id)
            .values_list("period", flat=True)
            .distinct(),
            key=int,
        ),
    )


def dependency_importers(rules_pk: int, release_id: int) -> list[str]:
    from .models import DependencyResult

    return cached(
        f"dep-importers:{rules_pk}:{release_id}",
        lambda: sorted(
            DependencyResult.objects.filter(rules_id=rules_pk, release_id=release_id)
            .values_list("importer", flat=True)
            .distinct()
        ),
    )


def dependency_suppliers(release_id: int, product: str, importer: str) -> list[dict]:
    """A product's top suppliers per year for one importer (the EU's stored; a member's read from
    the trade release's Parquet file)."""
    from .models import DependencySupplier

    if importer != "EU27_2020":
        from .screen import member_supplier_rows

        return cached(
            f"dep-suppliers:{release_id}:{product}:{importer}",
            lambda: member_supplier_rows(release_id, product, importer),
        )
    return cached(
        f"dep-suppliers:{release_id}:{product}:{importer}",
        lambda: list(
            DependencySupplier.objects.filter(release_id=release_id, product=product, importer=importer)
            .order_by("period", "rank")
            .values()
        ),
    )


def trade_products() -> dict[str, dict]:
    """CN8 code -> {code, label, cpa, nace} for every screened product."""
    from .models import TradeProduct

    return cached("trade-products", lambda: {p["code"]: p for p in TradeProduct.objects.values()})


def partner_names() -> dict[str, str]:
    """Partner code -> name: the portal's country names, else ISO 3166 / Comext's own names."""
    from .sources.comext import partner_name

    def build():
        names = dict(taxonomy.country_names())
        from .models import DependencySupplier

        for code in DependencySupplier.objects.values_list("partner", flat=True).distinct():
            names.setdefault(code, partner_name(code))
        return names

    return cached("partner-names", build)


def country_groups(version_number: int) -> dict[str, str]:
    from .models import CountryGroupMember

    return cached(
        f"country-groups:{version_number}",
        lambda: dict(
            CountryGroupMember.objects.filter(version__number=version_number).values_list("partner", "group")
        ),
    )


def dependency_supplier_rows(release_id: int, importer: str, period: str) -> list[dict]:
    """Every stored supplier row of one importer-year (all products)."""
    from .models import DependencySupplier

    return cached(
        f"dep-supplier-rows:{release_id}:{importer}:{period}",
        lambda: list(
            DependencySupplier.objects.filter(release_id=release_id, importer=importer, period=period).values(
                "product", "partner", "value", "intra", "share", "share_of_extra"
            )
        ),
    )


def activity_label(code: str) -> str:
    """A NACE code's name (Eurostat form, e.g. B07), '' when unknown."""
    return cached(f"activity-name:{code}", lambda: taxonomy.activity_names([code]).get(code, ""))


def strong_clusters() -> dict:
    """Strong clusters (stars method, current thresholds, default year), as on
    /clusters/regions/<nuts>/: see :func:`indicators.panels.clusters.strong_clusters`."""
    from .panels.clusters import strong_clusters as build

    return build("stars")


def cluster_categories_of_ecosystems(related_min: float | None = None) -> dict[str, dict[str, float]]:
    """Ecosystem slug -> {cluster category slug: part of the category's definition in the
    ecosystem's NACE divisions} (current mapping and definitions; categories ≥ related_min, our
    parameter in fixtures/reference/locomotive_weights.csv)."""
    import pandas as pd

    from .compute.locomotives import related_categories
    from .reference import locomotive_weights

    if related_min is None:
        versions = locomotive_weights()
        related_min = versions[max(versions)]["related_min"]

    def build():
        rows = mapping_rows()["rows"]
        defs = taxonomy.cluster_definition_dicts()
        if not rows or not defs:
            return {}
        mapping = pd.DataFrame(
            [(r["ecosystem__slug"], r["nace"], float(r["share"])) for r in rows],
            columns=["ecosystem", "nace", "share"],
        )
        return related_categories(mapping, pd.DataFrame(defs), related_min)

    return cached(f"eco-categories:{related_min}", build)


# --- The value-chain explorer ------------------------------------------------------------------


def eco_names_map() -> dict[str, str]:
    return {e["slug"]: e["name"] for e in ecosystem_rows()}


def _latest_nace_period() -> str | None:
    """The regional NACE figures' default year: the latest with good coverage (not a thin last year)."""
    return default_period("region_nace_lq")


def division_regions(codes, per_division: int, min_emp: float) -> dict[str, list[dict]]:
    """NACE division -> the regions most specialised in it (LQ, latest year, at least MIN_EMP
    persons employed, complete figures only). One query."""
    period = _latest_nace_period()
    if not period or not codes:
        return {}
    rows = IndicatorValue.objects.filter(
        indicator_id__in=["region_nace_lq", "region_nace_emp"], ecosystem__in=list(codes), period=period
    ).values_list("indicator_id", "ecosystem", "geo", "value", "markers")
    lq, emp = {}, {}
    for indicator, code, geo, value, markers in rows:
        if value is None or "I" in (markers or ""):
            continue
        (lq if indicator == "region_nace_lq" else emp)[(code, geo)] = value
    names = place_names()
    out: dict[str, list[dict]] = {}
    for (code, geo), value in lq.items():
        if emp.get((code, geo), 0) >= min_emp:
            out.setdefault(code, []).append(
                {
                    "geo": geo,
                    "name": names.get(geo, geo),
                    "lq": value,
                    "emp": emp[(code, geo)],
                    "period": period,
                }
            )
    return {c: sorted(rs, key=lambda r: -r["lq"])[:per_division] for c, rs in out.items()}


def region_top_divisions(nuts: str, limit: int, min_emp: float) -> list[dict]:
    """A region's most specialised NACE divisions (LQ, latest year). One query."""
    period = _latest_nace_period()
    if not period:
        return []
    rows = IndicatorValue.objects.filter(
        indicator_id__in=["region_nace_lq", "region_nace_emp"], geo=nuts, period=period
    ).values_list("indicator_id", "ecosystem", "value")
    lq, emp = {}, {}
    for indicator, code, value in rows:
        if value is not None:
            (lq if indicator == "region_nace_lq" else emp)[code] = value
    names = nace_names(lq)
    ranked = sorted((c for c in lq if emp.get(c, 0) >= min_emp), key=lambda c: -lq[c])[:limit]
    return [{"nace": c, "name": names.get(c, ""), "share": 1.0, "ecosystem": "", "lq": lq[c]} for c in ranked]


def dependency_latest(codes, products=()) -> dict:
    """The current rules' EU screen rows (latest year) of the products made by NACE CODES, plus
    the CN8 codes PRODUCTS given by name (the inputs an ecosystem uses)."""
    from .models import DependencyResult

    rules = dependency_rules()
    release = dependency_release(rules["pk"]) if rules else None
    if not rules or not release:
        return {"rules": None, "release": None, "source": "", "period": "", "rows": {}}
    period = dependency_periods(rules["pk"], release["id"])[-1]
    wanted = [
        p
        for p, info in trade_products().items()
        if any((info.get("nace") or "").startswith(c) for c in codes)
    ] + list(products)
    rows = DependencyResult.objects.filter(
        rules_id=rules["pk"],
        release_id=release["id"],
        importer="EU27_2020",
        period=period,
        product__in=wanted,
    ).values(
        "product",
        "flagged",
        "persistent",
        "hhi",
        "extra_share",
        "top_partner",
        "top_share",
        "extra",
        "years_flagged",
        "years_judged",
    )
    return {
        "rules": rules["number"],
        "release": release["id"],
        "source": release["source"],
        "period": period,
        "rows": {r["product"]: r for r in rows},
    }


def input_concordance_versions() -> list[dict]:
    """Every version of our input concordance, newest first: [{"number", "note", "rows"}]."""
    from django.db.models import Count

    from .models import InputConcordanceVersion

    def build():
        rows = InputConcordanceVersion.objects.annotate(n=Count("inputs")).order_by("-number")
        return [{"number": v.number, "note": v.note, "rows": v.n} for v in rows]

    return cached("input-concordance-versions", build)


def ecosystem_inputs(number: int | None = None) -> dict:
    """Our input concordance (fixtures/reference/ecosystem_inputs.csv, ours), version NUMBER or
    the newest: {"version": N or None, "note", "newest": bool, "rows": [{ecosystem_slug, product,
    use, confidence, reasoning, sources}]} — the screened imported products each ecosystem uses
    as inputs. A NUMBER that is not a version: "version" None and no rows."""
    from .models import EcosystemInput, InputConcordanceVersion

    def build():
        versions = InputConcordanceVersion.objects.order_by("-number")
        version = versions.filter(number=number).first() if number else versions.first()
        if version is None:
            return {"version": None, "note": "", "newest": False, "rows": []}
        rows = list(
            EcosystemInput.objects.filter(version=version)
            .order_by("ecosystem__order", "product")
            .values(
                "product", "use", "confidence", "reasoning", "sources", ecosystem_slug=F("ecosystem__slug")
            )
        )
        newest = not versions.filter(number__gt=version.number).exists()
        return {"version": version.number, "note": version.note, "newest": newest, "rows": rows}

    return cached(f"ecosystem-inputs:{number or 'newest'}", build)
