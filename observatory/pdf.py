"""PDF attachments of publications: accepted only when the bytes really are a readable PDF.

A name ending in .pdf proves nothing; the content must start with the PDF signature and pypdf
must be able to read its page tree. JavaScript is refused wherever it sits: in the raw bytes, and
in every object reachable from the trailer as pypdf reads them, which covers objects inside
compressed object streams and names spelt with #-escapes (`/J#53` is `/JS`). The size limit is
a setting (`OBSERVATORY_PUBLICATION_PDF_MAX_MB`, default 20).
"""

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

logger = logging.getLogger(__name__)
PDF_SIGNATURE = b"%PDF-"
# PDF name tokens for script actions in the raw bytes (also catches unreferenced objects);
# script_in() below reads the objects themselves, compressed or not.
JAVASCRIPT = re.compile(rb"/(?:JS|JavaScript)(?![A-Za-z0-9])")
SCRIPT_KEYS = {"/JS", "/JavaScript"}  # an action's script; the document's /Names /JavaScript tree


def script_in(reader: PdfReader) -> str | None:
    """The first sign of JavaScript among the objects reachable from the trailer (the catalog,
    /OpenAction, pages and their /AA and annotation actions, the name trees), or None."""
    seen, stack = set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # stream objects too
            if found := SCRIPT_KEYS.intersection(obj):
                return min(found)
            if obj.get("/S") == "/JavaScript":
                return "/S /JavaScript"
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def max_bytes() -> int:
    return int(getattr(settings, "OBSERVATORY_PUBLICATION_PDF_MAX_MB", 20)) * 1024 * 1024


def validate_pdf(upload) -> None:
    """Raise ValidationError with a message a curator can act on; return None for a good PDF."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB. Compress the PDF or link to it instead.")
            % {"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024},
            code="pdf_too_large",
        )
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    # The file must START with the signature: "%PDF- somewhere in the first 1 KB" lets an HTML+PDF
    # polyglot through, which browsers render as HTML.
    if not content.startswith(PDF_SIGNATURE):
        raise ValidationError(
            _(
                "This file is not a PDF: its content does not start with the PDF signature (%PDF-), "
                "whatever its name says. Export the document as PDF and upload that."
            ),
            code="not_pdf",
        )
    if match := JAVASCRIPT.search(content):
        raise _javascript(match.group().decode())
    try:
        reader = PdfReader(upload)
        pages = len(reader.pages)
        script = script_in(reader)
    except Exception as exc:  # pypdf raises many types for broken files; all mean the same here
        logger.info("unreadable PDF upload: %s", exc)
        raise ValidationError(
            _("This PDF is damaged or unreadable (%(error)s). Re-export it and upload again."),
            params={"error": type(exc).__name__},
            code="pdf_unreadable",
        ) from exc
    finally:
        upload.seek(0)
    if script:
        raise _javascript(script)
    if pages == 0:
        raise ValidationError(_("This PDF has no pages."), code="pdf_empty")


def _javascript(name: str) -> ValidationError:
    return ValidationError(
        _(
            "This PDF contains JavaScript (%(name)s), which we do not publish. Re-export it without "
            "scripts or form actions (e.g. 'Print to PDF') and upload again."
        ),
        params={"name": name},
        code="pdf_javascript",
    )
