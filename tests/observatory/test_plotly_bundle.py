"""The partial plotly.js bundle (observatory/plotly_bundle.py): every trace type the portal's figures
use is in it, the pages load it, and where it is not built the full bundle is served instead."""

import contextlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from observatory import plotly_bundle

ROOT = Path(__file__).resolve().parents[2]
# Every trace type of plotly.js 4 (its lib/<trace>.js modules; checked against the installed
# package below when it is there).
PLOTLY_TRACE_TYPES = set(
    [
        "bar",
        "barpolar",
        "box",
        "candlestick",
        "carpet",
        "choropleth",
        "choroplethmap",
        "cone",
        "contour",
        "contourcarpet",
        "densitymap",
        "funnel",
        "funnelarea",
        "heatmap",
        "histogram",
        "histogram2d",
        "histogram2dcontour",
        "icicle",
        "image",
        "indicator",
        "isosurface",
        "mesh3d",
        "ohlc",
        "parcats",
        "parcoords",
        "pie",
        "quiver",
        "sankey",
        "scatter",
        "scatter3d",
        "scattercarpet",
        "scattergeo",
        "scattergl",
        "scattermap",
        "scatterpolar",
        "scatterpolargl",
        "scattersmith",
        "scatterternary",
        "splom",
        "streamtube",
        "sunburst",
        "surface",
        "table",
        "treemap",
        "violin",
        "volume",
        "waterfall",
    ]
)
# `type: "bar"`, `"type": "bar"`, `type="bar"` in Python, JavaScript and templates.
TYPE_LITERAL = re.compile(r"""["']?\btype["']?\s*[:=]\s*["']([a-z0-9]+)["']""")
CODE = ["ecosystems", "indicators", "community", "observatory", "templates", "static"]
PAGES = [
    "/ecosystems/",
    "/ecosystems/tourism/?year=2014",
    "/countries/",
    "/countries/DE/?year=2014",
    "/countries/AT/?year=2014&map=tourism",
    "/regions/AT11/?year=2014",
    "/indicators/emp/?ecosystem=tourism&year=2014",
    "/compare/?geo=DE&geo=FR&ecosystem=tourism",
]


