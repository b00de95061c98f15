"""Who may read and write what. Every view goes through one of the get_*_for_user helpers.

Reading a private space you are not a member of is a 404 (its existence is not revealed);
writing where you may read but not write is a 403.
"""

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Membership, Post, Space, Thread


def _membership(user, space: Space) -> Membership | None:
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_forum_memberships", {})
    if space.pk not in cache:
        cache[space.pk] = Membership.objects.filter(user=user, space=space).first()
    return cache[space.pk]


def is_verified(user) -> bool:
    if not user.is_authenticated:
        return False
    if "_forum_verified" not in user.__dict__:
        user.__dict__["_forum_verified"] = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user.__dict__["_forum_verified"]


def readable_spaces(user) -> QuerySet[Space]:
    """Open spaces, plus the private spaces `user` is a member of (all spaces for staff)."""
    if user.is_authenticated and user.is_staff:
        return Space.objects.all()
    if not user.is_authenticated:
        return Space.objects.filter(is_private=False)
    return Space.objects.filter(Q(is_private=False) | Q(memberships__user=user)).distinct()


def can_read_space(user, space: Space) -> bool:
    if not space.is_private or (user.is_authenticated and user.is_staff):
        return True
    return _membership(user, space) is not None


def is_moderator(user, space: Space) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    membership = _membership(user, space)
    return membership is not None and membership.role == Membership.Role.MODERATOR


def posting_refusal(user, space: Space) -> str:
    """Why `user` may not post in `space` ("" when they may)."""
    if not user.is_authenticated:
        return "Sign in to post."
    if not is_verified(user):
        return "Verify your email address before posting."
    if not can_read_space(user, space):
        return "Only members of this space may post."
    membership = _membership(user, space)
    if membership is not None and membership.is_suspended and not user.is_staff:
        return "You are suspended from this space."
    return ""


def can_post(user, space: Space) -> bool:
    return posting_refusal(user, space) == ""


def can_see_post(user, post: Post) -> bool:
    """Deleted or hidden posts stay visible (marked) to moderators only."""
    return post.is_visible or is_moderator(user, post.thread.space)


def get_space_for_user(request, slug: str, write: bool = False) -> Space:
    space = get_object_or_404(Space, slug=slug)
    if not can_read_space(request.user, space):
        raise Http404("No such space.")
    if write and not can_post(request.user, space):
        raise PermissionDenied(posting_refusal(request.user, space))
    return space


def get_thread_for_user(request, thread_id: int, write: bool = False) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("space", "author"), pk=thread_id)
    user = request.user
    if not can_read_space(user, thread.space):
        raise Http404("No such thread.")
    if thread.is_hidden and not is_moderator(user, thread.space):
        raise Http404("No such thread.")
    if write:
        if not can_post(user, thread.space):
            raise PermissionDenied(posting_refusal(user, thread.space))
        if thread.is_locked and not is_moderator(user, thread.space):
            raise PermissionDenied("This thread is locked.")
    return thread


def get_post_for_user(request, post_id: int, write: bool = False) -> Post:
    """write=True: the author (while the post is visible) or a moderator may change the post."""
    post = get_object_or_404(Post.objects.select_related("thread__space", "author"), pk=post_id)
    thread = get_thread_for_user(request, post.thread_id)
    post.thread = thread
    if not can_see_post(request.user, post):
        raise Http404("No such post.")
    if write:
        user = request.user
        if is_moderator(user, thread.space):
            return post
        if post.author_id != user.pk or not post.is_visible or not can_post(user, thread.space):
            raise PermissionDenied("You may not change this post.")
        if thread.is_locked:
            raise PermissionDenied("This thread is locked.")
    return post


def get_moderated_space_for_user(request, slug: str) -> Space:
    space = get_space_for_user(request, slug)
    if not is_moderator(request.user, space):
        raise PermissionDenied("Moderators only.")
    return space
