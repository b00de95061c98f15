"""Static files taken from installed packages, one file at a time (no third-party code in the repo).

The plotly wheel ships plotly.min.js next to sample datasets we don't want to publish; this finder
exposes only the script, as ``vendor/plotly/plotly.min.js``, to runserver, whitenoise and
collectstatic alike.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PACKAGE_FILES = {
    "vendor/plotly/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
}


class PackageFileFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        found = PACKAGE_FILES.get(path)
        if found is None:
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        for name, path in PACKAGE_FILES.items():
            storage = FileSystemStorage(location=str(path.parent))
            storage.prefix = str(Path(name).parent)
            yield path.name, storage
