"""NACE Rev. 2: code forms, the classification structure and Eurostat's aggregate codes.

Two spellings of the same code circulate:

* the **classification form** used by the NACE Rev. 2 publication and by ``Nace2_long.csv``:
  sections ``'C'``, divisions ``'25'``, groups ``'25.4'``, classes ``'25.40'``;
* the **Eurostat data form** used in every Eurostat dataset and ``nace_r2.dic``: the section
  letter followed by the digits without dots: ``'C'``, ``'C25'``, ``'C254'``, ``'C2540'``.

The project stores the Eurostat form everywhere; :func:`eurostat_code` and :func:`dotted_code`
convert between the two. Aggregates (``'B-N_S95_X_K'``, ``'C10-C12'``, ``'TOTAL'``…) exist only
in the Eurostat form and pass through both functions unchanged.

Pure Python/pandas: no Django imports, so the module can be used and tested alone.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from indicators.sources.base import ParseError, read_text

# --------------------------------------------------------------------------- structure

#: Official NACE Rev. 2 sections and their (first, last) division numbers. Every number in
#: each range is a division (88 in all); the numbers between ranges (04, 34, 40, 44, 48, 54,
#: 57, 67, 76, 83, 89) are not used by NACE Rev. 2.
SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}

#: The 21 sections in classification order.
SECTIONS: tuple[str, ...] = tuple(SECTION_DIVISIONS)

#: Division number ('25') -> section letter ('C').
DIVISION_SECTION: dict[str, str] = {
    f"{number:02d}": section
    for section, (first, last) in SECTION_DIVISIONS.items()
    for number in range(first, last + 1)
}

#: The 88 divisions in Eurostat form ('A01' … 'U99'), in classification order.
DIVISIONS: tuple[str, ...] = tuple(f"{sec}{div}" for div, sec in DIVISION_SECTION.items())
_DIVISION_INDEX: dict[str, int] = {d: i for i, d in enumerate(DIVISIONS)}


def aggregate_divisions(code: str) -> tuple[str, ...]:
    """The divisions an activity code in Eurostat form stands for, whole, in classification order.

    'C26' -> (C26,); a section 'C' -> its divisions; ranges 'C10-C12' and 'D35-E39' (across
    sections too); lists 'C24_C25', 'D35_E36', 'H49-H52_N79'. Codes with exclusions
    ('C10-S951_X_K'), groups and classes ('C261', 'M69_M702'), totals ('TOTAL') and unknown
    codes -> (): they cannot stand for whole divisions.
    """
    code = code.strip().upper()
    if not code or "_X_" in code:
        return ()
    if code in SECTION_DIVISIONS:
        first, last = SECTION_DIVISIONS[code]
        return tuple(f"{code}{n:02d}" for n in range(first, last + 1))
    out: list[str] = []
    for part in code.split("_"):
        if part in _DIVISION_INDEX:
            out.append(part)
        elif (m := re.fullmatch(r"([A-U]\d\d)-([A-U]\d\d)", part)) and {m[1], m[2]} <= _DIVISION_INDEX.keys():
            lo, hi = _DIVISION_INDEX[m[1]], _DIVISION_INDEX[m[2]]
            if lo > hi:
                return ()
            out += DIVISIONS[lo : hi + 1]
        else:
            return ()
    return tuple(dict.fromkeys(out))


#: Columns of the frame returned by :func:`parse_nace_structure`.
STRUCTURE_COLUMNS = ["code", "dotted", "level", "parent", "section", "name"]

_DOTTED_RE = re.compile(r"^(?P<div>\d{2})(?:\.(?P<rest>\d{1,2}))?$")
_DIGITS_RE = re.compile(r"^(?P<div>\d{2})(?P<rest>\d{1,2})$")
_EUROSTAT_RE = re.compile(r"^(?P<sec>[A-U])(?:(?P<div>\d{2})(?P<rest>\d{1,2})?)?$")

# Form of the nace2 column per level in Nace2_long.csv.
_LEVEL_FORMS = {
    1: re.compile(r"^[A-U]$"),
    2: re.compile(r"^\d{2}$"),
    3: re.compile(r"^\d{2}\.\d$"),
    4: re.compile(r"^\d{2}\.\d{2}$"),
}
_REQUIRED = ["nace2", "Name", "Level", "Parent"]
# How R (the file's writer) spells a missing value.
_NA_TOKENS = frozenset({"", "NA"})


def section_of_division(division: str) -> str:
    """The section letter of a two-digit division ('25' -> 'C'); ValueError if none."""
    try:
        return DIVISION_SECTION[division]
    except KeyError:
        raise ValueError(f"{division!r} is not a NACE Rev. 2 division") from None


def is_plain_code(code: str) -> bool:
    """True for a section/division/group/class in Eurostat form whose division belongs to
    its section letter ('C', 'C25', 'C254', 'C2540'); False for aggregates ('C10-C12', 'L68A',
    'TOTAL') and for inconsistent codes such as 'A25'."""
    match = _EUROSTAT_RE.match(code)
    if match is None:
        return False
    div = match["div"]
    return div is None or DIVISION_SECTION.get(div) == match["sec"]


def eurostat_code(code: str) -> str:
    """Classification form -> Eurostat data form.

    '25' -> 'C25', '25.4' -> 'C254', '25.40' -> 'C2540', '01.1' -> 'A011'; undotted digits of
    a group or class ('254', '2540') are accepted too. Anything else (a section letter, a code
    already in Eurostat form, an aggregate such as 'B-N_S95_X_K') is returned unchanged apart
    from surrounding blanks, so the function is idempotent. Raises ValueError for a code that
    looks numeric but whose division does not exist ('04.1', '34').
    """
    text = code.strip()
    match = _DOTTED_RE.match(text) or _DIGITS_RE.match(text)
    if match is None:
        return text
    return section_of_division(match["div"]) + match["div"] + (match["rest"] or "")


def dotted_code(code: str) -> str:
    """Eurostat data form -> classification form, the reverse of :func:`eurostat_code`.

    'C' -> 'C', 'C25' -> '25', 'C254' -> '25.4', 'C2540' -> '25.40'. Codes already dotted and
    anything that is not a plain NACE code (aggregates such as 'B-N_S95_X_K', inconsistent
    codes such as 'A25') are returned unchanged apart from surrounding blanks.
    """
    text = code.strip()
    if not is_plain_code(text):
        return text
    match = _EUROSTAT_RE.match(text)
    assert match is not None  # is_plain_code matched it
    if match["div"] is None:
        return text
    return match["div"] + (f".{match['rest']}" if match["rest"] else "")


def _derived_parent(code: str) -> str:
    """Parent of a plain Eurostat code by construction ('' for a section)."""
    if len(code) == 1:
        return ""
    if len(code) == 3:
        return code[0]
    return code[:-1]


def parse_nace_structure(raw: bytes, source: str) -> pd.DataFrame:
    """Parse Eurostat's NACE Rev. 2 structure file (``Nace2_long.csv``).

    Input: CSV with at least the columns ``nace2, Name, Level, Parent`` (the explanatory-note
    columns ``Include, Include_Also, Exclude`` are multi-line quoted fields and are ignored),
    codes in classification form ('A', '01', '01.1', '01.11') and R's ``NA`` for the parent of
    a section.

    Returns one row per item, sorted by code (which is also hierarchical order): ``code``
    (Eurostat form), ``dotted`` (classification form), ``level`` (1 section, 2 division,
    3 group, 4 class), ``parent`` (Eurostat form, '' for sections), ``section`` and ``name``.
    The real file gives 996 rows: 21 sections, 88 divisions, 272 groups, 615 classes.

    Raises ParseError for empty input, missing columns, a level outside 1–4, a code not in
    the form of its level, a duplicate code, a parent that does not exist or is not the
    item's parent by construction.
    """
    text = read_text(raw, source)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(source, f"unreadable CSV ({exc})") from exc
    frame.columns = [str(column).strip() for column in frame.columns]
    missing = [column for column in _REQUIRED if column not in frame.columns]
    if missing:
        raise ParseError(
            source,
            f"missing column(s) {', '.join(missing)} (found: {', '.join(frame.columns)})",
            1,
        )
    if frame.empty:
        raise ParseError(source, "no NACE items after the header")

    dotted = frame["nace2"].str.strip()
    names = frame["Name"].str.strip()
    level_text = frame["Level"].str.strip()
    parent_text = frame["Parent"].str.strip()

    bad_level = ~level_text.isin(["1", "2", "3", "4"])
    if bad_level.any():
        position = int(bad_level.to_numpy().nonzero()[0][0])
        raise ParseError(
            source,
            f"level {level_text.iloc[position]!r} of {dotted.iloc[position]!r} is not 1-4",
        )
    levels = level_text.astype("int64")

    for position, (item, level) in enumerate(zip(dotted, levels, strict=True)):
        if not _LEVEL_FORMS[level].match(item):
            raise ParseError(source, f"code {item!r} (item {position + 1}) is not a level-{level} code")
        if level == 2 and item not in DIVISION_SECTION:
            raise ParseError(source, f"{item!r} is not a NACE Rev. 2 division")
    duplicated = dotted.duplicated()
    if duplicated.any():
        raise ParseError(source, f"duplicate code {dotted[duplicated].iloc[0]!r}")

    codes = dotted.map(eurostat_code)
    parents = parent_text.map(lambda value: "" if value in _NA_TOKENS else eurostat_code(value))
    known = dict(zip(codes, levels, strict=True))
    for code, level, parent in zip(codes, levels, parents, strict=True):
        if level == 1:
            if parent:
                raise ParseError(source, f"section {code!r} has a parent ({parent!r})")
            continue
        if not parent:
            raise ParseError(source, f"{code!r} (level {level}) has no parent")
        if parent not in known:
            raise ParseError(source, f"parent {parent!r} of {code!r} does not exist")
        if known[parent] != level - 1 or parent != _derived_parent(code):
            raise ParseError(source, f"{parent!r} cannot be the parent of {code!r}")

    result = pd.DataFrame(
        {
            "code": codes,
            "dotted": dotted,
            "level": levels,
            "parent": parents,
            "section": codes.str[0],
            "name": names,
        }
    )
    return result.sort_values("code", ignore_index=True)


# --------------------------------------------------------------------------- aggregates

#: Aggregates whose coverage is not written in their code.
_NAMED_COMPONENTS = {"TOTAL": list(SECTIONS)}


def _expand(term: str) -> list[str] | None:
    """Codes covered by one term of an aggregate code, or None when unknown.

    A term is a plain code ('C', 'C25', 'C254') or a range of sections ('B-E'), of divisions
    ('C10-C12') or from a section to a division ('B-E36': B, C, D and E36).
    """
    if is_plain_code(term):
        return [term]
    start, sep, end = term.partition("-")
    if not sep or not is_plain_code(start) or not is_plain_code(end):
        return None
    if len(start) == 1 and len(end) == 1:
        first, last = SECTIONS.index(start), SECTIONS.index(end)
        return list(SECTIONS[first : last + 1]) if first <= last else None
    if len(start) == 3 and len(end) == 3:
        first, last = DIVISIONS.index(start), DIVISIONS.index(end)
        return list(DIVISIONS[first : last + 1]) if first <= last else None
    if len(start) == 1 and len(end) == 3:
        first, last = SECTIONS.index(start), SECTIONS.index(end[0])
        if first >= last:
            return None
        divisions = [division for division in DIVISIONS if division[0] == end[0]]
        return [*SECTIONS[first:last], *divisions[: divisions.index(end) + 1]]
    return None


def _covers(component: str, code: str) -> bool:
    """True when plain code ``code`` lies inside (or is) plain code ``component``."""
    return code.startswith(component)


def aggregate_components(code: str) -> list[str]:
    """The plain NACE codes (Eurostat form) that together make up an aggregate, or [].

    The rule, applied to the code itself (never to its label):

    * 'TOTAL' is all 21 sections. Other codes are split at '_X_' into an included and an
      excluded part (at most one '_X_'); each part is a '_'-separated list of terms.
    * A term is a plain code ('C', 'C25', 'C254' — kept as written, so groups and classes can
      appear when the code lists them) or a range: of sections ('B-E' -> B, C, D, E), of
      divisions ('C10-C12' -> C10, C11, C12, skipping unused numbers) or from a section to a
      division ('B-E36' -> B, C, D, E36).
    * Excluded codes must be whole components: 'B-N_S95_X_K' -> B…N without K, plus S95.
      Excluding a part of a component ('C25_X_C254', 'B-N_X_K642') cannot be written as a
      list of components and gives [].
    * Anything else — suffixes such as '_INN', '_PRC', '_FOOD', thematic aggregates ('C_HTC',
      'KIS', 'MIG_ING', 'ICT'), ranges of groups ('C241-C243'), overlapping terms, 'TOT'
      (whose coverage depends on the dataset) — is unknown and gives [].

    The components never overlap, so a value for the aggregate is the sum of the values of
    its components (for additive measures).
    """
    if code in _NAMED_COMPONENTS:
        return list(_NAMED_COMPONENTS[code])
    parts = code.split("_X_")
    if len(parts) > 2 or not parts[0]:
        return []
    included: list[str] = []
    for term in parts[0].split("_"):
        expanded = _expand(term)
        if expanded is None:
            return []
        included.extend(expanded)
    for position, first in enumerate(included):
        later = included[position + 1 :]
        if any(_covers(first, other) or _covers(other, first) for other in later):
            return []
    if len(parts) == 2:
        for term in parts[1].split("_"):
            expanded = _expand(term)
            if expanded is None:
                return []
            for excluded in expanded:
                if excluded not in included:
                    return []
                included.remove(excluded)
    return included


def aggregate_codes(dic: dict[str, str]) -> pd.DataFrame:
    """The codes of a ``nace_r2.dic`` mapping (code -> label) that are not plain NACE codes.

    Returns columns ``code``, ``name`` (the label) and ``components`` (a list of plain codes in
    Eurostat form, see :func:`aggregate_components` for the rule; [] when unknown), in the
    order of the mapping. Plain sections, divisions, groups and classes are left out.
    """
    rows = [
        (code.strip(), label.strip(), aggregate_components(code.strip()))
        for code, label in dic.items()
        if not is_plain_code(code.strip())
    ]
    return pd.DataFrame(
        {
            "code": pd.Series([row[0] for row in rows], dtype="str"),
            "name": pd.Series([row[1] for row in rows], dtype="str"),
            "components": pd.Series([row[2] for row in rows], dtype=object),
        }
    )
