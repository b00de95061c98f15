"""Organisations (cluster organisations and other stakeholders), offers and events.

Nothing is invented: every organisation is proposed by a verified member and approved by staff.
A profile's edits are kept as OrganisationChange rows (who, when, which fields, old -> new).
"""

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatory.covers import extension, validate_cover
from observatory.params import strip_control

User = settings.AUTH_USER_MODEL


def organisation_logo_path(instance, filename):
    # Named by slug (ours), extension checked against the content by validate_cover.
    return f"organisations/logos/{instance.slug}.{extension(filename)}"


class OrganisationQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Organisation.Status.APPROVED)


class Organisation(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed (awaiting staff approval)")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")

    class LegalForm(models.TextChoices):
        ASSOCIATION = "association", _("Association / non-profit")
        COMPANY = "company", _("Company")
        PUBLIC = "public", _("Public body or agency")
        RESEARCH = "research", _("University or research organisation")
        PPP = "ppp", _("Public-private partnership")
        INFORMAL = "informal", _("Informal network (no legal personality)")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    legal_form = models.CharField(max_length=16, choices=LegalForm.choices)
    country = models.ForeignKey("ecosystems.Country", on_delete=models.PROTECT, related_name="+")
    region = models.CharField(
        _("NUTS 2 region"), max_length=12, blank=True, help_text=_("NUTS 2 code, e.g. DE11.")
    )
    website = models.URLField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text=_("Markdown. Raw HTML is not rendered."))
    ecosystems = models.ManyToManyField("ecosystems.Ecosystem", blank=True, related_name="organisations")
    technologies = models.ManyToManyField("observatory.Technology", blank=True, related_name="organisations")
    cluster_categories = models.ManyToManyField(
        "ecosystems.ClusterCategory",
        blank=True,
        related_name="organisations",
        help_text=_("The cluster categories (cluster mapping) the organisation's members work in."),
    )
    member_count = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    sme_share = models.DecimalField(
        _("share of SMEs among members (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    year_founded = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    contact_role = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("A role, e.g. “Cluster manager”. No personal e-mail: members write through the site."),
    )
    logo = models.ImageField(
        upload_to=organisation_logo_path,
        blank=True,
        validators=[validate_cover],
        width_field="logo_width",
        height_field="logo_height",
        help_text=_("Optional. PNG, JPEG or WebP (not SVG)."),
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    status_reason = models.CharField(max_length=500, blank=True)
    is_verified = models.BooleanField(_("validated profile"), default=False)
    verification_criteria = models.TextField(
        blank=True,
        help_text=_("What staff checked, shown with the badge (e.g. legal registration, members)."),
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    managers = models.ManyToManyField(User, blank=True, related_name="managed_organisations")
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept up to date by actions (name, description).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="organisation_search_gin"),
            models.Index(fields=["status", "country"], name="organisation_status_country"),
        ]
        permissions = [
            ("approve_organisation", "Can approve a proposed organisation"),
            ("verify_organisation", "Can verify an organisation (validated profile badge)"),
            ("suspend_organisation", "Can suspend or reinstate an organisation"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = strip_control(self.name)
        self.contact_role = strip_control(self.contact_role)
        self.description = strip_control(self.description, single_line=False)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("organisations:organisation-detail", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED


class OrganisationChange(models.Model):
    """One row per change to a profile: who, when, what (fields with old and new values)."""

    class Action(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        EDITED = "edited", _("Edited")
        APPROVED = "approved", _("Approved")
        VERIFIED = "verified", _("Verified")
        UNVERIFIED = "unverified", _("Verification withdrawn")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        MANAGER_INVITED = "manager_invited", _("Co-manager invited")
        MANAGER_ADDED = "manager_added", _("Co-manager added")
        MANAGER_LEFT = "manager_left", _("Manager left")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    # {"field": [old, new]} for edits; {} otherwise.
    changes = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.organisation_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ManagerInvitation(models.Model):
    """A manager invites a member to co-manage; the invitee accepts (or it lapses)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisation_invitations")
    invited_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(accepted_at=None),
                name="invitation_open_unique",
            )
        ]

    def __str__(self):
        return f"Invitation to {self.organisation_id} for {self.user_id}"


class OfferQuerySet(models.QuerySet):
    def public(self):
        return self.filter(organisation__status=Organisation.Status.APPROVED)

    def open(self, today=None):
        today = today or timezone.localdate()
        return self.filter(closed_at=None).filter(Q(deadline=None) | Q(deadline__gte=today))


class Offer(models.Model):
    class Kind(models.TextChoices):
        PARTNER_SEARCH = "partner-search", _("Partner search")
        CALL_FOR_PARTNERS = "call-for-partners", _("Call for partners (funding call)")
        TECHNOLOGY_OFFER = "technology-offer", _("Technology offer")
        TECHNOLOGY_REQUEST = "technology-request", _("Technology request")
        VALUE_CHAIN_GAP = "value-chain-gap", _("Value-chain gap")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(help_text=_("Markdown. Raw HTML is not rendered."))
    ecosystems = models.ManyToManyField("ecosystems.Ecosystem", blank=True, related_name="offers")
    technologies = models.ManyToManyField("observatory.Technology", blank=True, related_name="offers")
    regions = ArrayField(
        models.CharField(max_length=12),
        blank=True,
        default=list,
        help_text=_("NUTS codes (or country codes) of the partners wanted; empty = anywhere."),
    )
    deadline = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [GinIndex(fields=["search_vector"], name="offer_search_gin")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = strip_control(self.title)
        self.description = strip_control(self.description, single_line=False)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("organisations:offer-detail", args=[self.pk])

    def state_on(self, today: date) -> str:
        """open | closed | expired: closed by a manager, or past its deadline."""
        if self.closed_at is not None:
            return "closed"
        if self.deadline is not None and self.deadline < today:
            return "expired"
        return "open"

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())


class InterestMessage(models.Model):
    """A member's "express interest" note to an organisation's managers (about an offer or not).

    Delivered as a notification and a relayed e-mail: neither side sees the other's address.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="interests")
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.CASCADE, related_name="interests"
    )
    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # A manager's answer points at the message it answers (and goes to that message's sender).
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Interest from {self.sender_id} in {self.offer_id or self.organisation_id}"

    def save(self, *args, **kwargs):
        self.body = strip_control(self.body, single_line=False)
        super().save(*args, **kwargs)


class Event(models.Model):
    """A matchmaking event, webinar or cluster meeting (posted by an organisation's managers)."""

    class Kind(models.TextChoices):
        MATCHMAKING = "matchmaking", _("Matchmaking")
        WEBINAR = "webinar", _("Webinar")
        MEETING = "meeting", _("Cluster meeting")
        CONFERENCE = "conference", _("Conference")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(_("place"), max_length=200, blank=True)
    is_online = models.BooleanField(_("online"), default=False)
    ecosystems = models.ManyToManyField("ecosystems.Ecosystem", blank=True, related_name="events")
    url = models.URLField(_("event page"), max_length=300, blank=True)
    description = models.TextField(blank=True, help_text=_("Markdown. Raw HTML is not rendered."))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(location="") | Q(is_online=True), name="event_has_place"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = strip_control(self.title)
        self.location = strip_control(self.location)
        self.description = strip_control(self.description, single_line=False)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("organisations:event-detail", args=[self.pk])
