"""PDF uploads with JavaScript are refused wherever the script hides (issue 17).

A PDF 1.5 file may keep its objects in a compressed object stream (/ObjStm, FlateDecode) with a
cross-reference stream: the bytes then never show `/JS`, so a byte scan lets the script through.
pypdf writes no object streams, so `objstm_pdf` builds one by hand (catalog, page tree and page
compressed together) and pypdf reads it back to prove it is a well-formed PDF.
"""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from observatory.pdf import JAVASCRIPT, validate_pdf

OPEN_ACTION = b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"
PAGE_AA = b"/AA << /O << /S /JavaScript /JS (app.alert\\(2\\)) >> >>"


def objstm_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"") -> bytes:
    """One blank page; objects 2-4 (catalog, pages, page) inside object stream 1, xref stream 5."""
    objects = [
        b"<< /Type /Catalog /Pages 3 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 200 200] " + page_extra + b" >>",
    ]
    offsets, body = [], b""
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(b"%d %d" % (num, off) for num, off in zip((2, 3, 4), offsets, strict=True)) + b"\n"
    packed = zlib.compress(header + body)
    out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    objstm_at = len(out)
    out += (
        b"1 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    xref_at = len(out)
    rows = [(0, 0, 65535), (1, objstm_at, 0), (2, 1, 0), (2, 1, 1), (2, 1, 2), (1, xref_at, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 2 0 R /Length %d >>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    return out


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("report.pdf", content, content_type="application/pdf")


def test_the_hand_made_object_stream_pdf_is_a_clean_readable_pdf():
    content = objstm_pdf()
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    validate_pdf(upload(content))


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (objstm_pdf(catalog_extra=OPEN_ACTION), "/JS"),
        (objstm_pdf(page_extra=PAGE_AA), "/JS"),
    ],
    ids=["open-action", "page-additional-action"],
)
def test_javascript_inside_a_compressed_object_stream_is_refused(content, named):
    assert JAVASCRIPT.search(content) is None  # invisible to a byte scan
    assert PdfReader(io.BytesIO(content)).trailer["/Root"].get("/Type") == "/Catalog"
    with pytest.raises(ValidationError) as exc:
        validate_pdf(upload(content))
    assert exc.value.code == "pdf_javascript"
    assert named in str(exc.value.messages)


def test_javascript_behind_a_hash_escaped_name_is_refused():
    """`/J#53` is the name /JS: a byte scan for "/JS" misses it, pypdf decodes it."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    content = out.getvalue().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /J#53 (x) >>"
    )
    assert JAVASCRIPT.search(content) is None
    with pytest.raises(ValidationError) as exc:
        validate_pdf(upload(content))
    assert exc.value.code == "pdf_javascript"
