"""Read-only JSON + CSV API over indicator values and observations.

Every response names the dataset releases (vintages) it was read from, so any number fetched
through the API can be cited and reproduced. Pagination: `page` (from 1) and `page_size`
(default 500, at most 5,000); JSON has `next`/`previous` links, CSV a `Link` header and
`X-Total-Count`.
"""

import csv
import io
import re
from functools import wraps
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from observatory.params import is_id

from ..models import IndicatorValue, Observation, Release
from ..registry import INDICATORS, SOURCES
from ..selectors import periods_of, release_infos

DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000
MAX_NUMBER = 999_999_999  # ids, versions and pages: what observatory.params.is_id accepts
FORMATS = ("json", "csv")
LICENCE = "Eurostat data: CC BY 4.0 (reuse authorised, source acknowledged). Boundaries: © EuroGeographics."


class BadRequest(Exception):
    """A filter the API cannot read: 400, the message says which and why."""

    status = 400


class NotFound(BadRequest):
    """A well-formed filter naming something that is not there (a release, rules version, page): 404."""

    status = 404


def error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def multi(request, name: str, strict: bool = False) -> list[str]:
    """Comma-separated or repeated values; STRICT keeps empty ones, for parameters where "" is invalid."""
    values = [v.strip() for raw in request.GET.getlist(name) for v in raw.split(",")]
    return values if strict else [v for v in values if v]


def number(request, name: str, what: str, default: int | None = None) -> int | None:
    """A whole number from 1 to MAX_NUMBER in plain ASCII digits (int() also reads "١٢"), or DEFAULT
    when the parameter is absent; present but empty or anything else is a BadRequest."""
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not is_id(raw) or int(raw) < 1:
        raise BadRequest(f"{name} must be {what} (a whole number from 1)")
    return int(raw)


