"""Our input concordance: which screened imported products (CN8) each ecosystem USES as inputs.

There is no input-output table at product level in the data we hold, so the link "ecosystem →
imported input it uses" is ours: ``fixtures/reference/ecosystem_inputs.csv``, one row per version ×
ecosystem × product, with what the product is used for, a confidence, our reasoning (starting with
"Ours") and the public sources it rests on. It is distinct from the products an ecosystem's
divisions *make* (CN → CPA → NACE). Loaded like the country groups: each version in the file is
seeded once (existing versions are kept, never rewritten); the whole file is checked first and a
bad row stops the load with file, line and reason, writing nothing.

From version 2 on, every source a row cites is a known document (``DOCUMENTS``) with a locator
after " § " (a section, annex, table or row of that document: "CRM Act 2023 § Annex I, Section 1"),
so a reader can find the passage, not only the document. Version 1 cited documents only and is
kept as it was loaded. A ``# vN: …`` line in the file's note says what version N changed and why;
it becomes that version's note.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from django.conf import settings
from django.db import transaction

FILE = "ecosystem_inputs.csv"
COLUMNS = ["version", "ecosystem", "product", "use", "confidence", "reasoning", "sources"]
CONFIDENCE = ("high", "medium", "low")
LOCATORS_FROM = 2  # the first version whose citations must each carry a locator
SEPARATOR = " § "
# The documents a row may cite (key as written in the file -> the full reference).
DOCUMENTS = {
    "JRC 2020 foresight": "Bobba S. et al., Critical Raw Materials for Strategic Technologies and Sectors "
    "in the EU – A Foresight Study, European Commission JRC, 2020",
    "CRM Act 2023": "European Commission, proposal for a Critical Raw Materials Act, COM(2023) 160",
    "CRM study 2023": "European Commission (DG GROW), Study on the Critical Raw Materials for the EU 2023, "
    "Final Report",
    "Eurostat CN/CPA": "Eurostat, correspondence CN 2022 – CPA 2.1 (the data mirror's CN2022_CPA21.csv)",
    "Eurostat CN": "Combined Nomenclature (Eurostat CN 2022 code list, the data mirror's CN2022.csv)",
    "Eurostat CN concordance": "Eurostat, CN code changes 1988–2025 "
    "(the data mirror's CN_concordances_1988_2025_XLS_FORMAT.xls)",
    "Comext extract": "Eurostat Comext, EU imports of 66 CN8 critical raw materials 2022–2024 "
    "(the data mirror's eurostat_comext_crm_imports extract)",
    "ours": "our own judgment (no outside source)",
}


class InputConcordanceError(ValueError):
    """The concordance file is inconsistent (nothing was loaded)."""


def _path() -> Path:
    return settings.BASE_DIR / "fixtures" / "reference" / FILE


def citations(sources: str) -> list[dict]:
    """The sources of a row, one dict per cited item: {"document": key or None (not a known
    document), "title": its full reference, "locator": the passage (None when not given),
    "text": the item as written}. Longest key first: "Eurostat CN/CPA" before "Eurostat CN"."""
    out = []
    for item in (part.strip() for part in sources.split(";")):
        if not item:
            continue
        head, _, locator = item.partition(SEPARATOR.strip())
        head = head.strip()
        key = next((k for k in sorted(DOCUMENTS, key=len, reverse=True) if head.startswith(k)), None)
        out.append(
            {
                "document": key,
                "title": DOCUMENTS.get(key, ""),
                "locator": locator.strip() or None,
                "text": item,
                "detail": head[len(key) :].strip(" ,:()") if key and not locator else "",
            }
        )
    return out


def _citation_problems(row: dict) -> list[str]:
    """From LOCATORS_FROM on: every cited item names a known document and where in it."""
    problems = []
    for c in citations(row["sources"]):
        if c["document"] is None:
            problems.append(f"source {c['text'][:60]!r} is not one of {', '.join(DOCUMENTS)}")
        elif c["document"] != "ours" and not c["locator"]:
            problems.append(
                f"source {c['text'][:60]!r} has no locator (write '{c['document']}{SEPARATOR}section, "
                "annex, table or row')"
            )
    return problems


def version_notes(text: str) -> dict[int, str]:
    """The ``# vN: …`` lines of the file's note: {N: what version N changed and why}."""
    notes = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*v([1-9]\d{0,3}):\s*(.+)", line)
        if match:
            notes[int(match.group(1))] = match.group(2).strip()
    return notes


