def test_thread_detail_renders_posts_for_member(forum, alice, login):
    response = login(alice).get(forum.private_thread.get_absolute_url())
    assert response.status_code == 200
    assert "Secret words about magnesium" in response.text
