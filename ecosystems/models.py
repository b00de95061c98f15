"""The shared taxonomy and places: countries, NUTS regions, NACE activities, ecosystems.

Imported by the other apps; imports neither of them.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.Model):
    """A Eurostat geo code at country or aggregate level (EL = Greece, EU27_2020 = the EU)."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        AGGREGATE = "aggregate", _("Aggregate")

    code = models.CharField(max_length=16, primary_key=True)
    name = models.CharField(max_length=120)
    iso2 = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COUNTRY)
    eu27_2020 = models.BooleanField("EU27 (from 2020) member", default=False)
    efta = models.BooleanField("EFTA member", default=False)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return f"{self.name} ({self.code})"


class Region(models.Model):
    """A NUTS region in one NUTS version; codes recur across versions with different borders."""

    code = models.CharField(max_length=12)
    version = models.PositiveSmallIntegerField(choices=[(2013, "2013"), (2016, "2016"), (2021, "2021")])
    level = models.PositiveSmallIntegerField()
    country = models.CharField(max_length=4)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="region_code_version_unique")]
        indexes = [models.Index(fields=["country", "level", "version"])]

    def __str__(self):
        return f"{self.code} {self.name} (NUTS {self.version})"


class NutsChange(models.Model):
    """One row of the official NUTS change tables (old code -> new code between versions)."""

    from_version = models.PositiveSmallIntegerField()
    to_version = models.PositiveSmallIntegerField()
    old_code = models.CharField(max_length=12, blank=True)
    new_code = models.CharField(max_length=12, blank=True)
    change = models.CharField(max_length=40)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["from_version", "old_code"]
        indexes = [models.Index(fields=["from_version", "to_version", "old_code"])]

    def __str__(self):
        return f"{self.old_code or '—'} → {self.new_code or '—'} ({self.from_version}→{self.to_version})"


class Activity(models.Model):
    """A NACE Rev. 2 item. `code` is Eurostat's data form (C254); `dotted` the classification's (25.4)."""

    code = models.CharField(max_length=24, primary_key=True)
    dotted = models.CharField(max_length=24, db_index=True)
    level = models.PositiveSmallIntegerField()  # 1 section .. 4 class; 0 = Eurostat aggregate
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    section = models.CharField(max_length=2, blank=True)
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "activities"

    def __str__(self):
        return f"{self.code} {self.name}"


class CodeLabel(models.Model):
    """A publisher code list entry (Eurostat .dic): dimension, code, label. Used to validate input."""

    dimension = models.CharField(max_length=32)
    code = models.CharField(max_length=64)
    label = models.TextField()

    class Meta:
        ordering = ["dimension", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="codelabel_dimension_code_unique")
        ]

    def __str__(self):
        return f"{self.dimension}:{self.code}"


class Ecosystem(models.Model):
    """One of the 14 industrial ecosystems of the EU industrial strategy."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=60, blank=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class MappingVersion(models.Model):
    """A version of the ecosystem ↔ NACE mapping. Exactly one is current; older ones stay readable."""

    number = models.PositiveIntegerField(unique=True)
    note = models.TextField(blank=True, help_text=_("What changed in this version and why."))
    is_current = models.BooleanField(default=False)
    verified = models.BooleanField(
        default=False, help_text=_("Checked against the Commission's official allocation table.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_mapping",
            )
        ]

    def __str__(self):
        state = " (current)" if self.is_current else ""
        return f"Mapping v{self.number}{state}"


class EcosystemActivity(models.Model):
    """A row of the mapping: `share` (0–1) of a NACE activity's figures belongs to an ecosystem."""

    class Confidence(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    version = models.ForeignKey(MappingVersion, on_delete=models.CASCADE, related_name="rows")
    ecosystem = models.ForeignKey(Ecosystem, on_delete=models.CASCADE, related_name="activities")
    nace = models.CharField(max_length=24, help_text=_("Eurostat form, e.g. C25 or C254."))
    share = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    confidence = models.CharField(max_length=8, choices=Confidence.choices, default=Confidence.LOW)
    source_note = models.TextField(blank=True)

    class Meta:
        ordering = ["ecosystem__order", "nace"]
        verbose_name_plural = "ecosystem activities"
        constraints = [
            models.UniqueConstraint(fields=["version", "ecosystem", "nace"], name="mapping_row_unique"),
            models.CheckConstraint(
                condition=models.Q(share__gte=0) & models.Q(share__lte=1), name="mapping_share_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.ecosystem} ← {self.nace} × {self.share}"


class NutsConversion(models.Model):
    """One overlap of a NUTS region with a region of a later version (JRC NUTS converter).

    Weights of the overlap: area (km²), resident population 2018 and 2011, artificial
    surfaces 2018 and 2012. The weight of a flow from ``from_code`` to ``to_code`` is this
    row's population over the sum of ``from_code``'s rows (see indicators/compute/nuts.py).
    """

    level = models.PositiveSmallIntegerField()
    from_version = models.PositiveSmallIntegerField()
    to_version = models.PositiveSmallIntegerField()
    from_code = models.CharField(max_length=12)
    to_code = models.CharField(max_length=12)
    areakm = models.FloatField("area (km²)")
    pop18 = models.FloatField("population 2018")
    pop11 = models.FloatField("population 2011")
    artif_surf18 = models.FloatField("artificial surfaces 2018")
    artif_surf12 = models.FloatField("artificial surfaces 2012")

    class Meta:
        ordering = ["level", "from_version", "to_version", "from_code", "to_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "from_version", "to_version", "from_code", "to_code"],
                name="nutsconversion_overlap_unique",
            )
        ]
        indexes = [models.Index(fields=["level", "to_version"])]

    def __str__(self):
        return f"{self.from_code} ({self.from_version}) ∩ {self.to_code} ({self.to_version})"


class ClusterCategory(models.Model):
    """A cluster category: one of the 51 US benchmark traded clusters translated to NACE, or one
    of the 10 emerging industries (our NACE approximations). Their NACE rows are versioned
    (ClusterDefinitionVersion); the categories themselves are stable keys."""

    class Kind(models.TextChoices):
        TRADED = "traded", _("Traded")
        EMERGING = "emerging", _("Emerging industry")

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    us_name = models.CharField(
        max_length=120, blank=True, help_text=_("The US Cluster Mapping name (traded categories).")
    )
    approximation = models.BooleanField(
        default=False, help_text=_("Our own approximation, not a published definition.")
    )
    sbs_coverage = models.FloatField(
        default=1.0,
        help_text=_(
            "Share of the definition (NAICS count) in activities the regional SBS publish (B–N, S95)."
        ),
    )
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "cluster categories"

    def __str__(self):
        return self.name


class ClusterDefinitionVersion(models.Model):
    """A version of the category ↔ NACE weights. Exactly one is current; older ones stay readable."""

    number = models.PositiveIntegerField(unique=True)
    note = models.TextField(blank=True, help_text=_("What changed in this version and why."))
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_cluster_definition",
            )
        ]

    def __str__(self):
        return f"Cluster definitions v{self.number}{' (current)' if self.is_current else ''}"


