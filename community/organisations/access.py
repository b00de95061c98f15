"""Who may do what with organisations, offers and events. Views go through the get_*_for_user helpers.

- Anyone reads approved organisations, their offers and events. A proposed or suspended profile
  is a 404 for everyone except its managers/proposer and staff (its existence is not revealed).
- Any verified member may propose an organisation, follow, and express interest.
- Managers (and staff) edit the profile, invite co-managers, create/edit/close offers and events
  while the organisation is approved (a proposed one may be edited, a suspended one not).
- Staff approve, verify and suspend, in the admin (with the model permissions).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..access import is_verified
from .models import Event, Offer, Organisation


def is_manager(user, organisation: Organisation) -> bool:
    if not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_managed_organisations", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = organisation.managers.filter(pk=user.pk).exists()
    return cache[organisation.pk]


def can_read_organisation(user, organisation: Organisation) -> bool:
    if organisation.is_public:
        return True
    if not user.is_authenticated:
        return False
    return user.is_staff or is_manager(user, organisation) or organisation.proposed_by_id == user.pk


def member_refusal(user) -> str:
    """Why `user` may not write (propose, follow, express interest) at all; "" when they may."""
    if not user.is_authenticated:
        return "Sign in first."
    if not is_verified(user):
        return "Verify your email address first."
    return ""


def manager_refusal(user, organisation: Organisation) -> str:
    """Why `user` may not change `organisation` or its offers and events; "" when they may."""
    if refusal := member_refusal(user):
        return refusal
    if user.is_staff:
        return ""
    if not is_manager(user, organisation) and not (
        organisation.status == Organisation.Status.PROPOSED and organisation.proposed_by_id == user.pk
    ):
        return "Only the organisation's managers may do this."
    if organisation.status == Organisation.Status.SUSPENDED:
        return "This organisation is suspended."
    return ""


def can_manage(user, organisation: Organisation) -> bool:
    return manager_refusal(user, organisation) == ""


def can_publish(user, organisation: Organisation) -> bool:
    """Offers and events need an approved organisation (managers only, or staff)."""
    return organisation.is_public and can_manage(user, organisation)


def get_organisation_for_user(
    request, slug: str, manage: bool = False, publish: bool = False
) -> Organisation:
    organisation = get_object_or_404(Organisation.objects.select_related("country"), slug=slug)
    if not can_read_organisation(request.user, organisation):
        raise Http404("No such organisation.")
    if manage or publish:
        if refusal := manager_refusal(request.user, organisation):
            raise PermissionDenied(refusal)
        if publish and not organisation.is_public:
            raise PermissionDenied("Offers and events can be published once staff approve the organisation.")
    return organisation


def require_member(request) -> None:
    if refusal := member_refusal(request.user):
        raise PermissionDenied(refusal)


def get_offer_for_user(request, offer_id: int, manage: bool = False) -> Offer:
    offer = get_object_or_404(Offer.objects.select_related("organisation__country"), pk=offer_id)
    if not can_read_organisation(request.user, offer.organisation):
        raise Http404("No such offer.")
    if manage and (refusal := manager_refusal(request.user, offer.organisation)):
        raise PermissionDenied(refusal)
    return offer


def get_event_for_user(request, event_id: int, manage: bool = False) -> Event:
    event = get_object_or_404(Event.objects.select_related("organisation"), pk=event_id)
    if not can_read_organisation(request.user, event.organisation):
        raise Http404("No such event.")
    if manage and (refusal := manager_refusal(request.user, event.organisation)):
        raise PermissionDenied(refusal)
    return event
