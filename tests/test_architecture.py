"""House rules, checked: import contracts, docstrings, no grab-bag modules, no hidden imports."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO

SOURCE = REPO / "src" / "execflow"
MODULES = sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)
MAX_LINES = 300


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is not installed"
    result = subprocess.run(
        [lint], check=False, cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_a_worker_starts_without_the_web_stack() -> None:
    """`execflow worker` (and a crashed split worker's child) does not wait for FastAPI to load."""
    probe = (
        "import sys, execflow.cli.worker; "
        "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'execflow.app') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_module_follows_house_style(path: Path) -> None:
    source = path.read_text()
    tree = ast.parse(source)
    assert ast.get_docstring(tree), "every module starts with a one-line docstring"
    assert path.stem not in {"utils", "helpers", "flows", "misc", "common_utils"}
    assert len(source.splitlines()) <= MAX_LINES, "split the module by verb"
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
            assert not inner, f"function-level import in {node.name}"
            if not node.name.startswith("_") and not _is_nested(tree, node):
                assert ast.get_docstring(node), f"public function {node.name} needs a docstring"


def _is_nested(tree: ast.Module, target: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node is not target
            and any(child is target for child in ast.walk(node))
        ):
            return True
    return False


ROUTES = {
    ".".join(p.relative_to(SOURCE.parent).with_suffix("").parts)
    for p in MODULES
    if p.stem == "routes" or p.stem.endswith("_routes")
}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_only_the_app_imports_a_routes_module(path: Path) -> None:
    """Routes stay at the edge: every routes module, not only some, is imported by app.py alone."""
    if path.name == "app.py" and path.parent == SOURCE:
        return
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert not imported & ROUTES, f"imports a routes module: {sorted(imported & ROUTES)}"
    assert len(ROUTES) >= 12, "every routes module is found"
