"""Fetching raw bytes: from the configured mirror folder, or streamed from the publisher's URL."""

import gzip
import hashlib
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .registry import EUROSTAT_TOC, SourceSpec

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
RETRIES = 3
CHUNK = 1 << 20
MAX_BYTES = 512 << 20  # refuse anything larger than any dataset we know by far


class FetchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Fetched:
    raw: bytes
    sha256: str
    origin: str  # the URL or mirror path the bytes came from


def mirror_root() -> Path | None:
    folder = settings.OBSERVATORY_DATA_MIRROR
    if not folder:
        return None
    path = Path(folder).expanduser()
    return path if path.is_dir() else None


def fetch(spec: SourceSpec, progress: Callable[[int, int | None], None] | None = None) -> Fetched:
    """The bytes of SPEC: from the mirror when one is configured and has the file, else the web.

    A source in several parts (``spec.parts``) is read part by part (all from the mirror, or
    all from the web) and joined in registry order into one input.
    """
    root = mirror_root()
    paths = spec.part_paths()
    if root is not None and all((root / p).is_file() for p in paths):
        return _fetched(_join([(root / p).read_bytes() for p in paths]), f"mirror:{_origin(paths)}")
    if root is not None:
        logger.info("%s: not in the mirror at %s, trying %s", spec.code, root, spec.remote_url)
    urls = spec.part_urls()
    return _fetched(_join([download(url, progress) for url in urls]), _origin(urls))


def _join(parts: list[bytes]) -> bytes:
    if len(parts) == 1:
        return parts[0]
    return b"".join(part.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n") + b"\n" for part in parts)


def _origin(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} parts)"


def mirror_sha256(spec: SourceSpec) -> str | None:
    """sha256 of SPEC's file in the mirror (None when no mirror holds it); cached per file state."""
    root = mirror_root()
    if root is None:
        return None
    paths = [root / p for p in spec.part_paths()]
    if not all(path.is_file() for path in paths):
        return None
    if len(paths) > 1:
        return hashlib.sha256(_join([path.read_bytes() for path in paths])).hexdigest()
    stat = paths[0].stat()
    return _sha_of(str(paths[0]), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _sha_of(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_file(path: Path) -> Fetched:
    """Bytes given by hand (`manage.py ingest SOURCE --file PATH`)."""
    try:
        return _fetched(path.read_bytes(), f"file:{path.name}")
    except OSError as exc:
        raise FetchError(f"{path}: cannot read the file ({exc.strerror})") from exc


def _fetched(raw: bytes, origin: str) -> Fetched:
    return Fetched(raw=raw, sha256=hashlib.sha256(raw).hexdigest(), origin=origin)


def download(url: str, progress=None, retries: int = RETRIES) -> bytes:
    """Stream URL with a timeout, retrying transient failures with backoff."""
    last_error, attempt = None, 0
    for attempt in range(1, retries + 1):
        try:
            return _stream(url, progress)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            last_error = exc
            logger.warning("fetch %s failed (attempt %d/%d): %s", url, attempt, retries, exc)
            if isinstance(getattr(exc, "reason", None), socket.gaierror):
                break  # the host name does not resolve (offline): retrying will not help
            if attempt < retries:
                time.sleep(2**attempt)
    raise FetchError(f"{url}: could not download after {attempt} attempt(s) ({last_error})")


def _stream(url: str, progress) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"{url}: only http(s) addresses are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "eu-industry-observatory/0.1"})  # noqa: S310 (scheme checked above)
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        total = int(response.headers.get("Content-Length") or 0) or None
        chunks, received = [], 0
        while chunk := response.read(CHUNK):
            chunks.append(chunk)
            received += len(chunk)
            if received > MAX_BYTES:
                raise FetchError(f"{url}: larger than {MAX_BYTES} bytes, refused")
            if progress:
                progress(received, total)
    return b"".join(chunks)


def publisher_update_dates() -> dict[str, date]:
    """Eurostat's table of contents: dataset code -> last update date ({} when unreachable)."""
    root = mirror_root()
    try:
        if root is not None:
            # A configured mirror is the offline world: no network look-up behind its back.
            path = root / "eurostat" / "table_of_contents.xml.gz"
            return _toc_file(str(path), path.stat().st_mtime) if path.is_file() else {}
        return _toc(download(EUROSTAT_TOC, retries=1), EUROSTAT_TOC)
    except Exception as exc:  # the update check is advisory; ingest still works without it
        logger.warning("table of contents unavailable: %s", exc)
        return {}


@lru_cache(maxsize=1)
def _toc_file(path: str, mtime: float) -> dict[str, date]:
    """The mirror's table of contents, parsed once per file version (it is 19 MB of XML)."""
    return _toc(Path(path).read_bytes(), path)


def _toc(raw: bytes, origin: str) -> dict[str, date]:
    from .sources.eurostat import parse_toc

    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return {code.lower(): when for code, when in parse_toc(raw, origin).items()}
