"""Combined Nomenclature reference files: CN8 labels, CN8 -> CPA 2.1, and the CN correspondence
table (code changes between consecutive years). Publisher files, read from the mirror."""

from __future__ import annotations

import io
import re

import pandas as pd

from .base import ParseError

_CN8 = re.compile(r"^\d{8}$")
_STEP = re.compile(r"^(\d{4})(\d{4})$")


def parse_concordance(raw: bytes, source: str) -> pd.DataFrame:
    """Eurostat's CN correspondence table (.xls, sheet relatnc1988_2025): period, origin, destination.

    ``period`` '20222023' means from the 2022 to the 2023 nomenclature; codes lose their spaces.
    """
    try:
        frame = pd.read_excel(io.BytesIO(raw), dtype=str, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for every kind of broken workbook
        raise ParseError(source, f"not a readable .xls workbook ({exc.__class__.__name__}: {exc})") from exc
    wanted = {"Period": "period", "Origin code": "origin", "Destination code": "destination"}
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ParseError(source, f"missing column(s) {', '.join(missing)}", 1)
    frame = frame[list(wanted)].rename(columns=wanted).fillna("")
    for column in ("origin", "destination"):
        frame[column] = frame[column].str.replace(" ", "", regex=False).str.strip()
    frame["period"] = frame["period"].str.strip()
    bad = ~(frame["origin"].str.fullmatch(_CN8) & frame["destination"].str.fullmatch(_CN8))
    bad |= ~frame["period"].str.fullmatch(_STEP)
    if bad.any():
        row = frame[bad].iloc[0]
        line = int(bad.idxmax()) + 2
        raise ParseError(
            source, f"not a CN8 change: {row['period']!r} {row['origin']!r} -> {row['destination']!r}", line
        )
    steps = frame["period"].str.extract(_STEP).astype(int)
    if ((steps[1] - steps[0]) != 1).any():
        line = int(((steps[1] - steps[0]) != 1).idxmax()) + 2
        raise ParseError(source, "a change must link two consecutive years", line)
    return frame.reset_index(drop=True)


def parse_products(
    labels_raw: bytes | None,
    cpa_raw: bytes | None,
    codes: set[str] | None = None,
    predecessors: dict[str, str] | None = None,
) -> pd.DataFrame:
    """CN8 code, label and CPA 2.1 code, one row per code (of CODES when given).

    The label is CN 2022's self-contained description (``SupText``). A code that is not in CN 2022
    (created later) takes the description of its CN 2022 predecessor (PREDECESSORS: code -> the
    2022 code it was split from, from the correspondence table), else of its nearest ancestor
    (the HS6 subheading, else the heading), marked as such; its CPA code is the predecessor's.
    """
    predecessors = predecessors or {}
    labels = pd.DataFrame(columns=["code", "label"])
    if labels_raw:
        table = pd.read_csv(io.BytesIO(labels_raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        text = "SupText" if "SupText" in table.columns else table.columns[1]
        labels = pd.DataFrame(
            {"code": table[table.columns[0]].str.replace(" ", "", regex=False), "label": table[text]}
        )
        labels = labels[labels["code"].str.fullmatch(r"\d{4}|\d{6}|\d{8}")].drop_duplicates("code")
    cpa = pd.DataFrame(columns=["code", "cpa"])
    if cpa_raw:
        table = pd.read_csv(io.BytesIO(cpa_raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        cpa = pd.DataFrame(
            {
                "code": table[table.columns[0]].str.replace(" ", "", regex=False),
                "cpa": table[table.columns[1]].str.strip(),
            }
        )
        cpa = cpa[cpa["code"].str.fullmatch(_CN8)].drop_duplicates("code")
    label_of = dict(zip(labels["code"], labels["label"], strict=True))
    cpa_of = dict(zip(cpa["code"], cpa["cpa"], strict=True))
    wanted = sorted(codes) if codes is not None else sorted(c for c in label_of if len(c) == 8)
    rows = []
    for code in wanted:
        if code in label_of:
            rows.append((code, label_of[code], cpa_of.get(code, "")))
            continue
        before = predecessors.get(code, "")
        if before in label_of:
            rows.append(
                (code, f"Part of: {label_of[before]} (CN 2022 {before}, split later)", cpa_of.get(before, ""))
            )
            continue
        ancestor = next((code[:n] for n in (6, 4) if code[:n] in label_of), None)
        label = f"{label_of[ancestor]} (code created after CN 2022)" if ancestor else ""
        rows.append((code, label, cpa_of.get(ancestor + "0" * (8 - len(ancestor)), "") if ancestor else ""))
    return pd.DataFrame(rows, columns=["code", "label", "cpa"])
