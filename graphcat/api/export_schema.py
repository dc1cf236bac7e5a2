"""Writes the GraphQL SDL to schema.graphql (`graphcat schema-export` or
`python -m graphcat.api.export_schema`); tests/test_graphql_schema_export.py fails when the
committed file differs from the schema the code builds."""

from __future__ import annotations

import sys
from pathlib import Path

from graphcat.api.schema import build_schema
from graphcat.settings import Settings


def sdl(settings: Settings | None = None) -> str:
    # The SDL does not depend on settings (limits are enforced, not declared), but building the
    # schema needs them; the defaults keep the export independent of the local environment.
    return build_schema(settings or Settings()).as_str() + "\n"


def export(settings: Settings | None = None, output: str | Path = "schema.graphql") -> Path:
    path = Path(output)
    path.write_text(sdl(settings), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {export(None, sys.argv[1] if len(sys.argv) > 1 else 'schema.graphql')}")
