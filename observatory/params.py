"""Small validators for request parameters, shared by every app (issue 17: 500s on odd input)."""

import re

_ID = re.compile(r"[0-9]{1,9}")
_YEAR = re.compile(r"[0-9]{4}")
_WORD = re.compile(r"\w")
MAX_TERMS = 12  # websearch_to_tsquery overflows its stack on long runs of operators


def is_id(value: str | None) -> bool:
    """True for a plain ASCII number that fits an integer column ("²".isdigit() is True, int() fails)."""
    return bool(value) and _ID.fullmatch(value) is not None


def is_year(value: str | None) -> bool:
    """True for four ASCII digits ("²⁰¹⁴".isdigit() is True too)."""
    return bool(value) and _YEAR.fullmatch(value) is not None


def bounded_terms(raw: str | None, max_length: int = 200) -> str:
    """The query with at most MAX_TERMS words; operator-only words dropped, runs of leading '-' made one."""
    words = [re.sub(r"^-+", "-", w) for w in (raw or "").split()]
    words = [w for w in words if _WORD.search(w)]
    return " ".join(words[:MAX_TERMS])[:max_length]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")


def strip_control(text: str | None, single_line: bool = True) -> str | None:
    """Text without C0 control characters (a form feed pasted from a PDF breaks the RSS/Atom XML).

    Single-line fields (titles) lose tab/CR/LF too, replaced by a space; multi-line ones keep them.
    """
    if not text:
        return text
    if single_line:
        return " ".join(_CONTROL_LINE.sub(" ", text).split())
    return _CONTROL.sub("", text)