def trace_types_in_code() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in CODE:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".js", ".html"} or "vendor" in path.parts or not path.is_file():
                continue
            for kind in TYPE_LITERAL.findall(path.read_text(encoding="utf-8")):
                if kind in PLOTLY_TRACE_TYPES:
                    found.setdefault(kind, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_trace_type_list_is_plotly_js_own():
    # The module list the bundles were built from (written by the build, from npm or its cache).
    if not plotly_bundle.LIB_MODULES.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{plotly_bundle.LIB_MODULES} missing: make install builds the bundles")
        pytest.skip("plotly.js bundles not built (make install does it)")
    modules = set(json.loads(plotly_bundle.LIB_MODULES.read_text(encoding="utf-8"))) - {"core", "calendars"}
    assert {m for m in modules if not m.startswith("index")} == PLOTLY_TRACE_TYPES
    assert set(plotly_bundle.TRACES) <= PLOTLY_TRACE_TYPES


def test_every_trace_type_in_the_code_is_in_the_bundle():
    found = trace_types_in_code()
    assert {"bar", "choropleth", "treemap"} <= set(found)  # the scan sees the figure builders
    missing = {kind: sorted(paths) for kind, paths in found.items() if kind not in plotly_bundle.TRACES}
    assert not missing, f"trace types drawn but not in observatory/plotly_bundle.py TRACES: {missing}"


def figure_trace_types(html: str) -> set[str]:
    kinds = set()
    for payload in re.findall(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', html, re.S):
        stack = [json.loads(payload)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if isinstance(node.get("data"), list) and isinstance(node.get("layout"), dict):
                    kinds |= {t.get("type", "scatter") for t in node["data"] if isinstance(t, dict)}
                stack += node.values()
            elif isinstance(node, list):
                stack += node
    return kinds


@pytest.mark.django_db
def test_every_figure_on_the_pages_uses_only_bundled_trace_types(client, loaded_profiles):
    drawn = set()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        drawn |= figure_trace_types(response.content.decode())
    assert {"bar", "choropleth"} <= drawn  # the pages were read
    assert drawn <= set(plotly_bundle.TRACES), drawn - set(plotly_bundle.TRACES)


def test_the_partial_bundle_is_served_and_much_smaller_than_the_full_one():
    if plotly_bundle.served() != plotly_bundle.BUNDLE:
        message = "plotly.js partial bundle not built (make install builds it with npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert Path(finders.find("vendor/plotly/plotly.min.js")) == plotly_bundle.BUNDLE
    head = plotly_bundle.BUNDLE.read_text(encoding="utf-8")[:300]
    assert head.startswith(plotly_bundle.banner(plotly_bundle.plotly_js_version()))
    partial, full = (
        plotly_bundle.gzipped_size(plotly_bundle.BUNDLE),
        plotly_bundle.gzipped_size(plotly_bundle.FULL_BUNDLE),
    )
    print(f"plotly.js gzipped: partial {partial:,} B, full {full:,} B")
    assert partial < 0.5 * full


def test_plotly_stylesheet_is_read_from_the_served_bundle(client):
    from indicators.views import indicator_pages

    indicator_pages._plotly_css.cache_clear()
    css = client.get("/charts/plotly.css").content.decode()
    assert ".js-plotly-plot .plotly" in css and "not found" not in css


def test_plotly_stylesheet_under_its_hashed_url_is_immutable(client):
    from indicators.templatetags.charts import plotly_css_url

    url = plotly_css_url()
    assert re.fullmatch(r"/charts/plotly\.[0-9a-f]{12}\.css", url)
    hashed, plain = client.get(url), client.get("/charts/plotly.css")
    assert hashed.content == plain.content
    assert "immutable" in hashed["Cache-Control"] and "max-age=31536000" in hashed["Cache-Control"]
    assert "immutable" not in plain["Cache-Control"]
    stale = client.get("/charts/plotly.000000000000.css")  # an old page's link: not immutable
    assert stale.status_code == 200 and "immutable" not in stale["Cache-Control"]


def test_a_bundle_built_for_another_version_or_traces_is_not_served(tmp_path, monkeypatch):
    stale = tmp_path / "plotly.min.js"
    stale.write_text("/* plotly.js v0.0.1 (MIT, Plotly, Inc.), partial bundle: bar */\nvar Plotly;\n")
    monkeypatch.setattr(plotly_bundle, "BUNDLE", stale)
    assert plotly_bundle.served() == plotly_bundle.FULL_BUNDLE
    stale.write_text(plotly_bundle.banner(plotly_bundle.plotly_js_version()) + "var Plotly;\n")
    assert plotly_bundle.served() == stale


def test_a_fresh_clone_copies_the_machines_build_of_exactly_its_inputs(tmp_path, monkeypatch):
    """The build cache: a bundle built once on the machine is copied (byte for byte, with its lib
    module list) by the next clone; other traces or another esbuild miss; a damaged or
    unreadable entry is a miss, never an error; a bundle built for other inputs is rebuilt."""
    base = tmp_path / "base.min.js"
    monkeypatch.setattr(plotly_bundle, "BASE_BUNDLE", base)
    monkeypatch.setattr(plotly_bundle, "LIB_MODULES", tmp_path / "lib-modules.json")
    monkeypatch.setattr(plotly_bundle, "BUILD_CACHE", str(tmp_path / "cache"))
    name = "plotly-base.min.js"
    assert plotly_bundle.from_cache(name) is None  # an empty cache
    body = (
        plotly_bundle.banner(plotly_bundle.plotly_js_version(), plotly_bundle.BASE_TRACES) + "var Plotly;\n"
    )
    (tmp_path / "built.js").write_text(body)
    plotly_bundle.remember(name, tmp_path / "built.js", ["bar", "core", "scatter"])
    assert plotly_bundle.from_cache(name) == base
    assert base.read_text() == body and json.loads(plotly_bundle.LIB_MODULES.read_text()) == [
        "bar",
        "core",
        "scatter",
    ]
    assert plotly_bundle.key_file(name).read_text() == plotly_bundle.build_key(name)
    assert plotly_bundle.served(name) == base
    hit = plotly_bundle.cached(name)
    with monkeypatch.context() as m:
        m.setattr(plotly_bundle, "BASE_TRACES", ("bar", "scatter", "choropleth", "heatmap"))
        assert plotly_bundle.cached(name) != hit  # other traces: another key
    with monkeypatch.context() as m:
        m.setattr(plotly_bundle, "ESBUILD_VERSION", "0.0.1")
        assert plotly_bundle.cached(name) != hit  # another esbuild: another key
        # The bundle on disk was built for the old esbuild: main() does not keep it as current.
        m.setattr(plotly_bundle, "build", lambda n: (_ for _ in ()).throw(RuntimeError("rebuild asked")))
        m.setattr(plotly_bundle, "bundles", lambda: {name: (base, plotly_bundle.BASE_TRACES)})
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            plotly_bundle.main()
        assert "rebuild asked" in out.getvalue()
    hit.write_bytes(hit.read_bytes()[:20])  # truncated: the sha256 no longer matches
    assert plotly_bundle.from_cache(name) is None
    hit.unlink()
    hit.mkdir()  # unreadable as a file
    assert plotly_bundle.from_cache(name) is None
    monkeypatch.setattr(plotly_bundle, "BUILD_CACHE", "")
    assert plotly_bundle.cached(name) is None  # OBSERVATORY_BUILD_CACHE= turns it off
    plotly_bundle.remember(name, tmp_path / "built.js", [])  # and remembering is a no-op


BUNDLE_TRACES = {
    "plotly.min.js": set(plotly_bundle.TRACES),
    "plotly-base.min.js": set(plotly_bundle.BASE_TRACES),
}


def loaded_bundle(html: str) -> str | None:
    """The plotly.js bundle a page's <script> loads (by its static name, hashed or not), if any."""
    found = re.findall(r'<script src="[^"]*/vendor/plotly/([a-z-]+\.min)(?:\.[0-9a-f]{12})?\.js"', html)
    assert len(found) <= 1, found
    return f"{found[0]}.js" if found else None


@pytest.mark.django_db
def test_each_page_loads_a_bundle_with_every_trace_type_of_its_figures(client, loaded_profiles):
    loaded = {}
    for url in PAGES:
        html = client.get(url).content.decode()
        name = loaded[url] = loaded_bundle(html)
        drawn = figure_trace_types(html)
        assert drawn <= BUNDLE_TRACES.get(name, set()), (url, name, drawn)
    assert loaded["/countries/DE/?year=2014"] == "plotly-base.min.js"  # bars, lines and its map
    assert loaded["/ecosystems/tourism/?year=2014"] == "plotly.min.js"  # its NACE treemap


def test_the_script_follows_the_figures_when_no_payload_lists_them():
    from django.template import Context, Template

    tag = Template("{% load charts %}{% plotly_script %}")

    def figure(kind):
        return {"figure": {"data": [{"type": kind}, {"x": [1]}], "layout": {}}}

    assert "/plotly.min" in tag.render(Context({"panels": [figure("bar"), {"nested": [figure("sankey")]}]}))
    assert "/plotly-base.min" in tag.render(Context({"panels": [figure("bar"), figure("choropleth")]}))
    assert "/plotly-base.min" in tag.render(Context({"map": {"figure": {"data": [], "layout": {}}}}))
    # A payload's own list wins (it is what its figures use, computed once when it was built).
    assert "/plotly.min" in tag.render(Context({"plotly_traces": ["treemap"], "panels": []}))


def test_both_bundles_are_collected_under_their_own_names():
    from observatory.finders import PackageFileFinder

    found = PackageFileFinder().list([])
    listed = {f"{storage.prefix}/{name}": storage.path(name) for name, storage in found}
    assert listed == {
        "vendor/plotly/plotly.min.js": str(plotly_bundle.served("plotly.min.js")),
        "vendor/plotly/plotly-base.min.js": str(plotly_bundle.served("plotly-base.min.js")),
    }
    base = plotly_bundle.BASE_BUNDLE
    if plotly_bundle.served("plotly-base.min.js") == base:
        banner = plotly_bundle.banner(plotly_bundle.plotly_js_version(), plotly_bundle.BASE_TRACES)
        assert base.read_text(encoding="utf-8").startswith(banner)
        assert plotly_bundle.gzipped_size(base) < 0.9 * plotly_bundle.gzipped_size(plotly_bundle.BUNDLE)
