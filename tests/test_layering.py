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
