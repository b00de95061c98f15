"""Downloads of a panel's data table: CSV, XLSX and JSON written from the same rows the page shows.

Numeric cells are written as numbers (missing = empty, never 0); each numeric column that carries
flags gets a "<column> (flags)" column next to it. JSON and XLSX also carry the metadata: title,
source dataset, release vintage, licence, permalink and the citation.
"""

import csv
import io
import json
import re

from django.http import HttpResponse
from django.utils.text import slugify

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "tidy": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def flat_table(panel: dict) -> tuple[list[str], list[list]]:
    """Columns and rows as plain values, with flag columns where a column has flags."""
    columns = panel["columns"]
    flagged = {i for row in panel["rows"] for i, c in enumerate(row) if c.get("flags")}
    header = []
    for i, name in enumerate(columns):
        header.append(name)
        if i in flagged:
            header.append(f"{name} (flags)")
    rows = []
    for row in panel["rows"]:
        out = []
        for i, c in enumerate(row):
            out.append(c["value"] if c["num"] else c["text"])
            if i in flagged:
                out.append(c.get("flags", ""))
        rows.append(out)
    return header, rows


TIDY_COLUMNS = ["geo_code", "geo_name", "item", "measure", "period", "unit", "value", "flags"]
_YEAR = re.compile(r"^\d{4}$")
_CODE_IN_LABEL = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Z]{2}[A-Z0-9_]{0,10})\)$")
_PLACE_URL = re.compile(r"/(?:countries|regions)/(?P<code>[A-Z0-9_]+)/")


def _place(cell: dict) -> tuple[str, str]:
    """(geo code, name) of a row-label cell when it names a place (by its link or "(CODE)")."""
    text = cell.get("text", "")
    if m := _PLACE_URL.search(cell.get("href") or ""):
        named = _CODE_IN_LABEL.match(text)
        return m["code"], named["name"] if named else text
    if m := _CODE_IN_LABEL.match(text):
        return m["code"], m["name"]
    return "", ""


def tidy_table(panel: dict) -> tuple[list[str], list[list]]:
    """One value per row: geo_code, geo_name (when the row is a place), item (the row's label
    otherwise), measure (the column), period, unit, value (empty when missing) and flags.

    The period is the column when the columns are years, the row when the rows are, else the
    panel's own year (its API query). The wide table stays the XLSX and CSV download."""
    from .registry import INDICATORS

    columns = panel["columns"]
    api = panel.get("api") or {}
    code = api.get("indicator")
    code = code[0] if isinstance(code, list | tuple) and len(code) == 1 else code
    spec = INDICATORS.get(code) if isinstance(code, str) else None
    unit = panel.get("unit") or (spec.unit if spec else "")
    default_period = api.get("period") if isinstance(api.get("period"), str) else ""
    # A line chart's table has years as rows and places as columns, in the order of its API geos.
    geos = api.get("geo") if isinstance(api.get("geo"), list | tuple) else None
    column_geos = list(geos) if geos and len(geos) == len(columns) - 1 else None
    rows = []
    for row in panel["rows"]:
        label = row[0]
        label_text = label.get("text", "")
        row_is_year = bool(_YEAR.match(label_text))
        geo_code, geo_name = ("", "") if row_is_year else _place(label)
        for i, (name, c) in enumerate(zip(columns[1:], row[1:], strict=False)):
            if not c.get("num"):
                continue
            if row_is_year:
                period, measure = label_text, spec.title if spec else ""
                if column_geos:
                    geo_code, geo_name, item = column_geos[i], name, ""
                else:
                    geo_code, geo_name = _place({"text": name})
                    item = "" if geo_code else name
            else:
                item = "" if geo_code else label_text
                period, measure = (
                    (str(name), spec.title if spec else "")
                    if _YEAR.match(str(name))
                    else (default_period, name)
                )
            rows.append([geo_code, geo_name, item, measure, period, unit, c.get("value"), c.get("flags", "")])
    return TIDY_COLUMNS, rows


def metadata(panel: dict, permalink: str, citation: str) -> dict:
    src = panel["source"]
    return {
        "title": panel["title"],
        "summary": panel["summary"],
        "source": {
            k: src.get(k) for k in ("code", "title", "publisher", "licence", "release", "vintage", "sha256")
        },
        "permalink": permalink,
        "citation": citation,
    }


def filename(panel: dict, ext: str) -> str:
    release = panel["source"].get("release") or "none"
    return f"{slugify(panel['title'])[:80]}-release-{release}.{ext}"


def export(panel: dict, fmt: str, permalink: str, citation: str) -> HttpResponse:
    header, rows = tidy_table(panel) if fmt == "tidy" else flat_table(panel)
    if fmt in ("csv", "tidy"):
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        body = buf.getvalue().encode()
    elif fmt == "json":
        payload = {
            "meta": metadata(panel, permalink, citation),
            "columns": header,
            "rows": [dict(zip(header, row, strict=True)) for row in rows],
        }
        body = json.dumps(payload, ensure_ascii=False, indent=1).encode()
    else:
        body = _xlsx(panel, header, rows, metadata(panel, permalink, citation))
    response = HttpResponse(body, content_type=FORMATS[fmt])
    name = filename(panel, "csv").replace(".csv", "-tidy.csv") if fmt == "tidy" else filename(panel, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(panel, header, rows, meta) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(header)
    for row in rows:
        ws.append(row)
    info = wb.create_sheet("about")
    info.append(["title", meta["title"]])
    info.append(["summary", meta["summary"]])
    for key, value in meta["source"].items():
        info.append([f"source {key}", "" if value is None else str(value)])
    info.append(["permalink", meta["permalink"]])
    info.append(["citation", meta["citation"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
