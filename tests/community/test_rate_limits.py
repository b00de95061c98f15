import html

from django.urls import reverse

from community import actions
from community.models import Thread

from .factories import make_thread, make_user


def test_rate_limit_new_account_threads_per_day(forum, settings, login):
    settings.COMMUNITY_NEW_ACCOUNT_THREADS_PER_DAY = 1
    newbie = make_user(old=False)
    make_thread(forum.open, newbie, "First", "first body")
    response = login(newbie).post(
        reverse("community:thread-create", args=[forum.open.slug]),
        {"title": "Second", "body": "my careful text"},
    )
    assert response.status_code == 200
    assert "at most 1 new threads a day" in response.text
    assert "my careful text" in response.text  # the form keeps the text
    assert not Thread.objects.filter(title="Second").exists()


def test_rate_limit_new_account_replies_per_day(forum, settings):
    settings.COMMUNITY_NEW_ACCOUNT_REPLIES_PER_DAY = 2
    newbie = make_user(old=False)
    actions.reply(forum.open_thread, newbie, "one")
    actions.reply(forum.open_thread, newbie, "two")
    try:
        actions.reply(forum.open_thread, newbie, "three")
    except actions.RateLimited as exc:
        assert "2 replies a day" in str(exc)
    else:
        raise AssertionError("third reply was accepted")


def test_rate_limit_new_account_links_per_post(forum, settings, login):
    settings.COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST = 2
    newbie = make_user(old=False)
    body = "see https://a.example https://b.example https://c.example"
    response = login(newbie).post(
        reverse("community:thread-reply", args=[forum.open_thread.pk]), {"body": body}
    )
    assert "at most 2 links" in response.text


def test_rate_limit_old_accounts_are_not_limited(forum, settings, carol):
    settings.COMMUNITY_NEW_ACCOUNT_REPLIES_PER_DAY = 0
    assert actions.reply(forum.open_thread, carol, "https://a.example https://b.example https://c.example").pk


def test_rate_limit_duplicate_post_refused(forum, carol, login):
    url = reverse("community:thread-reply", args=[forum.open_thread.pk])
    login(carol).post(url, {"body": "Same words twice"})
    response = login(carol).post(url, {"body": "Same words twice"})
    assert "don't post duplicates" in html.unescape(response.text)
    assert forum.open_thread.posts.filter(body="Same words twice").count() == 1


def test_unverified_user_cannot_post(forum, dave, login):
    url = reverse("community:thread-reply", args=[forum.open_thread.pk])
    assert login(dave).post(url, {"body": "hello"}).status_code == 403


def test_protocol_relative_links_count_towards_the_new_account_limit(forum, settings):
    settings.COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST = 2
    newbie = make_user(old=False)
    body = "see //a.example and [b](//b.example/x) and <//c.example>"
    try:
        actions.check_rate_limits(newbie, body, new_thread=False)
    except actions.RateLimited as exc:
        assert "this one has 3" in str(exc)
    else:
        raise AssertionError("three //host links passed the 2-link limit")
    actions.check_rate_limits(newbie, "a path a/b//c and https://a.example", new_thread=False)


# --- organisations, offers, events, interest messages ----------------------------------------


def test_rate_limit_new_account_organisation_proposals(db, settings, login):
    from community.organisations.models import Organisation

    from .factories import make_geo, make_organisation

    make_geo()
    settings.COMMUNITY_NEW_ACCOUNT_ORGANISATIONS_PER_DAY = 1
    newbie = make_user(old=False)
    make_organisation(newbie, approved=False, name="First network")
    response = login(newbie).post(
        reverse("organisations:organisation-propose"),
        {
            "name": "Second network",
            "legal_form": "association",
            "country": "DE",
            "description": "my careful text",
        },
    )
    assert response.status_code == 200
    assert "at most 1 organisation proposals a day" in response.text
    assert "my careful text" in response.text
    assert not Organisation.objects.filter(name="Second network").exists()


def test_rate_limit_new_manager_offers_and_links(orgs, settings, staff, login):
    from community.organisations.models import Offer

    from .factories import make_offer, make_organisation

    settings.COMMUNITY_NEW_ACCOUNT_OFFERS_PER_DAY = 1
    settings.COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST = 1
    newbie = make_user(old=False)
    org = make_organisation(newbie, staff, name="New cluster")
    url = reverse("organisations:offer-create", args=[org.slug])
    links = {"kind": "partner-search", "title": "Spam", "description": "https://a.example https://b.example"}
    assert "at most 1 links" in login(newbie).post(url, links).text
    make_offer(org, newbie)
    response = login(newbie).post(url, {**links, "title": "Second", "description": "fine"})
    assert "at most 1 offers a day" in response.text
    assert Offer.objects.filter(organisation=org).count() == 1


def test_rate_limit_new_account_interest_messages(orgs, settings, login):
    from community.organisations.models import InterestMessage

    settings.COMMUNITY_NEW_ACCOUNT_INTERESTS_PER_DAY = 2
    newbie = make_user(old=False)
    url = reverse("organisations:offer-interest", args=[orgs.offer.pk])
    for n in range(3):
        response = login(newbie).post(url, {"body": f"Interested, message number {n}"})
    assert "at most 2 interest messages a day" in response.text
    assert InterestMessage.objects.filter(sender=newbie).count() == 2


def test_rate_limit_new_account_events(orgs, settings, staff):
    from community.organisations import actions as org_actions

    from .factories import make_event, make_organisation

    settings.COMMUNITY_NEW_ACCOUNT_EVENTS_PER_DAY = 1
    newbie = make_user(old=False)
    org = make_organisation(newbie, staff, name="Newer cluster")
    make_event(org, newbie)
    try:
        make_event(org, newbie)
    except actions.RateLimited as exc:
        assert "1 events a day" in str(exc)
    else:
        raise AssertionError("second event accepted")
    assert org_actions.check_rate_limits(staff, "event") is None  # staff are never limited


def test_duplicate_interest_message_refused_for_everyone(orgs, carol, login):
    from community.organisations.models import InterestMessage

    url = reverse("organisations:offer-interest", args=[orgs.offer.pk])
    login(carol).post(url, {"body": "Same words twice, please"})
    response = login(carol).post(url, {"body": "Same words twice, please"})
    assert "exactly this message" in response.text
    assert InterestMessage.objects.filter(sender=carol).count() == 1


def test_unverified_member_cannot_propose_follow_or_message(orgs, dave, login):
    client = login(dave)
    assert client.get(reverse("organisations:organisation-propose")).status_code == 403
    assert client.post(reverse("organisations:offer-follow", args=[orgs.offer.pk])).status_code == 403
    assert (
        client.post(
            reverse("organisations:offer-interest", args=[orgs.offer.pk]), {"body": "hello there!"}
        ).status_code
        == 403
    )
