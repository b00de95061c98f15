"""The Industrial Forum: spaces, memberships, threads, posts and what hangs off them.

Nothing is ever lost: edits keep a PostRevision, deletion and moderation only set flags (a
moderator can always restore), and moving a thread keeps its posts and their permalinks.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from observatory.params import strip_control

User = settings.AUTH_USER_MODEL


class Space(models.Model):
    """A place to discuss: open (anyone reads, verified users post) or private (members only)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    is_private = models.BooleanField(default=False, help_text=_("Only members read and post."))
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:space-detail", args=[self.slug])


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MODERATOR = "moderator", _("Moderator")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="space_memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    # A suspended user keeps reading what they could read but may not post in the space.
    is_suspended = models.BooleanField(default=False)
    suspended_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="membership_space_user_unique")]

    def __str__(self):
        return f"{self.user} in {self.space} ({self.role})"


class Thread(models.Model):
    class TargetKind(models.TextChoices):
        ECOSYSTEM = "ecosystem", _("Ecosystem")
        COUNTRY = "country", _("Country")
        REGION = "region", _("Region")
        INDICATOR = "indicator", _("Indicator")
        PUBLICATION = "publication", _("Publication")
        PRODUCT = "product", _("Traded product (CN8)")
        TECHNOLOGY = "technology", _("Technology")

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="forum_threads")
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(db_index=True)
    reply_count = models.PositiveIntegerField(default=0)

    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    # Evidence link: the observatory object this thread discusses (validated in actions).
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices, blank=True)
    target_key = models.CharField(max_length=80, blank=True)
    # Kept up to date by community.actions (a GeneratedField would make `check` need a database).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at"]
        indexes = [
            GinIndex(fields=["search_vector"], name="thread_search_gin"),
            models.Index(fields=["target_kind", "target_key"], name="thread_target_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Control characters in a title would break the forum's feeds and notifications.
        self.title = strip_control(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("community:thread-detail", args=[self.pk])


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="forum_posts")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    # The body without markup: what full-text search indexes and snippets quote.
    plain = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    # Kept up to date by community.actions (a GeneratedField would make `check` need a database).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [GinIndex(fields=["search_vector"], name="post_search_gin")]

    def __str__(self):
        return f"Post {self.pk} in {self.thread_id}"

    def get_absolute_url(self):
        return reverse("community:post-permalink", args=[self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_visible(self) -> bool:
        return not self.is_deleted and not self.is_hidden


class PostRevision(models.Model):
    """The text a post had before an edit (title too when the first post's thread was renamed)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Revision of post {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        HELPFUL = "helpful", _("Helpful")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.HELPFUL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="reaction_post_user_kind_unique")
        ]

    def __str__(self):
        return f"{self.kind} on post {self.post_id}"


class Flag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="flag_post_user_unique")]

    def __str__(self):
        return f"Flag on post {self.post_id}: {self.reason[:40]}"


# What a Follow can point at: exactly one of these is set.
FOLLOW_TARGETS = ("space", "thread", "organisation", "offer", "ecosystem", "region")


def _exactly_one(fields) -> models.Q:
    """Q true when exactly one of the nullable/blank `fields` is set (region is a blank string)."""

    def is_set(name):
        return ~models.Q(region="") if name == "region" else models.Q(**{f"{name}__isnull": False})

    def unset(name):
        return models.Q(region="") if name == "region" else models.Q(**{f"{name}__isnull": True})

    condition = models.Q(pk__in=[])
    for name in fields:
        one = is_set(name)
        for other in fields:
            if other != name:
                one &= unset(other)
        condition |= one
    return condition


class Follow(models.Model):
    """A user follows one thing: a space (new threads), a thread (new replies), an organisation,
    an offer (changes), an ecosystem or a NUTS region (new offers there)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="forum_follows")
    space = models.ForeignKey(Space, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    organisation = models.ForeignKey(
        "community.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    offer = models.ForeignKey(
        "community.Offer", null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    ecosystem = models.ForeignKey(
        "ecosystems.Ecosystem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.CharField(max_length=12, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_exactly_one(FOLLOW_TARGETS), name="follow_exactly_one_target"),
            models.UniqueConstraint(fields=["user", "space"], name="follow_user_space_unique"),
            models.UniqueConstraint(fields=["user", "thread"], name="follow_user_thread_unique"),
            models.UniqueConstraint(fields=["user", "organisation"], name="follow_user_organisation_unique"),
            models.UniqueConstraint(fields=["user", "offer"], name="follow_user_offer_unique"),
            models.UniqueConstraint(fields=["user", "ecosystem"], name="follow_user_ecosystem_unique"),
            models.UniqueConstraint(
                fields=["user", "region"], condition=~models.Q(region=""), name="follow_user_region_unique"
            ),
        ]

    def __str__(self):
        target = [self.space, self.thread, self.organisation, self.offer, self.ecosystem, self.region]
        return f"{self.user} follows {next((t for t in target if t), '')}"


class Notification(models.Model):
    """Something for one user: about a forum post, or (post empty) about an organisation, an offer,
    an interest message or a co-manager invitation."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("mentioned you")
        REPLY = "reply", _("replied")
        NEW_THREAD = "new_thread", _("started a thread")
        NEW_OFFER = "new_offer", _("published an offer")
        OFFER_CHANGED = "offer_changed", _("changed an offer")
        INTEREST = "interest", _("expressed interest")
        INVITATION = "invitation", _("invited you to co-manage")
        ORG_STATUS = "org_status", _("changed the status of")
        NEW_EVENT = "new_event", _("announced an event")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="forum_notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "community.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    offer = models.ForeignKey(
        "community.Offer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    interest = models.ForeignKey(
        "community.InterestMessage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        "community.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post", "kind"], name="notification_user_post_kind_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(post__isnull=False) | models.Q(organisation__isnull=False),
                name="notification_has_subject",
            ),
        ]

    def __str__(self):
        return f"{self.kind} for {self.user} (post {self.post_id or '-'}, offer {self.offer_id or '-'})"

    # What the notification links to and how it is titled (forum post, offer or organisation).
    def get_absolute_url(self):
        if self.post_id:
            return self.post.get_absolute_url()
        if self.kind == self.Kind.INTEREST:
            if self.interest_id and self.interest.reply_to_id:
                return reverse("organisations:my-messages")
            return reverse("organisations:interest-inbox", args=[self.organisation.slug])
        if self.kind == self.Kind.INVITATION:
            return reverse("organisations:invitation-list")
        return (self.offer or self.event or self.organisation).get_absolute_url()

    @property
    def subject_title(self) -> str:
        if self.post_id:
            return self.post.thread.title
        return str(self.offer or self.event or self.organisation)

    @property
    def where(self) -> str:
        return self.post.thread.space.name if self.post_id else self.organisation.name


class ThreadRead(models.Model):
    """When a user last opened a thread: the space page marks threads with newer activity unread."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="threadread_user_thread_unique")
        ]

    def __str__(self):
        return f"{self.user} read {self.thread_id}"


class ForumSettings(models.Model):
    class Digest(models.TextChoices):
        OFF = "off", _("Off")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="forum_settings")
    digest = models.CharField(max_length=8, choices=Digest.choices, default=Digest.WEEKLY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Forum settings of {self.user}"


class ModerationLog(models.Model):
    """One row per moderation action: who (actor; empty = the system), what, when and why."""

    class Action(models.TextChoices):
        HIDE_POST = "hide_post", _("Hid a post")
        RESTORE_POST = "restore_post", _("Restored a post")
        AUTO_HIDE_POST = "auto_hide_post", _("Hid a post after flags")
        DELETE_POST = "delete_post", _("Deleted a post")
        EDIT_POST = "edit_post", _("Edited someone's post")
        DISMISS_FLAGS = "dismiss_flags", _("Dismissed flags")
        LOCK = "lock", _("Locked a thread")
        UNLOCK = "unlock", _("Unlocked a thread")
        PIN = "pin", _("Pinned a thread")
        UNPIN = "unpin", _("Unpinned a thread")
        MOVE = "move", _("Moved a thread")
        HIDE_THREAD = "hide_thread", _("Hid a thread")
        RESTORE_THREAD = "restore_thread", _("Restored a thread")
        SUSPEND = "suspend", _("Suspended a user")
        UNSUSPEND = "unsuspend", _("Lifted a suspension")

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="moderation_log")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor or 'system'}"


# Organisations, offers, events: their own module, same app (migrations and app label "community").
from .organisations.models import (  # noqa: E402, F401
    Event,
    InterestMessage,
    ManagerInvitation,
    Offer,
    Organisation,
    OrganisationChange,
)
