"""Staff manage spaces and memberships here; moderation itself happens on the forum pages (logged)."""

from django.contrib import admin

from .models import Flag, Membership, ModerationLog, Post, PostRevision, Space, Thread


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    raw_id_fields = ["user"]
    fields = ["user", "role", "is_suspended", "suspended_reason"]


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_private", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "space",
        "author",
        "last_activity_at",
        "reply_count",
        "is_pinned",
        "is_locked",
        "is_hidden",
    ]
    list_filter = ["space", "is_hidden", "is_locked"]
    search_fields = ["title"]
    readonly_fields = [
        "space",
        "author",
        "title",
        "target_kind",
        "target_key",
        "last_activity_at",
        "reply_count",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # no post is ever lost: hide or move instead (logged)

    def has_change_permission(self, request, obj=None):
        return False


class RevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "edited_by", "title", "body"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["pk", "thread", "author", "created_at", "is_hidden", "deleted_at"]
    list_filter = ["is_hidden"]
    search_fields = ["plain"]
    readonly_fields = [
        "thread",
        "author",
        "body",
        "created_at",
        "edited_at",
        "deleted_at",
        "is_hidden",
        "hidden_reason",
    ]
    fields = readonly_fields
    inlines = [RevisionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["post", "user", "reason", "created_at", "resolved_at"]
    readonly_fields = ["post", "user", "reason", "created_at", "resolved_at", "resolved_by"]


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "space", "thread", "post", "target_user", "reason"]
    list_filter = ["action", "space"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- organisations: staff approve, verify and suspend here (admin actions with permissions) ------

from django.contrib import messages  # noqa: E402

from .organisations import actions as org_actions  # noqa: E402
from .organisations.models import Event, Offer, Organisation, OrganisationChange  # noqa: E402


class OrganisationChangeInline(admin.TabularInline):
    model = OrganisationChange
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "action", "changes", "reason"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "status", "is_verified", "created_at"]
    list_filter = ["status", "is_verified", "country"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["managers", "ecosystems", "technologies"]
    raw_id_fields = ["proposed_by"]
    readonly_fields = [
        "status",
        "status_reason",
        "is_verified",
        "verification_criteria",
        "verified_at",
        "proposed_by",
    ]
    inlines = [OrganisationChangeInline]
    actions = ["approve", "verify", "unverify", "suspend", "reinstate"]

    def has_approve_permission(self, request):
        return request.user.has_perm("community.approve_organisation")

    def has_verify_permission(self, request):
        return request.user.has_perm("community.verify_organisation")

    def has_suspend_permission(self, request):
        return request.user.has_perm("community.suspend_organisation")

    def has_delete_permission(self, request, obj=None):
        return False  # suspend instead: the history stays

    def _each(self, request, queryset, do, done):
        for org in queryset:
            do(org)
        self.message_user(request, f"{queryset.count()} organisation(s) {done}.", messages.SUCCESS)

    @admin.action(description="Approve (publish; the proposer becomes manager)", permissions=["approve"])
    def approve(self, request, queryset):
        self._each(request, queryset, lambda o: org_actions.approve_organisation(o, request.user), "approved")

    @admin.action(description="Verify: validated profile (with the criteria text saved on the profile)",
                  permissions=["verify"])  # fmt: skip
    def verify(self, request, queryset):
        criteria = "Checked by staff: legal registration, membership and cluster-management activity."
        self._each(
            request, queryset,
            lambda o: org_actions.verify_organisation(o, request.user, o.verification_criteria or criteria),
            "verified",
        )  # fmt: skip

    @admin.action(description="Withdraw verification", permissions=["verify"])
    def unverify(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda o: org_actions.verify_organisation(o, request.user, "", False),
            "unverified",
        )

    @admin.action(description="Suspend (hidden from the public)", permissions=["suspend"])
    def suspend(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda o: org_actions.suspend_organisation(
                o, request.user, o.status_reason or "Suspended by staff"
            ),
            "suspended",
        )

    @admin.action(description="Reinstate (approved again)", permissions=["suspend"])
    def reinstate(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda o: org_actions.suspend_organisation(o, request.user, "", suspended=False),
            "reinstated",
        )

    def has_add_permission(self, request):
        return False  # members propose organisations on the site; staff approve them here

    def save_model(self, request, obj, form, change):
        # Profile edits in the admin go through the same action as on the site (history row).
        m2m = {"managers", "ecosystems", "technologies"}
        data = {name: form.cleaned_data[name] for name in form.changed_data if name not in m2m}
        org_actions.edit_organisation(Organisation.objects.get(pk=obj.pk), request.user, data)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "deadline", "closed_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    raw_id_fields = ["organisation", "created_by"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "starts_at", "is_online", "is_cancelled"]
    list_filter = ["kind", "is_online"]
    search_fields = ["title"]
    raw_id_fields = ["organisation", "created_by"]
