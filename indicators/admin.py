from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.html import format_html

from ecosystems import services as taxonomy_writes

# The one allowed direct import of ecosystems.models outside ecosystems (tests/test_import_boundaries.py):
# an admin registers model classes and inlines. Its writes still go through ecosystems.services.
from ecosystems.models import (
    ClusterCategoryActivity,
    ClusterDefinitionVersion,
    ClusterParameters,
    EcosystemActivity,
    MappingVersion,
)

from . import refresh
from .loading import bump_generation
from .models import CountryGroupMember, CountryGroupVersion, DependencyRules, Indicator, Release, Run, Source
from .tasks import enqueue_recompute, enqueue_screen


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "publisher",
        "current_release",
        "publisher_updated",
        "last_checked_at",
    ]
    readonly_fields = [f.name for f in Source._meta.fields]
    actions = ["refresh_now"]

    def has_add_permission(self, request):
        return False  # sources come from the registry (indicators/registry.py)

    def has_refresh_permission(self, request):
        # Starting ingests is a change to the source, not something a view-only curator may do.
        return request.user.has_perm("indicators.change_source")

    @admin.action(description="Refresh now (ingest, then recompute)", permissions=["refresh"])
    def refresh_now(self, request, queryset):
        runs = refresh.refresh_sources([source.code for source in queryset])
        url = reverse("admin:indicators_run_changelist")
        messages.success(
            request,
            format_html(
                "{} run(s) started (ingests, then recompute); <a href='{}'>watch the runs</a>.",
                len(runs),
                url,
            ),
        )


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "source",
        "status",
        "row_count",
        "publisher_updated",
        "fetched_at",
        "sha_short",
    ]
    list_filter = ["source", "status"]
    readonly_fields = [f.name for f in Release._meta.fields]

    @admin.display(description="sha256")
    def sha_short(self, obj):
        return obj.sha256[:12]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "source",
        "status_badge",
        "progress_bar",
        "step",
        "rows",
        "created_at",
        "duration",
    ]
    list_filter = ["status", "kind", "source"]
    readonly_fields = [f.name for f in Run._meta.fields] + ["progress_bar"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="status")
    def status_badge(self, obj):
        css = {"failed": "error", "succeeded": "ok", "unchanged": "ok"}.get(obj.status, "warn")
        return format_html('<span class="badge badge-{}">{}</span>', css, obj.get_status_display())

    @admin.display(description="progress")
    def progress_bar(self, obj):
        return format_html(
            '<progress max="100" value="{}" aria-label="progress">{}%</progress> {}%',
            obj.progress,
            obj.progress,
            obj.progress,
        )


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "unit", "scope", "source"]
    readonly_fields = [f.name for f in Indicator._meta.fields]

    def has_add_permission(self, request):
        return False


class EcosystemActivityInline(admin.TabularInline):
    model = EcosystemActivity
    extra = 1
    fields = ["ecosystem", "nace", "share", "confidence", "source_note"]


@admin.register(MappingVersion)
class MappingVersionAdmin(admin.ModelAdmin):
    """The mapping's version history. Curators copy the current version, edit the copy, then make
    it current; the indicators are recomputed from whichever version is current."""

    list_display = ["__str__", "is_current", "verified", "created_at", "created_by", "row_count"]
    readonly_fields = ["number", "is_current", "created_at", "created_by"]
    inlines = [EcosystemActivityInline]
    actions = ["copy_as_new_version", "make_current"]

    @admin.display(description="rows")
    def row_count(self, obj):
        return obj.rows.count()

    def get_readonly_fields(self, request, obj=None):
        # Published versions are history: editing happens on a new copy.
        return self.readonly_fields + (["note", "verified"] if obj and obj.is_current else [])

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_current)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = taxonomy_writes.next_mapping_number()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Copy as a new draft version", permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        for version in queryset:
            copy = taxonomy_writes.copy_mapping_version(version, request.user)
            messages.success(request, f"{copy} created from {version}; edit it, then make it current.")

    @admin.action(description="Make current (then recompute indicators)", permissions=["change"])
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, "Choose exactly one version to make current.")
            return
        version = queryset.get()
        taxonomy_writes.make_mapping_current(version)
        run = enqueue_recompute()
        messages.success(request, f"{version} is current; recompute queued (run {run.pk}).")


# ---------------------------------------------------------------- strategic dependencies


