"""regles/ and noemie/ are pure Python: no Django, no project app, so they run anywhere and fast."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = ["regles", "noemie"]
FORBIDDEN = ("django", "mutuelle", "config", "celery", "rest_framework", "ninja")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", "") == "__import__"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append((node.lineno, str(node.args[0].value)))
    return found


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_packages_import_nothing_from_django_or_the_apps(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for lineno, module in _imports(path):
            if module.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    assert offenders == [], "\n".join(offenders)


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_importing_every_module_loads_no_django(package):
    """Belt and braces: import the whole package in a fresh interpreter and look at sys.modules."""
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in sorted((ROOT / package).rglob("*.py"))
        if "tests" not in p.parts and p.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        "roots = ('django', 'mutuelle', 'config')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == ""


def test_the_check_would_catch_an_offender(tmp_path):
    """The AST scan itself works: a file importing Django is reported."""
    offender = tmp_path / "bad.py"
    offender.write_text("import os\nfrom django.db import models\n", encoding="utf-8")
    assert (2, "django.db") in _imports(offender)


# -- the apps' floors -------------------------------------------------------------------------------
# base → domain → screens (docs/architecture.md, « Floors »): an app imports, at module level, only
# from its own floor or below, and no two apps import each other at module level. Imports inside
# functions and under ``TYPE_CHECKING`` are not module level; their number may only go down.

BASE = {"core", "accounts"}
DOMAIN = {
    "referentiel",
    "formules",
    "members",
    "notifications",
    "claims",
    "payments",
    "documents",
    "requests",
    "messaging",
    "brokers",
}
SCREENS = {"espace", "backoffice", "espace_courtier", "demo"}
FLOOR = {**dict.fromkeys(BASE, 0), **dict.fromkeys(DOMAIN, 1), **dict.fromkeys(SCREENS, 2)}

# What still crosses, to be removed: nothing. (Add here only with a reason and an issue.)
KNOWN_UPWARD: dict[tuple[str, str], set[str]] = {}
KNOWN_CYCLES: list[set[str]] = []
# Imports of another app inside a function (the ratchet: lower it when you remove some). Each says
# why in a comment above its block. None reaches a higher floor (list one here only with a reason).
INNER_IMPORTS_MAX = 7
KNOWN_UPWARD_INNER: set[tuple[str, str]] = set()


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "mutuelle" and len(parts) > 1 and parts[1] in FLOOR:
        return parts[1]
    return None


def _app_imports(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(module-level, inside functions) imports of another app, as (line, app)."""
    own = path.relative_to(ROOT).parts[1]
    top: list[tuple[int, str]] = []
    inner: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            modules: list[str] = []
            if isinstance(child, ast.Import):
                modules = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module == "mutuelle":
                    modules = [f"mutuelle.{alias.name}" for alias in child.names]
                else:
                    modules = [child.module]
            for module in modules:
                app = _app_of(module)
                if app and app != own and isinstance(child, (ast.Import, ast.ImportFrom)):
                    (inner if in_function else top).append((child.lineno, app))
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return top, inner


def _app_files() -> list[Path]:
    return [
        p
        for p in sorted((ROOT / "mutuelle").rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts and p.relative_to(ROOT).parts[1] in FLOOR
    ]


def test_every_app_has_a_floor():
    apps = {p.name for p in (ROOT / "mutuelle").iterdir() if (p / "apps.py").exists()}
    assert apps == set(FLOOR), f"give each app a floor in tests/test_layering.py: {apps ^ set(FLOOR)}"


def test_no_app_imports_a_higher_floor_at_module_level():
    offenders = []
    for path in _app_files():
        own = path.relative_to(ROOT).parts[1]
        for lineno, app in _app_imports(path)[0]:
            known = KNOWN_UPWARD.get((own, app), set())
            if FLOOR[app] > FLOOR[own] and str(path.relative_to(ROOT)) not in known:
                offenders.append(f"{path.relative_to(ROOT)}:{lineno} ({own}, floor {FLOOR[own]}) imports {app}")
    assert offenders == [], "\n".join(offenders)


def test_no_two_apps_import_each_other_at_module_level():
    edges: dict[str, set[str]] = {app: set() for app in FLOOR}
    for path in _app_files():
        for _, app in _app_imports(path)[0]:
            edges[path.relative_to(ROOT).parts[1]].add(app)

    # Strongly connected components (Tarjan): each of more than one app is a loop.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[set[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                loops.append(component)

    for app in sorted(edges):
        if app not in index:
            strong(app)
    assert sorted(map(sorted, loops)) == sorted(map(sorted, KNOWN_CYCLES))


def test_imports_of_another_app_inside_functions_only_go_down():
    inner = [(path, lineno, app) for path in _app_files() for lineno, app in _app_imports(path)[1]]
    assert len(inner) <= INNER_IMPORTS_MAX, (
        f"{len(inner)} imports of another app inside functions (at most {INNER_IMPORTS_MAX}): import at "
        "module level when the floors allow it"
    )


def test_each_import_inside_a_function_says_why():
    silencieux = []
    for path in _app_files():
        lignes = path.read_text(encoding="utf-8").splitlines()
        for lineno, _ in _app_imports(path)[1]:
            i = lineno - 1
            while i > 0 and lignes[i - 1].strip().startswith(("from ", "import ")):
                i -= 1  # the block of imports this one belongs to
            if "#" not in lignes[lineno - 1] and not lignes[i - 1].strip().startswith("#"):
                silencieux.append(f"{path.relative_to(ROOT)}:{lineno}")
    assert silencieux == [], "say why this import waits inside a function:\n" + "\n".join(silencieux)


def test_no_app_reaches_a_higher_floor_even_inside_a_function():
    offenders = set()
    for path in _app_files():
        own = path.relative_to(ROOT).parts[1]
        for _, app in _app_imports(path)[1]:
            if FLOOR[app] > FLOOR[own]:
                offenders.add((str(path.relative_to(ROOT)), app))
    assert offenders <= KNOWN_UPWARD_INNER, sorted(offenders - KNOWN_UPWARD_INNER)


def test_the_floor_checks_would_catch_an_offender(tmp_path, monkeypatch):
    """The scan itself works: a base module importing the domain at module level is seen, one inside a
    function or under TYPE_CHECKING is not module level."""
    dossier = tmp_path / "mutuelle" / "core"
    dossier.mkdir(parents=True)
    fichier = dossier / "piege.py"
    fichier.write_text(
        "from typing import TYPE_CHECKING\nfrom mutuelle.members.models import Adherent\n"
        "if TYPE_CHECKING:\n    from mutuelle.claims.models import Decompte\n"
        "def f():\n    from mutuelle import espace\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _app_imports(fichier) == ([(2, "members")], [(6, "espace")])
