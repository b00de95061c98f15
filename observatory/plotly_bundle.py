"""plotly.js bundles with only the trace types the portal draws, built at install time.

`make install` (so `make run` and `make test`) runs ``python -m observatory.plotly_bundle``: npm
installs the plotly.js package of the same version as the plotly wheel's plotly.min.js, plus
esbuild, into the git-ignored var/plotly/npm, and bundles ``plotly.js/lib/core`` twice: with every
trace type in TRACES into var/plotly/plotly.min.js, and with only BASE_TRACES (what most pages
draw: bars, lines, choropleth maps) into var/plotly/plotly-base.min.js, about 95 kB gzipped
smaller. Nothing third-party is committed. The portal serves them as ``vendor/plotly/<name>``
(observatory/finders.py); a page loads the base bundle unless one of its figures needs a trace
type outside it (`bundle_for`, the `plotly_script` template tag). Where a bundle could not be
built (no npm), the wheel's full bundle is served under its name instead: it draws every figure.

A figure with a trace type outside TRACES would draw nothing: tests/observatory/test_plotly_bundle.py
checks every trace type the code builds is listed here, and that each page loads a bundle with
every trace type its figures use.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parents[1]
# A prefix of its own: `npm install --no-save` into var/npm would prune the test packages there.
NPM_PREFIX = ROOT / "var" / "plotly" / "npm"
BUNDLE = ROOT / "var" / "plotly" / "plotly.min.js"
BASE_BUNDLE = ROOT / "var" / "plotly" / "plotly-base.min.js"
FULL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ESBUILD_VERSION = "0.28.2"
# Every trace type the portal's figure builders emit (scatter is in plotly.js core anyway).
TRACES = ("bar", "scatter", "choropleth", "scattergeo", "treemap", "sankey", "heatmap")
# What the profile, indicator and most other pages draw; treemap (ecosystem composition), sankey
# (value chains) and the rest come with the full bundle, on the pages whose figures use them.
BASE_TRACES = ("bar", "scatter", "choropleth")
STATIC_DIR = "vendor/plotly/"
# The trace modules of the plotly.js package the bundles were built from (plotly.js/lib/*.js),
# written beside them: test_plotly_bundle checks TRACES against it without node_modules.
LIB_MODULES = ROOT / "var" / "plotly" / "lib-modules.json"
# A built bundle is kept per machine, keyed by everything that goes into it (plotly.js and esbuild
# versions, the trace types, the entry file and the esbuild flags), as uv and npm keep what they
# download: a fresh clone on a machine that has built it once copies it instead of npm-installing
# 229 packages and bundling again (about 15 s of a fresh clone's `make test`). Empty: no cache.
BUILD_CACHE = os.environ.get(
    "OBSERVATORY_BUILD_CACHE",
    str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eu-industry-observatory"),
)


def bundles() -> dict[str, tuple[Path, tuple[str, ...]]]:
    """Static name -> (the file we build, its trace types); read at call time (tests patch them)."""
    return {"plotly.min.js": (BUNDLE, TRACES), "plotly-base.min.js": (BASE_BUNDLE, BASE_TRACES)}


def bundle_for(trace_types) -> str:
    """The static path of the smallest bundle drawing every trace type in TRACE_TYPES."""
    name = "plotly-base.min.js" if set(trace_types) <= set(BASE_TRACES) else "plotly.min.js"
    return STATIC_DIR + name


def plotly_js_version() -> str:
    """The plotly.js version inside the plotly wheel (its first comment: `plotly.js vX.Y.Z`)."""
    with FULL_BUNDLE.open(encoding="utf-8") as fh:
        head = fh.read(200)
    found = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", head)
    if not found:
        raise RuntimeError(f"no plotly.js version in the head of {FULL_BUNDLE}")
    return found.group(1)


def banner(version: str, traces: tuple[str, ...] | None = None) -> str:
    traces = TRACES if traces is None else traces
    return f"/* plotly.js v{version} (MIT, Plotly, Inc.), partial bundle: {','.join(traces)} */\n"


def served(name: str = "plotly.min.js") -> Path:
    """The file served as vendor/plotly/NAME: our partial bundle when it is built for this
    plotly.js version and its traces, else the wheel's full one."""
    path, traces = bundles()[name]
    if path.is_file():
        with path.open(encoding="utf-8") as fh:
            if fh.readline() == banner(plotly_js_version(), traces):
                return path
    return FULL_BUNDLE


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def entry_source(traces: tuple[str, ...]) -> str:
    modules = ",\n".join(f"  require('plotly.js/lib/{t}')" for t in traces)
    return (
        f"var Plotly = require('plotly.js/lib/core');\nPlotly.register([\n{modules}\n]);\n"
        "module.exports = Plotly;\n"
    )


def esbuild_args(entry: Path, outfile: Path) -> list[str]:
    # As plotly.js's own esbuild config (global=window, stream alias), minified, one global `Plotly`.
    return (
        [str(entry), "--bundle", "--minify", "--format=iife", "--global-name=Plotly"]
        + ["--define:global=window", "--define:define.amd=false", "--target=es2016"]
        + ["--alias:stream=stream-browserify", f"--outfile={outfile}", "--log-level=error"]
    )