class CountryGroupMemberInline(admin.TabularInline):
    model = CountryGroupMember
    extra = 1
    fields = ["partner", "group", "note"]

    def _in_use(self, obj) -> bool:
        return bool(obj and DependencyRules.objects.filter(country_groups=obj).exists())

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._in_use(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_use(obj)


@admin.register(CountryGroupVersion)
class CountryGroupVersionAdmin(admin.ModelAdmin):
    """Supplier-risk country groups (ours, versioned). A version a rules version uses is history:
    copy it into a new version to change it."""

    list_display = ["__str__", "created_at", "member_count"]
    readonly_fields = ["number", "created_at"]
    inlines = [CountryGroupMemberInline]
    actions = ["copy_as_new_version"]

    @admin.display(description="partners")
    def member_count(self, obj):
        return obj.members.count()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = (CountryGroupVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        super().save_model(request, obj, form, change)

    @admin.action(description="Copy as a new version", permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        for version in queryset:
            with transaction.atomic():
                number = (CountryGroupVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
                copy = CountryGroupVersion.objects.create(number=number, note=f"Copy of v{version.number}: ")
                CountryGroupMember.objects.bulk_create(
                    [
                        CountryGroupMember(version=copy, partner=m.partner, group=m.group, note=m.note)
                        for m in version.members.all()
                    ]
                )
            messages.success(request, f"{copy} created from {version}.")


@admin.register(DependencyRules)
class DependencyRulesAdmin(admin.ModelAdmin):
    """The screen's thresholds, as versions. A saved version is never edited (its results are
    cited by permalink); add a new one — the form starts from the current version's values — and
    the screen reruns for it. "Make current" switches the public pages to a version."""

    list_display = [
        "__str__",
        "hhi_threshold",
        "extra_share_threshold",
        "substitutability_threshold",
        "persistence",
        "created_at",
        "created_by",
    ]
    actions = ["make_current"]

    @admin.display(description="persistence")
    def persistence(self, obj):
        return f"{obj.persistence_years} of {obj.persistence_window} years"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["number", "is_current", "created_at", "created_by"]
        return [f.name for f in DependencyRules._meta.fields]

    def get_changeform_initial_data(self, request):
        current = DependencyRules.objects.filter(is_current=True).first()
        if current is None:
            return super().get_changeform_initial_data(request)
        fields = [
            f.name
            for f in DependencyRules._meta.fields
            if f.name not in {"id", "number", "is_current", "created_at", "created_by", "note"}
        ]
        initial = {name: getattr(current, name) for name in fields}
        initial["country_groups"] = current.country_groups_id
        initial["note"] = f"Changed from v{current.number}: "
        return initial

    def has_delete_permission(self, request, obj=None):
        return False  # results and permalinks refer to every version

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = (DependencyRules.objects.aggregate(n=Max("number"))["n"] or 0) + 1
            obj.created_by = request.user
            obj.is_current = False
        super().save_model(request, obj, form, change)
        if not change:
            run = enqueue_screen(obj.pk)
            messages.success(
                request, f"{obj} saved; the screen runs for it (run {run.pk}). Make it current to publish it."
            )

    @admin.action(description="Make current (the public pages show this version)", permissions=["change"])
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, "Choose exactly one version to make current.")
            return
        version = queryset.get()
        with transaction.atomic():
            DependencyRules.objects.filter(is_current=True).update(is_current=False)
            DependencyRules.objects.filter(pk=version.pk).update(is_current=True)
            bump_generation()
        run = enqueue_screen(version.pk)
        messages.success(request, f"{version} is current; the screen reruns for it (run {run.pk}).")


class ClusterCategoryActivityInline(admin.TabularInline):
    model = ClusterCategoryActivity
    extra = 1
    fields = ["category", "nace", "weight", "traded_share", "naics_count", "confidence", "source_note"]


@admin.register(ClusterDefinitionVersion)
class ClusterDefinitionVersionAdmin(admin.ModelAdmin):
    """The cluster categories' NACE weights, versioned like the ecosystem mapping: copy the current
    version, edit the copy, make it current; the cluster indicators are recomputed."""

    list_display = ["__str__", "is_current", "created_at", "created_by", "row_count"]
    readonly_fields = ["number", "is_current", "created_at", "created_by"]
    inlines = [ClusterCategoryActivityInline]
    actions = ["copy_as_new_version", "make_current"]

    @admin.display(description="rows")
    def row_count(self, obj):
        return obj.rows.count()

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["note"] if obj and obj.is_current else [])

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_current)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = taxonomy_writes.next_cluster_definition_number()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Copy as a new draft version", permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        for version in queryset:
            copy = taxonomy_writes.copy_cluster_definition(version, request.user)
            messages.success(request, f"{copy} created from {version}; edit it, then make it current.")

    @admin.action(description="Make current (then recompute indicators)", permissions=["change"])
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, "Choose exactly one version to make current.")
            return
        version = queryset.get()
        taxonomy_writes.make_cluster_definition_current(version)
        run = enqueue_recompute()
        messages.success(request, f"{version} is current; recompute queued (run {run.pk}).")


@admin.register(ClusterParameters)
class ClusterParametersAdmin(admin.ModelAdmin):
    """Cluster thresholds with history: saving always writes a NEW version that becomes current;
    the previous versions stay (read-only), and so do their stars (by permalink ?params=N)."""

    list_display = ["__str__", *ClusterParameters.THRESHOLDS, "created_at", "created_by"]
    readonly_fields = ["number", "is_current", "created_at", "created_by"]

    def has_delete_permission(self, request, obj=None):
        return False  # a version may be cited by a permalink

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            number = taxonomy_writes.retire_current_cluster_parameters()
            obj.pk, obj.number, obj.is_current, obj.created_by = None, number, True, request.user
            super().save_model(request, obj, form, False)
        run = enqueue_recompute()
        messages.success(
            request, f"Saved as {obj}; the earlier versions stay. Recompute queued (run {run.pk})."
        )
