"""Digest emails: what a user has not read yet, from spaces they may still read, and nothing else.

Each email carries a one-click unsubscribe link (a signed token, no login) in its body and in the
List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import ForumSettings, Notification

UNSUBSCRIBE_SALT = "community.unsubscribe"
PERIODS = {ForumSettings.Digest.DAILY: timedelta(days=1), ForumSettings.Digest.WEEKLY: timedelta(days=7)}


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_from_unsubscribe_token(token: str):
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()


def absolute(path: str) -> str:
    return settings.COMMUNITY_SITE_URL.rstrip("/") + path


def due_users(now=None):
    """Users whose digest period has passed since their last digest."""
    now = now or timezone.now()
    # Users who never opened their settings get the default (weekly) once they have something.
    new = get_user_model().objects.filter(
        forum_notifications__read_at=None, forum_notifications__emailed_at=None, forum_settings__isnull=True
    )
    for user in new.distinct():
        ForumSettings.objects.get_or_create(user=user)
    for prefs in ForumSettings.objects.exclude(digest=ForumSettings.Digest.OFF).select_related("user"):
        if prefs.user.is_active and (
            prefs.last_digest_at is None or now - prefs.last_digest_at >= PERIODS[prefs.digest]
        ):
            yield prefs.user


def send_digest(user) -> int:
    """Email `user` their unread, un-emailed notifications; returns how many were included."""
    items = list(
        selectors.notifications_for(user).filter(read_at=None, emailed_at=None).order_by("created_at")[:50]
    )
    now = timezone.now()
    ForumSettings.objects.filter(user=user).update(last_digest_at=now)
    if not items:
        return 0
    unsubscribe_url = absolute(reverse("community:unsubscribe", args=[unsubscribe_token(user)]))
    context = {
        "user": user,
        "items": [{"n": n, "url": absolute(n.get_absolute_url())} for n in items],
        "unsubscribe_url": unsubscribe_url,
        "settings_url": absolute(reverse("community:forum-settings")),
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Forum digest: {len(items)} new notification(s)",
        body=render_to_string("community/email/digest.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("community/email/digest.html", context), "text/html")
    message.send()
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
    return len(items)


def send_interest(message) -> int:
    """Relay an "express interest" message to each manager of the organisation, one e-mail each.

    Neither address is revealed: the sender is named by display name only, there is no Reply-To,
    and every manager gets a separate message (no shared To/Cc list). Replies go through the site.
    """
    from .organisations.models import InterestMessage

    message = (
        InterestMessage.objects.select_related("sender", "organisation", "offer", "reply_to__sender")
        .filter(pk=message.pk)
        .first()
    )
    if message is None:
        return 0
    org = message.organisation
    context = {
        "message": message,
        "sender_name": str(message.sender),
        "organisation": org,
        "offer": message.offer,
        "inbox_url": absolute(reverse("organisations:interest-inbox", args=[org.slug])),
        "offer_url": absolute(message.offer.get_absolute_url()) if message.offer else "",
    }
    about = message.offer.title if message.offer else org.name
    if message.reply_to_id:  # a manager's answer goes to the member who wrote first
        recipients = [message.reply_to.sender] if message.reply_to.sender_id != message.sender_id else []
        context["inbox_url"] = absolute(reverse("organisations:my-messages"))
    else:
        recipients = org.managers.filter(is_active=True).exclude(pk=message.sender_id)
    sent = 0
    for manager in recipients:
        EmailMultiAlternatives(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Interest in {about}"[:200],
            body=render_to_string("community/email/interest.txt", {**context, "user": manager}),
            to=[manager.email],
        ).send()
        sent += 1
    return sent
