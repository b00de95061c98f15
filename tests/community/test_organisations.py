"""Organisations, offers, events end to end: workflow, history, follows and notifications, interest
messages that hide e-mail addresses, CSV export, site search, feeds, empty states."""

import csv
import html
import io
from datetime import timedelta

import feedparser
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community import emails
from community.models import Follow, Notification
from community.organisations import actions as org_actions
from community.organisations import selectors as org_selectors
from community.organisations.feeds import ical
from community.organisations.models import InterestMessage, Organisation, OrganisationChange

from .factories import make_geo, make_offer, make_organisation, make_user


def test_no_organisation_is_shipped(db):
    """Migrations and fixtures create no organisation, offer or event: tests make their own."""
    from community.organisations.models import Event, Offer

    assert (Organisation.objects.count(), Offer.objects.count(), Event.objects.count()) == (0, 0, 0)


def test_empty_directory_invites_the_first_organisation(db, alice, login):
    response = login(alice).get(reverse("organisations:organisation-list"))
    assert response.status_code == 200
    assert "Propose the first organisation" in response.text
    assert "Be the first" in login(None).get(reverse("organisations:organisation-list")).text


def test_proposal_is_hidden_until_approved_then_proposer_manages(db, alice, staff, login):
    make_geo()
    org = make_organisation(alice, approved=False, name="Hydrogen Valley Network")
    assert login(None).get(org.get_absolute_url()).status_code == 404
    assert login(alice).get(org.get_absolute_url()).status_code == 200  # the proposer sees it
    assert not org.managers.exists()
    org_actions.approve_organisation(org, staff)
    assert list(org.managers.all()) == [alice]
    assert login(None).get(org.get_absolute_url()).status_code == 200
    assert Notification.objects.filter(user=alice, kind="org_status", organisation=org).exists()


def test_propose_through_the_form(db, alice, login):
    mobility, _, robotics = make_geo()
    response = login(alice).post(
        reverse("organisations:organisation-propose"),
        {
            "name": "Rhône cluster",
            "legal_form": "association",
            "country": "FR",
            "region": "FRK2",
            "description": "**Automotive** suppliers",
            "ecosystems": ["mobility"],
            "technologies": ["robotics"],
            "member_count": "120",
            "sme_share": "80.5",
            "year_founded": "2005",
            "contact_role": "Cluster manager",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    org = Organisation.objects.get(name="Rhône cluster")
    assert (org.status, org.region, org.proposed_by) == ("proposed", "FRK2", alice)
    assert list(org.ecosystems.all()) == [mobility]
    assert org.changes.get().action == "proposed"


def test_an_organisation_is_in_a_country_not_an_aggregate(db, alice, login):
    from ecosystems.models import Country

    make_geo()
    Country.objects.create(code="EU27_2020", name="European Union (27)", kind=Country.Kind.AGGREGATE)
    client = login(alice)
    form = client.get(reverse("organisations:organisation-propose")).text
    directory = client.get(reverse("organisations:organisation-list")).text
    for page in (form, directory):
        assert 'value="FR"' in page and 'value="EU27_2020"' not in page
    data = {"name": "EU cluster", "legal_form": "association", "country": "EU27_2020"}
    response = client.post(reverse("organisations:organisation-propose"), data)
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not Organisation.objects.exists()


def test_a_profile_saved_with_an_aggregate_can_still_be_edited(db, bob, staff, login):
    """Saved before aggregates were refused: its edit form keeps the country it has, and the EU's
    page offers no directory link (organisations are in countries)."""
    from community.templatetags.community_tags import panel_context
    from ecosystems.models import Country

    make_geo()
    eu = Country.objects.create(code="EU27_2020", name="European Union (27)", kind=Country.Kind.AGGREGATE)
    org = make_organisation(bob, staff, name="Old EU network")
    Organisation.objects.filter(pk=org.pk).update(country=eu)
    client = login(bob)
    edit = reverse("organisations:organisation-edit", args=[org.slug])
    assert 'value="EU27_2020" selected' in client.get(edit).text
    data = {"name": "Old EU network, renamed", "legal_form": "association", "country": "EU27_2020"}
    assert client.post(edit, data).status_code == 302
    assert Organisation.objects.get(pk=org.pk).country_id == "EU27_2020"
    assert panel_context(bob, "country", "EU27_2020")["collaboration"] is None
    page = client.get(reverse("community:panel", args=["country", "EU27_2020"])).text
    assert "<h1>Discussion: European Union (27)</h1>" in page and "partner search" not in page
    assert panel_context(bob, "country", "FR")["collaboration"]["organisations_url"].endswith("country=FR")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("region", "DE11", "is not in"),  # a German region for a French organisation
        ("region", "FRK", "not a NUTS 2 region"),
        ("contact_role", "jean.dupont@cluster.example", "not an e-mail address"),
        ("website", "javascript:alert(1)", "Enter a valid URL"),
        ("year_founded", "2999", "future"),
        ("sme_share", "140", "less than or equal to 100"),
    ],
)
def test_propose_form_refuses_bad_values(db, alice, login, field, value, message):
    make_geo()
    data = {"name": "X cluster", "legal_form": "association", "country": "FR", field: value}
    response = login(alice).post(reverse("organisations:organisation-propose"), data)
    assert response.status_code == 200
    assert message in html.unescape(response.text)
    assert not Organisation.objects.exists()


