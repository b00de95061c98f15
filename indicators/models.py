"""The data engine's tables: sources, releases (vintages), observations, indicators, runs."""

from django.conf import settings
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

    # No index of its own (iv_by_ecosystem and iv_by_geo start with it) and, on both foreign keys,
    # no database-level check: rows are written only by `refresh.swap_indicator_values`, for the
    # registry's indicators (synced first) and current releases; ORM deletes still cascade. The
    # per-row triggers and the two redundant indexes were half the COPY of 1.3 M regional values
    # (43.9 s -> 19.8 s, PostgreSQL 15 here). Like Observation.release.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", db_index=False, db_constraint=False
    )
    ecosystem = models.CharField(max_length=120)
    geo = models.CharField(max_length=16)
    period = models.CharField(max_length=10)
    value = models.FloatField(null=True)
    # The publisher's flags, carried from the inputs (Eurostat letters; see indicators/flags.py).
    flags = models.CharField(max_length=8, blank=True)
    # Our own markers, kept apart from the publisher's flags (indicators/compute/markers.py):
    # A = aggregate computed by us, I = incomplete, E = includes our estimate.
    markers = models.CharField(max_length=8, blank=True, default="")
    rank = models.PositiveSmallIntegerField(null=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+", db_constraint=False)
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
    # While a refresh runs and its pages are warmed, pages keep being served from this older
    # generation's payloads (until hold_until at the latest); see indicators/payloads.py.
    served_generation = models.PositiveIntegerField(default=0)
    hold_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"data generation {self.generation}"


class PagePayload(models.Model):
    """What one page needs, built once per data generation (indicators/payloads.py): the page
    family, its canonical parameters and the generation it was built from, and the context the
    template renders (pickled, zlib-compressed: it holds panels, tables and taxonomy rows)."""

    family = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    generation = models.PositiveIntegerField()
    data = models.BinaryField()
    built_at = models.DateTimeField(auto_now_add=True)
    build_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "key", "generation"], name="payload_unique"),
        ]

    def __str__(self):
        return f"{self.family} {self.key} g{self.generation}"


class PageFragment(models.Model):
    """The heavy part of a page (its {% prebuilt %} block: panels, tables, figures) rendered once
    per payload × language × canonical query string (indicators/fragments.py): the HTML with the
    site's origin and the citation date as tokens, zlib-compressed."""

    family = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    generation = models.PositiveIntegerField()
    build = models.CharField(max_length=16, db_default="")  # the code it was rendered with (StoredPage)
    language = models.CharField(max_length=8)
    query = models.CharField(max_length=400)
    html = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["family", "key", "generation", "build", "language", "query"],
                name="fragment_unique",
            ),
        ]

    def __str__(self):
        return f"{self.family} {self.key} g{self.generation} {self.language} ?{self.query}"


class StoredPage(models.Model):
    """A whole anonymous page built from a payload (indicators/fragments.py): rendered once per
    data generation × language × path × canonical query, when nothing on it changes without a
    refresh (the forum, organisation and publication panels are loaded on their own). The HTML
    with the site's origin and the citation date as tokens, zlib-compressed: the page cache's
    source when Redis does not hold the page."""

    generation = models.PositiveIntegerField()
    # The code it was rendered with (fragments.build_id: templates, template tags and views,
    # translations, static file names): a page stored by an earlier deploy is never served.
    build = models.CharField(max_length=16)
    language = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    query = models.CharField(max_length=400)
    html = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "build", "language", "path", "query"], name="stored_page_unique"
            ),
        ]

    def __str__(self):
        return f"g{self.generation} {self.build} {self.language} {self.path}?{self.query}"


class Run(models.Model):
    """One ingest / recompute / refresh job, as admins watch it."""

    class Kind(models.TextChoices):
        INGEST = "ingest", _("Ingest")
        RECOMPUTE = "recompute", _("Recompute")
        WARM = "warm", _("Pre-build pages")

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


