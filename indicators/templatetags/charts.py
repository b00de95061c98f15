from django import template
from django.utils.html import format_html_join

from ..views.indicator_pages import plotly_style_guard_ids

register = template.Library()


@register.simple_tag
def plotly_style_guards():
    """Empty <meta> elements whose ids tell plotly.js its bundled styles are already handled."""
    return format_html_join(
        "", '<meta name="plotly-style-guard" id="{}">', ((i,) for i in plotly_style_guard_ids())
    )
