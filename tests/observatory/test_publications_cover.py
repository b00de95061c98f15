"""Publication cover images: content-checked uploads, served inline with a safe content type."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from observatory.covers import validate_cover
from tests.observatory.test_publications import make_publication

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png(width=40, height=20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 51, 153)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_validate_cover_accepts_a_real_png():
    validate_cover(SimpleUploadedFile("cover.png", png()))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cover.png", b"just text, not an image", "not an image we accept"),
        ("cover.svg", SVG, "not an image we accept"),
        ("cover.jpg", png(), "the content is a PNG image; rename it to .png"),
    ],
)
def test_validate_cover_rejects_with_a_clear_message(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_cover(SimpleUploadedFile(name, content))


def test_validate_cover_rejects_an_oversized_image(settings):
    settings.OBSERVATORY_PUBLICATION_COVER_MAX_MB = 0
    with pytest.raises(ValidationError, match="the limit is 0 MB"):
        validate_cover(SimpleUploadedFile("cover.png", png()))


def test_publication_cover_served_inline_as_image_with_nosniff(client, media):
    publication = make_publication("with-cover", cover_alt="A blue rectangle")
    publication.cover.save("anything.png", ContentFile(png()))
    response = client.get("/publications/with-cover/cover")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = client.get("/publications/with-cover/").content.decode()
    assert (
        '<img class="publication-cover" src="/publications/with-cover/cover" alt="A blue rectangle"' in html
    )
    assert 'width="40" height="20"' in html


def test_publication_cover_of_draft_is_404_to_the_public(client, media):
    publication = make_publication("draft-cover", state="draft")
    publication.cover.save("x.png", ContentFile(png()))
    assert client.get("/publications/draft-cover/cover").status_code == 404


def test_publication_without_cover_is_404(client):
    make_publication("plain")
    assert client.get("/publications/plain/cover").status_code == 404
