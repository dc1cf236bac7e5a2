"""The house rule: no module of graphcat/, embeddings/ or bench/ over ~400 lines (split by what it does)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400
MODULES = sorted(p for folder in ("graphcat", "embeddings", "bench") for p in (ROOT / folder).rglob("*.py"))


def test_there_are_modules_to_check() -> None:
    assert len(MODULES) > 100


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_at_most_400_lines(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= LIMIT, f"{path.relative_to(ROOT)} has {lines} lines (limit {LIMIT}): split it by what it does"
