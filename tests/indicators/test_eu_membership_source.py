"""EU membership lives in one place: the Country reference (fixtures/reference/countries.csv,
loaded by indicators/reference.py, read by indicators/inputs.eu_members). No module under
indicators/ spells the member list out itself (no database needed: the source is parsed)."""

import ast
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The loader reads the list from the fixture; it is the one module allowed to name it.
ALLOWED = {"indicators/reference.py"}
# A literal naming this many member codes is a member list (a few codes, e.g. EL's special
# case or a test universe, are not).
AT_LEAST = 10


def member_codes() -> set[str]:
    with (ROOT / "fixtures" / "reference" / "countries.csv").open(encoding="utf-8") as f:
        return {row["code"] for row in csv.DictReader(f) if row["eu27_2020"] == "1"}


def member_lists(source: str, members: set[str]) -> list[int]:
    """Line numbers of literals (set, list, tuple, or one string of codes) naming at least
    AT_LEAST member codes."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Set | ast.List | ast.Tuple):
            codes = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            codes = set(node.value.replace(",", " ").split())
        else:
            continue
        if len(codes & members) >= AT_LEAST:
            lines.append(node.lineno)
    return sorted(lines)


def offenders(root: Path = ROOT) -> list[str]:
    members = member_codes()
    out = []
    for path in sorted((root / "indicators").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name in ALLOWED or "migrations" in path.parts:
            continue
        out += [f"{name}:{line}" for line in member_lists(path.read_text(encoding="utf-8"), members)]
    return out


def test_no_module_under_indicators_defines_the_eu_member_list():
    assert offenders() == []


def test_member_list_check_finds_a_constant_and_a_code_string():
    members = member_codes()
    listed = sorted(members)[:AT_LEAST]
    source = f"EU = frozenset({set(listed)!r})\nTEXT = {' '.join(listed)!r}\n"
    assert member_lists(source, members) == [1, 2]


def test_member_list_check_leaves_a_few_codes_alone():
    assert member_lists('SPECIAL = ("EL", "UK", "DE")\n', member_codes()) == []