def test_logo_is_checked_like_publication_covers(db, alice, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_geo()
    svg = SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml")
    data = {"name": "Logo cluster", "legal_form": "association", "country": "DE", "logo": svg}
    response = login(alice).post(reverse("organisations:organisation-propose"), data)
    assert response.status_code == 200
    assert not Organisation.objects.exists()


def test_edit_keeps_a_history_row_with_old_and_new_values(orgs, bob, login):
    url = reverse("organisations:organisation-edit", args=[orgs.org.slug])
    data = {
        "name": "Autocluster Stuttgart",
        "legal_form": "association",
        "country": "DE",
        "region": "DE12",
        "description": "New words",
        "ecosystems": ["mobility", "digital"],
    }
    assert login(bob).post(url, data).status_code == 302
    change = orgs.org.changes.filter(action="edited").get()
    assert change.actor == bob
    assert change.changes["region"] == ["DE11", "DE12"]
    assert change.changes["ecosystems"] == [["mobility"], ["digital", "mobility"]]
    page = login(None).get(reverse("organisations:organisation-history", args=[orgs.org.slug])).text
    assert "DE12" in page and "Edited" in page


def test_managers_invite_co_managers_who_accept(orgs, bob, alice, login):
    login(bob).post(
        reverse("organisations:manager-invite", args=[orgs.org.slug]), {"email": "ALICE@example.eu"}
    )
    assert Notification.objects.filter(user=alice, kind="invitation").exists()
    invitation = alice.organisation_invitations.get()
    response = login(alice).post(reverse("organisations:invitation-list"), {"invitation": invitation.pk})
    assert response.status_code == 302
    assert orgs.org.managers.filter(pk=alice.pk).exists()
    assert orgs.org.changes.filter(action="manager_added").exists()


def test_invitation_does_not_reveal_whether_an_address_has_an_account(orgs, bob, login):
    client = login(bob)
    url = reverse("organisations:manager-invite", args=[orgs.org.slug])
    known = client.post(url, {"email": "alice@example.eu"}, follow=True).text
    unknown = client.post(url, {"email": "nobody@example.eu"}, follow=True).text
    message = "If a verified member has this address, they are invited."
    assert message in known and message in unknown


def test_staff_verify_shows_badge_with_criteria_and_suspend_hides(orgs, staff, login):
    org_actions.verify_organisation(orgs.org, staff, "Registered association; 120 member firms checked")
    page = login(None).get(orgs.org.get_absolute_url()).text
    assert "Validated profile" in page and "120 member firms checked" in page
    org_actions.suspend_organisation(orgs.org, staff, "Complaint under review")
    assert login(None).get(orgs.org.get_absolute_url()).status_code == 404
    assert login(None).get(orgs.offer.get_absolute_url()).status_code == 404
    assert orgs.offer not in org_selectors.offers({"state": "all"})
    assert [c.action for c in orgs.org.changes.all()][:2] == ["suspended", "verified"]


def test_admin_actions_need_their_permissions(orgs, staff, bob):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    admin = site._registry[Organisation]
    request = RequestFactory().get("/")
    request.user = staff
    assert {"approve", "verify", "suspend"} <= set(admin.get_actions(request))
    helper = make_user(is_staff=True)
    request.user = helper
    assert not {"approve", "verify", "suspend"} & set(admin.get_actions(request))


def test_offer_states_open_closed_expired(orgs, bob):
    today = timezone.localdate()
    assert orgs.offer.state == "open"
    expired = make_offer(orgs.org, bob, deadline=today - timedelta(days=1))
    assert expired.state == "expired"
    org_actions.close_offer(orgs.offer, bob)
    assert orgs.offer.state == "closed"
    assert list(org_selectors.offers({})) == []
    assert set(org_selectors.offers({"state": "expired"})) == {expired}
    assert set(org_selectors.offers({"state": "closed"})) == {orgs.offer}


def test_follow_organisation_ecosystem_region_notifies_new_offer(orgs, bob, alice, carol, login):
    dave_like = make_user()
    org_actions.toggle_follow(alice, organisation=orgs.org)
    org_actions.toggle_follow(carol, ecosystem=orgs.digital)
    org_actions.toggle_follow(dave_like, region="FR")
    offer = make_offer(orgs.org, bob, ecosystems=[orgs.digital], regions=["FRK2"])
    for user in (alice, carol, dave_like):
        assert Notification.objects.filter(user=user, kind="new_offer", offer=offer).exists(), user
    assert not Notification.objects.filter(user=bob, offer=offer).exists()
    page = login(alice).get(reverse("community:notification-list")).text
    assert offer.title in page


def test_follow_through_the_pages(orgs, alice, login):
    client = login(alice)
    client.post(reverse("organisations:offer-follow", args=[orgs.offer.pk]))
    client.post(reverse("organisations:topic-follow"), {"ecosystem": "mobility"})
    client.post(reverse("organisations:topic-follow"), {"region": "de11"})
    client.post(reverse("organisations:organisation-follow", args=[orgs.org.slug]))
    follows = Follow.objects.filter(user=alice)
    assert {(f.offer_id, f.ecosystem_id, f.region, f.organisation_id) for f in follows} == {
        (orgs.offer.pk, None, "", None),
        (None, orgs.mobility.pk, "", None),
        (None, None, "DE11", None),
        (None, None, "", orgs.org.pk),
    }


def test_offer_change_notifies_its_followers_and_the_digest_carries_it(orgs, bob, alice):
    org_actions.toggle_follow(alice, offer=orgs.offer)
    org_actions.close_offer(orgs.offer, bob)
    assert Notification.objects.filter(user=alice, kind="offer_changed", offer=orgs.offer).exists()
    mail.outbox.clear()
    assert emails.send_digest(alice) == 1
    message = mail.outbox[0]
    assert "Battery recycling partners" in message.body
    assert orgs.offer.get_absolute_url() in message.body


def test_notifications_of_a_suspended_organisation_drop_out(orgs, bob, alice, staff):
    org_actions.toggle_follow(alice, organisation=orgs.org)
    make_offer(orgs.org, bob)
    assert org_selectors_count(alice) == 1
    org_actions.suspend_organisation(orgs.org, staff, "spam")
    assert org_selectors_count(alice) == 0


def org_selectors_count(user):
    from community.selectors import notifications_for

    return notifications_for(user).filter(kind="new_offer").count()


def test_express_interest_hides_both_e_mail_addresses(
    orgs, bob, alice, login, django_capture_on_commit_callbacks
):
    alice.display_name = "Alice"
    alice.save()
    mail.outbox.clear()
    client = login(alice)
    url = reverse("organisations:offer-interest", args=[orgs.offer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "We recycle cells in Lyon; let us talk."})
    assert response.status_code == 302
    message = InterestMessage.objects.get()
    assert Notification.objects.filter(user=bob, kind="interest", interest=message).exists()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [bob.email]
    assert alice.email not in sent.body + sent.subject + str(sent.extra_headers)
    assert not sent.reply_to and not sent.cc and not sent.bcc
    assert "Alice" in sent.body and "let us talk" in sent.body
    # The manager reads it in the inbox: the sender's name, never the address.
    inbox = login(bob).get(reverse("organisations:interest-inbox", args=[orgs.org.slug])).text
    assert "let us talk" in inbox and alice.email not in inbox
    # The manager answers; the answer reaches alice without bob's address.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        login(bob).post(
            reverse("organisations:interest-inbox", args=[orgs.org.slug]),
            {"reply_to": message.pk, "body": "Happy to talk, see you at the matchmaking day."},
        )
    assert mail.outbox[0].to == [alice.email]
    assert bob.email not in mail.outbox[0].body
    mine = login(alice).get(reverse("organisations:my-messages")).text
    assert "Happy to talk" in mine and bob.email not in mine
    assert Notification.objects.filter(user=alice, kind="interest").exists()


