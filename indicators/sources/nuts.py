"""NUTS region code lists (2013, 2016, 2021) and the official change tables between versions.

Code lists share the columns ``code, level, country, name, version`` (:data:`CODE_COLUMNS`).
Change tables (:func:`parse_nuts_changes`) list the relations between the codes of two
versions; :func:`recoding_table` keeps the relations a data recoder can apply safely and
:func:`chain_recoding` composes two of them (2013 -> 2016 -> 2021).

Pure Python/pandas (+ python-calamine for the workbooks): no Django imports.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from indicators.sources.base import ParseError, read_text

#: Columns of every code list returned by this module.
CODE_COLUMNS = ["code", "level", "country", "name", "version"]

#: Columns of a change table (``level`` is the NUTS level of the codes of the row).
CHANGE_COLUMNS = ["from_version", "to_version", "old_code", "new_code", "change", "note", "level"]

#: The vocabulary of the ``change`` column, see :func:`parse_nuts_changes`.
CHANGES = ("recoded", "relabelled", "merged", "split", "boundary shift", "new", "discontinued")

#: A NUTS code: two-letter country then up to three level characters ('FR', 'FRB', 'FRB0',
#: 'FRB01'; extra-regio codes end in Z: 'FRZZZ').
CODE_RE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
_CODE_IN_TEXT = re.compile(r"\b[A-Z]{2}[0-9A-Z]{1,3}\b")
# A term of an 'Explanation (new = old)' formula: sign, optional 'ex-' / 'new ' and a code.
_FORMULA_TERM = re.compile(r"([+-]?)\s*(ex-|new )?\b([A-Z]{2}[0-9A-Z]{0,3})\b")
_NEW_PREFIX = re.compile(r"\bnew\s*(?=[A-Z]{2})")
_PART = re.compile(r"\bparts?\b|\bminus\b")
# 'Change codes' of the 2016-2021 workbook, used when a row has a code but no comment.
_CHANGE_CODE_TEXT = {
    "1": "renamed",
    "2": "recoded",
    "3": "boundary change, recode",
    "4": "boundary change, recode, rename",
    "5": "discontinued",
    "6": "new",
}
_HEADER_SCAN_ROWS = 15


def level_of(code: str) -> int:
    """NUTS level from the code length: 2 characters -> 0 (country) … 5 -> 3."""
    return len(code) - 2


def _clean(value: object) -> str:
    """Cell value -> stripped text with single spaces ('' for None)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\xa0", " ").split())


def _code_frame(records: list[tuple[str, str, str]], version: int) -> pd.DataFrame:
    """(code, country, name) records -> a code list sorted by code."""
    frame = pd.DataFrame(
        {
            "code": pd.Series([r[0] for r in records], dtype="str"),
            "level": pd.Series([level_of(r[0]) for r in records], dtype="int64"),
            "country": pd.Series([r[1] for r in records], dtype="str"),
            "name": pd.Series([r[2] for r in records], dtype="str"),
            "version": pd.Series([version] * len(records), dtype="int64"),
        }
    )
    return frame.sort_values("code", ignore_index=True)


