"""Search aliases: English and common names for places, activities and ecosystems (ours).

NUTS names are in national languages ("Bayern", "Lombardia") and NACE titles are formal
("Manufacture of motor vehicles"), so the obvious English query would find nothing or the wrong
page. `fixtures/reference/search_aliases.csv` is a small table written by the project team (kind,
code, alias, note), versioned in git and shown on the methodology page; an alias equal to the query
(case and accents ignored) counts as an exact match of its code.
"""

import csv
import unicodedata
from functools import cache
from pathlib import Path

ALIASES_CSV = Path(__file__).resolve().parent.parent / "fixtures" / "reference" / "search_aliases.csv"
KINDS = ("region", "country", "activity", "ecosystem")


def fold(text: str) -> str:
    """Lower case without accents: "Baden-Württemberg" and "baden-wurttemberg" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def alias_rows() -> tuple[dict, ...]:
    with ALIASES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = tuple(csv.DictReader(handle))
    unknown = {r["kind"] for r in rows} - set(KINDS)
    if unknown:
        raise ValueError(f"{ALIASES_CSV.name}: unknown kind(s) {sorted(unknown)}")
    return rows


@cache
def _index() -> dict[str, dict[str, frozenset[str]]]:
    out: dict[str, dict[str, set[str]]] = {}
    for row in alias_rows():
        out.setdefault(fold(row["alias"]), {}).setdefault(row["kind"], set()).add(row["code"])
    return {alias: {k: frozenset(v) for k, v in kinds.items()} for alias, kinds in out.items()}


def codes_for(query: str) -> dict[str, frozenset[str]]:
    """{kind: codes} whose alias is QUERY (case and accents ignored); {} when none."""
    return _index().get(fold(query), {})
