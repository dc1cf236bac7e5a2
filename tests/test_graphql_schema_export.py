"""schema.graphql is the exported SDL of the schema the code builds; re-export after a change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphcat.api.export_schema import sdl
from tests.conftest import ROOT


def test_committed_sdl_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == sdl(), "the GraphQL schema changed: run `graphcat schema-export` and commit schema.graphql"


def test_cli_exports_the_sdl(tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    run = subprocess.run(
        [sys.executable, "-m", "graphcat.cli", "schema-export", "--output", str(out)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert text == sdl() and "type Query" in text and "type Mutation" in text
