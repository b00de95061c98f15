"""Static files taken from installed packages, one file at a time (no third-party code in the repo).

The scripts served as ``vendor/plotly/plotly.min.js`` and ``vendor/plotly/plotly-base.min.js`` (to
runserver, whitenoise and collectstatic alike) are our partial plotly.js bundles built at install
time (observatory/plotly_bundle.py), or, where they could not be built, the plotly wheel's full
plotly.min.js under both names (the wheel also ships sample datasets we don't want to publish: only
the script is exposed).
"""

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

from observatory import plotly_bundle

PACKAGE_FILES = {
    plotly_bundle.STATIC_DIR + name: plotly_bundle.served(name) for name in plotly_bundle.bundles()
}


class _OneFile(FileSystemStorage):
    """The folder of one package file, listing that file under the name we serve it as."""

    def __init__(self, name: str, path: Path):
        super().__init__(location=str(path.parent))
        self.served_name, self.file = name, path

    def path(self, name):
        return str(self.file) if name == self.served_name else super().path(name)


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
            storage = _OneFile(Path(name).name, path)
            storage.prefix = str(Path(name).parent)
            yield Path(name).name, storage
