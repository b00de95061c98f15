from django.urls import reverse

from community import actions, tasks
from community.emails import unsubscribe_token
from community.models import ForumSettings, Notification

from .factories import make_thread


def test_reply_to_post_notifies_its_author(forum, carol, alice):
    post = actions.reply(forum.open_thread, carol, "I disagree", reply_to=forum.open_reply)
    assert Notification.objects.filter(user=forum.open_reply.author, kind="reply", post=post).exists()


def test_reply_notifies_thread_followers_not_the_replier(forum, carol, alice):
    post = actions.reply(forum.open_thread, carol, "A comment")
    assert Notification.objects.filter(user=alice, kind="reply", post=post).exists()
    assert not Notification.objects.filter(user=carol, post=post).exists()


def test_mention_by_email_local_part_notifies(forum, alice, carol):
    post = actions.reply(forum.open_thread, alice, "What do you think, @carol?")
    assert Notification.objects.filter(user=carol, kind="mention", post=post).exists()


def test_mention_of_outsider_in_private_space_does_not_notify(forum, alice, carol):
    actions.reply(forum.private_thread, alice, "@carol should see this")
    assert not Notification.objects.filter(user=carol).exists()


def test_new_thread_in_followed_space_notifies_follower(forum, carol, alice):
    actions.toggle_follow(carol, space=forum.open)
    thread = make_thread(forum.open, alice, "Fresh topic", "New body")
    assert Notification.objects.filter(user=carol, kind="new_thread", post__thread=thread).exists()


def test_notification_from_space_user_left_is_not_shown(forum, alice, bob, login):
    actions.reply(forum.private_thread, bob, "@alice look", reply_to=forum.private_reply)
    forum.private.memberships.filter(user=alice).delete()
    assert "Private thread on magnesium" not in login(alice).get(reverse("community:notification-list")).text


def test_unread_count_shown_on_forum_pages(forum, carol, alice, login):
    actions.reply(forum.open_thread, carol, "ping @alice")
    response = login(alice).get(reverse("community:forum-index"))
    assert 'class="count-badge"' in response.text


def test_opening_thread_marks_its_notifications_read(forum, carol, alice, login):
    actions.reply(forum.open_thread, carol, "ping @alice")
    login(alice).get(forum.open_thread.get_absolute_url())
    assert not Notification.objects.filter(user=alice, read_at=None).exists()


def test_digest_task_emails_unread_notifications_with_unsubscribe_header(forum, carol, alice, mailoutbox):
    actions.reply(forum.open_thread, carol, "ping @alice")
    ForumSettings.objects.create(user=alice, digest="daily")
    tasks.send_digests.delay()
    (message,) = [m for m in mailoutbox if alice.email in m.to]
    assert "Open thread on productivity" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_digest_task_skips_users_who_switched_off(forum, carol, alice, mailoutbox):
    actions.reply(forum.open_thread, carol, "ping @alice")
    ForumSettings.objects.create(user=alice, digest="off")
    tasks.send_digests.delay()
    assert not [m for m in mailoutbox if alice.email in m.to]


def test_digest_never_mentions_private_space_user_cannot_read(forum, bob, alice, mailoutbox):
    actions.reply(forum.private_thread, bob, "@alice private", reply_to=forum.private_reply)
    forum.private.memberships.filter(user=alice).delete()
    ForumSettings.objects.create(user=alice, digest="daily")
    tasks.send_digests.delay()
    assert all("magnesium" not in m.body for m in mailoutbox if alice.email in m.to)


def test_digest_is_not_sent_twice_for_same_notifications(forum, carol, alice, mailoutbox):
    actions.reply(forum.open_thread, carol, "ping @alice")
    ForumSettings.objects.create(user=alice, digest="daily")
    tasks.send_digest.delay(alice.pk)
    tasks.send_digest.delay(alice.pk)
    assert len([m for m in mailoutbox if alice.email in m.to]) == 1


def test_unsubscribe_link_switches_digest_off_without_login(alice, client):
    ForumSettings.objects.create(user=alice, digest="weekly")
    response = client.post(reverse("community:unsubscribe", args=[unsubscribe_token(alice)]))
    assert response.status_code == 200
    assert ForumSettings.objects.get(user=alice).digest == "off"


def test_unsubscribe_get_does_not_unsubscribe(alice, client):
    ForumSettings.objects.create(user=alice, digest="weekly")
    client.get(reverse("community:unsubscribe", args=[unsubscribe_token(alice)]))
    assert ForumSettings.objects.get(user=alice).digest == "weekly"


def test_unsubscribe_with_tampered_token_is_404(alice, client):
    token = unsubscribe_token(alice)
    assert client.post(reverse("community:unsubscribe", args=[token[:-2] + "xx"])).status_code == 404


def test_unread_count_shown_in_site_account_menu(forum, carol, alice, login):
    actions.reply(forum.open_thread, carol, "ping @alice")
    count = Notification.objects.filter(user=alice, read_at=None).count()
    response = login(alice).get("/about/")
    assert reverse("community:notification-list") in response.text
    assert f'<span class="badge">{count}<' in response.text


def test_unread_badge_counts_only_what_the_member_may_still_read(forum, alice, bob, carol, login):
    """A notification from a space the member left is unread but not counted (the visibility
    rules still decide once something is unread); nothing unread: no badge."""
    Notification.objects.filter(user=alice).delete()  # the fixture's own replies notified alice
    actions.reply(forum.private_thread, bob, "@alice look", reply_to=forum.private_reply)
    forum.private.memberships.filter(user=alice).delete()
    assert Notification.objects.filter(user=alice, read_at=None).exists()
    page = login(alice).get(reverse("community:forum-index")).text
    assert 'class="count-badge"' not in page and 'class="badge"' not in page
    actions.reply(forum.open_thread, carol, "ping @alice")
    page = login(alice).get(reverse("community:forum-index")).text
    assert '<span class="badge">1<' in page and 'class="count-badge" aria-label="1 unread"' in page


def test_unread_count_is_one_index_lookup_when_nothing_is_unread_and_once_a_page(forum, alice, carol, login):
    """The header and the forum bar share one count a request; a member with nothing unread
    costs one EXISTS on the (user, read_at) index, not the visibility-filtered COUNT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Notification.objects.filter(user=alice).delete()  # the fixture's own replies notified alice
    client = login(alice)
    url = reverse("community:forum-index")
    client.get(url)  # the session and the per-process caches warmed

    def notification_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in queries if '"community_notification"' in q["sql"]]

    none_unread = notification_queries()
    assert len(none_unread) == 1 and "LIMIT 1" in none_unread[0] and "COUNT(" not in none_unread[0]
    actions.reply(forum.open_thread, carol, "ping @alice")
    some_unread = notification_queries()
    assert len(some_unread) == 2 and sum("COUNT(" in sql for sql in some_unread) == 1
