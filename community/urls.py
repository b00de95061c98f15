from django.urls import path

from .views import discuss, moderation, notifications, search, spaces, threads

app_name = "community"

urlpatterns = [
    path("", spaces.forum_index, name="forum-index"),
    path("search/", search.forum_search, name="forum-search"),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("settings/", notifications.forum_settings, name="forum-settings"),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path("discuss/<str:kind>/<str:key>/", discuss.discuss, name="discuss"),
    path("panel/<str:kind>/<str:key>/", discuss.panel, name="panel"),
    path("s/<slug:slug>/", spaces.space_detail, name="space-detail"),
    path("s/<slug:slug>/new/", spaces.thread_create, name="thread-create"),
    path("s/<slug:slug>/follow/", spaces.space_follow, name="space-follow"),
    path("s/<slug:slug>/moderation/", moderation.moderation_queue, name="moderation-queue"),
    path("s/<slug:slug>/moderation/log/", moderation.moderation_log, name="moderation-log"),
    path("s/<slug:slug>/moderation/suspend/", moderation.member_suspend, name="member-suspend"),
    path("t/<int:thread_id>/", threads.thread_detail, name="thread-detail"),
    path("t/<int:thread_id>/reply/", threads.thread_reply, name="thread-reply"),
    path("t/<int:thread_id>/follow/", threads.thread_follow, name="thread-follow"),
    path("t/<int:thread_id>/moderate/", moderation.thread_moderate, name="thread-moderate"),
    path("p/<int:post_id>/", threads.post_permalink, name="post-permalink"),
    path("p/<int:post_id>/edit/", threads.post_edit, name="post-edit"),
    path("p/<int:post_id>/history/", threads.post_history, name="post-history"),
    path("p/<int:post_id>/delete/", threads.post_delete, name="post-delete"),
    path("p/<int:post_id>/react/", threads.post_react, name="post-react"),
    path("p/<int:post_id>/flag/", threads.post_flag, name="post-flag"),
    path("p/<int:post_id>/moderate/", moderation.post_moderate, name="post-moderate"),
]
