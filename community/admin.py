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
