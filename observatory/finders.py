"""Static files taken from installed packages, one file at a time (no third-party code in the repo).

The script served as ``vendor/plotly/plotly.min.js`` (to runserver, whitenoise and collectstatic
alike) is our partial plotly.js bundle built at install time (observatory/plotly_bundle.py), or,
where it could not be built, the plotly wheel's full plotly.min.js (the wheel also ships sample
datasets we don't want to publish: only the script is exposed).
"""

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

from observatory import plotly_bundle

PACKAGE_FILES = {
    "vendor/plotly/plotly.min.js": plotly_bundle.served(),
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
