"""Reads: for the forum's pages and for other apps (the site search, the home page).

CONTRACT (other apps rely on these signatures):
- search_posts(user, query, limit=20) -> list of dicts {"title", "url", "snippet" (safe HTML with
  <mark> highlights, everything else escaped), "rank" (float), "space" (name)}; only posts/threads
  `user` may read (anonymous users: public spaces only); never a hidden or deleted post.
- active_public_threads(limit=5) -> list of dicts {"title", "url", "space", "last_activity"
  (datetime), "replies" (int)}; public spaces only.
"""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from observatory.params import bounded_terms

from . import access
from .actions import HIGHLIGHT_START, HIGHLIGHT_STOP
from .models import Flag, Notification, Post, Reaction, Space, Thread, ThreadRead

MAX_QUERY_LENGTH = 200


def _highlight(headline: str) -> SafeString:
    """Escape everything, then turn only our private-use markers into <mark> elements."""
    html = escape(headline).replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only <mark> added


def visible_posts(user) -> QuerySet[Post]:
    """Posts `user` may read: in readable spaces, not hidden, not deleted, thread not hidden."""
    return Post.objects.filter(
        thread__space__in=access.readable_spaces(user),
        thread__is_hidden=False,
        is_hidden=False,
        deleted_at=None,
    )


def search_posts(user, query: str, limit: int = 20) -> list[dict]:
    query = bounded_terms(query, MAX_QUERY_LENGTH)
    if not query:
        return []
    search = SearchQuery(query, search_type="websearch", config="english")
    posts = (
        visible_posts(user)
        .filter(Q(search_vector=search) | Q(thread__search_vector=search))
        .annotate(
            rank=SearchRank(F("search_vector"), search) + 2 * SearchRank(F("thread__search_vector"), search),
            headline=SearchHeadline(
                "plain",
                search,
                config="english",
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .select_related("thread__space")
        .order_by("-rank", "-created_at")[:limit]
    )
    return [
        {
            "title": post.thread.title,
            "url": post.get_absolute_url(),
            "snippet": _highlight(post.headline),
            "rank": float(post.rank),
            "space": post.thread.space.name,
        }
        for post in posts
    ]


def visible_threads(user) -> QuerySet[Thread]:
    return Thread.objects.filter(space__in=access.readable_spaces(user), is_hidden=False)


def active_public_threads(limit: int = 5) -> list[dict]:
    threads = (
        Thread.objects.filter(space__is_private=False, is_hidden=False)
        .select_related("space")
        .order_by("-last_activity_at")[:limit]
    )
    return [
        {
            "title": t.title,
            "url": t.get_absolute_url(),
            "space": t.space.name,
            "last_activity": t.last_activity_at,
            "replies": t.reply_count,
        }
        for t in threads
    ]


SORTS = {
    "latest": ("-is_pinned", "-last_activity_at"),
    "new": ("-created_at",),
    "top": ("-helpful", "-reply_count", "-last_activity_at"),
}


def space_threads(space: Space, user, sort: str = "latest") -> QuerySet[Thread]:
    """Threads of a space for its listing, with `unread` for signed-in users and `helpful` counts."""
    threads = Thread.objects.filter(space=space).select_related("author")
    if not access.is_moderator(user, space):
        threads = threads.filter(is_hidden=False)
    threads = threads.annotate(helpful=Count("posts__reactions", filter=Q(posts__reactions__kind="helpful")))
    if user.is_authenticated:
        read = ThreadRead.objects.filter(
            user=user, thread=OuterRef("pk"), last_read_at__gte=OuterRef("last_activity_at")
        )
        threads = threads.annotate(is_read=Exists(read))
    return threads.order_by(*SORTS.get(sort, SORTS["latest"]))


def thread_posts(thread: Thread, user) -> QuerySet[Post]:
    """A thread's posts in order; deleted/hidden ones stay in place (shown as a stub to members)."""
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "reply_to__author")
        .annotate(
            helpful=Count("reactions", filter=Q(reactions__kind="helpful"), distinct=True),
            revision_count=Count("revisions", distinct=True),
        )
        .order_by("created_at", "pk")
    )


def reacted_post_ids(user, posts) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Reaction.objects.filter(user=user, post__in=posts).values_list("post_id", flat=True))


def threads_for_target(user, kind: str, key: str, limit: int = 10) -> list[Thread]:
    return list(
        visible_threads(user)
        .filter(target_kind=kind, target_key=key)
        .select_related("space")
        .order_by("-last_activity_at")[:limit]
    )


def threads_for_targets(user, targets: dict[str, list[str]], limit: int = 8) -> list[dict]:
    """The readable threads whose evidence link is one of TARGETS ({kind: [keys]}), most recently
    active first, in one query: the value-chain explorer's "forum threads" edge."""
    query = Q()
    for kind, keys in targets.items():
        if keys:
            query |= Q(target_kind=kind, target_key__in=list(keys))
    if not query:
        return []
    threads = (
        visible_threads(user).filter(query).select_related("space").order_by("-last_activity_at")[:limit]
    )
    return [
        {
            "title": t.title,
            "url": t.get_absolute_url(),
            "space": t.space.name,
            "kind": t.target_kind,
            "key": t.target_key,
            "replies": t.reply_count,
            "last_activity": t.last_activity_at,
        }
        for t in threads
    ]


def unread_notification_count(user) -> int:
    """The header's badge on every signed-in page. Most members have nothing unread: one lookup on
    the (user, read_at) index answers them; only then the visibility rules decide which count."""
    if not user.is_authenticated:
        return 0
    if not Notification.objects.filter(user=user, read_at=None).exists():
        return 0
    return notifications_for(user).filter(read_at=None).count()


def notifications_for(user) -> QuerySet[Notification]:
    """Only notifications about posts the user may still read (membership can be revoked), and about
    organisations/offers the user may still read (a suspended organisation drops out)."""
    from .organisations.selectors import readable_organisations

    return Notification.objects.filter(
        Q(post__in=visible_posts(user))
        | Q(post=None, organisation__in=readable_organisations(user).values("pk")),
        user=user,
    ).select_related("actor", "post__thread__space", "organisation", "offer", "interest", "event")


def moderation_queue(space: Space) -> QuerySet[Post]:
    """Posts with open flags, or hidden, in `space`; oldest concern first."""
    open_flags = Flag.objects.filter(post=OuterRef("pk"), resolved_at=None)
    return (
        Post.objects.filter(thread__space=space)
        .filter(Q(Exists(open_flags)) | Q(is_hidden=True))
        .select_related("author", "thread")
        .prefetch_related("flags__user")
        .order_by("created_at")
    )
