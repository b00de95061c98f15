from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, actions, selectors
from ..forms import ThreadForm
from ..models import Follow
from ._common import paginate, render_page

THREADS_PER_PAGE = 25


@require_GET
def forum_index(request):
    spaces = access.readable_spaces(request.user).order_by("position", "name")
    rows = []
    for space in spaces:
        threads = selectors.visible_threads(request.user).filter(space=space)
        rows.append(
            {
                "space": space,
                "thread_count": threads.count(),
                "latest": threads.order_by("-last_activity_at").first(),
            }
        )
    recent = selectors.visible_threads(request.user).select_related("space").order_by("-last_activity_at")[:8]
    return render_page(request, "forum_index", {"rows": rows, "recent": recent})


@require_GET
def space_detail(request, slug):
    space = access.get_space_for_user(request, slug)
    sort = request.GET.get("sort", "latest")
    sort = sort if sort in selectors.SORTS else "latest"
    page = paginate(request, selectors.space_threads(space, request.user, sort), THREADS_PER_PAGE)
    following = (
        request.user.is_authenticated and Follow.objects.filter(user=request.user, space=space).exists()
    )
    return render_page(
        request,
        "space_detail",
        {"space": space, "page": page, "sort": sort, "sorts": list(selectors.SORTS), "following": following},
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request, slug):
    space = access.get_space_for_user(request, slug, write=True)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = actions.create_thread(
                space, request.user, form.cleaned_data["title"], form.cleaned_data["body"]
            )
        except actions.RateLimited as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(thread)
    return render_page(request, "thread_create", {"space": space, "form": form})


@login_required
@require_POST
def space_follow(request, slug):
    space = access.get_space_for_user(request, slug)
    on = actions.toggle_follow(request.user, space=space)
    messages.success(
        request, gettext("You follow this space.") if on else gettext("You no longer follow this space.")
    )
    return redirect(space)
