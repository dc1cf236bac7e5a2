"""Every query file is valid Cypher for the real server, parameterised, and used by some code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphcat.store import queries
from graphcat.store.database import Database

ROOT = Path(__file__).resolve().parents[1]
CODE = "\n".join(
    p.read_text() for folder in ("graphcat", "embeddings") for p in (ROOT / folder).rglob("*.py")
)
NON_SCHEMA = [n for n in queries.names() if not n.startswith("schema/")]


@pytest.mark.parametrize("name", NON_SCHEMA)
def test_query_explains_on_the_real_server(session_db: Database, name: str) -> None:
    params = {p: None for p in re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", queries.get(name))}
    session_db.explain(name, **params)


@pytest.mark.parametrize("name", queries.names())
def test_query_is_used_by_code(name: str) -> None:
    if name.startswith("schema/"):
        return  # applied by graphcat.store.migrations, which walks the folder
    assert f'"{name}"' in CODE, f"cypher/{name}.cypher is not used by any code under graphcat/ or embeddings/"


@pytest.mark.parametrize("name", queries.names())
def test_query_documents_its_parameters(name: str) -> None:
    text = queries.get(name)
    if name.startswith("schema/"):
        assert "IF NOT EXISTS" in text, "schema commands must be idempotent"
        return
    assert text.startswith("// params:"), f"cypher/{name}.cypher must start with '// params: ...'"
    declared = set(re.findall(r"\$([A-Za-z_]\w*)", text.splitlines()[0]))
    used = set(re.findall(r"\$([A-Za-z_]\w*)", "\n".join(text.splitlines()[1:])))
    assert used <= declared, f"undeclared parameters {used - declared}"