def page_params(request) -> tuple[int, int]:
    page = number(request, "page", "a page number", default=1)
    size = number(request, "page_size", "a number of rows", default=DEFAULT_PAGE_SIZE)
    if size > MAX_PAGE_SIZE:
        raise BadRequest(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    return page, size


def output_format(request) -> str:
    value = request.GET.get("format", "json")
    if value not in FORMATS:
        raise BadRequest("format must be json or csv")
    return value


def link(request, page: int) -> str:
    params = [(k, v) for k, vs in request.GET.lists() for v in vs if k != "page"] + [("page", page)]
    return request.build_absolute_uri(request.path + "?" + urlencode(params))


def paginate(request, qs, fields: list[str], meta: dict, names: list[str] | None = None):
    """One page of `fields` (published under `names`) as JSON or CSV (?format=csv)."""
    names = names or fields
    page, size = page_params(request)
    as_csv = output_format(request) == "csv"
    paginator = Paginator(qs.values_list(*fields), size)
    try:
        current = paginator.page(page)
    except EmptyPage:
        raise NotFound(f"page {page} is past the last page ({paginator.num_pages})") from None
    rows = list(current.object_list)
    nxt = link(request, page + 1) if current.has_next() else None
    prev = link(request, page - 1) if current.has_previous() else None
    if as_csv:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(names)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        response["X-Total-Count"] = str(paginator.count)
        response["X-Releases"] = ", ".join(
            f"{r['source']}={r['release']} ({r['vintage']})" for r in meta["releases"]
        )
        links = [f'<{u}>; rel="{rel}"' for u, rel in ((nxt, "next"), (prev, "prev")) if u]
        if links:
            response["Link"] = ", ".join(links)
        return response
    return JsonResponse(
        {
            "meta": meta,
            "count": paginator.count,
            "page": page,
            "pages": paginator.num_pages,
            "next": nxt,
            "previous": prev,
            "results": [dict(zip(names, row, strict=True)) for row in rows],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def release_meta(release_ids) -> list[dict]:
    rels = Release.objects.filter(pk__in=set(release_ids)).select_related("source")
    return [
        {
            "source": r.source_id,
            "release": r.pk,
            "vintage": r.vintage_label,
            "sha256": r.sha256,
            "status": r.status,
            "dataset_page": reverse("indicators:source-detail", args=[r.source_id]),
            "publisher": r.source.publisher,
            "source_licence": r.source.licence,
        }
        for r in rels
    ]


def handle_bad_request(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            return error(str(exc), exc.status)

    return wrapped


def read_only(view):
    """GET/HEAD only (anything else 405 with Allow, as the OpenAPI document says), and no CSRF check:
    CsrfViewMiddleware would answer 403 to an undeclared POST before require_safe could say 405,
    and a view that accepts no unsafe method has nothing for CSRF to protect."""
    return csrf_exempt(require_safe(view))


@read_only
@handle_bad_request
def values_endpoint(request):
    """Indicator values: indicator, ecosystem, geo, period, value, flags, rank, release, and our
    markers, the base year of a change and the members an EU aggregate lacks."""
    codes = multi(request, "indicator", strict=True)
    unknown = [c for c in codes if c not in INDICATORS]
    if unknown:
        raise BadRequest(
            f"unknown indicator(s) {', '.join(map(repr, unknown))}; known: {', '.join(INDICATORS)}"
        )
    qs = IndicatorValue.objects.all()
    if codes:
        qs = qs.filter(indicator_id__in=codes)
    for name, field in (("ecosystem", "ecosystem"), ("geo", "geo"), ("period", "period")):
        if wanted := multi(request, name):
            qs = qs.filter(**{f"{field}__in": wanted})
    if prefix := request.GET.get("geo_prefix"):
        qs = qs.filter(geo__startswith=prefix.upper())
    if request.GET.get("period_from"):
        qs = qs.filter(period__gte=request.GET["period_from"])
    if request.GET.get("period_to"):
        qs = qs.filter(period__lte=request.GET["period_to"])
    if (release := number(request, "release", "a release id")) is not None:
        qs = qs.filter(release_id=release)
    if (version := number(request, "parameter_version", "a threshold version number")) is not None:
        qs = qs.filter(parameter_version=version)
    qs = qs.order_by("indicator_id", "ecosystem", "geo", "period", "parameter_version")
    release_ids = qs.order_by().values_list("release_id", flat=True).distinct()
    meta = {
        "releases": release_meta(list(release_ids)),
        "licence": LICENCE,
        "mapping_versions": sorted(set(qs.order_by().values_list("mapping_version", flat=True).distinct())),
        "flags": reverse("indicators:source-detail", args=[next(iter(SOURCES))]) + "#flags",
    }
    fields = ["indicator_id", "ecosystem", "geo", "period", "value", "flags", "rank", "release_id"]
    fields += ["markers", "base_period", "missing_geos", "parameter_version"]
    names = ["indicator", "ecosystem", "geo", "period", "value", "flags", "rank", "release"]
    names += ["markers", "base_period", "missing_geos", "parameter_version"]
    return paginate(request, qs, fields, meta, names)


DEPENDENCY_FIELDS = [
    "importer",
    "product",
    "period",
    "total",
    "intra",
    "extra",
    "exports",
    "hhi",
    "extra_share",
    "substitutability",
    "suppliers",
    "top_partner",
    "top_share",
    "hhi_risk",
    "risky_share",
    "top_risky_partner",
    "top_risky_share",
    "judged",
    "crit_concentration",
    "crit_extra_share",
    "crit_substitutability",
    "flagged",
    "flagged_risk",
    "spof",
    "persistent",
    "years_judged",
    "years_flagged",
    "newly_flagged",
    "left_list",
    "hhi_rising",
    "share_jumped",
    "jump_partner",
    "share_jump",
    "family",
]
RULE_FIELDS = [
    "hhi_threshold",
    "extra_share_threshold",
    "substitutability_threshold",
    "require_substitutability",
    "min_extra_imports",
    "persistence_years",
    "persistence_window",
    "spof_share",
    "hhi_rise",
    "share_jump",
    "low_risk_groups",
]


YES_NO = {"true": True, "1": True, "false": False, "0": False, "": None}
CN8 = re.compile(r"[0-9]{8}")
YEAR = re.compile(r"[0-9]{4}")


def _yes_no(request, name: str) -> bool | None:
    value = request.GET.get(name, "")
    if value not in YES_NO:
        raise BadRequest(f"{name} must be true or false")
    return YES_NO[value]


@read_only
@handle_bad_request
def dependencies_endpoint(request):
    """The dependency screen's results: one row per importer × CN8 product × year, every criterion."""
    from ..models import DependencyResult, DependencyRules

    wanted_rules = number(request, "rules", "a rules version number")
    if wanted_rules is not None:
        rules = DependencyRules.objects.filter(number=wanted_rules).first()
        if rules is None:
            raise NotFound(f"no rules version {wanted_rules}")
    else:
        rules = DependencyRules.objects.filter(is_current=True).first()
        if rules is None:
            raise NotFound("the dependency screen has not been set up (no rules version)")
    qs = DependencyResult.objects.filter(rules=rules)
    if (release := number(request, "release", "a release id")) is not None:
        qs = qs.filter(release_id=release)
    else:
        latest = qs.order_by("-release_id").values_list("release_id", flat=True).first()
        qs = qs.filter(release_id=latest)
    products = multi(request, "product", strict=True)
    if not all(CN8.fullmatch(p) for p in products):
        raise BadRequest("product must be 8-digit CN codes")
    for name, wanted in (("importer", multi(request, "importer")), ("product", products)):
        if wanted:
            qs = qs.filter(**{f"{name}__in": [w.upper() for w in wanted]})
    if wanted := multi(request, "period"):
        qs = qs.filter(period__in=wanted)
    if (year := request.GET.get("year")) is not None:
        if not YEAR.fullmatch(year):
            raise BadRequest("year must be a four-digit year")
        qs = qs.filter(period=year)
    for name in ("flagged", "persistent", "flagged_risk", "spof"):
        if (value := _yes_no(request, name)) is not None:
            qs = qs.filter(**{name: value})
    qs = qs.order_by("importer", "product", "period")
    release_ids = qs.order_by().values_list("release_id", flat=True).distinct()
    meta = {
        "releases": release_meta(list(release_ids)),
        "licence": LICENCE,
        "rules": {"number": rules.number, "note": rules.note, "country_groups": rules.country_groups.number}
        | {f: getattr(rules, f) for f in RULE_FIELDS},
        "method": reverse("indicators:dependencies") + "#method",
    }
    return paginate(request, qs, DEPENDENCY_FIELDS, meta)


def observation_sources() -> list[str]:
    return [c for c, s in SOURCES.items() if s.kind == "observations"]


@read_only
@handle_bad_request
def observations_endpoint(request):
    """Tidy observations of one source's release (current by default)."""
    code = request.GET.get("source", "")
    if code not in observation_sources():
        raise BadRequest(f"source is required and must be one of: {', '.join(observation_sources())}")
    release_id = number(request, "release", "a release id")
    if release_id is not None:
        if not Release.objects.filter(pk=release_id, source_id=code).exists():
            raise NotFound(f"release {release_id} is not a release of {code}")
    else:
        release_id = release_infos().get(code, {}).get("release")
        if not release_id:
            raise NotFound(f"{code} has no loaded release yet")
    qs = Observation.objects.filter(release_id=release_id)
    for name in ("geo", "nace", "measure", "unit", "size", "period"):
        if wanted := multi(request, name):
            qs = qs.filter(**{f"{name}__in": wanted})
    meta = {"releases": release_meta([release_id]), "licence": LICENCE}
    fields = ["geo", "nace", "measure", "unit", "size", "extra", "period", "value", "flags"]
    return paginate(request, qs.order_by("id"), fields, meta)


@read_only
def indicator_index(request):
    infos = release_infos()
    return JsonResponse(
        {
            "results": [
                {
                    "code": s.code,
                    "title": s.title,
                    "unit": s.unit,
                    "description": s.description,
                    "scope": s.scope,
                    "source": s.source,
                    "release": infos.get(s.source, {}).get("release"),
                    "vintage": infos.get(s.source, {}).get("vintage"),
                    "periods": periods_of(s.code),
                    "page": request.build_absolute_uri(reverse("indicators:indicator-detail", args=[s.code])),
                }
                for s in INDICATORS.values()
            ],
            "licence": LICENCE,
        },
        json_dumps_params={"ensure_ascii": False},
    )


# Free-text filters take any text but control characters, which the edge refuses with a 400
# (observatory.middleware.RejectControlCharactersMiddleware).
TEXT = {"type": "string", "pattern": r"^[^\x00-\x1f\x7f]*$"}
NUMBER = {"type": "integer", "minimum": 1, "maximum": MAX_NUMBER}


def _param(name, description, *, required=False, schema=None):
    param = {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or TEXT,
    }
    if param["schema"].get("type") == "array":
        param |= {"style": "form", "explode": True}  # repeated: ?indicator=emp&indicator=lq_emp
    return param


def _number(name, description):
    return _param(name, description, schema=NUMBER)


PAGING = [
    _param("page", "Page number, from 1.", schema=NUMBER | {"default": 1}),
    _param(
        "page_size",
        f"Rows per page (at most {MAX_PAGE_SIZE}).",
        schema=NUMBER | {"maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    ),
    _param("format", "json (default) or csv.", schema={"type": "string", "enum": list(FORMATS)}),
]
YES_NO_SCHEMA = {"type": "string", "enum": list(YES_NO)}
ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}


def openapi_document(base: str) -> dict:
    page = {
        "type": "object",
        "properties": {
            "meta": {"type": "object", "description": "Releases (dataset vintages) read, licence."},
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "next": {"type": ["string", "null"]},
            "previous": {"type": ["string", "null"]},
            "results": {"type": "array", "items": {"type": "object"}},
        },
    }
    ok = {
        "200": {
            "description": "A page of results",
            "content": {"application/json": {"schema": page}, "text/csv": {"schema": {"type": "string"}}},
        },
        "400": {
            "description": "Invalid filter; the body says which and why (plain text when the address "
            "carries control characters).",
            "content": {"application/json": {"schema": ERROR}, "text/plain": {"schema": {"type": "string"}}},
        },
        "404": {
            "description": "No such release, rules version or page; the body says which.",
            "content": {"application/json": {"schema": ERROR}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "EU Industry Observatory API",
            "version": "1",
            "description": "Read-only indicator values and Eurostat observations, each response naming the "
            "dataset releases (vintages) it was read from. " + LICENCE,
        },
        "servers": [{"url": base}],
        "paths": {
            "/api/v1/indicators/": {
                "get": {
                    "summary": "Indicator catalogue",
                    "operationId": "listIndicators",
                    "responses": {"200": {"description": "All indicators"}},
                }
            },
            "/api/v1/values/": {
                "get": {
                    "summary": "Indicator values by ecosystem, place and year",
                    "operationId": "listValues",
                    "parameters": [
                        _param(
                            "indicator",
                            "Indicator code(s), repeated (or comma-separated): " + ", ".join(INDICATORS),
                            schema={"type": "array", "items": {"type": "string", "enum": list(INDICATORS)}},
                        ),
                        _param(
                            "ecosystem",
                            "Breakdown key(s): an ecosystem slug, or what the indicator names "
                            "(a DESI edition such as DESI_2022, a Digital Intensity Index version, "
                            "total; a cluster category slug for cluster_* indicators, all-traded for "
                            "region-wide ones).",
                        ),
                        _param("geo", "Eurostat geo code(s) (EU27_2020, DE, EL…) or NUTS codes."),
                        _param(
                            "geo_prefix",
                            "Only places whose code starts with this (e.g. a country's regions).",
                        ),
                        _param("period", "Year(s)."),
                        _param("period_from", "First year."),
                        _param("period_to", "Last year."),
                        _number("release", "Only values computed from this release id."),
                        _number(
                            "parameter_version",
                            "Cluster stars and strength: the threshold version (every version is kept; "
                            "null for values that depend on none).",
                        ),
                        *PAGING,
                    ],
                    "responses": ok,
                }
            },
            "/api/v1/dependencies/": {
                "get": {
                    "summary": "The strategic-dependency screen per importer, CN8 product and year",
                    "operationId": "listDependencies",
                    "parameters": [
                        _number("rules", "Rules version number (default: current)."),
                        _number("release", "Trade release id (default: the newest screened)."),
                        _param("importer", "EU27_2020 (the EU as one) or member state code(s)."),
                        _param(
                            "product",
                            "CN8 code(s), repeated (or comma-separated).",
                            schema={"type": "array", "items": {"type": "string", "pattern": "^[0-9]{8}$"}},
                        ),
                        _param("period", "Year(s)."),
                        _param("year", "One year.", schema={"type": "string", "pattern": "^[0-9]{4}$"}),
                        *(
                            _param(name, "true/1 or false/0; empty: no filter.", schema=YES_NO_SCHEMA)
                            for name in ("flagged", "persistent", "flagged_risk", "spof")
                        ),
                        *PAGING,
                    ],
                    "responses": ok,
                }
            },
            "/api/v1/observations/": {
                "get": {
                    "summary": "Tidy observations of one dataset release",
                    "operationId": "listObservations",
                    "parameters": [
                        _param(
                            "source",
                            "Dataset code, e.g. sbs_na_sca_r2.",
                            required=True,
                            schema={"type": "string", "enum": observation_sources()},
                        ),
                        _number("release", "Release id (default: the current release)."),
                        _param("geo", "Geo code(s)."),
                        _param("nace", "NACE code(s) in Eurostat form (C25)."),
                        _param("measure", "Measure code(s), e.g. V16110 (persons employed)."),
                        _param("unit", "Unit code(s)."),
                        _param("size", "Size class code(s)."),
                        _param("period", "Period(s)."),
                        *PAGING,
                    ],
                    "responses": ok,
                }
            },
        },
    }


@require_safe
def openapi(request):
    return JsonResponse(openapi_document(request.build_absolute_uri("/").rstrip("/")))


@require_safe
def docs(request):
    base = request.build_absolute_uri("/").rstrip("/")
    examples = [
        (
            "Persons employed in tourism, all EU countries, 2015",
            "/api/v1/values/?indicator=emp&ecosystem=tourism&period=2015",
        ),
        ("The same as CSV", "/api/v1/values/?indicator=emp&ecosystem=tourism&period=2015&format=csv"),
        ("Germany's specialisation in every ecosystem over time", "/api/v1/values/?indicator=lq_emp&geo=DE"),
        (
            "Regional employment in digital, Spanish regions",
            "/api/v1/values/?indicator=region_emp&ecosystem=digital&geo_prefix=ES",
        ),
        (
            "Raw observations: persons employed in NACE C25 in France",
            "/api/v1/observations/?source=sbs_na_sca_r2&geo=FR&nace=C25&measure=V16110",
        ),
        ("The indicator catalogue", "/api/v1/indicators/"),
    ]
    return render(
        request,
        "indicators/api_docs.html",
        {
            "base": base,
            "examples": examples,
            "max_page_size": MAX_PAGE_SIZE,
            "default_page_size": DEFAULT_PAGE_SIZE,
        },
    )
