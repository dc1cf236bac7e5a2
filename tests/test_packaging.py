"""The wheel ships graphcat, embeddings and every cypher/ query; the package list is complete."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_python_package_is_listed() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("graphcat", "embeddings")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found | {"graphcat.cypher"} == listed


def test_wheel_contains_the_queries(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    wheel = next(tmp_path.glob("graphcat-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for query in (ROOT / "cypher").rglob("*.cypher"):
        assert f"graphcat/cypher/{query.relative_to(ROOT / 'cypher')}" in names
    assert "embeddings/__init__.py" in names
    # The importer validates against this schema from the installed package.
    assert "graphcat/catalog/catalog.schema.json" in names
    assert any(n.endswith("entry_points.txt") for n in names)
