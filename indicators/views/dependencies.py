"""The strategic-dependency screen: /dependencies/ and /dependencies/products/<code>/.

Every view is a permalink: the rules version, year, importer and filters live in the query string.
Parameters are validated here: a wrong value is a 404 (unknown rules version, product or importer)
or falls back to the default with the page saying so — never a 500.
"""

from django.http import Http404
from django.views.decorators.http import require_safe

from observatory.params import is_id

from ..compute.dependencies import EU
from ..panels import dependencies as D
from .common import cache_public_page, render_with_panels


def _rules_number(request) -> int | None:
    raw = request.GET.get("rules", "")
    if not raw:
        return None
    if not is_id(raw) or len(raw) > 6:
        raise Http404("A rules version is a number.")
    return int(raw)


def _importer(request) -> str:
    raw = request.GET.get("importer", EU).strip().upper() or EU
    if raw != EU and not (len(raw) == 2 and raw.isascii() and raw.isalpha()):
        raise Http404(f"No importer {raw[:20]!r}: use EU27_2020 or a member state's code.")
    return raw


def _page(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if is_id(raw) and len(raw) < 6 else 1


@require_safe
@cache_public_page
def screen(request):
    number = _rules_number(request)
    importer = _importer(request)
    sort = request.GET.get("sort", "hhi")
    sort = sort if sort in D.SORTS else "hhi"
    descending = request.GET.get("dir", "asc" if sort == "product" else "desc") == "desc"
    data = D.screen_page(
        number,
        request.GET.get("year"),
        importer,
        show=request.GET.get("show", "all"),
        ecosystem=request.GET.get("ecosystem", "")[:60],
        supplier=request.GET.get("supplier", "")[:4].upper(),
        risk=request.GET.get("risk", "") if request.GET.get("risk", "") in D.RISK_GROUPS else "",
        nace=request.GET.get("nace", "")[:8].upper(),
        sort=sort,
        descending=descending,
        page=_page(request),
    )
    if number is not None and data["rules"] is None:
        raise Http404(f"No rules version {number}.")
    if not data["empty"] and importer not in data["importers"]:
        raise Http404(f"No screen for importer {importer}.")
    context = {
        **data,
        "sort": sort,
        "descending": descending,
        "requested_year": request.GET.get("year"),
        "filters": {k: request.GET.get(k, "") for k in ("ecosystem", "supplier", "risk", "nace")},
        "has_charts": not data["empty"],
        "product_query": _product_query(number, importer),
    }
    return render_with_panels(request, "indicators/dependencies.html", context)


def _product_query(number: int | None, importer: str) -> str:
    from urllib.parse import urlencode

    params = {
        k: v for k, v in (("importer", importer if importer != EU else ""), ("rules", number or "")) if v
    }
    return "?" + urlencode(params) if params else ""


@require_safe
@cache_public_page
def product(request, code):
    if not (len(code) == 8 and is_id(code[:4]) and is_id(code[4:])):
        raise Http404("A product is an 8-digit CN code.")
    number = _rules_number(request)
    importer = _importer(request)
    data = D.product_page(code, number, importer)
    if number is not None and data["rules"] is None:
        raise Http404(f"No rules version {number}.")
    if data["empty"] and data["release"] is not None:
        raise Http404(f"Product {code} is not in the screen.")
    if not data["empty"] and importer not in data["importers"]:
        raise Http404(f"No screen of {code} for importer {importer}.")
    return render_with_panels(
        request, "indicators/dependency_product.html", {**data, "has_charts": not data["empty"]}
    )
