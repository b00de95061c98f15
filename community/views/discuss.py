from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from .. import access, actions, selectors
from ..evidence import resolve_target
from ..forms import DiscussForm
from ._common import render_page


@require_http_methods(["GET", "POST"])
def discuss(request, kind, key):
    """ "Discuss this" from an evidence page: open its latest thread, or start one (?new=1)."""
    target = resolve_target(kind, key)
    if target is None:
        raise Http404("Nothing to discuss here.")
    existing = selectors.threads_for_target(request.user, kind, key, limit=1)
    if request.method == "GET" and existing and not request.GET.get("new"):
        return redirect(existing[0])
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    spaces = [
        s
        for s in access.readable_spaces(request.user).order_by("position", "name")
        if access.can_post(request.user, s)
    ]
    if not spaces:
        verified = access.is_verified(request.user)
        raise PermissionDenied(
            "There is no space you may post in." if verified else "Verify your email first."
        )
    queryset = access.readable_spaces(request.user).filter(pk__in=[s.pk for s in spaces])
    form = DiscussForm(request.POST or None, spaces=queryset, initial={"title": target.label})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = actions.create_thread(
                data["space"], request.user, data["title"], data["body"], kind, key
            )
        except actions.RateLimited as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(thread)
    return render_page(request, "discuss", {"target": target, "form": form})


@require_safe
def panel(request, kind, key):
    """The discussion panel of an evidence page: the threads tied to (KIND, KEY) that the viewer may
    read, and the organisations and open offers tied to it. site.js loads it into the page with
    ?fragment=1 (the bare panel); without it, the panel is a page of its own (no script needed).
    Never stored by a cache: it depends on the viewer and changes with every post."""
    from ..templatetags.community_tags import panel_context

    target = resolve_target(kind, key)
    if target is None:
        raise Http404("Nothing to discuss here.")
    context = {**panel_context(request.user, kind, key, target.label), "target": target}
    if request.GET.get("fragment") == "1":
        response = render(request, "community/_discussion_panel.html", context)
        response.headers["X-Robots-Tag"] = "noindex"
    else:
        response = render_page(request, "discussion_panel", context)
    patch_cache_control(response, private=True, no_store=True)
    return response
