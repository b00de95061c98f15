"""Writes on publications: publish and unpublish (admin actions call these)."""

from django.db import transaction
from django.utils import timezone

from .models import Publication


@transaction.atomic
def publish_publications(queryset) -> int:
    """Mark as published; items without a date are dated now (a future date stays: scheduled)."""
    now = timezone.now()
    queryset.filter(published_at__isnull=True).update(published_at=now)
    return queryset.update(status=Publication.Status.PUBLISHED, updated_at=now)


@transaction.atomic
def unpublish_publications(queryset) -> int:
    """Back to draft: invisible to the public at once (list, detail, feeds, search, profiles)."""
    return queryset.update(status=Publication.Status.DRAFT, updated_at=timezone.now())