# ---------------------------------------------------------------- strategic dependencies


class CountryGroupVersion(models.Model):
    """A version of the supplier-risk country groups we write (fixtures/reference/country_groups.csv)."""

    number = models.PositiveIntegerField(unique=True)
    note = models.TextField(blank=True, help_text=_("What changed in this version and why."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"country groups v{self.number}"


class CountryGroupMember(models.Model):
    class Group(models.TextChoices):
        EEA_EFTA = "eea_efta", _("EEA / EFTA")
        CANDIDATES = "candidates", _("EU candidate countries")
        LIKE_MINDED = "like_minded", _("G7 and other like-minded partners")

    version = models.ForeignKey(CountryGroupVersion, on_delete=models.CASCADE, related_name="members")
    partner = models.CharField(max_length=4, help_text=_("Eurostat geo code (EL, UK, RS…)."))
    group = models.CharField(max_length=16, choices=Group.choices)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "partner"], name="one_group_per_partner")]

    def __str__(self):
        return f"{self.partner} in {self.group} (v{self.version.number})"


class DependencyRules(models.Model):
    """A version of the dependency screen's thresholds and rules. Versions are never edited once
    results exist: a curator adds a new version (the admin copies the current one), the screen
    reruns for it, and the old version's results stay reachable by permalink (?rules=N)."""

    number = models.PositiveIntegerField(unique=True)
    note = models.TextField(help_text=_("What changed in this version and why."))
    is_current = models.BooleanField(default=False)
    hhi_threshold = models.FloatField(
        default=0.4, help_text=_("Criterion 1: HHI of extra-EU suppliers above.")
    )
    extra_share_threshold = models.FloatField(
        default=0.5,
        help_text=_("Criterion 2: extra-EU share of all imports above (unverified in SWD(2021) 352)."),
    )
    substitutability_threshold = models.FloatField(
        default=1.0, help_text=_("Criterion 3: extra-EU imports ÷ exports above.")
    )
    require_substitutability = models.BooleanField(
        default=False,
        help_text=_(
            "Flag only when criterion 3 can be computed (exports loaded). Off: judge on 1 and 2 then."
        ),
    )
    min_extra_imports = models.FloatField(
        default=0, help_text=_("EUR; product-years with less extra-EU imports are not judged.")
    )
    persistence_years = models.PositiveSmallIntegerField(default=2)
    persistence_window = models.PositiveSmallIntegerField(default=3)
    spof_share = models.FloatField(
        default=0.5, help_text=_("Single point of failure: top supplier's share of extra-EU imports above.")
    )
    hhi_rise = models.FloatField(
        default=0.1, help_text=_("Early warning: HHI up by more than this over the window.")
    )
    share_jump = models.FloatField(
        default=0.2,
        help_text=_("Early warning: a supplier's share of extra-EU imports up by more than this in a year."),
    )
    low_risk_groups = models.JSONField(
        default=list, help_text=_("Country groups counted as low-risk suppliers.")
    )
    country_groups = models.ForeignKey(CountryGroupVersion, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("dependency screen rules")
        verbose_name_plural = _("dependency screen rules")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_rules"
            ),
            models.CheckConstraint(
                condition=models.Q(persistence_years__lte=models.F("persistence_window")),
                name="persistence_within_window",
            ),
        ]

    def __str__(self):
        return f"rules v{self.number}" + (" (current)" if self.is_current else "")


