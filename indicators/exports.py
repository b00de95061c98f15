"""Downloads of a panel's data table: CSV, XLSX and JSON written from the same rows the page shows.

Numeric cells are written as numbers (missing = empty, never 0); each numeric column that carries
flags gets a "<column> (flags)" column next to it. JSON and XLSX also carry the metadata: title,
source dataset, release vintage, licence, permalink and the citation.
"""

import csv
import io
import json

from django.http import HttpResponse
from django.utils.text import slugify

FORMATS = {
    "csv": "text/csv; charset=utf-8",
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
    header, rows = flat_table(panel)
    if fmt == "csv":
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
    response["Content-Disposition"] = f'attachment; filename="{filename(panel, fmt)}"'
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
