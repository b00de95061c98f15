"""Finds user-visible template text that is not marked for translation.

An HTML-aware scan of a Django template: the Django syntax is blanked first ({% translate %} and
{% blocktranslate %} blocks, comments, every other tag and variable), then an HTML parser reads
what is left. Text between tags that still holds a letter is unmarked text, and so is a visible
attribute (alt, title, placeholder, aria-label, the value of a button-like input) written in
plain words. Not scanned: <script> and <style> contents, machine text (<code>, <kbd>, <samp>,
<pre>), elements with their own lang attribute (a language's own name), and ALLOWED: brand
names and symbols that read the same in every language.
"""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

# Names, acronyms and symbols that read the same in French and German. Codes that mix letters and
# digits (DE11, EU27, CN8, sha256) never count as words.
ALLOWED = (
    "EU Industry Observatory",
    "Science & Engineering Indicators",
    "Science-Metrix",
    "EuroGeographics",
    "Eurostat",
    "GISCO",
    "NCSES",
    "PATSTAT",
    "NACE",
    "NUTS",
    "CPA",
    "API",
    "CSV",
    "XLSX",
    "JSON",
    "UK",
    "EU",
    "v",
)

# Django syntax, blanked in this order (keeping the line breaks, so line numbers stay right).
_DJANGO_SYNTAX = [
    re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"{{.*?}}", re.S),
]
_SKIPPED_ELEMENTS = {"script", "style", "code", "kbd", "samp", "pre"}
_VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_TEXT_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-roledescription", "aria-placeholder"}
_BUTTON_INPUTS = {"submit", "button", "reset"}
_DIGIT = re.compile(r"\d")
_ALLOWED = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(a) for a in sorted(ALLOWED, key=len, reverse=True)) + r")(?!\w)"
)


@dataclass(frozen=True)
class Unmarked:
    template: str
    line: int
    text: str

    def __str__(self):
        return f"{self.template}:{self.line}: {self.text!r}"


def blank_django_syntax(source):
    """The template with its Django syntax replaced by nothing but the line breaks it spanned."""
    for pattern in _DJANGO_SYNTAX:
        source = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    return source


def is_plain_words(text):
    """True when the text holds a word (letters only) outside the allow-list."""
    text = _ALLOWED.sub(" ", html.unescape(text))
    return any(not _DIGIT.search(w) for w in re.findall(r"[^\W_]+", text))


class _TextFinder(HTMLParser):
    def __init__(self, template):
        super().__init__(convert_charrefs=True)
        self.template = template
        self.found = []
        self.skipping = []  # open elements whose contents are not scanned

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in _VOID_ELEMENTS and (tag in _SKIPPED_ELEMENTS or "lang" in attributes or self.skipping):
            self.skipping.append(tag)
        self._check_attributes(tag, attributes)

    def handle_startendtag(self, tag, attrs):
        self._check_attributes(tag, dict(attrs))

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and is_plain_words(data):
            self._add(data)

    def _check_attributes(self, tag, attributes):
        if "lang" in attributes:
            return
        names = set(_TEXT_ATTRIBUTES)
        if tag == "input" and (attributes.get("type") or "").lower() in _BUTTON_INPUTS:
            names.add("value")
        if tag == "meta" and attributes.get("name") == "description":
            names.add("content")
        for name in names & attributes.keys():
            if attributes[name] and is_plain_words(attributes[name]):
                self._add(f"{name}={attributes[name]}")

    def _add(self, text):
        line = self.getpos()[0]
        self.found.append(Unmarked(self.template, line, " ".join(text.split())))


def unmarked_text(path, root):
    """Every piece of visible text in the template at `path` that is not marked for translation."""
    finder = _TextFinder(str(Path(path).relative_to(root)))
    finder.feed(blank_django_syntax(Path(path).read_text(encoding="utf-8")))
    finder.close()
    return finder.found


def template_files(root):
    """Our templates: templates/ and every app's templates/ folder (HTML and text mails)."""
    root = Path(root)
    folders = [root / "templates", *(p for p in root.glob("*/templates") if p.is_dir())]
    return sorted(p for folder in folders for p in folder.rglob("*") if p.suffix in {".html", ".txt"})
