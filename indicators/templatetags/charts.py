from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join

from observatory import plotly_bundle

from ..charts import trace_types
from ..views.indicator_pages import plotly_css_digest, plotly_style_guard_ids

register = template.Library()


@register.simple_tag
def plotly_style_guards():
    """Empty <meta> elements whose ids tell plotly.js its bundled styles are already handled."""
    return format_html_join(
        "", '<meta name="plotly-style-guard" id="{}">', ((i,) for i in plotly_style_guard_ids())
    )


@register.simple_tag
def plotly_css_url():
    """The plotly.js stylesheet under its hashed URL (immutable for browsers)."""
    from django.urls import reverse

    return reverse("indicators:plotly-css-version", args=[plotly_css_digest()])


@register.simple_tag(takes_context=True)
def plotly_script(context):
    """The <script> of the smallest plotly.js bundle drawing every figure of this page: the trace
    types a pre-built payload lists (`plotly_traces`, indicators.pages), else those found in the
    context's figures."""
    traces = context.get("plotly_traces")
    if traces is None:
        traces = set()
        for layer in context.dicts:
            trace_types(layer, traces)
    return format_html('<script src="{}" defer></script>', static(plotly_bundle.bundle_for(traces)))


@register.simple_tag
def cell(c: dict, first: bool = False):
    """A table cell of a panel (see indicators.panels.cell): a row header when it is the first,
    text cell; numbers right-aligned with their flags as an <abbr> explaining them. A Python tag,
    not an {% include %}: tables of hundreds of cells render several times faster."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    body = format_html('<a href="{}">{}</a>', c["href"], c["text"]) if c.get("href") else c["text"]
    if first and not c["num"]:
        return format_html('<th scope="row">{}</th>', body)
    flags = (
        format_html(' <abbr class="flag" title="{}">{}</abbr>', c.get("flag_title", ""), c["flags"])
        if c.get("flags")
        else ""
    )
    return format_html("<td{}>{}{}</td>", mark_safe(' class="num"') if c["num"] else "", body, flags)


@register.filter
def text_columns(rows) -> list[int]:
    """The column indices (after the first) whose cells are text, e.g. a region's published code:
    their header is left-aligned as the cells are, not right-aligned as a number's."""
    first = rows[0] if rows else []
    return [i for i, c in enumerate(first) if i and isinstance(c, dict) and not c.get("num", True)]


@register.simple_tag(takes_context=True)
def query(context, **overrides):
    """This page's query string with OVERRIDES applied (an empty value drops the parameter):
    links that change one thing (sort, page, year) and keep the rest of the permalink."""
    from urllib.parse import urlencode

    request = context["request"]
    params = {k: v for k, v in request.GET.items() if k not in {"panel", "format"}}
    for key, value in overrides.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params) if params else "?"


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


class PrebuiltNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        from django.utils.safestring import mark_safe

        spec, request = context.get("prebuilt"), context.get("request")
        if spec is None or request is None:
            return self.nodelist.render(context)
        stored = spec.html(request)
        if stored is not None:
            return mark_safe(stored)  # noqa: S308 (our own template's output, stored by keep below)
        html = self.nodelist.render(context)
        spec.keep(request, html)
        return html


@register.tag
def prebuilt(parser, token):
    """{% prebuilt %}…{% endprebuilt %}: the page's heavy block (what its payload alone decides),
    rendered once per payload, language and canonical query and stored (indicators/fragments.py);
    without a `prebuilt` in the context (a query that is not canonical), rendered every time.
    One per page; nothing in it may depend on the user."""
    nodelist = parser.parse(("endprebuilt",))
    parser.delete_first_token()
    return PrebuiltNode(nodelist)