def build_key(name: str) -> str:
    """A digest of everything that goes into NAME: plotly.js and esbuild versions, the trace
    types, the entry file and the esbuild flags."""
    _, traces = bundles()[name]
    key = "\n".join(
        [banner(plotly_js_version(), traces), ESBUILD_VERSION, entry_source(traces)]
        + esbuild_args(Path("entry.js"), Path("out.js"))
    )
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def key_file(name: str) -> Path:
    """Beside the built bundle: the build_key it was built (or copied) for."""
    return bundles()[name][0].with_suffix(".key")


def cached(name: str) -> Path | None:
    """Where the machine's build cache keeps NAME as built from exactly today's inputs (None: no
    cache). Beside it, ``<same>.json``: the bundle's sha256 and plotly.js's lib module list,
    written last (an entry without it is incomplete)."""
    if not BUILD_CACHE:
        return None
    return Path(BUILD_CACHE) / "plotly" / f"{name.removesuffix('.min.js')}-{build_key(name)}.js"


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(part, target)  # a reader sees the whole file or none
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def remember(name: str, bundle: Path, modules: list[str]) -> None:
    """Keep NAME's bundle (as just built) in the machine's cache, best effort."""
    hit = cached(name)
    if hit is None:
        return
    try:
        data = bundle.read_bytes()
        _write_atomically(hit, data)
        meta = {"sha256": hashlib.sha256(data).hexdigest(), "lib_modules": modules}
        _write_atomically(hit.with_suffix(".json"), json.dumps(meta).encode())
    except OSError:
        pass  # a read-only or full cache only costs the next clone a build


def from_cache(name: str) -> Path | None:
    """Copy NAME (and the lib module list) from the build cache when it holds a whole build of
    today's inputs; any problem reading it is a miss."""
    bundle, traces = bundles()[name]
    hit = cached(name)
    if hit is None:
        return None
    try:
        meta = json.loads(hit.with_suffix(".json").read_text(encoding="utf-8"))
        data = hit.read_bytes()
        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            return None  # damaged or half-written
        if not data.decode("utf-8").startswith(banner(plotly_js_version(), traces)):
            return None
        modules = [str(m) for m in meta["lib_modules"]]
        bundle.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(bundle, data)
        LIB_MODULES.write_text(json.dumps(modules), encoding="utf-8")
        key_file(name).write_text(build_key(name), encoding="utf-8")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return bundle


def build(name: str = "plotly.min.js") -> Path:
    """NAME from the machine's build cache, or: npm install plotly.js + esbuild into var/plotly/npm,
    then bundle NAME's trace types (and keep it in the cache); raises with the reason on failure."""
    found = from_cache(name)
    if found:
        return found
    bundle, traces = bundles()[name]
    version = plotly_js_version()
    package = NPM_PREFIX / "node_modules" / "plotly.js" / "package.json"
    esbuild = NPM_PREFIX / "node_modules" / ".bin" / "esbuild"
    installed = package.is_file() and f'"version": "{version}"' in package.read_text(encoding="utf-8")
    if not installed or not esbuild.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm not found")
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        quiet = ["--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund"]
        subprocess.run(
            [npm, "install", "--prefix", str(NPM_PREFIX), *quiet, "--loglevel=error"]
            + [f"plotly.js@{version}", f"esbuild@{ESBUILD_VERSION}"],
            check=True,
            timeout=600,
        )
    bundle.parent.mkdir(parents=True, exist_ok=True)
    # Beside node_modules, where require() looks.
    entry = NPM_PREFIX / f"observatory-{name.removesuffix('.min.js')}.js"
    entry.write_text(entry_source(traces), encoding="utf-8")
    built = bundle.with_suffix(".part.js")
    subprocess.run([str(esbuild), *esbuild_args(entry, built)], cwd=NPM_PREFIX, check=True, timeout=300)
    bundle.write_text(banner(version, traces) + built.read_text(encoding="utf-8"), encoding="utf-8")
    built.unlink()
    built.with_suffix(".css").unlink(missing_ok=True)  # MapLibre's stylesheet: no map tiles here
    lib = NPM_PREFIX / "node_modules" / "plotly.js" / "lib"
    modules = sorted(p.stem for p in lib.glob("*.js"))
    LIB_MODULES.write_text(json.dumps(modules), encoding="utf-8")
    key_file(name).write_text(build_key(name), encoding="utf-8")
    remember(name, bundle, modules)
    return bundle


def main() -> int:
    for name, (bundle, traces) in bundles().items():
        current = key_file(name)
        if (
            served(name) == bundle
            and LIB_MODULES.is_file()
            and current.is_file()
            and current.read_text(encoding="utf-8") == build_key(name)
        ):
            continue  # built from exactly today's inputs
        try:
            path = build(name)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            print(f"plotly.js partial bundle {name} not built ({exc}): the portal serves the full one")
            continue
        print(
            f"plotly.js partial bundle ({', '.join(traces)}): {path.relative_to(ROOT)}, "
            f"{gzipped_size(path) / 1e3:.0f} kB gzipped (full: {gzipped_size(FULL_BUNDLE) / 1e3:.0f} kB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
