"""A plotly.js bundle with only the trace types the portal draws, built at install time.

`make install` (so `make run` and `make test`) runs ``python -m observatory.plotly_bundle``: npm
installs the plotly.js package of the same version as the plotly wheel's plotly.min.js, plus
esbuild, into the git-ignored var/plotly/npm, and bundles ``plotly.js/lib/core`` with the TRACES below
into var/plotly/plotly.min.js. Nothing third-party is committed. The portal serves that file as
``vendor/plotly/plotly.min.js`` (observatory/finders.py); where it could not be built (no npm), it
serves the wheel's full bundle instead, which draws the same figures.

A figure with a trace type outside TRACES would draw nothing: tests/observatory/test_plotly_bundle.py
checks every trace type the code builds is listed here.
"""

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parents[1]
# A prefix of its own: `npm install --no-save` into var/npm would prune the test packages there.
NPM_PREFIX = ROOT / "var" / "plotly" / "npm"
BUNDLE = ROOT / "var" / "plotly" / "plotly.min.js"
FULL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ESBUILD_VERSION = "0.28.2"
# Every trace type the portal's figure builders emit (scatter is in plotly.js core anyway).
TRACES = ("bar", "scatter", "choropleth", "scattergeo", "treemap", "sankey", "heatmap")


def plotly_js_version() -> str:
    """The plotly.js version inside the plotly wheel (its first comment: `plotly.js vX.Y.Z`)."""
    with FULL_BUNDLE.open(encoding="utf-8") as fh:
        head = fh.read(200)
    found = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", head)
    if not found:
        raise RuntimeError(f"no plotly.js version in the head of {FULL_BUNDLE}")
    return found.group(1)


def banner(version: str) -> str:
    return f"/* plotly.js v{version} (MIT, Plotly, Inc.), partial bundle: {','.join(TRACES)} */\n"


def served() -> Path:
    """The file served as vendor/plotly/plotly.min.js: our partial bundle when it is built for this
    plotly.js version and these traces, else the wheel's full one."""
    if BUNDLE.is_file():
        with BUNDLE.open(encoding="utf-8") as fh:
            if fh.readline() == banner(plotly_js_version()):
                return BUNDLE
    return FULL_BUNDLE


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def build() -> Path:
    """npm install plotly.js + esbuild into var/plotly/npm, then bundle; raises with the reason on failure."""
    version = plotly_js_version()
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found")
    package = NPM_PREFIX / "node_modules" / "plotly.js" / "package.json"
    esbuild = NPM_PREFIX / "node_modules" / ".bin" / "esbuild"
    installed = package.is_file() and f'"version": "{version}"' in package.read_text(encoding="utf-8")
    if not installed or not esbuild.exists():
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        quiet = ["--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund"]
        subprocess.run(
            [npm, "install", "--prefix", str(NPM_PREFIX), *quiet, "--loglevel=error"]
            + [f"plotly.js@{version}", f"esbuild@{ESBUILD_VERSION}"],
            check=True,
            timeout=600,
        )
    BUNDLE.parent.mkdir(parents=True, exist_ok=True)
    entry = NPM_PREFIX / "observatory-plotly.js"  # beside node_modules, where require() looks
    traces = ",\n".join(f"  require('plotly.js/lib/{t}')" for t in TRACES)
    entry.write_text(
        f"var Plotly = require('plotly.js/lib/core');\nPlotly.register([\n{traces}\n]);\n"
        "module.exports = Plotly;\n",
        encoding="utf-8",
    )
    built = BUNDLE.with_suffix(".part.js")
    # As plotly.js's own esbuild config (global=window, stream alias), minified, one global `Plotly`.
    subprocess.run(
        [str(esbuild), str(entry), "--bundle", "--minify", "--format=iife", "--global-name=Plotly"]
        + ["--define:global=window", "--define:define.amd=false", "--target=es2016"]
        + ["--alias:stream=stream-browserify", f"--outfile={built}", "--log-level=error"],
        cwd=NPM_PREFIX,
        check=True,
        timeout=300,
    )
    BUNDLE.write_text(banner(version) + built.read_text(encoding="utf-8"), encoding="utf-8")
    built.unlink()
    built.with_suffix(".css").unlink(missing_ok=True)  # MapLibre's stylesheet: no map tiles here
    return BUNDLE


def main() -> int:
    if served() == BUNDLE:
        return 0
    try:
        path = build()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"plotly.js partial bundle not built ({exc}): the portal serves the full plotly.min.js")
        return 0
    print(
        f"plotly.js partial bundle ({', '.join(TRACES)}): {path.relative_to(ROOT)}, "
        f"{gzipped_size(path) / 1e3:.0f} kB gzipped (full: {gzipped_size(FULL_BUNDLE) / 1e3:.0f} kB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