def _check_codes(codes: Iterable[str], source: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if not CODE_RE.match(code):
            raise ParseError(source, f"{code!r} is not a NUTS code")
        if code in seen:
            raise ParseError(source, f"duplicate NUTS code {code!r}")
        seen.add(code)


# --------------------------------------------------------------------------- code lists


def parse_nuts_2021_labels(raw: bytes, source: str, version: int = 2021) -> pd.DataFrame:
    """Parse GISCO's NUTS label-point GeoJSON (``NUTS_LB_2021_4326.geojson``).

    Takes ``NUTS_ID``, ``LEVL_CODE``, ``CNTR_CODE`` and ``NAME_LATN`` (the Latin-script name)
    of every feature. GISCO files hold every NUTS region and the statistical regions of the
    non-EU countries, but no extra-regio codes ('…Z', '…ZZ', '…ZZZ'). The real 2021 file gives
    2,010 codes (37 countries, 125 level 1, 334 level 2, 1,514 level 3).

    Raises ParseError for invalid JSON, a missing property, a level that does not match the
    code length, a country that is not the code prefix or a duplicate code.
    """
    text = read_text(raw, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(source, f"invalid JSON ({exc.msg})", exc.lineno) from exc
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or not features:
        raise ParseError(source, "not a GeoJSON FeatureCollection with features")
    records = []
    for position, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise ParseError(source, f"feature {position} has no properties")
        missing = [k for k in ("NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN") if k not in props]
        if missing:
            raise ParseError(source, f"feature {position} lacks {', '.join(missing)}")
        code, country = _clean(props["NUTS_ID"]), _clean(props["CNTR_CODE"])
        if _clean(props["LEVL_CODE"]) != str(level_of(code)):
            raise ParseError(source, f"{code!r} has LEVL_CODE {props['LEVL_CODE']!r}, not {level_of(code)}")
        if country != code[:2]:
            raise ParseError(source, f"{code!r} has CNTR_CODE {country!r}")
        records.append((code, country, _clean(props["NAME_LATN"])))
    _check_codes((r[0] for r in records), source)
    return _code_frame(records, version)


def parse_nuts_2016_tsv(raw: bytes, source: str) -> pd.DataFrame:
    """Parse the flat NUTS 2016 list ``nuts-2016.tsv`` (columns ``nuts-2016, country, name``).

    Level comes from the code length (2 -> 0, 3 -> 1, 4 -> 2, 5 -> 3). Names are as in the
    file (national language, upper case for levels 0-1). The real file gives 2,016 codes
    (37 countries, 125 level 1, 332 level 2, 1,522 level 3; no extra-regio codes).
    """
    text = read_text(raw, source)
    frame = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    frame.columns = [str(column).strip() for column in frame.columns]
    code_column = next((c for c in frame.columns if c.lower().startswith("nuts")), None)
    missing = [
        name
        for name, present in (("nuts-2016", code_column), ("country", "country"), ("name", "name"))
        if present is None or present not in frame.columns
    ]
    if missing:
        raise ParseError(source, f"missing column(s) {', '.join(missing)}", 1)
    if frame.empty:
        raise ParseError(source, "no NUTS codes after the header")
    records = []
    for line, (code, country, name) in enumerate(
        zip(frame[code_column], frame["country"], frame["name"], strict=True), start=2
    ):
        code, country = _clean(code), _clean(country)
        if not CODE_RE.match(code):
            raise ParseError(source, f"{code!r} is not a NUTS code", line)
        if country != code[:2]:
            raise ParseError(source, f"{code!r} is listed under country {country!r}", line)
        records.append((code, country, _clean(name)))
    _check_codes((r[0] for r in records), source)
    return _code_frame(records, 2016)


# --------------------------------------------------------------------------- workbooks


@dataclass
class _Table:
    """One sheet of a NUTS workbook: where its columns are and its rows below the header."""

    sheet: str
    columns: dict[str, int]
    rows: list[tuple[object, ...]] = field(default_factory=list)

    def cell(self, row: tuple[object, ...], name: str) -> str:
        index = self.columns.get(name)
        return _clean(row[index]) if index is not None and index < len(row) else ""


def _load_tables(raw: bytes, source: str, old_header: str, new_header: str) -> list[_Table]:
    """The sheets of an xlsx workbook whose header row (searched in the first rows, as some
    sheets have a title or a super-header above it) holds both ``old_header`` and
    ``new_header``. Column names are cleaned header texts."""
    if not raw:
        raise ParseError(source, "empty file")
    # python-calamine (Rust) reads the cached cell values, as openpyxl's data_only did, about ten
    # times faster (NUTS2021.xlsx: 0.06 s against 0.49 s; every cell of the sheets read the same).
    tables = []
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        for name in workbook.sheet_names:
            rows = iter(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for _ in range(_HEADER_SCAN_ROWS):
                header = next(rows, None)
                if header is None:
                    break
                names = [_clean(value) for value in header]
                if old_header in names and new_header in names:
                    columns: dict[str, int] = {}
                    for index, column in enumerate(names):
                        if column:
                            columns.setdefault(column, index)
                    tables.append(_Table(name, columns, [tuple(row) for row in rows]))
                    break
    except CalamineError as exc:
        raise ParseError(source, f"not an xlsx workbook ({exc})") from exc
    if not tables:
        raise ParseError(source, f"no sheet has the columns {old_header!r} and {new_header!r}")
    return tables


def parse_nuts_2013_from_correspondence(raw_xlsx: bytes, source: str) -> pd.DataFrame:
    """The NUTS 2013 code list from Eurostat's ``NUTS2013-NUTS2016.xlsx``.

    Reads the sheet with the columns ``Code 2013``, ``Code 2016`` and the label columns
    (``Country``, ``NUTS level 1/2/3``). Its labels are the 2016 ones, except the rows of
    discontinued 2013 regions (in italics), which carry the 2013 label. Names are therefore:
    the label of the discontinued row when the 2013 code has one, '' when the region was
    relabelled (its 2013 name is not in the workbook), else the (unchanged) label.

    The real file gives 1,828 codes of the EU-28 (28 countries, 98 level 1, 276 level 2,
    1,342 level 3 and 84 extra-regio codes among them).
    """
    label_columns = ["Country", "NUTS level 1", "NUTS level 2", "NUTS level 3"]
    tables = [
        table
        for table in _load_tables(raw_xlsx, source, "Code 2013", "Code 2016")
        if all(column in table.columns for column in label_columns)
    ]
    if not tables:
        raise ParseError(source, "no sheet with Code 2013, Code 2016 and label columns")
    table = tables[0]
    change_column = "Change" if "Change" in table.columns else ""
    names: dict[str, str] = {}
    from_discontinued: set[str] = set()
    for row in table.rows:
        code = table.cell(row, "Code 2013")
        if not code:
            continue
        if not CODE_RE.match(code):
            raise ParseError(source, f"{code!r} in sheet {table.sheet!r} is not a NUTS code")
        label = next((t for t in (table.cell(row, c) for c in label_columns) if t), "")
        change = table.cell(row, change_column).lower() if change_column else ""
        if not table.cell(row, "Code 2016"):
            names[code] = label
            from_discontinued.add(code)
        elif code not in from_discontinued:
            names[code] = "" if ("relabel" in change or "rename" in change) else label
    if not names:
        raise ParseError(source, "no NUTS 2013 codes")
    return _code_frame([(code, code[:2], name) for code, name in names.items()], 2013)


# --------------------------------------------------------------------------- changes


@dataclass
class _Relation:
    """A same-level relation old -> new between two versions, while it is being classified."""

    partial: bool = False  # the old region is not wholly inside the new one, or vice versa
    split: bool = False  # the workbook says the old region was split
    notes: list[str] = field(default_factory=list)

    def add_note(self, note: str) -> None:
        if note and note not in self.notes:
            self.notes.append(note)


def _formula_terms(explanation: str, new_code: str) -> list[tuple[str, str, str]] | None:
    """Terms (sign, prefix, code) of an 'Explanation (new = old)' formula such as
    'FRC=FR26+FR43' or '01/01/2018; NO060 = NO061+NO062', or None when there is none or its
    left side is not ``new_code``."""
    for part in explanation.split(";"):
        left, sep, right = part.partition("=")
        if sep and _clean(left) == new_code:
            right = _NEW_PREFIX.sub("new ", right)
            return [(s or "+", p.strip(), c) for s, p, c in _FORMULA_TERM.findall(right)]
    return None


def _codes_after(text: str, marker: str) -> list[str]:
    """NUTS codes written after ``marker`` in a change comment ('split into new A, B and C')."""
    _, sep, tail = text.partition(marker)
    return _CODE_IN_TEXT.findall(tail) if sep else []


def _note(text: str, explanation: str) -> str:
    return f"{text} [{explanation}]" if explanation else text


def parse_nuts_changes(raw_xlsx: bytes, source: str, from_version: int, to_version: int) -> pd.DataFrame:
    """The official NUTS change table between two versions, from Eurostat's workbook.

    Works with ``NUTS2013-NUTS2016.xlsx`` (2013 -> 2016: sheets ``NUTS2013-NUTS2016`` and
    ``Correspondence NUTS-1/2/3``) and ``NUTS2021.xlsx`` (2016 -> 2021: ``Changes detailed
    NUTS 2016-2021`` and ``Changes NUTS-1/2/3``): every sheet with the columns ``Code <from>``
    and ``Code <to>`` is read (header row found among the first rows), with its change comment
    (``Change`` or ``Change comments``) and its ``Explanation (new = old)`` formula when there
    is one. Rows without a change comment are unchanged regions and are left out.

    Returns columns ``from_version, to_version, old_code, new_code, change, note, level``; one
    row per relation between an old and a new code **of the same level**, then one row per old
    code without any relation ('discontinued', ``new_code`` '') and per new code without any
    relation ('new', ``old_code`` ''). ``note`` keeps the workbook's comments (and formulas in
    brackets) that the row was built from. ``change`` is normalised to:

    * 'recoded' — new code, same territory (one old, one new);
    * 'relabelled' — same code, new name;
    * 'merged' — the new region is exactly the union of several whole old regions;
    * 'split' — the old region was divided among several new regions;
    * 'boundary shift' — any other territorial change (a comment mentioning a boundary
      change or parts of regions, or a formula with a minus);
    * 'new' / 'discontinued' — no counterpart of the same level in the other version.

    Relations come from rows with both codes, from formulas of new regions ('DE91C=DE915+
    DE919'), from 'split into new …' and 'now part of …' comments of discontinued regions and
    from 'merge of ex-…' / 'made from …' / 'made of …' comments. Relations between levels
    (e.g. NUTS 1 FRC = NUTS 2 FR26 + FR43 in 2016) stay in the notes only. Where comment and
    formula disagree: a comment naming a boundary change wins over a one-term formula
    (PL12E -> PL925 'boundary shift' with 'PL925=PL12E', as the 2018 change log says), while a
    formula adding up several whole old regions makes a merge even when the comment says
    'boundary change' (ITG2D = ex-ITG25 + ex-ITG29).
    """
    old_header, new_header = f"Code {from_version}", f"Code {to_version}"
    tables = _load_tables(raw_xlsx, source, old_header, new_header)

    pairs: dict[tuple[str, str], dict[str, list[str]]] = {}
    for table in tables:
        text_column = "Change comments" if "Change comments" in table.columns else "Change"
        explanation_column = next((name for name in table.columns if name.startswith("Explanation")), "")
        for row in table.rows:
            old, new = table.cell(row, old_header), table.cell(row, new_header)
            text = table.cell(row, text_column)
            if not text:
                text = _CHANGE_CODE_TEXT.get(table.cell(row, "Change codes*"), "")
            if not text or not (old or new):
                continue
            for code in (old, new):
                if code and not CODE_RE.match(code):
                    raise ParseError(source, f"{code!r} in sheet {table.sheet!r} is not a NUTS code")
            entry = pairs.setdefault((old, new), {"texts": [], "explanations": []})
            if text not in entry["texts"]:
                entry["texts"].append(text)
            explanation = table.cell(row, explanation_column) if explanation_column else ""
            if explanation and explanation not in entry["explanations"]:
                entry["explanations"].append(explanation)
    if not pairs:
        raise ParseError(source, f"no changes between {from_version} and {to_version}")

    relations: dict[tuple[str, str], _Relation] = {}

    def relate(old: str, new: str, note: str, *, partial: bool = False, split: bool = False):
        if level_of(old) != level_of(new):
            return
        relation = relations.setdefault((old, new), _Relation())
        relation.partial |= partial
        relation.split |= split
        relation.add_note(note)

    lone_old: dict[str, str] = {}
    lone_new: dict[str, str] = {}
    for (old, new), entry in pairs.items():
        texts, explanations = entry["texts"], entry["explanations"]
        lower = " ".join(texts).lower()
        note = _note(" | ".join(texts), "; ".join(explanations))
        formulas = [_formula_terms(e, new) for e in explanations] if new else []
        terms = next((f for f in formulas if f), None)
        pure_merge = (
            terms is not None
            and len(terms) > 1
            and all(sign == "+" and not prefix.startswith("new") for sign, prefix, _ in terms)
        )
        if old and new:
            if pure_merge and any(code == old for _, _, code in terms):
                # e.g. ITG2D = ex-ITG25 + ex-ITG29: the new region is a union of whole regions.
                for _, _, code in terms:
                    relate(code, new, note)
            else:
                partial = "boundary" in lower or bool(_PART.search(lower))
                if terms is not None:
                    partial |= any(s == "-" or p.startswith("new") for s, p, _ in terms)
                relate(old, new, note, partial=partial)
                # 'recode, boundary change: merge of ex-ITG26 plus most parts of ex-ITG2A'
                for text in texts:
                    for marker in ("merge of", "made from", "made of"):
                        for code in _codes_after(text, marker):
                            relate(code, new, note, partial=partial)
        elif old:
            lone_old[old] = note
            for text in texts:
                for code in _codes_after(text, "split into"):
                    relate(old, code, note, partial=True, split=True)
                for code in _codes_after(text, "part of"):
                    relate(old, code, note)
        else:
            lone_new[new] = note
            if terms is not None:
                partial = any(s == "-" or p.startswith("new") for s, p, _ in terms)
                for sign, prefix, code in terms:
                    if sign == "+" and not prefix.startswith("new"):
                        relate(code, new, note, partial=partial)
            else:
                partial = bool(_PART.search(lower))
                for text in texts:
                    for marker in ("merge of", "made from", "made of"):
                        for code in _codes_after(text, marker):
                            relate(code, new, note, partial=partial)

    # Notes of regions that only exist on one side go to the relations that explain them.
    for (old, new), relation in relations.items():
        relation.notes = [lone_old.get(old, ""), *relation.notes, lone_new.get(new, "")]
        relation.notes = list(dict.fromkeys(n for n in relation.notes if n))

    out_degree: dict[str, int] = {}
    in_degree: dict[str, int] = {}
    partial_new: set[str] = set()
    for (old, new), relation in relations.items():
        out_degree[old] = out_degree.get(old, 0) + 1
        in_degree[new] = in_degree.get(new, 0) + 1
        if relation.partial:
            partial_new.add(new)

    records = []
    for (old, new), relation in relations.items():
        if old == new:
            change = "boundary shift" if relation.partial else "relabelled"
        elif relation.split or (out_degree[old] > 1 and not relation.partial):
            change = "split"
        elif relation.partial or new in partial_new:
            change = "boundary shift"
        elif in_degree[new] > 1:
            change = "merged"
        else:
            change = "recoded"
        records.append((old, new, change, " | ".join(relation.notes)))
    for old, note in lone_old.items():
        if old not in out_degree:
            records.append((old, "", "discontinued", note))
    for new, note in lone_new.items():
        if new not in in_degree:
            records.append(("", new, "new", note))

    frame = pd.DataFrame(
        {
            "from_version": pd.Series([from_version] * len(records), dtype="int64"),
            "to_version": pd.Series([to_version] * len(records), dtype="int64"),
            "old_code": pd.Series([r[0] for r in records], dtype="str"),
            "new_code": pd.Series([r[1] for r in records], dtype="str"),
            "change": pd.Series([r[2] for r in records], dtype="str"),
            "note": pd.Series([r[3] for r in records], dtype="str"),
            "level": pd.Series([level_of(r[0] or r[1]) for r in records], dtype="int64"),
        }
    )
    frame["_key"] = frame["old_code"].where(frame["old_code"] != "", frame["new_code"])
    return frame.sort_values(["level", "_key", "new_code"], ignore_index=True).drop(columns="_key")


# --------------------------------------------------------------------------- recoding

#: The changes a recoder can apply to data: the old region's value becomes (or, for merges,
#: is summed into) the new region's value.
RECODABLE = frozenset({"recoded", "merged"})


def _one_recoding(changes: pd.DataFrame) -> pd.DataFrame:
    usable = changes[
        changes["change"].isin(RECODABLE)
        & (changes["old_code"] != "")
        & (changes["new_code"] != "")
        & (changes["old_code"] != changes["new_code"])
    ]
    # An old code with more than one target is ambiguous whatever the labels say.
    targets = usable.groupby("old_code")["new_code"].transform("nunique")
    usable = usable[targets == 1]
    return (
        usable[["old_code", "new_code"]]
        .drop_duplicates()
        .sort_values("old_code", ignore_index=True)
        .astype("str")
    )


def chain_recoding(
    first: pd.DataFrame, second: pd.DataFrame, valid_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Compose two recoding tables (e.g. 2013->2016 then 2016->2021) into one.

    Each old code of ``first`` goes to its new code, then on through ``second`` when that code
    was recoded again (FR24 -> FRB0 stays FRB0; HR041, unchanged in 2016, -> HR050). Rows of
    ``second`` whose old code is not an old code of ``first`` are kept as they are (a 2013
    code unchanged in 2016 and recoded in 2021). Codes whose final target is the code itself
    are dropped. With ``valid_codes`` (the code list of the last version), rows whose final
    target is not in it are dropped: the intermediate region changed in a way that cannot be
    recoded (boundary shift, split) and the caller must treat it as missing.
    """
    step = dict(zip(second["old_code"], second["new_code"], strict=True))
    composed = {
        old: step.get(mid, mid) for old, mid in zip(first["old_code"], first["new_code"], strict=True)
    }
    for old, new in step.items():
        composed.setdefault(old, new)
    if valid_codes is not None:
        keep = set(valid_codes)
        composed = {old: new for old, new in composed.items() if new in keep}
    pairs = sorted((old, new) for old, new in composed.items() if old != new)
    return pd.DataFrame(
        {
            "old_code": pd.Series([p[0] for p in pairs], dtype="str"),
            "new_code": pd.Series([p[1] for p in pairs], dtype="str"),
        }
    )


def recoding_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The old -> new code pairs a data recoder can apply without inventing numbers.

    Kept: 'recoded' (same territory, new code: the value moves as it is) and 'merged'
    (several whole old regions form the new one: their values are **summed**, so only for
    additive measures — counts, money, persons — never for ratios or averages). An old code
    that would get two targets is dropped.

    Left out, because the data of the old regions cannot be turned into data of the new ones
    without information the change table does not have (population or business registers by
    municipality): 'split' (one -> many: how much of the old value goes to each new region is
    unknown), 'boundary shift' (territory moved between regions: neither side's value is
    right for the other), 'relabelled' (nothing to recode), 'new' and 'discontinued' (no
    counterpart).

    ``changes`` may hold several consecutive version steps (e.g. the 2013->2016 and
    2016->2021 tables concatenated): they are recoded step by step and chained with
    :func:`chain_recoding`, giving a table from the oldest to the newest version. Returns
    columns ``old_code, new_code``.
    """
    missing = [c for c in ("old_code", "new_code", "change") if c not in changes.columns]
    if missing:
        raise ValueError(f"change table lacks column(s) {', '.join(missing)}")
    if "from_version" not in changes.columns or changes.empty:
        return _one_recoding(changes)
    versions = zip(changes["from_version"], changes["to_version"], strict=True)
    steps = sorted({(int(f), int(t)) for f, t in versions})
    for (_, previous_to), (next_from, _) in zip(steps, steps[1:], strict=False):
        if previous_to != next_from:
            raise ValueError(f"change steps {steps} are not consecutive")
    result: pd.DataFrame | None = None
    for step_from, step_to in steps:
        part = changes[(changes["from_version"] == step_from) & (changes["to_version"] == step_to)]
        table = _one_recoding(part)
        result = table if result is None else chain_recoding(result, table)
    assert result is not None
    return result
