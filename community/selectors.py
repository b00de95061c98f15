"""Public read functions other apps may call (the site search, the home page).

CONTRACT (kept by the community issue's implementation; this first version returns nothing):
- search_posts(user, query, limit=20) -> list of dicts {"title", "url", "snippet" (safe HTML with
  <mark> highlights), "rank" (float), "space" (name)}; only posts/threads `user` may read
  (anonymous users: public spaces only); never a hidden or deleted post.
- active_public_threads(limit=5) -> list of dicts {"title", "url", "space", "last_activity"
  (datetime), "replies" (int)}; public spaces only.
"""


def search_posts(user, query: str, limit: int = 20) -> list[dict]:
    return []


def active_public_threads(limit: int = 5) -> list[dict]:
    return []
