import pytest
from django.urls import reverse

from community import actions
from community.models import ModerationLog, Post, PostRevision

from .factories import make_post, make_user


def test_flag_post_hides_after_three_distinct_flaggers(forum):
    post = forum.open_reply
    for _ in range(2):
        actions.flag_post(post, make_user(), "spam")
    post.refresh_from_db()
    assert not post.is_hidden
    actions.flag_post(post, make_user(), "spam")
    post.refresh_from_db()
    assert post.is_hidden


def test_flag_post_same_flagger_twice_counts_once(forum, carol, alice):
    post = forum.open_reply
    actions.flag_post(post, carol, "spam")
    actions.flag_post(post, carol, "spam again")
    actions.flag_post(post, alice, "spam")
    post.refresh_from_db()
    assert not post.is_hidden


def test_flag_post_auto_hide_is_logged_as_system(forum):
    for _ in range(3):
        actions.flag_post(forum.open_reply, make_user(), "abuse")
    entry = ModerationLog.objects.get(action=ModerationLog.Action.AUTO_HIDE_POST)
    assert entry.actor is None and entry.post == forum.open_reply


def test_hidden_post_is_a_stub_for_readers_and_visible_to_moderators(forum, carol, bob, login):
    actions.hide_post(forum.open_reply, bob, "off topic")
    url = forum.open_thread.get_absolute_url()
    assert "A public reply." not in login(carol).get(url).text
    assert "A public reply." in login(bob).get(url).text


def test_restore_post_brings_back_hidden_post_and_resolves_flags(forum, bob):
    for _ in range(3):
        actions.flag_post(forum.open_reply, make_user(), "spam")
    actions.restore_post(forum.open_reply, bob, "not spam")
    post = Post.objects.get(pk=forum.open_reply.pk)
    assert post.is_visible and not post.flags.filter(resolved_at=None).exists()


def test_moderation_queue_lists_flagged_posts(forum, bob, carol, login):
    actions.flag_post(forum.open_reply, carol, "needs a source")
    response = login(bob).get(reverse("community:moderation-queue", args=[forum.open.slug]))
    assert "needs a source" in response.text


def test_edit_post_keeps_previous_text_as_revision(forum, alice, login):
    post = forum.private_reply
    login(alice).post(reverse("community:post-edit", args=[post.pk]), {"body": "Corrected text."})
    post.refresh_from_db()
    assert post.body == "Corrected text."
    assert PostRevision.objects.get(post=post).body == "A private reply about magnesium."


def test_post_history_page_shows_earlier_versions(forum, alice, login):
    actions.edit_post(forum.private_reply, alice, "Second version.")
    response = login(alice).get(reverse("community:post-history", args=[forum.private_reply.pk]))
    assert "A private reply about magnesium." in response.text and "Second version." in response.text


def test_edit_first_post_renames_thread_and_keeps_old_title(forum, bob):
    actions.edit_post(forum.private_post, bob, forum.private_post.body, title="Magnesium: new title")
    forum.private_thread.refresh_from_db()
    assert forum.private_thread.title == "Magnesium: new title"
    assert PostRevision.objects.get(post=forum.private_post).title == "Private thread on magnesium"


def test_delete_post_is_soft_and_restorable(forum, alice, bob, login):
    login(alice).post(reverse("community:post-delete", args=[forum.private_reply.pk]))
    post = Post.objects.get(pk=forum.private_reply.pk)
    assert post.is_deleted and post.body == "A private reply about magnesium."
    actions.restore_post(post, bob, "deleted by mistake")
    post.refresh_from_db()
    assert post.is_visible


def test_delete_post_by_moderator_is_logged(forum, bob, login):
    login(bob).post(reverse("community:post-delete", args=[forum.private_reply.pk]), {"reason": "duplicate"})
    assert ModerationLog.objects.filter(action="delete_post", actor=bob, reason="duplicate").exists()


def test_move_thread_keeps_posts_and_permalinks(forum, bob, staff, login):
    posts = list(forum.open_thread.posts.values_list("pk", flat=True))
    actions.move_thread(forum.open_thread, bob, forum.private, "belongs to the work stream")
    assert list(forum.open_thread.posts.values_list("pk", flat=True)) == posts
    response = login(staff).get(reverse("community:post-permalink", args=[posts[-1]]))
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{posts[-1]}")


def test_move_thread_to_private_space_hides_it_from_outsiders(forum, bob, carol, login):
    actions.move_thread(forum.open_thread, bob, forum.private, "work stream")
    assert login(carol).get(forum.open_thread.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("action", ["lock", "pin", "hide", "unlock", "unpin", "restore"])
def test_thread_moderate_records_who_what_why(forum, bob, login, action):
    url = reverse("community:thread-moderate", args=[forum.open_thread.pk])
    login(bob).post(url, {"action": action, "reason": f"because {action}"})
    entry = ModerationLog.objects.get(thread=forum.open_thread, reason=f"because {action}")
    assert entry.actor == bob and entry.created_at is not None


def test_locked_thread_refuses_replies_from_members(forum, alice, bob, login):
    actions.moderate_thread(forum.open_thread, bob, "lock", "cool down")
    response = login(alice).post(
        reverse("community:thread-reply", args=[forum.open_thread.pk]), {"body": "hi"}
    )
    assert response.status_code == 403


def test_suspended_user_cannot_post_in_space(forum, carol, bob, login):
    actions.suspend_user(forum.open, bob, carol, "spam")
    url = reverse("community:thread-reply", args=[forum.open_thread.pk])
    assert login(carol).post(url, {"body": "still here"}).status_code == 403
    assert ModerationLog.objects.filter(action="suspend", target_user=carol).exists()


def test_suspend_user_never_adds_an_outsider_to_a_private_space(forum, carol, bob):
    with pytest.raises(ValueError):
        actions.suspend_user(forum.private, bob, carol, "x")


def test_hidden_thread_is_404_for_members_and_listed_for_moderators(forum, alice, bob, login):
    actions.moderate_thread(forum.private_thread, bob, "hide", "legal check")
    assert login(alice).get(forum.private_thread.get_absolute_url()).status_code == 404
    assert forum.private_thread.title in login(bob).get(forum.private.get_absolute_url()).text


def test_moderation_log_page_shows_reason(forum, bob, login):
    actions.moderate_thread(forum.private_thread, bob, "pin", "important reference")
    response = login(bob).get(reverse("community:moderation-log", args=[forum.private.slug]))
    assert "important reference" in response.text


def test_make_post_helper_is_a_reply(forum, alice):
    assert make_post(forum.open_thread, alice).reply_to is None


def test_moderator_editing_someones_post_is_logged(forum, bob):
    actions.edit_post(forum.private_reply, bob, "Toned down.")
    assert ModerationLog.objects.filter(action="edit_post", actor=bob, post=forum.private_reply).exists()
