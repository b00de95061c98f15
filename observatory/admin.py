"""Curators work here: publications (with a drafts list, publish/unpublish, preview) and tags."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import actions
from .models import Publication, Technology, TechnologyField


class StateFilter(admin.SimpleListFilter):
    """Workflow state: "scheduled" is a published item dated in the future."""

    title = _("workflow state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", _("Drafts")), ("scheduled", _("Scheduled")), ("published", _("Public now"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = Q(status=Publication.Status.PUBLISHED)
        match self.value():
            case "draft":
                return queryset.filter(Q(status=Publication.Status.DRAFT) | Q(published_at__isnull=True))
            case "scheduled":
                return queryset.filter(published, published_at__gt=now)
            case "published":
                return queryset.filter(published, published_at__lte=now)
        return queryset


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "state_badge", "published_at", "authors", "preview_link"]
    list_filter = [StateFilter, "status", "kind", "ecosystems", ("published_at", admin.DateFieldListFilter)]
    search_fields = ["title", "slug", "summary", "authors", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    filter_horizontal = ["ecosystems", "technologies"]
    autocomplete_fields = ["countries"]
    readonly_fields = ["created_at", "updated_at", "preview_link"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "authors", "summary", "body"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "preview_link", "created_at", "updated_at"]}),
        (_("Attachment and cover"), {"fields": ["pdf", "cover", "cover_alt"]}),
        (_("Tags"), {"fields": ["ecosystems", "countries", "technologies"]}),
    ]

    @admin.display(description=_("state"))
    def state_badge(self, obj):
        return obj.state

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        if not obj.pk:
            return "—"
        label = _("view") if obj.is_public else _("preview (not public)")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label
        )

    @admin.action(description=_("Publish selected (undated ones dated now)"), permissions=["change"])
    def publish(self, request, queryset):
        count = actions.publish_publications(queryset)
        self.message_user(
            request,
            ngettext("%d publication published.", "%d publications published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = actions.unpublish_publications(queryset)
        self.message_user(
            request,
            ngettext("%d publication back to draft.", "%d publications back to draft.", count) % count,
            messages.SUCCESS,
        )


class TechnologyFieldInline(admin.TabularInline):
    model = TechnologyField
    extra = 0


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    inlines = [TechnologyFieldInline]
    list_display = ["name", "slug", "curated", "order"]

    def save_related(self, request, form, formsets, change):
        """Changed WIPO-field weights change the technology figures: queue a recompute."""
        super().save_related(request, form, formsets, change)
        if any(f.has_changed() for formset in formsets for f in formset.forms):
            from indicators.loading import bump_generation
            from indicators.tasks import enqueue_recompute

            bump_generation()
            run = enqueue_recompute()
            self.message_user(request, f"WIPO-field weights changed: recompute queued (run {run.pk}).")

    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
