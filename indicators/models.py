"""The data engine's tables: sources, releases (vintages), observations, indicators, runs."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """A dataset we ingest. Rows mirror `indicators.registry.SOURCES` (the registry is the truth)."""

    code = models.CharField(max_length=64, primary_key=True)
    publisher = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    licence = models.CharField(max_length=300)
    credit = models.CharField(max_length=300)
    remote_url = models.URLField(max_length=500)
    kind = models.CharField(max_length=20)  # observations | geometry
    current_release = models.ForeignKey(
        "Release", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publisher_updated = models.DateField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Release(models.Model):
    """One vintage of a dataset: the exact bytes we fetched (by sha256) and what they held."""

    class Status(models.TextChoices):
        CURRENT = "current", _("Current")
        SUPERSEDED = "superseded", _("Superseded")

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="releases")
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()
    format = models.CharField(max_length=32)
    dimensions = models.JSONField(default=list)
    labels = models.JSONField(default=dict, blank=True)
    publisher_updated = models.DateField(null=True, blank=True)
    fetched_from = models.CharField(max_length=500)
    fetched_at = models.DateTimeField(default=timezone.now)
    raw_path = models.CharField(max_length=500)
    row_count = models.PositiveIntegerField(default=0)
    period_min = models.CharField(max_length=10, blank=True)
    period_max = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)

    class Meta:
        ordering = ["source", "-fetched_at"]
        get_latest_by = "fetched_at"
        constraints = [models.UniqueConstraint(fields=["source", "sha256"], name="release_source_sha_unique")]

    def __str__(self):
        return f"{self.source_id} @ {self.vintage_label}"

    @property
    def vintage_label(self) -> str:
        """How a figure cites this release: the publisher's update date, else our fetch date."""
        if self.publisher_updated:
            return f"{self.publisher_updated:%Y-%m-%d} (release {self.pk})"
        return f"fetched {self.fetched_at:%Y-%m-%d} (release {self.pk})"


class Observation(models.Model):
    """One value of a release, tidy. Dimension roles come from the registry (geo, nace, measure…).

    Loaded with PostgreSQL COPY (see `indicators.loading`); never row by row through the ORM.
    """

    # No separate index (obs_lookup starts with release) and no database-level FK check: rows are
    # only written by `loading.copy_observations` under a release created in the same transaction,
    # and the per-row FK trigger cost ~20% of load time (make bench).
    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="observations", db_index=False, db_constraint=False
    )
    geo = models.CharField(max_length=16)
    nace = models.CharField(max_length=24, blank=True)
    measure = models.CharField(max_length=40, blank=True)
    unit = models.CharField(max_length=24, blank=True)
    size = models.CharField(max_length=16, blank=True)
    extra = models.CharField(max_length=120, blank=True)  # other dimensions, "dim=code|dim=code"
    period = models.CharField(max_length=10)
    value = models.FloatField(null=True)
    flags = models.CharField(max_length=8, blank=True)

    class Meta:
        indexes = [models.Index(fields=["release", "measure", "geo", "period"], name="obs_lookup")]

    def __str__(self):
        return f"{self.geo} {self.nace} {self.measure} {self.period} = {self.value}{self.flags}"


class Geometry(models.Model):
    """A GISCO NUTS region outline from a geometry release (GeoJSON geometry, EPSG:4326)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="geometries")
    nuts_id = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    country = models.CharField(max_length=4)
    name = models.CharField(max_length=200)
    geometry = models.JSONField()

    class Meta:
        verbose_name_plural = "geometries"
        indexes = [models.Index(fields=["release", "level", "country"], name="geom_lookup")]

    def __str__(self):
        return f"{self.nuts_id} {self.name}"


class Indicator(models.Model):
    """A computed indicator (mirrors `indicators.registry.INDICATORS`)."""

    code = models.CharField(max_length=40, primary_key=True)
    title = models.CharField(max_length=200)
    unit = models.CharField(max_length=60)
    description = models.TextField()
    scope = models.CharField(max_length=20)  # country | region
    higher_is_better = models.BooleanField(null=True)
    decimals = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="indicators")

    class Meta:
        ordering = ["scope", "code"]

    def __str__(self):
        return self.title


class IndicatorValue(models.Model):
    """A computed value. All values of one computation are swapped in within one transaction.

    `ecosystem` holds the value's breakdown key: an ecosystem slug for most indicators, or the
    key of the breakdown the indicator's registry entry names (a NACE code, a technology...).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    ecosystem = models.CharField(max_length=60)
    geo = models.CharField(max_length=16)
    period = models.CharField(max_length=10)
    value = models.FloatField(null=True)
    # The publisher's flags, carried from the inputs (Eurostat letters; see indicators/flags.py).
    flags = models.CharField(max_length=8, blank=True)
    # Our own markers, kept apart from the publisher's flags (indicators/compute/markers.py):
    # A = aggregate computed by us, I = incomplete, E = includes our estimate.
    markers = models.CharField(max_length=8, blank=True, default="")
    rank = models.PositiveSmallIntegerField(null=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    mapping_version = models.PositiveIntegerField()
    # Regional values: the code and NUTS version as published, beside the harmonised `geo`
    # (NUTS 2021). Empty when the value was published under `geo` itself.
    published_geo = models.CharField(max_length=120, blank=True, default="")
    geo_version = models.CharField(max_length=12, blank=True, default="")
    # Changes: the base year the value is measured from (the end year is `period`).
    base_period = models.CharField(max_length=10, blank=True, default="")
    # EU aggregates: member states missing (marker I) and estimated (marker E), space-separated.
    missing_geos = models.CharField(max_length=120, blank=True, default="")
    estimated_geos = models.CharField(max_length=120, blank=True, default="")
    # Values that depend on a threshold set (cluster stars): the ClusterParameters version
    # they were computed with; null for every other value. Each version's values are kept.
    parameter_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["indicator", "ecosystem", "period"], name="iv_by_ecosystem"),
            models.Index(fields=["indicator", "geo", "period"], name="iv_by_geo"),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.ecosystem} {self.geo} {self.period}"


class DataState(models.Model):
    """A single row: the data generation. Bumped once per successful ingest/recompute so that
    every page cache keyed on it is invalidated at once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    generation = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"data generation {self.generation}"


class Run(models.Model):
    """One ingest / recompute / refresh job, as admins watch it."""

    class Kind(models.TextChoices):
        INGEST = "ingest", _("Ingest")
        RECOMPUTE = "recompute", _("Recompute")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        UNCHANGED = "unchanged", _("Unchanged")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=12, choices=Kind.choices)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    rows = models.PositiveIntegerField(default=0)
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(blank=True)
    error = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self):
        target = self.source_id or "all indicators"
        return f"{self.get_kind_display()} {target} — {self.get_status_display()}"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
