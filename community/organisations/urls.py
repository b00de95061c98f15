from django.urls import path
from django.views.decorators.http import require_GET

from . import feeds, views

app_name = "organisations"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/export.csv", views.organisation_export, name="organisation-export"),
    path("organisations/propose/", views.organisation_propose, name="organisation-propose"),
    path("organisations/invitations/", views.invitation_list, name="invitation-list"),
    path("organisations/messages/", views.my_messages, name="my-messages"),
    path("organisations/follow/", views.topic_follow, name="topic-follow"),
    path("organisations/offers/", views.offer_list, name="offer-list"),
    path("organisations/offers/feed.atom", require_GET(feeds.OffersAtom()), name="offer-feed"),
    path("organisations/offers/<int:offer_id>/", views.offer_detail, name="offer-detail"),
    path("organisations/offers/<int:offer_id>/edit/", views.offer_edit, name="offer-edit"),
    path("organisations/offers/<int:offer_id>/close/", views.offer_close, name="offer-close"),
    path("organisations/offers/<int:offer_id>/follow/", views.offer_follow, name="offer-follow"),
    path("organisations/offers/<int:offer_id>/interest/", views.offer_interest, name="offer-interest"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/logo", views.organisation_logo, name="organisation-logo"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<slug:slug>/history/", views.organisation_history, name="organisation-history"),
    path("organisations/<slug:slug>/follow/", views.organisation_follow, name="organisation-follow"),
    path("organisations/<slug:slug>/interest/", views.organisation_interest, name="organisation-interest"),
    path("organisations/<slug:slug>/inbox/", views.interest_inbox, name="interest-inbox"),
    path("organisations/<slug:slug>/managers/", views.manager_invite, name="manager-invite"),
    path("organisations/<slug:slug>/offers/new/", views.offer_create, name="offer-create"),
    path("organisations/<slug:slug>/events/new/", views.event_create, name="event-create"),
    path("events/", views.event_list, name="event-list"),
    path("events/calendar.ics", feeds.events_ical, name="event-ical"),
    path("events/calendar/", views.event_calendar, name="event-calendar"),
    path("events/<int:event_id>/event.ics", views.event_ics, name="event-ics"),
    path("events/<int:event_id>/", views.event_detail, name="event-detail"),
    path("events/<int:event_id>/edit/", views.event_edit, name="event-edit"),
]