def test_pages_never_show_managers_e_mail_addresses(orgs, bob, alice, login):
    for url in [
        orgs.org.get_absolute_url(),
        orgs.offer.get_absolute_url(),
        reverse("organisations:organisation-list"),
        reverse("organisations:organisation-export"),
        reverse("organisations:organisation-history", args=[orgs.org.slug]),
    ]:
        text = login(alice).get(url).content.decode()
        assert bob.email not in text and "carol@example.eu" not in text, url


def test_directory_filters_and_full_text_search(orgs, alice, staff, login):
    other = make_organisation(
        alice,
        staff,
        name="Lyon digital twins",
        country_id="FR",
        region="FRK2",
        description="Digital twins for factories",
        ecosystems=[orgs.digital],
    )
    org_actions.verify_organisation(other, staff, "checked")
    cases = {
        "ecosystem=digital": {other},
        "country=DE": {orgs.org},
        "region=FRK": {other},
        "verified=on": {other},
        "q=twins": {other},
        "q=autocluster": {orgs.org},
        "": {orgs.org, other},
    }
    for query, expected in cases.items():
        form_data = dict(p.split("=") for p in query.split("&") if p)
        from community.organisations.forms import DirectoryFilterForm

        assert set(org_selectors.directory(DirectoryFilterForm(form_data).filters())) == expected, query
    assert "Pending network" not in login(None).get(reverse("organisations:organisation-list")).text


