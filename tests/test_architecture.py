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
