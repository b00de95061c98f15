"""Writes: every change that touches the forum goes through a verb-named, atomic function here.

Callers (views, admin, tasks) check access first with community.access; these functions check
the rules that belong to the write itself (rate limits, flag thresholds) and record moderation.
Notifications are rows written in the same transaction as the post that causes them; the only
outside effect (email) happens in the digest task.
"""

import html
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from observatory.markdown import plain_text

from . import access
from .evidence import resolve_target
from .models import (
    Flag,
    Follow,
    ForumSettings,
    Membership,
    ModerationLog,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Space,
    Thread,
    ThreadRead,
)

# Private-use characters mark search highlights in ts_headline output; never stored in text.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\ue000", "\ue001"
# A display name (observatory/accounts.py): letters of any script, digits, "." "_" "-".
MENTION_RE = re.compile(r"(?<![\w@])@([^\W_][\w.-]{0,29})")
LINK_RE = re.compile(r"(?i)(?:\bhttps?://|\bwww\.|(?<![\w:/])//[\w-])")  # //host is a link too


class RateLimited(Exception):
    """A new account hit one of the COMMUNITY_* limits; the message says which."""


def _searchable(body: str) -> str:
    # plain_text keeps entities (&lt;); the index and snippets want the characters themselves.
    return html.unescape(plain_text(body)).replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "")


# --- rate limits ------------------------------------------------------------------------------


def _is_new_account(user) -> bool:
    age = timezone.now() - user.date_joined
    return not user.is_staff and age < timedelta(days=settings.COMMUNITY_NEW_ACCOUNT_DAYS)


def check_rate_limits(user, body: str, new_thread: bool) -> None:
    """Raise RateLimited when `user` may not post `body` now (duplicates are refused for everyone)."""
    since = timezone.now() - timedelta(days=1)
    if Post.objects.filter(author=user, body=body.strip(), created_at__gte=since, deleted_at=None).exists():
        raise RateLimited("You posted exactly this text in the last 24 hours. Please don't post duplicates.")
    if not _is_new_account(user):
        return
    links = len(LINK_RE.findall(body))
    if links > settings.COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST:
        raise RateLimited(
            f"New accounts may include at most {settings.COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST} links "
            f"in a post (this one has {links})."
        )
    if new_thread:
        limit, count = (
            settings.COMMUNITY_NEW_ACCOUNT_THREADS_PER_DAY,
            Thread.objects.filter(author=user, created_at__gte=since).count(),
        )
        what = "new threads"
    else:
        limit = settings.COMMUNITY_NEW_ACCOUNT_REPLIES_PER_DAY
        count = (
            Post.objects.filter(author=user, created_at__gte=since).count()
            - Thread.objects.filter(author=user, created_at__gte=since).count()
        )
        what = "replies"
    if count >= limit:
        raise RateLimited(
            f"New accounts may post at most {limit} {what} a day. You can post again within 24 hours."
        )


# --- threads and posts ------------------------------------------------------------------------


def _index(post: Post | None = None, thread: Thread | None = None) -> None:
    """Refresh the stored tsvector of a post (its plain text) and/or a thread (its title)."""
    if post is not None:
        Post.objects.filter(pk=post.pk).update(search_vector=SearchVector("plain", config="english"))
    if thread is not None:
        Thread.objects.filter(pk=thread.pk).update(search_vector=SearchVector("title", config="english"))


def _add_post(thread: Thread, author, body: str, reply_to: Post | None = None) -> Post:
    post = Post.objects.create(
        thread=thread, author=author, body=body.strip(), plain=_searchable(body), reply_to=reply_to
    )
    _index(post=post)
    return post


@transaction.atomic
def create_thread(space: Space, author, title: str, body: str, target_kind: str = "", target_key: str = ""):
    """Start a thread with its first post; notify followers of the space and mentioned users."""
    check_rate_limits(author, body, new_thread=True)
    if target_kind and resolve_target(target_kind, target_key) is None:
        raise ValueError(f"No {target_kind} {target_key!r} to discuss.")
    thread = Thread.objects.create(
        space=space,
        title=title.strip(),
        author=author,
        last_activity_at=timezone.now(),
        target_kind=target_kind if target_key else "",
        target_key=target_key if target_kind else "",
    )
    _index(thread=thread)
    post = _add_post(thread, author, body)
    Follow.objects.get_or_create(user=author, thread=thread)
    followers = Follow.objects.filter(space=space).exclude(user=author).select_related("user")
    _notify({f.user for f in followers}, Notification.Kind.NEW_THREAD, post)
    _notify_mentions(post)
    return thread


