"""Site-wide models: the user account (custom from the first migration) and publications."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .covers import extension, validate_cover
from .params import strip_control
from .pdf import validate_pdf


class EmailUserManager(UserManager):
    """Users are identified by email; there is no username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("display_name"),
                condition=~models.Q(display_name=""),
                name="user_display_name_ci_unique",
            )
        ]

    def __str__(self):
        # Templates print users in public places: never the e-mail address (staff see it in the
        # admin's own columns).
        from .accounts import public_name

        return public_name(self)


# --- publications -------------------------------------------------------------------------------


class Technology(models.Model):
    """An advanced technology: the tag on publications (AI, robotics, hydrogen…) and the unit of
    the technology pages (generation by WIPO field weights, uptake indicators).

    One model for both: curators may add tags in the admin (``curated=False``); the list we
    write in fixtures/reference/technologies.csv is loaded with ``curated=True`` and its
    definitions, WIPO-field weights (:class:`TechnologyField`) and uptake indicator codes.
    """

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    definition = models.TextField(blank=True)
    # "source:measure" codes of the uptake indicators that measure it (e.g. isoc_eb_ai:E_AI_TANY).
    uptake = models.JSONField(default=list, blank=True)
    uptake_note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    curated = models.BooleanField(
        default=False, help_text="From fixtures/reference/technologies.csv (written by us)."
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "technologies"

    def __str__(self):
        return self.name


class TechnologyField(models.Model):
    """How much of a WIPO technical field's patents we attribute to a technology (ours, judged).

    Many-to-many with weights: a technology draws on several fields, a field feeds several
    technologies (the weights of one field need not sum to 1: technologies overlap).
    """

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="fields")
    wipo_field = models.CharField(max_length=3)  # W01 … W35 (WIPO 2008 numbering)
    weight = models.DecimalField(max_digits=4, decimal_places=3)
    reasoning = models.TextField()

    class Meta:
        ordering = ["technology", "wipo_field"]
        constraints = [
            models.UniqueConstraint(fields=["technology", "wipo_field"], name="unique_technology_field"),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0) & models.Q(weight__lte=1), name="technology_weight_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.technology.slug} ← {self.wipo_field} × {self.weight}"


class PublicationQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: marked published and dated now or earlier."""
        return self.filter(status=Publication.Status.PUBLISHED, published_at__lte=timezone.now())

    def drafts(self):
        return self.filter(status=Publication.Status.DRAFT)

    def scheduled(self):
        return self.filter(status=Publication.Status.PUBLISHED, published_at__gt=timezone.now())


def publication_pdf_path(instance, filename):
    # The stored name is ours (slug), never the uploader's: no path tricks, no odd characters.
    return f"publications/{instance.slug}.pdf"


def publication_cover_path(instance, filename):
    # Named by slug; the extension was checked against the content by validate_cover.
    return f"publications/covers/{instance.slug}.{extension(filename)}"


class Publication(models.Model):
    """A curated report or brief. Public when status is published and `published_at` has passed;
    a published item with a future date is "scheduled"."""

    class Kind(models.TextChoices):
        TECHNOLOGY_WATCH = "technology-watch", _("Technology watch")
        POLICY_BRIEF = "policy-brief", _("Policy brief")
        SECTORAL_WATCH = "sectoral-watch", _("Sectoral watch")
        PRODUCT_WATCH = "product-watch", _("Product watch")
        EU_REPORT = "eu-report", _("EU report")
        INTERNATIONAL_REPORT = "international-report", _("International report")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published (or scheduled, if dated in the future)")

    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(help_text=_("One or two sentences, plain text: lists, feeds, search."))
    body = models.TextField(blank=True, help_text=_("Markdown. Raw HTML is not rendered."))
    authors = models.CharField(
        max_length=300, blank=True, help_text=_("As cited, e.g. “A. Rossi, B. Novak”.")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("Required to publish. A future date schedules the publication."),
    )
    pdf = models.FileField(
        _("PDF"),
        upload_to=publication_pdf_path,
        blank=True,
        validators=[validate_pdf],
        help_text=_("Optional. Must be a real PDF file."),
    )
    cover = models.ImageField(
        _("cover image"),
        upload_to=publication_cover_path,
        blank=True,
        validators=[validate_cover],
        width_field="cover_width",
        height_field="cover_height",
        help_text=_("Optional. PNG, JPEG or WebP."),
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = models.CharField(
        _("cover description"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for screen readers. Leave empty if it is decorative."),
    )
    ecosystems = models.ManyToManyField("ecosystems.Ecosystem", blank=True, related_name="publications")
    countries = models.ManyToManyField("ecosystems.Country", blank=True, related_name="publications")
    technologies = models.ManyToManyField(Technology, blank=True, related_name="publications")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "published_at"], name="publication_visible")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Control characters (form feeds pasted from PDFs) would break both publication feeds.
        self.title = strip_control(self.title)
        self.authors = strip_control(self.authors)
        self.summary = strip_control(self.summary, single_line=False)
        self.body = strip_control(self.body, single_line=False)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("publication-detail", args=[self.slug])

    def clean(self):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            raise ValidationError({"published_at": _("Give a publication date to publish (or schedule).")})

    @property
    def state(self) -> str:
        """draft | scheduled | published — the workflow state as curators see it."""
        if self.status == self.Status.DRAFT or self.published_at is None:
            return "draft"
        return "scheduled" if self.published_at > timezone.now() else "published"

    @property
    def pdf_size(self) -> int | None:
        """Bytes of the attachment, None when there is none or the file is missing."""
        try:
            return self.pdf.size if self.pdf else None
        except FileNotFoundError:
            return None

    @property
    def is_public(self) -> bool:
        return self.state == "published"
