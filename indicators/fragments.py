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

import zlib
from dataclasses import dataclass

from django.utils import timezone

from .models import PageFragment

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
        text = zlib.decompress(bytes(self.stored)).decode()
        return text.replace(ORIGIN, origin(request)).replace(accessed(TODAY), accessed(today()))

    def keep(self, request, html: str) -> None:
        tokenised = html.replace(origin(request), ORIGIN).replace(accessed(today()), accessed(TODAY))
        self.stored = zlib.compress(tokenised.encode(), 6)
        row = PageFragment(
            family=self.family,
            key=self.key,
            generation=self.generation,
            language=self.language,
            query=self.query,
            html=self.stored,
        )
        insert_once(lambda: PageFragment.objects.bulk_create([row], ignore_conflicts=True))


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
