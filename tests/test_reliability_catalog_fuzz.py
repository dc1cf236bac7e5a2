"""Property-based fuzzing of the catalog parser and importer, and of uploads at their limits.

A catalog document damaged at random (values of the wrong type, keys dropped, ids duplicated,
references to nothing, lineage turned into a cycle) is imported into a non-empty catalog: the
import either succeeds or raises CatalogInvalid (an InvalidInput, 400) and then leaves the catalog
byte-for-byte as it was. Raw bytes fed to the file reader give problems, never an exception.
"""

from __future__ import annotations

import copy
import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings as hsettings, strategies as st

from graphcat.catalog.files import CatalogInvalid, read_document, schema_problems
from graphcat.catalog.importer import import_documents, import_files
from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphcat.userschema import read_schema
from tests.catalog_builders import chain_document
from tests.reliability_support import Cases, catalog_digest, cases  # noqa: F401  (fixture)

SMALL = Path(__file__).parent / "data" / "catalog_small.yaml"
WRONG_VALUES = [None, 0, -1, 1.5, True, "", "NOT A SLUG", [], {}, ["x"], {"a": 1}, "x" * 10_000, "m@1.0"]


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            found += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            found += _paths(v, prefix + (i,))
    return found


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


@st.composite
def damaged_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = chain_document(5, shared=False)
    doc["tasks"] = [{"id": "jet-tagging", "name": "jet tagging"}]
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        action = draw(st.sampled_from(["wrong", "drop", "duplicate", "dangle", "cycle"]))
        if action == "wrong":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(WRONG_VALUES)))
        elif action == "drop":
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        elif action == "dangle":
            doc.setdefault("models", []).append({"id": "dangling", "name": "D", "versions": [
                {"version": "1", "trained_on": ["nowhere@1"], "lineage": [{"type": "FINE_TUNED_FROM", "from": "ghost@9"}]}]})
        elif action == "cycle":
            versions = [v for m in doc.get("models") or [] if isinstance(m, dict)
                        for v in (m.get("versions") or []) if isinstance(v, dict)]
            if versions:
                versions[0]["lineage"] = [{"type": "DISTILLED_FROM", "from": "m@4.0"}]
    return doc


@pytest.mark.reliability("Catalog files", "hypothesis: damaged documents (types, ids, references, cycles)")
def test_damaged_catalogs_are_rejected_whole_or_imported(db: Database, cases: Cases) -> None:
    import_files(db, [SMALL])
    outcomes = {"imported": 0, "rejected": 0}

    @given(doc=damaged_documents())
    @hsettings(max_examples=60, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    def run(doc: dict[str, Any]) -> None:
        before = catalog_digest(db)
        try:
            import_documents(db, [("fuzz.yaml", doc)])
            outcomes["imported"] += 1
        except CatalogInvalid as exc:
            assert exc.status == 400 and exc.problems and all(str(p).startswith("fuzz.yaml: ") for p in exc.problems)
            assert catalog_digest(db) == before, "a rejected import wrote something"
            outcomes["rejected"] += 1
        cases.add()

    run()
    cases.note(f"{outcomes['rejected']} rejected whole, {outcomes['imported']} imported")
    assert outcomes["rejected"] > 0


@pytest.mark.reliability("Catalog files", "hypothesis: arbitrary bytes as YAML and JSON catalog files")
def test_arbitrary_bytes_give_problems_not_exceptions(tmp_path: Path, cases: Cases) -> None:
    @given(data=st.one_of(st.binary(max_size=2000),
                          st.text(max_size=2000).map(str.encode),
                          st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                       lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                                       max_leaves=30).map(lambda v: json.dumps({"graphcat_catalog": 1, "models": v}).encode())),
           suffix=st.sampled_from([".yaml", ".json"]))
    @example(data=b"[" * 100_000, suffix=".json")
    @example(data=b"- " * 50_000, suffix=".yaml")
    @example(data=b"\x80\xff", suffix=".yaml")
    @hsettings(max_examples=150, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    def run(data: bytes, suffix: str) -> None:
        path = tmp_path / f"fuzz{suffix}"
        path.write_bytes(data)
        doc, problems = read_document(path)
        if not problems:
            problems = schema_problems(str(path), doc)
        assert all(str(p).startswith(f"{path}: ") for p in problems)
        cases.add()

    run()


SETTINGS = Settings()


@pytest.mark.reliability("Uploads", "100k columns and compressed bombs (CSV, JSON, npz, Parquet, HDF5)")
def test_wide_files_and_compressed_bombs(tmp_path: Path, cases: Cases) -> None:
    wide = 100_000
    csv = tmp_path / "wide.csv"
    csv.write_text(",".join(f"c{i}" for i in range(wide)) + "\n" + ",".join("1" for _ in range(wide)) + "\n")
    listing = tmp_path / "wide.json"
    listing.write_text(json.dumps([f"c{i}" for i in range(wide)]))
    npz = tmp_path / "wide.npz"
    with zipfile.ZipFile(npz, "w") as zf:
        for i in range(wide):
            zf.writestr(f"c{i}.npy", b"")
    parquet = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": pa.array([0.0]) for i in range(20_000)}), parquet)
    for path in (csv, listing, npz, parquet):
        with pytest.raises(InvalidInput, match="columns; the limit is 10000|GRAPHCAT_MAX_COLUMNS"):
            read_schema(path, SETTINGS)
        cases.add()
    # Compressed bombs: tiny files that would be huge decompressed. Readers look at metadata only
    # (or count uncompressed sizes against the cap), so they answer at once, within the limits.
    bomb_h5 = tmp_path / "bomb.h5"
    with h5py.File(bomb_h5, "w") as f:
        data = f.create_dataset("zeros", shape=(20_000_000, 4), dtype="float32", chunks=(1_000_000, 4),
                                compression="gzip", compression_opts=9)
        block = np.zeros((1_000_000, 4), dtype="float32")
        for start in range(0, 20_000_000, 1_000_000):
            data[start:start + 1_000_000] = block
    assert bomb_h5.stat().st_size < 2_000_000
    schema = read_schema(bomb_h5, SETTINGS)
    assert [f.name for f in schema.features] == ["zeros"]
    bomb_pq = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"zeros": pa.array(np.zeros(20_000_000, dtype="float32"))}), bomb_pq,
                   compression="zstd")
    assert read_schema(bomb_pq, SETTINGS).num_events == 20_000_000
    bomb_npz = tmp_path / "bomb.npz"
    np.savez_compressed(bomb_npz, zeros=np.zeros((4_000_000, 4), dtype="float32"))
    with pytest.raises(InvalidInput, match="GRAPHCAT_MAX_UPLOAD_BYTES"):
        read_schema(bomb_npz, replace(SETTINGS, max_upload_bytes=10_000_000))
    cases.add(3)
