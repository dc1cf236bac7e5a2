"""The house's one-way layering, checked on every import (module level and inside functions):
api → service → store, the store below the catalog and service layers, embeddings/ free of graphcat."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package → the graphcat packages it must never import
FORBIDDEN = {
    "graphcat/store": ("graphcat.api", "graphcat.service", "graphcat.catalog", "graphcat.interop",
                       "graphcat.evaluation", "graphcat.web", "graphcat.cli"),
    "graphcat/service": ("graphcat.api", "graphcat.web", "graphcat.cli"),
    "embeddings": ("graphcat",),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}"
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in files for line, name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[package])
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from graphcat.api import app\n")
    assert (2, "graphcat.api") in _imports(module)
