"""The app boundaries ARCHITECTURE.md draws, checked on the source (no database, no imports run):

* `ecosystems` is the shared taxonomy at the bottom: it imports no other project app;
* `indicators/compute/` and `indicators/charts/` are pure: no Django, no other project app;
* `indicators`, `community` and `observatory` reach the taxonomy only through
  `ecosystems.selectors` (reads) and `ecosystems.services` (writes), never `ecosystems.models`
  (one allow-listed exception below).
(ruff's banned-api rule, in those folders' ruff.toml, says the same at lint time.)
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = {"ecosystems", "indicators", "community", "observatory"}


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Absolute module names PATH imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module or "")
    return names


def offenders(folder: str, banned, root: Path = ROOT) -> list[str]:
    out = []
    for path in sorted((root / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        out += [f"{path.relative_to(root)}: {m}" for m in sorted(imported_modules(path, root)) if banned(m)]
    return out


def imported_names(path: Path, root: Path = ROOT) -> set[str]:
    """Like imported_modules, plus ``package.name`` for each name a ``from package import name``
    takes, so ``from ecosystems import models`` is seen as ``ecosystems.models``."""
    names = imported_modules(path, root)
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


# The taxonomy's public surface for other apps.
TAXONOMY_API = {"ecosystems", "ecosystems.selectors", "ecosystems.services"}
# Files outside `ecosystems` allowed to import ecosystems.models, and why. Keep this short.
TAXONOMY_MODELS_ALLOWED = {
    # A ModelAdmin registers the model classes (MappingVersion, ClusterDefinitionVersion,
    # ClusterParameters) and their inlines; its writes go through ecosystems.services.
    "indicators/admin.py": {"ecosystems.models"},
}


def taxonomy_offenders(folders=("indicators", "community", "observatory"), root: Path = ROOT, allowed=None):
    allowed = TAXONOMY_MODELS_ALLOWED if allowed is None else allowed
    out = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rel = str(path.relative_to(root))
            for name in sorted(imported_names(path, root)):
                if name.split(".")[0] != "ecosystems" or name in TAXONOMY_API:
                    continue
                if name.startswith(("ecosystems.selectors.", "ecosystems.services.")):
                    continue  # a name taken from the API: `from ecosystems.services import replace_regions`
                if any(name == a or name.startswith(a + ".") for a in allowed.get(rel, ())):
                    continue
                out.append(f"{rel}: {name}")
    return out


def test_other_apps_reach_the_taxonomy_only_through_selectors_and_services():
    assert taxonomy_offenders() == []


def test_the_taxonomy_allow_list_has_no_stale_entries():
    """Every allow-listed file still needs its exception (else the entry hides a future import)."""
    for rel, names in TAXONOMY_MODELS_ALLOWED.items():
        assert names <= imported_names(ROOT / rel), rel


def test_the_taxonomy_check_sees_a_direct_models_import(tmp_path):
    for app in ("indicators", "community", "observatory"):
        (tmp_path / app).mkdir()
    (tmp_path / "indicators" / "ok.py").write_text(
        "from ecosystems import selectors as taxonomy\nfrom ecosystems.services import replace_regions\n"
    )
    (tmp_path / "indicators" / "bad.py").write_text("def f():\n    from ecosystems.models import Country\n")
    (tmp_path / "community" / "bad.py").write_text("from ecosystems import models\n")
    (tmp_path / "observatory" / "bad.py").write_text("import ecosystems.admin\n")
    (tmp_path / "observatory" / "allowed.py").write_text("from ecosystems.models import Region\n")
    found = taxonomy_offenders(root=tmp_path, allowed={"observatory/allowed.py": {"ecosystems.models"}})
    assert found == [
        "indicators/bad.py: ecosystems.models",
        "indicators/bad.py: ecosystems.models.Country",
        "community/bad.py: ecosystems.models",
        "observatory/bad.py: ecosystems.admin",
    ]


def test_ecosystems_imports_no_other_app():
    assert offenders("ecosystems", lambda m: m.split(".")[0] in APPS - {"ecosystems"}) == []


@pytest.mark.parametrize("folder", ["indicators/compute", "indicators/charts"])
def test_pure_layers_import_no_django_and_no_other_app(folder):
    def banned(module):
        top = module.split(".")[0]
        return top == "django" or top in APPS - {"indicators"}

    assert offenders(folder, banned) == []


def test_the_checker_sees_a_violation(tmp_path):
    """The scan is able to fail: imports of Django and of another app (relative too) are reported."""
    folder = tmp_path / "ecosystems"
    folder.mkdir()
    (folder / "probe.py").write_text("from django.db import models\nfrom indicators import panels\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.py").write_text("from ...observatory import models\n")
    found = offenders(
        "ecosystems", lambda m: m.split(".")[0] in {"django", "indicators", "observatory"}, tmp_path
    )
    assert found == [
        "ecosystems/probe.py: django.db",
        "ecosystems/probe.py: indicators",
        "ecosystems/sub/deep.py: observatory",
    ]


# The scan above allows `indicators.*` inside the pure folders (they import each other and
# `indicators.sources.nace`); this one follows every import, so `from indicators.models import …`
# in compute/ — Django by the back door — fails too.
LOADED = (
    "import importlib, pkgutil, sys\n"
    "for name in sys.argv[1:]:\n"
    "    package = importlib.import_module(name)\n"
    "    for info in pkgutil.walk_packages(package.__path__, name + '.'):\n"
    "        importlib.import_module(info.name)\n"
    "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))\n"
)


def django_loaded_by(packages: list[str], root: Path = ROOT) -> list[str]:
    """The Django modules that importing PACKAGES, and every module in them, loads (a fresh
    interpreter, no DJANGO_SETTINGS_MODULE)."""
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *packages],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_pure_layers_load_no_django_even_indirectly():
    assert django_loaded_by(["indicators.compute", "indicators.charts"]) == []


def test_the_transitive_check_sees_an_indirect_import(tmp_path):
    (tmp_path / "pure").mkdir()
    (tmp_path / "pure" / "__init__.py").write_text("")
    (tmp_path / "pure" / "inner.py").write_text("from helper import x\n")
    (tmp_path / "helper.py").write_text("import django.utils.version\nx = 1\n")
    assert "django.utils.version" in django_loaded_by(["pure"], tmp_path)
