"""Pages of the organisation directory, offers and events. Reads via selectors, access via
access, writes via actions; templates under templates/community/organisations/."""

import csv
import io

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ecosystems import selectors as taxonomy
from observatory.covers import CONTENT_TYPES, extension

from ..actions import RateLimited
from ..models import Notification
from . import access, actions, selectors
from .forms import (
    DirectoryFilterForm,
    EventForm,
    InterestForm,
    InviteForm,
    OfferFilterForm,
    OfferForm,
    OrganisationForm,
)
from .models import InterestMessage, ManagerInvitation

ORGANISATIONS_PER_PAGE = 24
OFFERS_PER_PAGE = 20
EVENTS_PER_PAGE = 50


def _render(request, name, context, status=200):
    return render(request, f"community/organisations/{name}.html", context, status=status)


def _page(request, qs, per_page):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _query(filters: dict) -> str:
    return urlencode({k: ("1" if v is True else v) for k, v in filters.items() if v})


def _save(form, request, write):
    """Run an action with the form's data; a RateLimited or model ValidationError lands on the form."""
    try:
        return write()
    except RateLimited as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return None


# --- directory and profiles -------------------------------------------------------------------


def _map(qs) -> dict | None:
    """Where the organisations are: a NUTS 2 choropleth of counts, with its data table."""
    from indicators import charts

    points = selectors.region_counts(qs)
    if not points:
        return None
    title = "Organisations per NUTS 2 region"
    figure = charts.choropleth(
        points,
        geojson_url=reverse("indicators:geometry", args=[2]),
        title=title,
        source_line="Source: organisation profiles on the EU Industry Observatory",
        unit="organisations",
    )
    return {"title": title, "figure": figure, "rows": points}


