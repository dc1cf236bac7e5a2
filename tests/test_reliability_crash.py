"""kill -9 in the middle of a bulk import, and of an index save: all-or-nothing, index in step.

The catalog is all-or-nothing because an import is one Neo4j transaction: a process that dies
before the commit leaves nothing. The FAISS index is checked the way graphcat checks it at
start-up, twice: by embeddings.lifecycle.ensure_index against the documents read back from Neo4j,
and by graphcat's own CatalogIndex.ensure (graphcat.service.vector_index, what `graphcat serve`
runs): after a crash it is loaded when its fingerprint still matches the catalog and rebuilt or
updated otherwise, and in every case the saved file holds exactly the catalog's ids.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embeddings.encoder import Encoder
from embeddings.index import VectorIndex
from embeddings.lifecycle import ensure_index
from embeddings.schema import catalog_from_dicts
from graphcat.catalog.exporter import export_document
from graphcat.catalog.importer import import_files
from graphcat.service import vector_index
from graphcat.settings import Settings, env_name
from graphcat.store.database import Database
from tests.catalog_builders import feature
from tests.reliability_support import Cases, cases, catalog_size  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def bulk_catalog(n_models: int, prefix: str = "bulk", n_features: int = 60) -> dict[str, Any]:
    """n datasets and n models of two versions each (the second converted from the first).

    Many features per version and few versions: the import writes thousands of nodes and
    relationships while the index holds only a hundred documents (encoding is the slow part).
    """
    columns = [feature(f"f{j}", [None]) for j in range(n_features)]
    datasets = [{"id": f"{prefix}-ds{i}", "name": f"Bulk dataset {i}", "tasks": ["jet-tagging"],
                 "versions": [{"version": "1", "data_type": "simulation", "features": columns}]}
                for i in range(n_models)]
    models = [{"id": f"{prefix}-m{i}", "name": f"Bulk model {i}", "tasks": ["jet-tagging"],
               "versions": [{"version": "1.0", "framework": "pytorch", "trained_on": [f"{prefix}-ds{i}@1"],
                             "inputs": columns},
                            {"version": "2.0", "framework": "onnx",
                             "lineage": [{"type": "CONVERTED_FROM", "from": f"{prefix}-m{i}@1.0"}],
                             "inputs": columns}]}
              for i in range(n_models)]
    return {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "jet tagging"}],
            "datasets": datasets, "models": models}


def child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    for f in dataclasses.fields(settings):
        env[env_name(f.name)] = str(getattr(settings, f.name))
    env["PYTHONPATH"] = str(ROOT)
    return env


def catalog_documents(db: Database) -> list[Any]:
    return catalog_from_dicts([export_document(db)]).documents


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


def assert_graphcat_index_matches_catalog(db: Database, settings: Settings, encoder: Encoder) -> str:
    """graphcat's own start-up (service.vector_index): its saved index holds exactly Neo4j's documents."""
    status = vector_index.CatalogIndex(settings, encoder).ensure(db)
    truth = sorted(d.id for d in vector_index.read_catalog(db, encoder).view.documents)
    assert VectorIndex.load(vector_index.index_path(settings), None).ids == truth
    return status


def assert_index_matches_catalog(db: Database, path: Path, encoder: Encoder) -> str:
    documents = catalog_documents(db)
    ensured = ensure_index(path, documents, encoder)
    assert ensured.index.ids == sorted(d.id for d in documents)
    assert len(ensured.index) == len(documents)
    # What start-up saved is what the next start-up loads.
    assert VectorIndex.load(path, ensured.fingerprint).ids == ensured.index.ids
    return ensured.status


# The child imports the bulk file and SIGKILLs itself from inside the write transaction, after two
# batches of nodes were written in it and before the relationships: the worst moment for a
# partial write.
_CHILD = """
import os, signal, sys
from graphcat.catalog import importer
from graphcat.settings import Settings
from graphcat.store import catalog as store
from graphcat.store.database import Database