class DependencyResult(models.Model):
    """One importer × CN8 product × year of the screen, for one rules version and trade release."""

    rules = models.ForeignKey(DependencyRules, on_delete=models.CASCADE, related_name="results")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    importer = models.CharField(max_length=16)  # EU27_2020 or a member state
    product = models.CharField(max_length=8)
    period = models.CharField(max_length=4)
    total = models.FloatField()
    intra = models.FloatField()
    extra = models.FloatField()
    exports = models.FloatField(null=True)
    hhi = models.FloatField(null=True)
    extra_share = models.FloatField(null=True)
    substitutability = models.FloatField(null=True)
    suppliers = models.PositiveIntegerField(default=0)
    top_partner = models.CharField(max_length=4, blank=True)
    top_share = models.FloatField(null=True)
    hhi_risk = models.FloatField(null=True)
    risky_share = models.FloatField(null=True)
    top_risky_partner = models.CharField(max_length=4, blank=True)
    top_risky_share = models.FloatField(null=True)
    judged = models.BooleanField()
    crit_concentration = models.BooleanField()
    crit_extra_share = models.BooleanField()
    crit_substitutability = models.BooleanField(null=True)  # None: exports not loaded
    flagged = models.BooleanField()
    flagged_risk = models.BooleanField()
    spof = models.BooleanField()
    persistent = models.BooleanField()
    years_judged = models.PositiveSmallIntegerField()
    years_flagged = models.PositiveSmallIntegerField()
    newly_flagged = models.BooleanField()
    left_list = models.BooleanField()
    hhi_rising = models.BooleanField()
    share_jumped = models.BooleanField()
    jump_partner = models.CharField(max_length=4, blank=True)
    share_jump = models.FloatField(null=True)
    family = models.CharField(max_length=8, blank=True)  # chained CN family (codes that changed)

    class Meta:
        indexes = [models.Index(fields=["rules", "release", "importer", "period"], name="dep_by_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["rules", "release", "importer", "product", "period"], name="one_dep_result"
            )
        ]

    def __str__(self):
        return f"{self.importer} {self.product} {self.period} (rules {self.rules_id})"


class DependencySupplier(models.Model):
    """An importer-product-year's top suppliers (from the trade release; the rules don't change them)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    importer = models.CharField(max_length=16)
    product = models.CharField(max_length=8)
    period = models.CharField(max_length=4)
    partner = models.CharField(max_length=4)
    value = models.FloatField()
    share = models.FloatField(null=True)  # of all imports
    share_of_extra = models.FloatField(null=True)  # of extra-EU imports (None for intra-EU partners)
    intra = models.BooleanField()
    risk_group = models.CharField(max_length=16)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["release", "product", "importer"], name="dep_supplier_by_product")]

    def __str__(self):
        return f"{self.partner} → {self.importer} {self.product} {self.period}"


class TradeProduct(models.Model):
    """A screened CN8 product: its label and where it sits in CPA 2.1 / NACE Rev. 2 (from the
    publisher's CN2022 and CN2022 -> CPA 2.1 tables), filled by each screen run."""

    code = models.CharField(max_length=8, primary_key=True)
    label = models.TextField(blank=True)
    cpa = models.CharField(max_length=12, blank=True)  # e.g. 08.99.29
    nace = models.CharField(max_length=8, blank=True)  # NACE class in Eurostat's form, e.g. B0899

    def __str__(self):
        return f"{self.code} {self.label[:60]}"


# ---------------------------------------------------------------- our input concordance


class InputConcordanceVersion(models.Model):
    """A version of our ecosystem → imported-input concordance (fixtures/reference/ecosystem_inputs.csv):
    which screened CN8 products each ecosystem *uses* (not an input-output table; judged, with sources)."""

    number = models.PositiveIntegerField(unique=True)
    note = models.TextField(blank=True, help_text=_("What changed in this version and why."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"input concordance v{self.number}"


class EcosystemInput(models.Model):
    class Confidence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    version = models.ForeignKey(InputConcordanceVersion, on_delete=models.CASCADE, related_name="inputs")
    ecosystem = models.ForeignKey("ecosystems.Ecosystem", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=8, help_text=_("CN8 code of the screened product."))
    use = models.CharField(max_length=200, help_text=_("What the ecosystem uses it for."))
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    reasoning = models.TextField()
    sources = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "ecosystem", "product"], name="one_input_row_per_product"
            )
        ]

    def __str__(self):
        return f"{self.ecosystem_id} uses {self.product} (v{self.version.number})"