@transaction.atomic
def reply(thread: Thread, author, body: str, reply_to: Post | None = None) -> Post:
    """Add a post; notify the author replied to (or the thread's followers) and mentioned users."""
    check_rate_limits(author, body, new_thread=False)
    if reply_to is not None and reply_to.thread_id != thread.pk:
        reply_to = None
    post = _add_post(thread, author, body, reply_to)
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=F("reply_count") + 1, last_activity_at=post.created_at
    )
    Follow.objects.get_or_create(user=author, thread=thread)
    recipients = {f.user for f in Follow.objects.filter(thread=thread).select_related("user")}
    if reply_to is not None:
        recipients.add(reply_to.author)
    recipients.discard(author)
    mentioned = _notify_mentions(post)
    _notify(recipients - mentioned, Notification.Kind.REPLY, post)
    return post


@transaction.atomic
def edit_post(post: Post, editor, body: str, title: str | None = None) -> Post:
    """Keep the old text as a revision, then change it (and the thread title for a first post)."""
    thread = post.thread
    old_title = thread.title if title is not None and title.strip() != thread.title else ""
    if body.strip() == post.body and not old_title:
        return post
    PostRevision.objects.create(post=post, title=old_title, body=post.body, edited_by=editor)
    if old_title:
        thread.title = title.strip()
        thread.save(update_fields=["title"])
        _index(thread=thread)
    post.body, post.plain, post.edited_at = body.strip(), _searchable(body), timezone.now()
    post.save(update_fields=["body", "plain", "edited_at"])
    _index(post=post)
    if editor.pk != post.author_id:  # a moderator changed someone else's words: on the record
        _log(editor, ModerationLog.Action.EDIT_POST, thread.space, post=post, reason="Edited as moderator")
    return post


def is_first_post(post: Post) -> bool:
    return not Post.objects.filter(thread_id=post.thread_id, pk__lt=post.pk).exists()


@transaction.atomic
def delete_post(post: Post, user, reason: str = "") -> Post:
    """Soft delete (author or moderator). Text stays; a moderator can restore it."""
    post.deleted_at, post.deleted_by = timezone.now(), user
    post.save(update_fields=["deleted_at", "deleted_by"])
    if user.pk != post.author_id:
        _log(user, ModerationLog.Action.DELETE_POST, post.thread.space, post=post, reason=reason)
    return post


@transaction.atomic
def toggle_reaction(post: Post, user, kind: str = Reaction.Kind.HELPFUL) -> bool:
    """Add the reaction, or take it back; returns whether it is now on."""
    deleted, _ = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    if deleted:
        return False
    Reaction.objects.create(post=post, user=user, kind=kind)
    return True


def mark_thread_read(thread: Thread, user) -> None:
    if user.is_authenticated:
        ThreadRead.objects.update_or_create(
            user=user, thread=thread, defaults={"last_read_at": timezone.now()}
        )


@transaction.atomic
def toggle_follow(user, space: Space | None = None, thread: Thread | None = None) -> bool:
    deleted, _ = Follow.objects.filter(user=user, space=space, thread=thread).delete()
    if deleted:
        return False
    Follow.objects.create(user=user, space=space, thread=thread)
    return True


# --- notifications ----------------------------------------------------------------------------


def _notify(users, kind: str, post: Post) -> None:
    """Only users who may read the post's space hear of it: nothing leaks out of private spaces."""
    space = post.thread.space
    rows = [
        Notification(user=u, kind=kind, actor=post.author, post=post)
        for u in users
        if u.pk != post.author_id and u.is_active and access.can_read_space(u, space)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def mentioned_users(body: str) -> set:
    """@handle = a member's display name, matched case-insensitively (never the e-mail address,
    which members do not see)."""
    handles = {m.lower() for m in MENTION_RE.findall(plain_text(body))[:20]}
    if not handles:
        return set()
    query = Q()
    for handle in handles:
        query |= Q(display_name__iexact=handle)
    return set(get_user_model().objects.filter(query, is_active=True))


def _notify_mentions(post: Post) -> set:
    users = mentioned_users(post.body)
    _notify(users, Notification.Kind.MENTION, post)
    return users


def mark_notifications_read(user, ids=None) -> int:
    unread = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def update_forum_settings(user, digest: str, display_name: str) -> ForumSettings:
    with transaction.atomic():
        prefs, _ = ForumSettings.objects.get_or_create(user=user)
        prefs.digest = digest
        prefs.save(update_fields=["digest"])
        user.display_name = display_name.strip()
        user.save(update_fields=["display_name"])
    return prefs


def unsubscribe(user) -> ForumSettings:
    prefs, _ = ForumSettings.objects.get_or_create(user=user)
    prefs.digest = ForumSettings.Digest.OFF
    prefs.save(update_fields=["digest"])
    return prefs


# --- moderation -------------------------------------------------------------------------------


def _log(actor, action, space, thread=None, post=None, target_user=None, reason="", **details):
    return ModerationLog.objects.create(
        actor=actor,
        action=action,
        space=space,
        thread=thread or (post.thread if post else None),
        post=post,
        target_user=target_user,
        reason=reason[:500],
        details=details,
    )


@transaction.atomic
def flag_post(post: Post, user, reason: str) -> Flag:
    """One flag per member and post; the Nth distinct open flag hides the post pending review."""
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, user=user, reason=reason.strip()[:500])
    except IntegrityError:
        return Flag.objects.get(post=post, user=user)
    open_flags = Flag.objects.filter(post=post, resolved_at=None).values("user").distinct().count()
    if open_flags >= settings.COMMUNITY_FLAGS_TO_HIDE and not post.is_hidden:
        post.is_hidden, post.hidden_reason = True, "Hidden after flags, pending review."
        post.save(update_fields=["is_hidden", "hidden_reason"])
        _log(
            None, ModerationLog.Action.AUTO_HIDE_POST, post.thread.space, post=post, reason=post.hidden_reason
        )
    return flag