real = store.upsert_nodes
calls = []
def upsert_then_die(tx, batch):
    written = real(tx, batch)
    calls.append(written)
    if len(calls) == 2:
        print("killing myself mid-transaction after", sum(calls), "nodes", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return written
store.upsert_nodes = upsert_then_die
with Database(Settings.from_env()) as db:
    importer.import_files(db, [sys.argv[1]])
print("import finished", flush=True)
"""


@pytest.mark.reliability("Faults", "kill -9 of graphcat inside the import transaction")
def test_kill_inside_the_import_transaction_leaves_the_catalog_as_it_was(
        db: Database, settings: Settings, tmp_path: Path, encoder: Encoder, cases: Cases) -> None:
    import_files(db, [write_json(tmp_path / "seed.json", bulk_catalog(3, "seed", 2))])
    index_path = tmp_path / "catalog.gcvi"
    assert assert_index_matches_catalog(db, index_path, encoder) == "built:missing"
    served = dataclasses.replace(settings, index_dir=str(tmp_path / "index"))
    assert assert_graphcat_index_matches_catalog(db, served, encoder) == "built:missing"
    before = catalog_size(db)
    bulk = write_json(tmp_path / "bulk.json", bulk_catalog(30))
    for _ in range(2):
        proc = subprocess.run([PY, "-c", _CHILD, str(bulk)], env=child_env(settings), capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
        assert "killing myself mid-transaction" in proc.stdout and "import finished" not in proc.stdout
        assert catalog_size(db) == before, "a killed import left part of itself behind"
        # graphcat restarts: the index file still matches the catalog, so it is loaded, not rebuilt.
        assert assert_index_matches_catalog(db, index_path, encoder) == "loaded"
        assert assert_graphcat_index_matches_catalog(db, served, encoder) == "loaded"
        cases.add()
    report = import_files(db, [bulk])  # the same file imports completely afterwards
    assert report.created["model_version"] == 60 and report.created["feature"] == 90 * 60
    assert assert_index_matches_catalog(db, index_path, encoder) == "built:stale"
    assert assert_graphcat_index_matches_catalog(db, served, encoder) in {"built:stale", "updated:stale"}


def settled_catalog_size(db: Database) -> tuple[int, int]:
    """The catalog's size once no commit is in flight. A kill that lands after the client sent its
    commit still lets the server finish it, possibly between the two reads of `catalog_size`
    (seen once: 0 nodes, then 5,542 relationships); two equal readings 0.2 s apart mean settled."""
    last = catalog_size(db)
    for _ in range(50):
        time.sleep(0.2)
        now = catalog_size(db)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the catalog kept changing after the import was killed: {last}")


@pytest.mark.reliability("Faults", "kill -9 of `graphcat import` at random moments")
def test_kill_of_the_import_command_at_any_moment_is_all_or_nothing(
        db: Database, settings: Settings, tmp_path: Path, encoder: Encoder, cases: Cases) -> None:
    bulk = write_json(tmp_path / "bulk.json", bulk_catalog(30))
    index_path = tmp_path / "catalog.gcvi"
    assert_index_matches_catalog(db, index_path, encoder)
    empty = catalog_size(db)
    observed: list[tuple[float, tuple[int, int]]] = []
    rng = np.random.default_rng(9)
    completed = False
    # Python start-up and validation take about a second on an idle machine (less since the
    # driver's Rust extension), the write transaction a little more: the first kill, at 0.2 s,
    # lands before the transaction; the delay grows in small steps until an import completes.
    delay = 0.2
    while not completed and delay < 90:
        proc = subprocess.Popen([PY, "-m", "graphcat.cli", "import", str(bulk)], env=child_env(settings),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            proc.wait(timeout=delay)
            completed = proc.returncode == 0
            assert completed, proc.stderr.read() if proc.stderr else ""
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        size = settled_catalog_size(db)
        observed.append((delay, size))
        cases.add()
        if size != empty:
            completed = True
        else:  # restart after a kill: the index still matches the (unchanged) catalog
            assert assert_index_matches_catalog(db, index_path, encoder) == "loaded"
        delay += float(rng.uniform(0.3, 0.8))
    assert completed, f"the import never finished: {observed}"
    full = catalog_size(db)
    assert full[0] > empty[0]
    assert assert_index_matches_catalog(db, index_path, encoder) == "built:stale"
    assert all(size in (empty, full) for _, size in observed), observed
    assert any(size == empty for _, size in observed), "no kill landed before the commit"
    cases.note(f"{sum(1 for _, s in observed if s == empty)} kills left nothing, then 1 complete import")


# Saves the index over and over (as graphcat does after every write) until it is killed.
_SAVER = """
import sys
import numpy as np
from embeddings.index import VectorIndex
rng = np.random.default_rng(0)
index = VectorIndex(384)
i = 0
while True:
    keys = [f"model:m{j}@{i}" for j in range(200)]
    v = rng.normal(size=(200, 384)).astype("float32")
    index = VectorIndex(384)
    index.upsert(keys, v / np.linalg.norm(v, axis=1, keepdims=True))
    index.save(sys.argv[1], f"state-{i}")
    print(i, flush=True)
    i += 1
"""


@pytest.mark.reliability("Faults", "kill -9 while the index file is being saved")
def test_kill_during_index_save_never_leaves_a_half_written_index(tmp_path: Path, cases: Cases) -> None:
    path = tmp_path / "catalog.gcvi"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = np.random.default_rng(3)
    for round_ in range(6):
        proc = subprocess.Popen([PY, "-c", _SAVER, str(path)], env=env, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        proc.stdout.readline()  # at least one save completed
        time.sleep(float(rng.uniform(0.05, 0.6)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        fingerprint = VectorIndex.read_fingerprint(path)  # raises IndexCorrupt on a torn file
        loaded = VectorIndex.load(path, fingerprint)
        state = fingerprint.removeprefix("state-")
        assert len(loaded) == 200 and all(k.endswith(f"@{state}") for k in loaded.ids)
        cases.add()


def write_json(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc))
    return path
