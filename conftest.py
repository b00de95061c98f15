"""Root pytest configuration: test-mode settings before Django starts."""

import os

os.environ.setdefault("OBSERVATORY_TESTING", "1")
os.environ.setdefault("DJANGO_DEBUG", "0")
