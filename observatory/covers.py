"""Publication cover images: accepted only when Pillow decodes them as PNG, JPEG or WebP.

SVG is refused on purpose (it can carry scripts). The extension must agree with the content,
because the file is later served with the content type of its extension. Size limit:
`OBSERVATORY_PUBLICATION_COVER_MAX_MB` (default 5).
"""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

FORMATS = {"PNG": ("png",), "JPEG": ("jpg", "jpeg"), "WEBP": ("webp",)}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
MAX_PIXELS = 40_000_000  # far above any cover; stops decompression bombs early


def max_bytes() -> int:
    return int(getattr(settings, "OBSERVATORY_PUBLICATION_COVER_MAX_MB", 5)) * 1024 * 1024


def extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def validate_cover(upload) -> None:
    if getattr(upload, "_committed", False):
        # Already stored (a form re-validating an unchanged image): it was checked when uploaded,
        # and the ImageField's dimension update has closed its handle, so it cannot be re-read here.
        return
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The image is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024},
            code="cover_too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not an image we accept: upload a PNG, JPEG or WebP picture (not SVG)."),
            code="cover_not_image",
        ) from exc
    finally:
        upload.seek(0)
    if kind not in FORMATS:
        raise ValidationError(
            _("%(kind)s images are not accepted: upload a PNG, JPEG or WebP picture.") % {"kind": kind},
            code="cover_format",
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image is too large in pixels (%(w)d × %(h)d).") % {"w": width, "h": height}
        )
    if extension(upload.name) not in FORMATS[kind]:
        raise ValidationError(
            _("The file name ends in .%(ext)s but the content is a %(kind)s image; rename it to .%(good)s.")
            % {"ext": extension(upload.name), "kind": kind, "good": FORMATS[kind][0]},
            code="cover_extension",
        )
