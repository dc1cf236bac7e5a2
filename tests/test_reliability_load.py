"""The load test's client against a served graphcat, briefly: zero errors at every level (no timing).

`make reliability` runs the same client for a minute per level and records the figures in
docs/benchmarks.md (bench/load.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bench import load
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_files
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.reliability_support import Cases, ServerThread, cases  # noqa: F401  (fixture)

SMALL = Path(__file__).parent / "data" / "catalog_small.yaml"


@pytest.mark.reliability("Load", "reads, search and recommend at 1, 4 and 8 concurrent users (short run)")
def test_mixed_load_has_no_errors(db: Database, neo4j_server: Settings, cases: Cases) -> None:
    import_files(db, [SMALL])
    with ServerThread(create_app(dataclasses.replace(neo4j_server, log_level="warning"))) as server:
        results = load.run(server.url, [1, 4, 8], 3.0)
    for level in results:
        assert level.requests > 0
        assert not level.errors, level.samples
        assert {"list", "node", "search"} <= set(level.latencies)
        cases.add(level.requests)
