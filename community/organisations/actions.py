"""Writes for organisations, offers, events, follows and interest messages (atomic, verb-named).

Callers check access first (community.organisations.access); these functions apply the rules of
the write itself: new-account rate limits, history rows, and notifications written in the same
transaction. The only outside effect, the relayed interest e-mail, is sent after commit.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from .. import actions as forum_actions
from ..actions import LINK_RE, RateLimited
from ..models import Follow, Notification
from .models import (
    Event,
    InterestMessage,
    ManagerInvitation,
    Offer,
    Organisation,
    OrganisationChange,
)

# Profile fields whose changes the history records (m2m as sorted lists of slugs).
TRACKED_FIELDS = (
    "name", "legal_form", "country_id", "region", "website", "description", "member_count",
    "sme_share", "year_founded", "contact_role", "logo", "verification_criteria", "status_reason",
)  # fmt: skip
LIMITS = {
    # what: (setting name, default per day, model, user field)
    "organisation": ("COMMUNITY_NEW_ACCOUNT_ORGANISATIONS_PER_DAY", 1, Organisation, "proposed_by"),
    "offer": ("COMMUNITY_NEW_ACCOUNT_OFFERS_PER_DAY", 3, Offer, "created_by"),
    "event": ("COMMUNITY_NEW_ACCOUNT_EVENTS_PER_DAY", 3, Event, "created_by"),
    "interest": ("COMMUNITY_NEW_ACCOUNT_INTERESTS_PER_DAY", 5, InterestMessage, "sender"),
}
LABELS = {
    "organisation": "organisation proposals",
    "offer": "offers",
    "event": "events",
    "interest": "interest messages",
}


def check_rate_limits(user, what: str, text: str = "") -> None:
    """Raise RateLimited when a new account exceeds its daily quota of `what` or the link limit."""
    if not forum_actions._is_new_account(user):
        return
    links = len(LINK_RE.findall(text or ""))
    if links > settings.COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST:
        raise RateLimited(
            f"New accounts may include at most {settings.COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST} links "
            f"in a text (this one has {links})."
        )
    setting, default, model, field = LIMITS[what]
    limit = getattr(settings, setting, default)
    since = timezone.now() - timedelta(days=1)
    if model.objects.filter(**{field: user, "created_at__gte": since}).count() >= limit:
        raise RateLimited(
            f"New accounts may send at most {limit} {LABELS[what]} a day. You can try again within 24 hours."
        )


# --- organisations ----------------------------------------------------------------------------


# First path segments under /organisations/ that are pages, never a profile's slug.
RESERVED_SLUGS = {"propose", "invitations", "messages", "follow", "offers", "export"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "organisation"
    if base in RESERVED_SLUGS:
        base = f"{base}-organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _index_organisation(org: Organisation) -> None:
    Organisation.objects.filter(pk=org.pk).update(
        search_vector=SearchVector("name", weight="A", config="simple")
        + SearchVector("description", weight="B", config="english")
        + SearchVector("contact_role", weight="C", config="english")
    )


def _index_offer(offer: Offer) -> None:
    Offer.objects.filter(pk=offer.pk).update(
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="english")
    )


def _snapshot(obj, fields, m2m=("ecosystems", "technologies", "cluster_categories")) -> dict:
    data = {}
    for name in fields:
        value = getattr(obj, name)
        data[name] = value.name if hasattr(value, "name") and not isinstance(value, str) else value
        if data[name] is not None and not isinstance(data[name], str | int | bool):
            data[name] = str(data[name])
    if obj.pk:
        for name in m2m:
            if hasattr(obj, name):  # offers have no cluster categories
                data[name] = sorted(getattr(obj, name).values_list("slug", flat=True))
    return data


def _record(org, actor, action, changes=None, reason="") -> OrganisationChange:
    return OrganisationChange.objects.create(
        organisation=org, actor=actor, action=action, changes=changes or {}, reason=reason[:500]
    )


def _apply(obj, data: dict, ecosystems=None, technologies=None) -> None:
    data = dict(data)
    categories = data.pop("cluster_categories", None)  # many-to-many: set after the save
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean(exclude=["slug", "proposed_by", "created_by", "organisation"])
    obj.save()
    if ecosystems is not None:
        obj.ecosystems.set(ecosystems)
    if technologies is not None:
        obj.technologies.set(technologies)
    if categories is not None:
        obj.cluster_categories.set(categories)


@transaction.atomic
def propose_organisation(user, data: dict, ecosystems=(), technologies=()) -> Organisation:
    """A verified member proposes a profile; it stays hidden until staff approve it."""
    check_rate_limits(user, "organisation", data.get("description", ""))
    org = Organisation(proposed_by=user, slug=_unique_slug(data.get("name", "")))
    _apply(org, data, ecosystems, technologies)
    _index_organisation(org)
    _record(org, user, OrganisationChange.Action.PROPOSED, _snapshot(org, TRACKED_FIELDS))
    return org


@transaction.atomic
def edit_organisation(
    org: Organisation, editor, data: dict, ecosystems=None, technologies=None
) -> Organisation:
    # From the database: a bound ModelForm has already changed `org` in memory.
    before = _snapshot(Organisation.objects.get(pk=org.pk), TRACKED_FIELDS)
    _apply(org, data, ecosystems, technologies)
    after = _snapshot(org, TRACKED_FIELDS)
    diff = {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
    if diff:
        _index_organisation(org)
        _record(org, editor, OrganisationChange.Action.EDITED, diff)
    return org


def _notify_status(org: Organisation, staff, users) -> None:
    Notification.objects.bulk_create(
        Notification(user=u, kind=Notification.Kind.ORG_STATUS, actor=staff, organisation=org)
        for u in users
        if u.pk != staff.pk
    )


@transaction.atomic
def approve_organisation(org: Organisation, staff, reason: str = "") -> Organisation:
    """Publish a proposed profile; its proposer becomes its (first) manager."""
    if org.status == Organisation.Status.APPROVED:
        return org
    org.status, org.status_reason = Organisation.Status.APPROVED, ""
    org.save(update_fields=["status", "status_reason", "updated_at"])
    org.managers.add(org.proposed_by)
    _record(org, staff, OrganisationChange.Action.APPROVED, reason=reason)
    _notify_status(org, staff, [org.proposed_by])
    return org


@transaction.atomic
def verify_organisation(org: Organisation, staff, criteria: str, verified: bool = True) -> Organisation:
    """The "validated profile" badge, with the criteria staff checked (shown next to it)."""
    if verified and not criteria.strip():
        raise ValueError("Say which criteria were checked.")
    org.is_verified = verified
    org.verification_criteria = criteria.strip() if verified else ""
    org.verified_at = timezone.now() if verified else None
    org.save(update_fields=["is_verified", "verification_criteria", "verified_at", "updated_at"])
    action = OrganisationChange.Action.VERIFIED if verified else OrganisationChange.Action.UNVERIFIED
    _record(org, staff, action, reason=criteria)
    return org


@transaction.atomic
def suspend_organisation(org: Organisation, staff, reason: str, suspended: bool = True) -> Organisation:
    """Suspend (hidden from the public, managers cannot change it) or reinstate (approved again)."""
    org.status = Organisation.Status.SUSPENDED if suspended else Organisation.Status.APPROVED
    org.status_reason = reason.strip()[:500] if suspended else ""
    org.save(update_fields=["status", "status_reason", "updated_at"])
    action = OrganisationChange.Action.SUSPENDED if suspended else OrganisationChange.Action.REINSTATED
    _record(org, staff, action, reason=reason)
    _notify_status(org, staff, list(org.managers.all()))
    return org


@transaction.atomic
def invite_manager(org: Organisation, inviter, user) -> ManagerInvitation | None:
    """Invite a verified member to co-manage (None when already a manager or already invited)."""
    if user is None or org.managers.filter(pk=user.pk).exists():
        return None
    try:
        with transaction.atomic():
            invitation = ManagerInvitation.objects.create(organisation=org, user=user, invited_by=inviter)
    except IntegrityError:
        return None
    Notification.objects.create(user=user, kind=Notification.Kind.INVITATION, actor=inviter, organisation=org)
    _record(org, inviter, OrganisationChange.Action.MANAGER_INVITED, {"invited": str(user)})
    return invitation


@transaction.atomic
def accept_invitation(invitation: ManagerInvitation, user) -> Organisation:
    if invitation.user_id != user.pk or invitation.accepted_at is not None:
        raise ValueError("This invitation is not open for you.")
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    org = invitation.organisation
    org.managers.add(user)
    _record(org, user, OrganisationChange.Action.MANAGER_ADDED, {"manager": str(user)})
    return org


@transaction.atomic
def leave_management(org: Organisation, user) -> None:
    if org.managers.count() <= 1:
        raise ValueError("You are the last manager: invite someone else before leaving.")
    org.managers.remove(user)
    _record(org, user, OrganisationChange.Action.MANAGER_LEFT, {"manager": str(user)})


# --- offers -----------------------------------------------------------------------------------


def offer_followers(offer: Offer):
    """Users following the offer's organisation, one of its ecosystems, or a region it concerns
    (the organisation's region, a region wanted, or a wanted region's country/parent)."""
    org = offer.organisation
    regions = {r for r in [org.region, *offer.regions] if r}
    region_q = Q(pk__in=[])
    for code in regions:
        # Following "DE" hears about DE11; following DE11 hears about an offer wanting DE1.
        prefixes = {code[:n] for n in range(2, len(code) + 1)}
        region_q |= Q(region__in=prefixes) | Q(region__startswith=code)
    region_q &= ~Q(region="")
    return Follow.objects.filter(
        Q(organisation=org) | Q(ecosystem__in=offer.ecosystems.all()) | region_q
    ).select_related("user")


def _notify(users, kind, actor, offer: Offer) -> None:
    Notification.objects.bulk_create(
        Notification(user=u, kind=kind, actor=actor, offer=offer, organisation=offer.organisation)
        for u in {u.pk: u for u in users}.values()
        if u.pk != actor.pk and u.is_active
    )


@transaction.atomic
def create_offer(org: Organisation, user, data: dict, ecosystems=(), technologies=()) -> Offer:
    check_rate_limits(user, "offer", data.get("description", ""))
    offer = Offer(organisation=org, created_by=user)
    _apply(offer, data, ecosystems, technologies)
    _index_offer(offer)
    Follow.objects.get_or_create(user=user, offer=offer)
    _notify([f.user for f in offer_followers(offer)], Notification.Kind.NEW_OFFER, user, offer)
    return offer


@transaction.atomic
def edit_offer(offer: Offer, editor, data: dict, ecosystems=None, technologies=None) -> Offer:
    _apply(offer, data, ecosystems, technologies)
    _index_offer(offer)
    followers = Follow.objects.filter(offer=offer).select_related("user")
    _notify([f.user for f in followers], Notification.Kind.OFFER_CHANGED, editor, offer)
    return offer


@transaction.atomic
def close_offer(offer: Offer, user, closed: bool = True) -> Offer:
    offer.closed_at = timezone.now() if closed else None
    offer.save(update_fields=["closed_at", "updated_at"])
    followers = Follow.objects.filter(offer=offer).select_related("user")
    _notify([f.user for f in followers], Notification.Kind.OFFER_CHANGED, user, offer)
    return offer


# --- events -----------------------------------------------------------------------------------


@transaction.atomic
def create_event(org: Organisation, user, data: dict, ecosystems=()) -> Event:
    check_rate_limits(user, "event", data.get("description", ""))
    event = Event(organisation=org, created_by=user)
    _apply(event, data, ecosystems)
    # Followers of the organisation or of one of the event's ecosystems hear of it.
    followers = Follow.objects.filter(
        Q(organisation=org) | Q(ecosystem__in=event.ecosystems.all())
    ).select_related("user")
    users = {f.user.pk: f.user for f in followers if f.user.pk != user.pk and f.user.is_active}
    Notification.objects.bulk_create(
        Notification(user=u, kind=Notification.Kind.NEW_EVENT, actor=user, organisation=org, event=event)
        for u in users.values()
    )
    return event


@transaction.atomic
def edit_event(event: Event, editor, data: dict, ecosystems=None) -> Event:
    _apply(event, data, ecosystems)
    return event


# --- follows and interest ---------------------------------------------------------------------


@transaction.atomic
def toggle_follow(user, *, organisation=None, offer=None, ecosystem=None, region: str = "") -> bool:
    """Follow one organisation, offer, ecosystem or region, or stop; returns whether it is now on."""
    target = {"organisation": organisation, "offer": offer, "ecosystem": ecosystem, "region": region or ""}
    if sum(1 for v in target.values() if v) != 1:
        raise ValueError("Follow exactly one thing.")
    lookup = {k: v for k, v in target.items() if v}
    deleted, _ = Follow.objects.filter(user=user, **lookup).delete()
    if deleted:
        return False
    Follow.objects.create(user=user, **lookup)
    return True


@transaction.atomic
def express_interest(
    sender, organisation: Organisation, body: str, offer: Offer | None = None
) -> InterestMessage:
    """Message the organisation's managers: in-app notification plus a relayed e-mail that shows
    neither side's address (replies go through the site)."""
    check_rate_limits(sender, "interest", body)
    since = timezone.now() - timedelta(days=1)
    if InterestMessage.objects.filter(sender=sender, body=body.strip(), created_at__gte=since).exists():
        raise RateLimited("You sent exactly this message in the last 24 hours.")
    message = InterestMessage.objects.create(
        organisation=organisation, offer=offer, sender=sender, body=body.strip()
    )
    managers = [m for m in organisation.managers.filter(is_active=True) if m.pk != sender.pk]
    Notification.objects.bulk_create(
        Notification(
            user=m, kind=Notification.Kind.INTEREST, actor=sender, organisation=organisation,
            offer=offer, interest=message,
        )
        for m in managers
    )  # fmt: skip
    from .. import tasks

    transaction.on_commit(lambda: tasks.send_interest_email.delay(message.pk))
    return message


@transaction.atomic
def reply_to_interest(manager, original: InterestMessage, body: str) -> InterestMessage:
    """A manager answers an interest message: its sender is notified and e-mailed (no addresses)."""
    check_rate_limits(manager, "interest", body)
    root = original.reply_to or original
    message = InterestMessage.objects.create(
        organisation=original.organisation,
        offer=original.offer,
        sender=manager,
        body=body.strip(),
        reply_to=root,
    )
    if root.sender_id != manager.pk and root.sender.is_active:
        Notification.objects.create(
            user=root.sender, kind=Notification.Kind.INTEREST, actor=manager,
            organisation=original.organisation, offer=original.offer, interest=message,
        )  # fmt: skip
    from .. import tasks

    transaction.on_commit(lambda: tasks.send_interest_email.delay(message.pk))
    return message
