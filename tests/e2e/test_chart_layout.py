"""Every chart kind in Chromium: tick labels are drawn and lie inside the figure (not clipped),
and the title does not sit under the mode bar (issue 11: trend axes read "0, 0, 0, 0"); every
other label (title, axis titles, legend, colour bar, source line) lies inside the figure too, and
no legend covers the title, on a desktop and on a 390 px phone (static/js/charts.js re-fits
the figures to a narrow panel)."""

import pytest

from tests.e2e.conftest import charts_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Between them these pages draw every chart kind: lines, bar, choropleth, treemap, grouped bar.
PAGES = ["/ecosystems/tourism/?year=2014", "/countries/AT/?year=2014&map=tourism", "/compare/?geo=AT&geo=DE"]

CHECK = """
canvases => canvases.map(canvas => {
  const svg = canvas.querySelector('svg.main-svg');
  if (!svg) return {id: canvas.id, problems: ['no svg']};
  const box = svg.getBoundingClientRect();
  const problems = [];
  const title = canvas.querySelector('.gtitle');
  const ticks = [...canvas.querySelectorAll('g.xtick text, g.ytick text')];
  for (const t of ticks) {
    const r = t.getBoundingClientRect();
    const text = (t.textContent || '').trim();
    if (!text) problems.push('empty tick label');
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      problems.push(`tick "${text}" outside the figure`);
  }
  // Every other label too: title, axis titles, legend entries, colour-bar labels, annotations.
  const labels = [...canvas.querySelectorAll('svg text')]
    .filter(t => !t.closest('.hoverlayer, g.xtick, g.ytick'));
  for (const t of labels) {
    const text = (t.textContent || '').trim();
    if (!text) continue;
    const r = t.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      problems.push(`label "${text}" outside the figure`);
  }
  const legend = canvas.querySelector('g.legend');
  if (title && legend && (title.textContent || '').trim()) {
    const a = title.getBoundingClientRect(), b = legend.getBoundingClientRect();
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
      problems.push('legend over the title');
  }
  const bar = canvas.querySelector('.modebar');
  if (title && bar) {
    const a = title.getBoundingClientRect(), b = bar.getBoundingClientRect();
    const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    if (overlap && b.width > 0) problems.push('mode bar over the title');
  }
  return {id: canvas.closest('[id]')?.id || '?', ticks: ticks.length, problems};
})
"""


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES)
def test_tick_labels_are_drawn_inside_every_chart(
    live_server, chromium_browser, loaded_profiles, path, width
):
    context = chromium_browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        expected = page.locator(".chart-canvas").count()
        charts_ready(page, expected, 45000)
        page.hover(".chart-canvas")  # the mode bar shows on hover
        results = page.eval_on_selector_all(".chart-canvas", CHECK)
    finally:
        context.close()
    assert expected >= 1
    assert sum(r.get("ticks", 0) for r in results) > 0
    assert [r for r in results if r["problems"]] == []


# The map's drawn height (its longitude and latitude range through Plotly's own projection) against
# its plot area's height.
MAP_FILL = """
canvases => canvases.filter(c => c._fullLayout && c._fullLayout.geo).map(canvas => {
  const layout = canvas._fullLayout, geo = layout.geo, project = geo._subplot.projection;
  const [west] = geo.lonaxis.range, [south, north] = geo.lataxis.range;
  const drawn = Math.abs(project([west, south])[1] - project([west, north])[1]);
  const area = layout._size.h * (geo.domain.y[1] - geo.domain.y[0]);
  const id = canvas.closest('[id]')?.id || '?';
  return {id, area: Math.round(area), drawn: Math.round(drawn), width: layout._size.w};
})
"""


MAP_PAGES = ["/countries/AT/?year=2014&map=tourism", "/indicators/emp/?ecosystem=tourism&year=2014"]


@pytest.mark.parametrize("path", MAP_PAGES)
def test_a_map_on_a_phone_has_no_empty_band_above_and_below_it(
    live_server, chromium_browser, loaded_profiles, path
):
    """A Mercator map keeps its aspect: in a 390 px panel, a map drawn at the panel's width left
    much of its plot area empty above and below it (Austria's: about three quarters). charts.js
    now gives a narrow map the height its longitude and latitude range needs at that width."""
    context = chromium_browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        charts_ready(page, page.locator(".chart-canvas").count(), 45000)
        maps = page.eval_on_selector_all(".chart-canvas", MAP_FILL)
    finally:
        context.close()
    assert maps and all(m["width"] > 300 for m in maps), maps
    assert [m for m in maps if m["drawn"] < 0.95 * m["area"]] == []
