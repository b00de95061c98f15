from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, actions, selectors
from ..forms import ModeratePostForm, ModerateThreadForm, SuspendForm
from ..models import ModerationLog, Space
from ._common import paginate, render_page


def _require_moderator(request, space):
    if not access.is_moderator(request.user, space):
        raise PermissionDenied("Moderators only.")


def _move_targets(user):
    if user.is_staff:
        return Space.objects.all()
    return Space.objects.filter(memberships__user=user, memberships__role="moderator")


@login_required
@require_http_methods(["GET", "POST"])
def thread_moderate(request, thread_id):
    thread = access.get_thread_for_user(request, thread_id)
    _require_moderator(request, thread.space)
    form = ModerateThreadForm(
        request.POST or None, spaces=_move_targets(request.user).exclude(pk=thread.space_id)
    )
    if request.method == "POST" and form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        if action == "move":
            actions.move_thread(thread, request.user, form.cleaned_data["to_space"], reason)
        else:
            actions.moderate_thread(thread, request.user, action, reason)
        messages.success(request, gettext("Done, and recorded in the moderation log."))
        return redirect(thread)
    return render_page(request, "thread_moderate", {"thread": thread, "space": thread.space, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def post_moderate(request, post_id):
    post = access.get_post_for_user(request, post_id)
    _require_moderator(request, post.thread.space)
    form = ModeratePostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        {"hide": actions.hide_post, "restore": actions.restore_post, "dismiss": actions.dismiss_flags}[
            action
        ](post, request.user, reason)
        messages.success(request, gettext("Done, and recorded in the moderation log."))
        if request.POST.get("next") == "queue":
            return redirect("community:moderation-queue", slug=post.thread.space.slug)
        return redirect(post)
    return render_page(
        request,
        "post_moderate",
        {"post": post, "thread": post.thread, "space": post.thread.space, "form": form},
    )


@login_required
@require_GET
def moderation_queue(request, slug):
    space = access.get_moderated_space_for_user(request, slug)
    return render_page(
        request, "moderation_queue", {"space": space, "posts": selectors.moderation_queue(space)}
    )


@login_required
@require_GET
def moderation_log(request, slug):
    space = access.get_moderated_space_for_user(request, slug)
    entries = ModerationLog.objects.filter(space=space).select_related(
        "actor", "thread", "post", "target_user"
    )
    return render_page(request, "moderation_log", {"space": space, "page": paginate(request, entries, 50)})


@login_required
@require_http_methods(["GET", "POST"])
def member_suspend(request, slug):
    space = access.get_moderated_space_for_user(request, slug)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.suspend_user(
                space,
                request.user,
                form.cleaned_data["user"],
                form.cleaned_data["reason"],
                form.cleaned_data["suspend"],
            )
        except ValueError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, gettext("Done, and recorded in the moderation log."))
            return redirect("community:moderation-queue", slug=space.slug)
    suspended = space.memberships.filter(is_suspended=True).select_related("user")
    return render_page(request, "member_suspend", {"space": space, "form": form, "suspended": suspended})