class ClusterCategoryActivity(models.Model):
    """A row of the definitions: the category's part of a NACE division is
    ``traded_share × weight`` (traded: weights sum to 1 per division over the traded
    categories; emerging: ``weight`` is the judged share, ``traded_share`` 1)."""

    version = models.ForeignKey(ClusterDefinitionVersion, on_delete=models.CASCADE, related_name="rows")
    category = models.ForeignKey(ClusterCategory, on_delete=models.CASCADE, related_name="activities")
    nace = models.CharField(max_length=24, help_text=_("Eurostat form, e.g. C25."))
    weight = models.DecimalField(
        max_digits=8, decimal_places=6, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    traded_share = models.DecimalField(
        max_digits=8,
        decimal_places=6,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("The part of the division the US definitions call traded (its linked NAICS count)."),
    )
    naics_count = models.FloatField(null=True, blank=True, help_text=_("Fractional count of linked NAICS."))
    confidence = models.CharField(max_length=8, default="low")
    source_note = models.TextField(blank=True)

    class Meta:
        ordering = ["category__order", "nace"]
        verbose_name_plural = "cluster category activities"
        constraints = [
            models.UniqueConstraint(fields=["version", "category", "nace"], name="cluster_row_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=1), name="cluster_weight_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.category} ← {self.nace} × {self.weight}"


class ClusterLinkage(models.Model):
    """A related-cluster link of the US Cluster Mapping Project (ClusterLinkage.xlsx)."""

    core = models.ForeignKey(ClusterCategory, on_delete=models.CASCADE, related_name="links")
    linked = models.ForeignKey(ClusterCategory, on_delete=models.CASCADE, related_name="+")
    strength = models.CharField(max_length=20)

    class Meta:
        ordering = ["core__order", "linked__order"]
        constraints = [models.UniqueConstraint(fields=["core", "linked"], name="cluster_link_unique")]

    def __str__(self):
        return f"{self.core} → {self.linked} ({self.strength})"


class ClusterParameters(models.Model):
    """A version of the cluster star and "strong cluster" thresholds. Editing in admin saves a
    new version (the old one stays, and its results stay reachable by permalink)."""

    number = models.PositiveIntegerField(unique=True)
    is_current = models.BooleanField(default=False)
    note = models.TextField(blank=True, help_text=_("What changed in this version and why."))
    size_top_share = models.FloatField(
        default=0.10,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Size star: the region is in this top share of regions by category employment."),
    )
    specialisation_lq = models.FloatField(default=2.0, help_text=_("Specialisation star: LQ at least this."))
    productivity_ratio = models.FloatField(
        default=1.0,
        help_text=_("Productivity star: wages per person employed at least this × the category's EU level."),
    )
    dynamism_margin = models.FloatField(
        default=0.0,
        help_text=_(
            "Dynamism star: employment growth over the window at least the category's EU growth "
            "plus this many percentage points."
        ),
    )
    growth_window = models.PositiveSmallIntegerField(default=3, help_text=_("Years of the growth window."))
    us_lq_percentile = models.FloatField(
        default=0.75,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("US rule: LQ percentile."),
    )
    us_lq_min = models.FloatField(default=1.0, help_text=_("US rule: LQ at least this too."))
    us_size_percentile = models.FloatField(
        default=0.25,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("US rule: employment and local units at least this percentile."),
    )
    strong_min_stars = models.PositiveSmallIntegerField(
        default=2, help_text=_("Cluster strength (stars method): categories with at least this many stars.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    THRESHOLDS = (
        "size_top_share",
        "specialisation_lq",
        "productivity_ratio",
        "dynamism_margin",
        "growth_window",
        "us_lq_percentile",
        "us_lq_min",
        "us_size_percentile",
        "strong_min_stars",
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = "cluster parameter set"
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_cluster_parameters",
            )
        ]

    def __str__(self):
        return f"Cluster thresholds v{self.number}{' (current)' if self.is_current else ''}"

    def thresholds(self) -> dict:
        return {name: getattr(self, name) for name in self.THRESHOLDS}