def test_directory_paginates(orgs, alice, staff, login, monkeypatch):
    from community.organisations import views

    monkeypatch.setattr(views, "ORGANISATIONS_PER_PAGE", 1)
    make_organisation(alice, staff, name="Zz cluster")
    text = login(None).get(reverse("organisations:organisation-list"), {"page": 2}).text
    assert "Zz cluster" in text and "Page 2 of 2" in text


def test_csv_export_has_public_fields_only_and_neutralises_formulas(orgs, alice, staff, login):
    make_organisation(alice, staff, name='=HYPERLINK("http://evil.example")', contact_role="+cmd")
    response = login(None).get(reverse("organisations:organisation-export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(org_selectors.CSV_FIELDS)
    names = [r[0] for r in rows[1:]]
    assert "Autocluster Stuttgart" in names and "Pending network" not in names
    assert '\'=HYPERLINK("http://evil.example")' in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
    assert "@" not in response.content.decode().replace("'=", "")


def test_site_search_finds_organisations(orgs, login):
    response = login(None).get(reverse("search"), {"q": "Autocluster"})
    assert response.status_code == 200
    assert "Autocluster Stuttgart" in response.text
    assert "Pending network" not in login(None).get(reverse("search"), {"q": "Pending"}).text


def test_atom_feed_of_offers_is_valid(orgs, bob, login):
    make_offer(
        orgs.org, bob, title="Digital twin request", ecosystems=[orgs.digital], kind="technology-request"
    )
    response = login(None).get(reverse("organisations:offer-feed"))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert "Partner search: Battery recycling partners" in titles
    assert "Technology request: Digital twin request" in titles
    per_ecosystem = feedparser.parse(
        login(None).get(reverse("organisations:offer-feed"), {"ecosystem": "digital"}).content
    )
    assert [e.title for e in per_ecosystem.entries] == ["Technology request: Digital twin request"]
    assert login(None).get(reverse("organisations:offer-feed"), {"ecosystem": "nope"}).status_code == 404


def _unfold(text: str) -> list[str]:
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    return text.replace("\r\n ", "").split("\r\n")


def test_ical_feed_is_valid_rfc5545(orgs, bob, login):
    from .factories import make_event

    make_event(
        orgs.org,
        bob,
        title="Webinar; with, commas " + "long " * 30,
        description="line one\n\nline two",
        is_online=True,
        location="",
    )
    response = login(None).get(reverse("organisations:event-ical"))
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert any(line.startswith("SUMMARY:Webinar\\; with\\, commas long long") for line in lines)
    assert any(line.startswith("DESCRIPTION:") and "line one\\nline two" in line for line in lines)
    assert any(line == "LOCATION:Online" for line in lines)
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == 2
    assert all(line.endswith("Z") for line in lines if line.startswith(("DTSTART", "DTEND", "DTSTAMP")))


def test_ical_per_ecosystem(orgs, bob, login):
    from .factories import make_event

    event = make_event(orgs.org, bob, title="Mobility day")
    event.ecosystems.set([orgs.mobility])
    text = login(None).get(reverse("organisations:event-ical"), {"ecosystem": "mobility"}).content.decode()
    assert "SUMMARY:Mobility day" in text and "Automotive matchmaking day" not in text


def test_ical_escapes_backslashes():
    class Org:
        name = "O"

        def get_absolute_url(self):
            return "/o/"

    class Ev:
        pk, title, location, description, is_online, is_cancelled = 1, "a\\b", "x", "", False, False
        starts_at = ends_at = timezone.now()
        organisation = Org()

        def get_absolute_url(self):
            return "/e/1/"

        def get_kind_display(self):
            return "Other"

        class ecosystems:  # noqa: N801
            @staticmethod
            def all():
                return []

    assert "SUMMARY:a\\\\b" in ical([Ev()], "x")


def test_event_form_checks_dates_and_place(orgs, bob, login):
    url = reverse("organisations:event-create", args=[orgs.org.slug])
    data = {
        "kind": "webinar",
        "title": "Bad dates",
        "starts_at": "2030-01-02T10:00",
        "ends_at": "2030-01-01T10:00",
    }
    text = login(bob).post(url, data).text
    assert "cannot end before it starts" in text and "tick “online”" in text.replace("&ldquo;", "“").replace(
        "&rdquo;", "”"
    )
    ok = {**data, "ends_at": "2030-01-02T12:00", "is_online": "on"}
    assert login(bob).post(url, ok).status_code == 302


def test_offer_form_validates_regions(orgs, bob, login):
    url = reverse("organisations:offer-create", args=[orgs.org.slug])
    base = {"kind": "call-for-partners", "title": "Horizon call", "description": "Partners for a call"}
    assert "is not a NUTS" in login(bob).post(url, {**base, "regions": "XX99"}).text
    assert login(bob).post(url, {**base, "regions": "fr, DE11,FR"}).status_code == 302
    from community.organisations.models import Offer

    assert Offer.objects.get(title="Horizon call").regions == ["FR", "DE11"]


def test_proposed_organisation_cannot_publish_offers(orgs, carol, login):
    url = reverse("organisations:offer-create", args=[orgs.proposed.slug])
    assert login(carol).get(url).status_code == 403


def test_history_records_staff_actions(orgs, staff):
    actions = list(OrganisationChange.objects.filter(organisation=orgs.org).values_list("action", flat=True))
    assert actions == ["approved", "proposed"]


def test_matchmaking_suggestions_with_reasons_in_bounded_queries(
    orgs, alice, carol, staff, django_assert_max_num_queries
):
    from ecosystems.models import EcosystemActivity, MappingVersion

    version = MappingVersion.objects.create(number=901, is_current=True)
    EcosystemActivity.objects.create(version=version, ecosystem=orgs.mobility, nace="C29", share=1)
    EcosystemActivity.objects.create(version=version, ecosystem=orgs.mobility, nace="C27", share=0.5)
    EcosystemActivity.objects.create(version=version, ecosystem=orgs.digital, nace="C271", share=0.5)
    german = make_organisation(
        alice, staff, name="Karlsruhe mobility", region="DE12", ecosystems=[orgs.mobility]
    )
    french = make_organisation(
        carol, staff, name="Lyon electronics", country_id="FR", region="FRK2", ecosystems=[orgs.digital]
    )
    unrelated = make_organisation(alice, staff, name="Unrelated", ecosystems=[])
    # A fixed number whatever the data: offer, mapping, candidates and their prefetches, and the
    # cluster evidence (thresholds, years, strong pairs and the data generation each cache read
    # checks: cached after the first call).
    with django_assert_max_num_queries(12):
        rows = org_selectors.suggestions(orgs.offer)
    by_org = {r["organisation"]: r["reasons"] for r in rows}
    assert unrelated not in by_org and orgs.org not in by_org
    assert by_org[german] == ["works in Mobility–Transport–Automotive"]
    assert by_org[french][0].startswith("neighbouring ecosystem Digital: shares NACE C27")
    assert "located in FRK2, where partners are wanted (FR)" in by_org[french]
    assert "in France: cross-border" in by_org[french]
    assert [r["organisation"] for r in rows] == [french, german]  # wanted region + cross-border first


def test_directory_map_counts_organisations_per_region(orgs, alice, staff, login):
    make_organisation(alice, staff, name="Second Stuttgart cluster", region="DE11")
    make_organisation(alice, staff, name="No region cluster", region="")
    response = login(None).get(reverse("organisations:organisation-list"))
    figure = response.context["map"]["figure"]
    trace = figure["data"][0]
    assert dict(zip(trace["locations"], trace["z"], strict=True)) == {"DE11": 2}
    assert "Stuttgart (DE11)" in response.text  # the data table beside the map
    assert 'data-chart="organisation-map-figure"' in response.text


def test_admin_verify_action_uses_the_criteria_staff_wrote(orgs, staff, rf):
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    admin = site._registry[Organisation]
    request = rf.post("/")
    request.user = staff
    request.session = {}
    request._messages = FallbackStorage(request)
    Organisation.objects.filter(pk=orgs.org.pk).update(verification_criteria="Statutes and member list seen")
    admin.verify(request, Organisation.objects.filter(pk=orgs.org.pk))
    orgs.org.refresh_from_db()
    assert orgs.org.is_verified and orgs.org.verification_criteria == "Statutes and member list seen"
    Organisation.objects.filter(pk=orgs.org.pk).update(status_reason="Fake profile reported")
    admin.suspend(request, Organisation.objects.filter(pk=orgs.org.pk))
    orgs.org.refresh_from_db()
    assert orgs.org.status == "suspended"
    assert orgs.org.changes.first().reason == "Fake profile reported"


def test_every_notification_kind_links_to_its_page(orgs, alice, bob, carol, staff, login):
    org_actions.invite_manager(orgs.org, bob, alice)
    message = org_actions.express_interest(carol, orgs.org, "Hello from Lyon, interested!", orgs.offer)
    org_actions.reply_to_interest(bob, message, "Thanks, let us meet.")
    org_actions.toggle_follow(alice, organisation=orgs.org)
    offer = make_offer(orgs.org, bob, title="Fresh partner search")
    links = {n.kind: n.get_absolute_url() for n in Notification.objects.filter(user__in=[alice, carol, bob])}
    assert links["invitation"] == reverse("organisations:invitation-list")
    assert links["new_offer"] == offer.get_absolute_url()
    bob_interest = Notification.objects.get(user=bob, kind="interest").get_absolute_url()
    assert bob_interest == reverse("organisations:interest-inbox", args=[orgs.org.slug])
    carol_answer = Notification.objects.get(user=carol, kind="interest").get_absolute_url()
    assert carol_answer == reverse("organisations:my-messages")
    for user in (alice, bob, carol):
        page = login(user).get(reverse("community:notification-list"))
        assert page.status_code == 200
        for n in Notification.objects.filter(user=user):
            assert n.get_absolute_url() in page.text
            assert login(user).get(n.get_absolute_url()).status_code == 200, (user, n.kind)


def test_month_calendar_places_events_on_their_days(orgs, bob, login):
    from .factories import make_event

    start = timezone.now().replace(year=2031, month=5, day=30, hour=9)
    make_event(
        orgs.org, bob, title="Two-day summit", starts_at=start, ends_at=start + timedelta(days=1, hours=2)
    )
    response = login(None).get(reverse("organisations:event-calendar"), {"month": "2031-05"})
    days = {
        cell["date"].isoformat(): [e.title for e in cell["events"]]
        for week in response.context["grid"]
        for cell in week
    }
    assert days["2031-05-30"] == days["2031-05-31"] == ["Two-day summit"]
    assert days.get("2031-05-29") == []
    assert "Two-day summit" in response.text
    assert login(None).get(reverse("organisations:event-calendar"), {"month": "garbage"}).status_code == 200
    ics = login(None).get(reverse("organisations:event-ics", args=[orgs.event.pk])).content.decode()
    assert ics.count("BEGIN:VEVENT") == 1 and "SUMMARY:Automotive matchmaking day" in ics


def test_discussion_panel_on_profile_pages_shows_organisations_and_follow(orgs, alice, login):
    client = login(alice)

    def panel(kind, key):
        return client.get(f"/forum/panel/{kind}/{key}/", {"fragment": "1"}).content.decode()

    for kind, key in [("ecosystem", "mobility"), ("country", "DE"), ("region", "DE11")]:
        html = panel(kind, key)
        assert "1 organisation" in html and "1 open offer" in html, kind
        assert "Follow new offers here" in html
    assert "No organisation profile yet." in panel("region", "FRK2")
    org_actions.toggle_follow(alice, region="DE11")
    assert "Stop following new offers here" in panel("region", "DE11")


def test_last_manager_cannot_leave_but_a_co_manager_can(orgs, bob, alice, login):
    url = reverse("organisations:manager-invite", args=[orgs.org.slug])
    assert "last manager" in login(bob).post(url, {"leave": "1"}, follow=True).text
    org_actions.accept_invitation(org_actions.invite_manager(orgs.org, bob, alice), alice)
    assert login(alice).post(url, {"leave": "1"}).status_code == 302
    assert list(orgs.org.managers.all()) == [bob]
    assert orgs.org.changes.filter(action="manager_left").exists()


def test_feeds_show_text_not_entities(orgs, bob, login):
    make_offer(orgs.org, bob, title="R&D partners", description="Batteries <b>& cells</b> > 10 kWh")
    feed = feedparser.parse(login(None).get(reverse("organisations:offer-feed")).content)
    entry = next(e for e in feed.entries if "R&D" in e.title)
    # type="html": the text is escaped once (no <b> element, no double-escaped &amp;amp;)
    assert (
        "&lt;b&gt;&amp; cells" in entry.summary
        and "<b>" not in entry.summary
        and "&amp;amp;" not in entry.summary
    )
    from .factories import make_event

    make_event(orgs.org, bob, title="Q&A webinar", description="Fish & chips")
    text = login(None).get(reverse("organisations:event-ical")).content.decode().replace("\r\n ", "")
    assert "SUMMARY:Q&A webinar" in text and "Fish & chips" in text and "&amp;" not in text


def test_logo_upload_is_served_with_its_checked_type_and_survives_edits(orgs, bob, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    data = {"name": "Autocluster Stuttgart", "legal_form": "association", "country": "DE", "region": "DE11"}
    url = reverse("organisations:organisation-edit", args=[orgs.org.slug])
    wrong_name = SimpleUploadedFile("logo.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert "rename it to .png" in login(bob).post(url, {**data, "logo": wrong_name}).text
    logo = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    assert login(bob).post(url, {**data, "logo": logo}).status_code == 302
    response = login(None).get(reverse("organisations:organisation-logo", args=[orgs.org.slug]))
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert login(bob).post(url, {**data, "description": "Edited again"}).status_code == 302  # logo kept
    orgs.org.refresh_from_db()
    assert orgs.org.logo.name.endswith(".png") and orgs.org.logo_width == 8


def test_offers_filtered_by_region_wanted(orgs, bob):
    anywhere = make_offer(orgs.org, bob, title="Anywhere", regions=[])
    stuttgart = make_offer(orgs.org, bob, title="Stuttgart only", regions=["DE11"])
    found = {o.title for o in org_selectors.offers({"region": "FRK2"})}
    assert found == {"Battery recycling partners", "Anywhere"}  # the fixture's offer wants FR
    assert {o.title for o in org_selectors.offers({"region": "DE11"})} == {anywhere.title, stuttgart.title}


def test_new_event_notifies_followers_of_the_organisation_and_its_ecosystems(orgs, bob, alice, carol, login):
    from .factories import make_event

    org_actions.toggle_follow(alice, organisation=orgs.org)
    org_actions.toggle_follow(carol, ecosystem=orgs.mobility)
    event = make_event(orgs.org, bob, title="Hydrogen matchmaking")
    event.ecosystems.set([orgs.mobility])
    assert Notification.objects.filter(user=alice, kind="new_event", event=event).exists()
    assert not Notification.objects.filter(user=carol, kind="new_event").exists()  # set after creation
    second = org_actions.create_event(
        orgs.org, bob,
        {"title": "Second day", "starts_at": event.starts_at, "ends_at": event.ends_at, "location": "Ulm"},
        ecosystems=[orgs.mobility],
    )  # fmt: skip
    assert Notification.objects.filter(user=carol, kind="new_event", event=second).exists()
    page = login(alice).get(reverse("community:notification-list")).text
    assert "Hydrogen matchmaking" in page and event.get_absolute_url() in page