@require_GET
def organisation_list(request):
    form = DirectoryFilterForm(request.GET)
    filters = form.filters()
    organisations = selectors.directory(filters)
    page = _page(request, organisations, ORGANISATIONS_PER_PAGE)
    query = _query(filters)
    return _render(
        request,
        "organisation_list",
        {
            "form": form,
            "page": page,
            "filtered": bool(query),
            "query": query,
            "extra": f"&{query}" if query else "",
            "can_propose": access.member_refusal(request.user) == "",
            "map": _map(organisations) if page.paginator.count else None,
        },
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: prefix them with a quote."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@require_GET
def organisation_export(request):
    filters = DirectoryFilterForm(request.GET).filters()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in selectors.csv_rows(selectors.directory(filters)):
        writer.writerow([_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="organisations.csv"'
    return response


@require_GET
def organisation_detail(request, slug):
    org = access.get_organisation_for_user(request, slug)
    user = request.user
    context = {
        "organisation": org,
        "is_manager": access.is_manager(user, org),
        "can_manage": access.can_manage(user, org),
        "can_publish": access.can_publish(user, org),
        "member_refusal": access.member_refusal(user),
        "following": selectors.following(user, organisation=org),
        "following_region": bool(org.region) and selectors.following(user, region=org.region),
        "offers": selectors.offers({"organisation": org, "state": "open"})[:20],
        "events": selectors.events().filter(organisation=org)[:10],
        "region": taxonomy.region(org.region) if org.region else None,
        "managers": selectors.managers(org) if user.is_authenticated else [],
    }
    return _render(request, "organisation_detail", context)


@require_GET
def organisation_logo(request, slug):
    org = access.get_organisation_for_user(request, slug)
    content_type = CONTENT_TYPES.get(extension(org.logo.name)) if org.logo else None
    if content_type is None:
        raise Http404("This organisation has no logo.")
    try:
        handle = org.logo.open("rb")
    except FileNotFoundError:
        raise Http404("The image file is missing on this server.") from None
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def organisation_propose(request):
    access.require_member(request)
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, ecosystems, technologies = form.data_for_actions()
        org = _save(
            form, request, lambda: actions.propose_organisation(request.user, data, ecosystems, technologies)
        )
        if org is not None:
            messages.success(
                request,
                gettext("Thank you: staff will review the profile; you become its manager once approved."),
            )
            return redirect(org)
    return _render(request, "organisation_form", {"form": form, "organisation": None})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    org = access.get_organisation_for_user(request, slug, manage=True)
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data, ecosystems, technologies = form.data_for_actions()
        done = _save(
            form,
            request,
            lambda: actions.edit_organisation(org, request.user, data, ecosystems, technologies),
        )
        if done is not None:
            messages.success(request, gettext("The profile is saved."))
            return redirect(org)
        org.refresh_from_db()
    return _render(request, "organisation_form", {"form": form, "organisation": org})


@require_GET
def organisation_history(request, slug):
    org = access.get_organisation_for_user(request, slug)
    return _render(
        request, "organisation_history", {"organisation": org, "changes": selectors.history(org)[:200]}
    )


@login_required
@require_POST
def organisation_follow(request, slug):
    org = access.get_organisation_for_user(request, slug)
    access.require_member(request)
    on = actions.toggle_follow(request.user, organisation=org)
    messages.success(
        request,
        gettext("You follow this organisation.")
        if on
        else gettext("You no longer follow this organisation."),
    )
    return redirect(org)


@login_required
@require_POST
def topic_follow(request):
    """Follow an ecosystem (?ecosystem=slug) or a region/country (?region=code) for new offers."""
    access.require_member(request)
    ecosystem = taxonomy.ecosystem(request.POST.get("ecosystem", ""))
    region = request.POST.get("region", "").strip().upper()[:12]
    if ecosystem is not None:
        on = actions.toggle_follow(request.user, ecosystem=ecosystem)
        label = ecosystem.name
    elif region and (taxonomy.region(region) or taxonomy.country(region)):
        on = actions.toggle_follow(request.user, region=region)
        label = region
    else:
        raise Http404("Nothing to follow.")
    messages.success(
        request,
        (gettext("You follow new offers in %(label)s.") if on else gettext("You no longer follow %(label)s."))
        % {"label": label},
    )
    return redirect(
        reverse("organisations:offer-list")
        + "?"
        + urlencode({"ecosystem": ecosystem.slug} if ecosystem else {})
    )


def _interest(request, org, offer=None):
    access.require_member(request)
    if access.is_manager(request.user, org):
        raise PermissionDenied("You manage this organisation.")
    form = InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = _save(
            form,
            request,
            lambda: actions.express_interest(request.user, org, form.cleaned_data["body"], offer),
        )
        if sent is not None:
            messages.success(
                request,
                gettext(
                    "Your message was sent to the organisation's managers. Their answer will reach you here."
                ),
            )
            return redirect(offer or org)
    return _render(request, "interest_form", {"form": form, "organisation": org, "offer": offer})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_interest(request, slug):
    org = access.get_organisation_for_user(request, slug)
    if not org.is_public:
        raise PermissionDenied("This organisation is not public.")
    return _interest(request, org)


@login_required
@require_http_methods(["GET", "POST"])
def interest_inbox(request, slug):
    """Managers read interest messages and answer them (the answer goes to the sender)."""
    org = access.get_organisation_for_user(request, slug, manage=True)
    form = InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        original = get_object_or_404(InterestMessage, pk=request.POST.get("reply_to") or 0, organisation=org)
        if _save(
            form,
            request,
            lambda: actions.reply_to_interest(request.user, original, form.cleaned_data["body"]),
        ):
            messages.success(request, gettext("Your answer was sent."))
            return redirect("organisations:interest-inbox", slug=org.slug)
    page = _page(request, selectors.inbox(org), 30)
    Notification.objects.filter(
        user=request.user, organisation=org, kind=Notification.Kind.INTEREST, read_at=None
    ).update(read_at=timezone.now())
    return _render(request, "interest_inbox", {"organisation": org, "page": page, "form": form})


@login_required
@require_GET
def my_messages(request):
    page = _page(request, selectors.my_messages(request.user), 30)
    return _render(request, "my_messages", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def manager_invite(request, slug):
    org = access.get_organisation_for_user(request, slug, manage=True)
    if request.method == "POST" and request.POST.get("leave") == "1" and access.is_manager(request.user, org):
        try:
            actions.leave_management(org, request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("organisations:manager-invite", slug=org.slug)
        messages.success(request, gettext("You no longer manage %(name)s.") % {"name": org.name})
        return redirect(org)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.filter(email__iexact=form.cleaned_data["email"], verified=True).first()
        invitee = (
            get_user_model().objects.filter(pk=address.user_id, is_active=True).first() if address else None
        )
        if invitee is not None:
            actions.invite_manager(org, request.user, invitee)
        messages.success(request, gettext("If a verified member has this address, they are invited."))
        return redirect("organisations:manager-invite", slug=org.slug)
    pending = org.invitations.filter(accepted_at=None).select_related("user")
    return _render(
        request,
        "manager_invite",
        {
            "organisation": org,
            "form": form,
            "managers": selectors.managers(org),
            "pending": pending,
            "is_manager": access.is_manager(request.user, org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    if request.method == "POST":
        invitation = get_object_or_404(
            ManagerInvitation, pk=request.POST.get("invitation") or 0, user=request.user, accepted_at=None
        )
        org = actions.accept_invitation(invitation, request.user)
        messages.success(request, gettext("You now co-manage %(name)s.") % {"name": org.name})
        return redirect(org)
    return _render(request, "invitation_list", {"invitations": selectors.open_invitations(request.user)})


# --- offers -----------------------------------------------------------------------------------


@require_GET
def offer_list(request):
    form = OfferFilterForm(request.GET)
    filters = form.filters()
    page = _page(request, selectors.offers(filters), OFFERS_PER_PAGE)
    query = _query(filters)
    ecosystem = taxonomy.ecosystem(filters["ecosystem"]) if filters["ecosystem"] else None
    return _render(
        request,
        "offer_list",
        {
            "form": form,
            "page": page,
            "filtered": bool(query),
            "extra": f"&{query}" if query else "",
            "ecosystem": ecosystem,
            "following_ecosystem": ecosystem is not None
            and selectors.following(request.user, ecosystem=ecosystem),
            "feed_query": urlencode({"ecosystem": ecosystem.slug}) if ecosystem else "",
        },
    )


@require_GET
def offer_detail(request, offer_id):
    offer = access.get_offer_for_user(request, offer_id)
    org = offer.organisation
    return _render(
        request,
        "offer_detail",
        {
            "offer": offer,
            "organisation": org,
            "can_manage": access.can_manage(request.user, org),
            "is_manager": access.is_manager(request.user, org),
            "member_refusal": access.member_refusal(request.user),
            "following": selectors.following(request.user, offer=offer),
            "suggestions": selectors.suggestions(offer) if offer.state == "open" else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request, slug):
    org = access.get_organisation_for_user(request, slug, publish=True)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, ecosystems, technologies = form.data_for_actions()
        offer = _save(
            form, request, lambda: actions.create_offer(org, request.user, data, ecosystems, technologies)
        )
        if offer is not None:
            messages.success(request, gettext("The offer is published; followers are notified."))
            return redirect(offer)
    return _render(request, "offer_form", {"form": form, "organisation": org, "offer": None})


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request, offer_id):
    offer = access.get_offer_for_user(request, offer_id, manage=True)
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        data, ecosystems, technologies = form.data_for_actions()
        if _save(
            form, request, lambda: actions.edit_offer(offer, request.user, data, ecosystems, technologies)
        ):
            messages.success(request, gettext("The offer is saved; its followers are notified."))
            return redirect(offer)
    return _render(request, "offer_form", {"form": form, "organisation": offer.organisation, "offer": offer})


@login_required
@require_POST
def offer_close(request, offer_id):
    offer = access.get_offer_for_user(request, offer_id, manage=True)
    closed = request.POST.get("reopen") != "1"
    actions.close_offer(offer, request.user, closed=closed)
    messages.success(
        request, gettext("The offer is closed.") if closed else gettext("The offer is open again.")
    )
    return redirect(offer)


@login_required
@require_POST
def offer_follow(request, offer_id):
    offer = access.get_offer_for_user(request, offer_id)
    access.require_member(request)
    on = actions.toggle_follow(request.user, offer=offer)
    messages.success(
        request, gettext("You follow this offer.") if on else gettext("You no longer follow this offer.")
    )
    return redirect(offer)


@login_required
@require_http_methods(["GET", "POST"])
def offer_interest(request, offer_id):
    offer = access.get_offer_for_user(request, offer_id)
    if not offer.organisation.is_public or offer.state != "open":
        raise PermissionDenied("This offer is not open.")
    return _interest(request, offer.organisation, offer)


# --- events -----------------------------------------------------------------------------------


@require_GET
def event_list(request):
    slug = request.GET.get("ecosystem", "")
    ecosystem = taxonomy.ecosystem(slug) if slug else None
    past = request.GET.get("past") == "1"
    qs = selectors.events(ecosystem.slug if ecosystem else "", upcoming=not past)
    if past:
        qs = qs.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-pk")
    page = _page(request, qs, EVENTS_PER_PAGE)
    return _render(
        request,
        "event_list",
        {
            "page": page,
            "ecosystem": ecosystem,
            "ecosystems": taxonomy.ecosystems(),
            "past": past,
            "extra": ("&" + urlencode({"ecosystem": ecosystem.slug}) if ecosystem else "")
            + ("&past=1" if past else ""),
        },
    )


def _month(raw: str):
    """YYYY-MM -> the first of that month (today's month when missing or malformed)."""
    from datetime import date

    try:
        year, month = (int(x) for x in (raw or "").split("-"))
        return date(year, month, 1) if 1900 < year < 2200 else None
    except ValueError:
        return None


@require_GET
def event_calendar(request):
    """A month grid (Monday first) of the events of approved organisations, one ecosystem or all."""
    import calendar
    from datetime import datetime, time, timedelta

    slug = request.GET.get("ecosystem", "")
    ecosystem = taxonomy.ecosystem(slug) if slug else None
    first = _month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(weeks[0][0], time.min), tz)
    end = timezone.make_aware(datetime.combine(weeks[-1][-1] + timedelta(days=1), time.min), tz)
    events = selectors.events(ecosystem.slug if ecosystem else "", upcoming=False).filter(
        starts_at__lt=end, ends_at__gte=start
    )[:500]
    by_day: dict = {}
    for event in events:
        day = max(timezone.localdate(event.starts_at), weeks[0][0])
        last = min(timezone.localdate(event.ends_at), weeks[-1][-1])
        while day <= last:
            by_day.setdefault(day, []).append(event)
            day += timedelta(days=1)
    grid = [
        [{"date": d, "in_month": d.month == first.month, "events": by_day.get(d, [])} for d in week]
        for week in weeks
    ]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    extra = "&" + urlencode({"ecosystem": ecosystem.slug}) if ecosystem else ""
    return _render(
        request,
        "event_calendar",
        {
            "grid": grid,
            "month": first,
            "previous": f"{previous:%Y-%m}",
            "next": f"{following:%Y-%m}",
            "ecosystem": ecosystem,
            "extra": extra,
            "day_names": [calendar.day_name[i] for i in range(7)],
        },
    )


@require_GET
def event_ics(request, event_id):
    """One event as an iCalendar file (add it to a calendar)."""
    from .feeds import ical

    event = access.get_event_for_user(request, event_id)
    response = HttpResponse(ical([event], event.title), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@require_GET
def event_detail(request, event_id):
    event = access.get_event_for_user(request, event_id)
    return _render(
        request,
        "event_detail",
        {"event": event, "can_manage": access.can_manage(request.user, event.organisation)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request, slug):
    org = access.get_organisation_for_user(request, slug, publish=True)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, ecosystems = form.data_for_actions()
        event = _save(form, request, lambda: actions.create_event(org, request.user, data, ecosystems))
        if event is not None:
            messages.success(request, gettext("The event is published."))
            return redirect(event)
    return _render(request, "event_form", {"form": form, "organisation": org, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, event_id):
    event = access.get_event_for_user(request, event_id, manage=True)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        data, ecosystems = form.data_for_actions()
        if _save(form, request, lambda: actions.edit_event(event, request.user, data, ecosystems)):
            messages.success(request, gettext("The event is saved."))
            return redirect(event)
    return _render(request, "event_form", {"form": form, "organisation": event.organisation, "event": event})
