"""Site-shell views, split by page family. urls.py and handler404/500 import these names."""

from .site import about, healthz, home, not_found, privacy, server_error

__all__ = ["about", "healthz", "home", "not_found", "privacy", "server_error"]
