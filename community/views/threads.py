from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from observatory.params import is_id

from .. import access, actions, selectors
from ..evidence import resolve_target
from ..forms import EditPostForm, FlagForm, PostForm
from ..models import Follow, Notification, Post
from ._common import paginate, render_page

POSTS_PER_PAGE = 30


def _quote(post: Post) -> str:
    quoted = "\n".join(f"> {line}" for line in post.body.splitlines())
    return f"{post.author} wrote:\n{quoted}\n\n"


@require_GET
def thread_detail(request, thread_id):
    thread = access.get_thread_for_user(request, thread_id)
    user = request.user
    page = paginate(request, selectors.thread_posts(thread, user), POSTS_PER_PAGE)
    reacted = selectors.reacted_post_ids(user, page.object_list)
    for post in page.object_list:
        post.reacted_on = post.pk in reacted
    context = {
        "thread": thread,
        "space": thread.space,
        "page": page,
        "target": resolve_target(thread.target_kind, thread.target_key) if thread.target_kind else None,
        "following": user.is_authenticated and Follow.objects.filter(user=user, thread=thread).exists(),
        "form": PostForm(),
    }
    if user.is_authenticated:
        actions.mark_thread_read(thread, user)
        Notification.objects.filter(user=user, post__thread=thread, read_at=None).update(
            read_at=thread.last_activity_at
        )
    return render_page(request, "thread_detail", context)


@login_required
@require_http_methods(["GET", "POST"])
def thread_reply(request, thread_id):
    thread = access.get_thread_for_user(request, thread_id, write=True)
    reply_to = None
    ref = request.POST.get("reply_to") or request.GET.get("to") or request.GET.get("quote")
    if is_id(ref):
        reply_to = Post.objects.filter(pk=int(ref), thread=thread, deleted_at=None, is_hidden=False).first()
    initial = {"reply_to": reply_to.pk if reply_to else None}
    if reply_to and request.GET.get("quote"):
        initial["body"] = _quote(reply_to)
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            post = actions.reply(thread, request.user, form.cleaned_data["body"], reply_to=reply_to)
        except actions.RateLimited as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(post)
    return render_page(
        request, "thread_reply", {"thread": thread, "space": thread.space, "form": form, "reply_to": reply_to}
    )


@login_required
@require_POST
def thread_follow(request, thread_id):
    thread = access.get_thread_for_user(request, thread_id)
    on = actions.toggle_follow(request.user, thread=thread)
    messages.success(
        request, gettext("You follow this thread.") if on else gettext("You no longer follow this thread.")
    )
    return redirect(thread)


@require_GET
def post_permalink(request, post_id):
    """/forum/p/<id>/ -> the thread page holding the post, at its anchor (survives renames/moves)."""
    post = access.get_post_for_user(request, post_id)
    position = Post.objects.filter(thread_id=post.thread_id, created_at__lt=post.created_at).count()
    position += Post.objects.filter(
        thread_id=post.thread_id, created_at=post.created_at, pk__lt=post.pk
    ).count()
    page = position // POSTS_PER_PAGE + 1
    url = reverse("community:thread-detail", args=[post.thread_id])
    query = f"?page={page}" if page > 1 else ""
    return HttpResponseRedirect(f"{url}{query}#post-{post.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, post_id):
    post = access.get_post_for_user(request, post_id, write=True)
    first = actions.is_first_post(post)
    form = EditPostForm(request.POST or None, initial={"body": post.body, "title": post.thread.title})
    if not first:
        del form.fields["title"]
    if request.method == "POST" and form.is_valid():
        actions.edit_post(
            post, request.user, form.cleaned_data["body"], form.cleaned_data.get("title") or None
        )
        messages.success(
            request, gettext("Your changes are saved; the earlier text is in the post's history.")
        )
        return redirect(post)
    return render_page(
        request, "post_edit", {"post": post, "thread": post.thread, "space": post.thread.space, "form": form}
    )


@require_GET
def post_history(request, post_id):
    post = access.get_post_for_user(request, post_id)
    revisions = post.revisions.select_related("edited_by")
    return render_page(
        request,
        "post_history",
        {"post": post, "thread": post.thread, "space": post.thread.space, "revisions": revisions},
    )


@login_required
@require_POST
def post_delete(request, post_id):
    post = access.get_post_for_user(request, post_id, write=True)
    actions.delete_post(post, request.user, reason=request.POST.get("reason", ""))
    messages.success(request, gettext("The post is deleted. A moderator can restore it."))
    return redirect(post.thread)


@login_required
@require_POST
def post_react(request, post_id):
    post = access.get_post_for_user(request, post_id)
    if not access.can_post(request.user, post.thread.space) or not post.is_visible:
        raise PermissionDenied("You may not react in this space.")
    on = actions.toggle_reaction(post, request.user)
    if request.htmx:
        post.reacted_on, post.helpful = on, post.reactions.filter(kind="helpful").count()
        return render_page(request, "thread_detail#reaction", {"post": post, "space": post.thread.space})
    return redirect(post)


@login_required
@require_http_methods(["GET", "POST"])
def post_flag(request, post_id):
    post = access.get_post_for_user(request, post_id)
    if not access.is_verified(request.user) or post.author_id == request.user.pk:
        raise PermissionDenied("Verified members flag other people's posts.")
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.flag_post(post, request.user, form.cleaned_data["reason"])
        messages.success(request, gettext("Thank you. The moderators will review this post."))
        return redirect(post.thread)
    return render_page(
        request, "post_flag", {"post": post, "thread": post.thread, "space": post.thread.space, "form": form}
    )
