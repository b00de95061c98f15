"""Thin Celery tasks over community.emails. They take ids, never objects."""

from celery import shared_task
from django.contrib.auth import get_user_model

from . import emails


@shared_task(acks_late=True)
def send_digest(user_id: int) -> int:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return emails.send_digest(user) if user else 0


@shared_task(acks_late=True)
def send_digests() -> list[int]:
    """Beat (hourly): queue a digest for every user whose daily/weekly period has passed."""
    user_ids = [user.pk for user in emails.due_users()]
    for user_id in user_ids:
        send_digest.delay(user_id)
    return user_ids


@shared_task(acks_late=True)
def send_interest_email(message_id: int) -> int:
    """Relay an interest message to the organisation's managers (community.emails.send_interest)."""
    from .organisations.models import InterestMessage

    message = InterestMessage.objects.filter(pk=message_id).first()
    return emails.send_interest(message) if message else 0
