"""The heavy part of a profile page, rendered once: the `{% prebuilt %}` block of a page family's
template (its panels, tables and figures) is stored as HTML per pre-built payload (family, key,
generation), language and canonical query string, and read back with the payload in the same
query (indicators.payloads.payload), so an uncached page renders only its frame (header, footer,
the forum and publication panels, which change without a refresh) around stored HTML.

What in that HTML depends on the request is tokenised when it is stored: the site's origin
(scheme + host, in the permalinks and API calls) and the date of the citations ("accessed …"),
so one stored fragment serves every host the site answers to, on any day. A query that is not
canonical, or a payload built in this request without a stored row yet, renders the block as
before; a canonical one stores what it rendered (a concurrent identical insert is ignored).
"""

import hashlib
import os
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils import timezone

from .models import PageFragment, StoredPage

ORIGIN = "\ue000origin\ue000"  # private-use characters: never in our HTML otherwise
TODAY = "\ue000today\ue000"


def accessed(day: str) -> str:
    """The citation's date as indicators.views.common.citation writes it."""
    return f"(accessed {day})"


def today() -> str:
    return f"{timezone.now():%Y-%m-%d}"


def origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@dataclass
class Prebuilt:
    """One page's stored block (or the place to store it): the payload row's identity, the
    language and the canonical query; STORED is the compressed, tokenised HTML when there is one."""

    family: str
    key: str
    generation: int
    language: str
    query: str
    stored: bytes | None = None

    def html(self, request) -> str | None:
        if self.stored is None:
            return None
        return untokenised(request, self.stored)

    def keep(self, request, html: str) -> None:
        self.stored = tokenised(request, html)
        row = PageFragment(
            family=self.family,
            key=self.key,
            generation=self.generation,
            build=build_id(),
            language=self.language,
            query=self.query,
            html=self.stored,
        )
        insert_once(lambda: PageFragment.objects.bulk_create([row], ignore_conflicts=True))


def tokenised(request, html: str) -> bytes:
    """HTML as stored: the request's origin and today's citation date as tokens, compressed."""
    text = html.replace(origin(request), ORIGIN).replace(accessed(today()), accessed(TODAY))
    return zlib.compress(text.encode(), 6)


def untokenised(request, stored) -> str:
    text = zlib.decompress(bytes(stored)).decode()
    return text.replace(ORIGIN, origin(request)).replace(accessed(TODAY), accessed(today()))


# Whole pages. A page rendered from a payload (indicators.views.common.render_with_panels notes
# the generation it was built at) for an anonymous visitor and a canonical query holds nothing
# that changes without a refresh: the forum, organisation and publication panels are placeholders
# that site.js fills. cache_public_page stores it here when it was built at the generation it is
# served under, and on a page-cache miss serves it from here before rendering anything.

_STORED_PAGE = f"""
    SELECT html FROM {StoredPage._meta.db_table}
    WHERE generation = %s AND build = %s AND language = %s AND path = %s AND query = %s"""  # noqa: S608 - our table names; values are parameters


# What a rendered page depends on besides its data: the project's templates, its Python (template
# tags, views, the panels' builders), its translations and the static files' names.
BUILD_INPUTS = ("templates", "locale", "community", "ecosystems", "indicators", "observatory")
BUILD_SUFFIXES = {".html", ".txt", ".py", ".po", ".mo"}


@cache
def build_id() -> str:
    """The build a stored page or block was rendered with. Computed once per process (about 20 ms:
    a deploy restarts the processes): pages stored by an earlier deploy are never served by a
    later one, which renders its own from the payloads. OBSERVATORY_RELEASE (an image tag or
    commit), when set, is part of it."""
    h = hashlib.sha256(os.environ.get("OBSERVATORY_RELEASE", "").encode())
    base = Path(settings.BASE_DIR)
    for folder in BUILD_INPUTS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in BUILD_SUFFIXES and "migrations" not in path.parts and path.is_file():
                h.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    hashed = getattr(staticfiles_storage, "hashed_files", None)
    h.update(repr(sorted(hashed.items()) if hashed else type(staticfiles_storage).__name__).encode())
    return h.hexdigest()[:16]


def stored_page(request, generation: int, language: str, query: str) -> str | None:
    """The stored page for REQUEST's path and canonical QUERY, for this origin and day, or None.
    One query, in plain SQL (this is the uncached path)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_STORED_PAGE, [generation, build_id(), language, request.path, query])
        row = cursor.fetchone()
    return None if row is None else untokenised(request, row[0])


def keep_page(request, generation: int, language: str, query: str, html: str) -> None:
    row = StoredPage(
        generation=generation,
        build=build_id(),
        language=language,
        path=request.path,
        query=query,
        html=tokenised(request, html),
    )
    insert_once(lambda: StoredPage.objects.bulk_create([row], ignore_conflicts=True))


def insert_once(insert) -> None:
    """Run INSERT (… ON CONFLICT DO NOTHING) in a savepoint. Inside a GET's REPEATABLE READ
    snapshot, a concurrent request that stored the same row and committed after the snapshot
    began makes PostgreSQL refuse ours ("could not serialize access"): that row holds what ours
    would, so the refusal is dropped and the page is served."""
    from django.db import OperationalError, transaction

    try:
        with transaction.atomic():
            insert()
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != "40001":  # serialization_failure
            raise
