from django.core.paginator import Paginator
from django.shortcuts import render

from .. import access


def paginate(request, queryset, per_page: int):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def render_page(request, name: str, context: dict, status: int = 200):
    """Template name = view name; every forum page knows the user's standing in its space."""
    space = context.get("space")
    if space is not None:
        context.setdefault("is_moderator", access.is_moderator(request.user, space))
        context.setdefault("posting_refusal", access.posting_refusal(request.user, space))
    page, _, partial = name.partition("#")
    template = f"community/{page}.html" + (f"#{partial}" if partial else "")
    return render(request, template, context, status=status)
