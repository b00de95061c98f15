"""Browser tests: Playwright driving Debian's Chromium (no browser download) against live_server.

Debian's chromium-headless-shell (the engine without the browser's window machinery: about 30%
less CPU on the same pages than `chromium --headless`, measured) is installed by `make test` when
missing (the Makefile's `browser` target); the full `chromium` is used where only it is there.
Without either the browser tests are skipped locally and fail under CI=true.
"""

import os
import shutil

import pytest

CHROMIUM = (
    os.environ.get("CHROMIUM")
    or shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or "/usr/bin/chromium-headless-shell"
)
# Flags this sandbox needs: no background network chatter (the network is closed), no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def chromium_browser():
    """One Chromium for the browser tests, closed when they are done (package scope: closed as soon
    as a worker moves on to a test outside tests/e2e/, reopened if it comes back to one), so no
    other test runs beside Playwright's loop. Under xdist each worker opens its own."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"chromium not found at {CHROMIUM}; `make test` installs Debian's chromium-headless-shell"
            )
        pytest.skip(f"chromium not found at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures
    # around it are ordinary synchronous calls. Only while the browser is open: a later test that
    # starts a process with this environment (`check --deploy`) must not inherit it.
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()


@pytest.fixture
def page(chromium_browser):
    """A fresh browser context; collects console errors and CSP violations in page.errors."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("console", lambda msg: msg.type == "error" and pg.errors.append(msg.text))
    yield pg
    context.close()


def charts_ready(page, count: int, timeout: int = 45000) -> None:
    """Wait until COUNT charts have drawn. A locator assertion, not wait_for_function with an
    expression: Playwright polls such an expression with eval(), which the strict CSP blocks."""
    from playwright.sync_api import expect

    expect(page.locator(".chart-ready")).to_have_count(count, timeout=timeout)


def page_problems(page, base: str, path: str, min_charts: int = 0) -> list[str]:
    """Open BASE + PATH and check it as every page-family test does, in one visit: at least
    MIN_CHARTS charts, every chart drawn (an SVG each), no console error or CSP violation, nothing
    fetched from another origin, no serious or critical axe-core WCAG 2.1 AA violation. One visit
    per page instead of one for the drawing and one for axe (each test also restores its universe
    and empties the database after it: about 2 s a test). Returns the problems, PATH first."""
    from tests.e2e.axe import blocking, run_axe

    requests = []
    listener = lambda r: requests.append(r.url)  # noqa: E731
    page.errors.clear()
    page.on("request", listener)
    try:
        page.goto(base + path)
        page.wait_for_load_state("load")
        charts = page.locator(".chart-canvas").count()
        problems = [f"{charts} charts, expected at least {min_charts}"] if charts < min_charts else []
        if charts:
            charts_ready(page, charts, 60000)
            drawn = page.locator(".chart-canvas svg.main-svg").count()
            problems += [f"{drawn} of {charts} charts have an SVG"] if drawn < charts else []
        problems += [f"console/CSP: {e}" for e in page.errors]
        problems += [f"fetched from elsewhere: {r}" for r in requests if not r.startswith(base)]
        problems += [
            f"axe {v['id']} ({v['impact']}): {v['help']} {v['nodes'][:3]}" for v in blocking(run_axe(page))
        ]
    finally:
        page.remove_listener("request", listener)
    return [f"{path}: {p}" for p in problems]