def parse(text: str, ecosystems: set[str], name: str = FILE) -> list[dict]:
    """Rows of the concordance as dicts (``version`` an int), or InputConcordanceError listing every
    problem as ``<name>: line N: reason``. Lines starting with ``#`` before the header are our note."""
    lines = text.splitlines()
    skipped = 0
    while skipped < len(lines) and lines[skipped].startswith("#"):
        skipped += 1
    reader = csv.DictReader(io.StringIO("\n".join(lines[skipped:])))
    if reader.fieldnames != COLUMNS:
        raise InputConcordanceError(
            f"{name}: line {skipped + 1}: header must be {','.join(COLUMNS)} (got {reader.fieldnames})"
        )
    problems, rows, seen = [], [], set()
    for row in reader:
        line = skipped + reader.line_num
        where = f"{name}: line {line}"
        if None in row or any(v is None for v in row.values()):
            problems.append(f"{where}: expected {len(COLUMNS)} fields")
            continue
        row = {k: v.strip() for k, v in row.items()}
        if not re.fullmatch(r"[1-9]\d{0,3}", row["version"]):
            problems.append(f"{where}: version {row['version']!r} is not a whole number from 1")
        if row["ecosystem"] not in ecosystems:
            problems.append(f"{where}: unknown ecosystem {row['ecosystem']!r}")
        if not re.fullmatch(r"\d{8}", row["product"]):
            problems.append(f"{where}: product {row['product']!r} is not a CN8 code (8 digits)")
        if not row["use"] or len(row["use"]) > 200:
            problems.append(f"{where}: use must be given, at most 200 characters")
        if row["confidence"] not in CONFIDENCE:
            problems.append(
                f"{where}: confidence {row['confidence']!r} is not one of {', '.join(CONFIDENCE)}"
            )
        if not row["reasoning"].startswith("Ours"):
            problems.append(f"{where}: reasoning must start with 'Ours' (the link is our judgment)")
        if not row["sources"]:
            problems.append(f"{where}: sources must name the public sources the row rests on")
        elif row["version"].isdigit() and int(row["version"]) >= LOCATORS_FROM:
            problems += [f"{where}: {p}" for p in _citation_problems(row)]
        key = (row["version"], row["ecosystem"], row["product"])
        if key in seen:
            problems.append(
                f"{where}: {row['ecosystem']} × {row['product']} repeated in version {row['version']}"
            )
        seen.add(key)
        rows.append(row)
    if problems:
        raise InputConcordanceError("; ".join(problems))
    if not rows:
        raise InputConcordanceError(f"{name}: no rows")
    for row in rows:
        row["version"] = int(row["version"])
    return rows


@transaction.atomic
def load_ecosystem_inputs(path: Path | None = None) -> int:
    """Seed the versions of the file that the database does not hold yet; the number of rows
    written (0: every version was there). Checks the whole file before writing anything."""
    from ecosystems import selectors as taxonomy

    from .models import EcosystemInput, InputConcordanceVersion

    path = path or _path()
    slugs = taxonomy.ecosystem_ids()
    text = path.read_text(encoding="utf-8")
    rows = parse(text, set(slugs), path.name)
    notes = version_notes(text)
    existing = set(InputConcordanceVersion.objects.values_list("number", flat=True))
    written = 0
    for number in sorted({r["version"] for r in rows} - existing):
        version = InputConcordanceVersion.objects.create(
            number=number,
            note=notes.get(number, f"Seeded from fixtures/reference/{FILE} (written by us)."),
        )
        part = [r for r in rows if r["version"] == number]
        EcosystemInput.objects.bulk_create(
            EcosystemInput(
                version=version,
                ecosystem_id=slugs[r["ecosystem"]],
                product=r["product"],
                use=r["use"],
                confidence=r["confidence"],
                reasoning=r["reasoning"],
                sources=r["sources"],
            )
            for r in part
        )
        written += len(part)
    if written:
        from .loading import bump_generation

        bump_generation()  # the explorer and the methodology page are cached by data generation
    return written


def file_note(path: Path | None = None) -> list[str]:
    """The ``#`` lines at the top of the file (our note and the source list), for the methodology page."""
    lines = (path or _path()).read_text(encoding="utf-8").splitlines()
    return [
        line.lstrip("# ").strip()
        for line in lines
        if line.startswith("#") and not re.match(r"#\s*v\d+:", line)  # version notes: per version
    ]
