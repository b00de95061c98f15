"""observatory.cache.RedisCache: Django's Redis backend with one redis-py client per pool, on a
real Redis."""

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from observatory.cache import RedisCache


@pytest.fixture
def backend(redis_url):
    # Its own keys only: clear() would flush the Redis database the Celery-worker tests share.
    cache = RedisCache(redis_url, {"KEY_PREFIX": "test-cache-backend"})
    cache.delete_many(["k", "page"])
    yield cache
    cache.delete_many(["k", "page"])


def test_one_client_per_pool_serves_every_call(backend):
    client = backend._cache.get_client()
    assert backend._cache.get_client() is client
    assert backend._cache.get_client(write=True) is client  # one server: one pool for both
    django_backend = DjangoRedisCache(backend._servers[0], {})
    assert django_backend._cache.get_client() is not django_backend._cache.get_client()  # why


def test_it_behaves_as_djangos_backend(backend):
    assert backend.get("k") is None
    assert backend.add("k", (1, 2, None), 5)
    assert not backend.add("k", "other", 5)  # add keeps the first value
    assert backend.get("k") == (1, 2, None)
    backend.set("page", b"\x1f\x8b gzipped", 5)
    assert backend.get_many(["k", "page"]) == {"k": (1, 2, None), "page": b"\x1f\x8b gzipped"}
    backend.delete("k")
    assert backend.get("k") is None