def _resolve_flags(post: Post, moderator) -> None:
    Flag.objects.filter(post=post, resolved_at=None).update(resolved_at=timezone.now(), resolved_by=moderator)


@transaction.atomic
def hide_post(post: Post, moderator, reason: str) -> Post:
    post.is_hidden, post.hidden_reason = True, reason.strip()[:500]
    post.save(update_fields=["is_hidden", "hidden_reason"])
    _resolve_flags(post, moderator)
    _log(moderator, ModerationLog.Action.HIDE_POST, post.thread.space, post=post, reason=reason)
    return post


@transaction.atomic
def restore_post(post: Post, moderator, reason: str) -> Post:
    """Undo a hide and a delete: the post is back exactly as it was."""
    post.is_hidden, post.hidden_reason, post.deleted_at, post.deleted_by = False, "", None, None
    post.save(update_fields=["is_hidden", "hidden_reason", "deleted_at", "deleted_by"])
    _resolve_flags(post, moderator)
    _log(moderator, ModerationLog.Action.RESTORE_POST, post.thread.space, post=post, reason=reason)
    return post


@transaction.atomic
def dismiss_flags(post: Post, moderator, reason: str) -> None:
    _resolve_flags(post, moderator)
    _log(moderator, ModerationLog.Action.DISMISS_FLAGS, post.thread.space, post=post, reason=reason)


_THREAD_SWITCHES = {
    "lock": ("is_locked", True, ModerationLog.Action.LOCK),
    "unlock": ("is_locked", False, ModerationLog.Action.UNLOCK),
    "pin": ("is_pinned", True, ModerationLog.Action.PIN),
    "unpin": ("is_pinned", False, ModerationLog.Action.UNPIN),
    "hide": ("is_hidden", True, ModerationLog.Action.HIDE_THREAD),
    "restore": ("is_hidden", False, ModerationLog.Action.RESTORE_THREAD),
}
THREAD_ACTIONS = tuple(_THREAD_SWITCHES)


@transaction.atomic
def moderate_thread(thread: Thread, moderator, action: str, reason: str) -> Thread:
    """lock/unlock, pin/unpin, hide/restore a thread, with a log row."""
    field, value, log_action = _THREAD_SWITCHES[action]
    setattr(thread, field, value)
    thread.save(update_fields=[field])
    _log(moderator, log_action, thread.space, thread=thread, reason=reason)
    return thread


@transaction.atomic
def move_thread(thread: Thread, moderator, to_space: Space, reason: str) -> Thread:
    """Posts, permalinks and evidence links move with the thread. Logged in both spaces."""
    from_space = thread.space
    thread.space = to_space
    thread.save(update_fields=["space"])
    details = {"from": from_space.slug, "to": to_space.slug}
    _log(moderator, ModerationLog.Action.MOVE, from_space, thread=thread, reason=reason, **details)
    _log(moderator, ModerationLog.Action.MOVE, to_space, thread=thread, reason=reason, **details)
    return thread


@transaction.atomic
def suspend_user(space: Space, moderator, user, reason: str, suspended: bool = True) -> Membership:
    if space.is_private and not Membership.objects.filter(space=space, user=user).exists():
        # Suspending must never make an outsider a member of a private space.
        raise ValueError("Only members of a private space can be suspended from it.")
    membership, _ = Membership.objects.get_or_create(space=space, user=user)
    membership.is_suspended, membership.suspended_reason = (
        suspended,
        reason.strip()[:500] if suspended else "",
    )
    membership.save(update_fields=["is_suspended", "suspended_reason"])
    action = ModerationLog.Action.SUSPEND if suspended else ModerationLog.Action.UNSUSPEND
    _log(moderator, action, space, target_user=user, reason=reason)
    return membership
