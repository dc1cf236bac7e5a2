"""register-onnx end to end against the real Neo4j: catalog entry, artifact, smoke test, benchmarks,
hardware, int8 quantisation with QUANTIZED_FROM, the latency query and the compatibility check."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import onnx_factory
from graphcat import cli
from graphcat.catalog.importer import import_documents
from graphcat.errors import InvalidInput
from graphcat.service import deploy
from graphcat.settings import Settings
from graphcat.store import catalog as catalog_store
from graphcat.store.database import Database

TASKS = {
    "graphcat_catalog": 1,
    "tasks": [
        {"id": "jet-tagging", "name": "Jet tagging"},
        {"id": "top-tagging", "name": "Top tagging", "parent": "jet-tagging"},
        {"id": "tracking", "name": "Tracking"},
    ],
}


@pytest.fixture()
def cat(db: Database) -> Database:
    import_documents(db, [("tasks", TASKS)])
    return db


@pytest.fixture()
def fast_settings(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings, artifact_root=str(tmp_path / "artifacts"), bench_runs=20, bench_warmup=2)


def _node(db: Database, uid: str) -> object:
    return catalog_store.nodes_by_uid(db, [uid]).get(uid)


def test_register_benchmark_and_quantize(cat: Database, fast_settings: Settings, tmp_path: Path) -> None:
    path = onnx_factory.mlp_classifier(tmp_path / "tagger.onnx")
    reg = deploy.register_onnx(cat, fast_settings, path, model_id="mlp-tagger", version="1.0.0",
                               task="jet-tagging", benchmark=True, quantize_int8=True)
    assert reg.version_uid == "model_version:mlp-tagger@1.0.0"
    assert reg.original.smoke.ok and reg.quantized is not None and reg.quantized.smoke.ok
    assert reg.notes == [] and reg.original.notes == []

    # The catalog holds both versions, with the signature read from the file.
    version = _node(cat, reg.version_uid)
    assert version is not None
    assert version.framework == "onnx" and version.format == "onnx"
    assert version.artifact.uri == reg.original.artifact.uri and version.artifact.sha256 == reg.original.artifact.sha256
    inputs = catalog_store.neighbours(cat, [reg.version_uid], ["HAS_INPUT"])[reg.version_uid]
    assert [(f.name, f.dtype, list(f.shape)) for _, _, f in inputs] == [("features", "float32", [8])]
    solves = catalog_store.neighbours(cat, ["model:mlp-tagger"], ["SOLVES"])["model:mlp-tagger"]
    assert [t.id for _, _, t in solves] == ["jet-tagging"]

    facts = deploy.deployment(cat, reg.version_uid)
    assert facts["onnx_opset"] == onnx_factory.OPSET and facts["artifact_size_bytes"] == path.stat().st_size
    assert [s["ok"] for s in facts["smoke_tests"]] == [True]
    benches = sorted(facts["benchmarks"], key=lambda b: b["batch"])
    assert [b["batch"] for b in benches] == [1, 64]
    for b in benches:
        assert 0 < b["p50_ms"] <= b["p99_ms"] and b["threads"] == fast_settings.bench_threads
        assert b["runs"] == 20 and b["hardware"]["cores"] >= 1 and b["hardware"]["cpu_model"]
    assert facts["quantized_versions"] == [reg.quantized.version_uid]

    qfacts = deploy.deployment(cat, reg.quantized.version_uid)
    [link] = qfacts["quantized_from"]
    assert link["original_uid"] == reg.version_uid and link["weight_type"] == "int8"
    assert link["max_abs_diff"] == pytest.approx(reg.agreement.max_abs_diff) and link["max_abs_diff"] > 0
    assert 0 <= link["argmax_agreement"] <= 1
    assert qfacts["artifact_sha256"] != facts["artifact_sha256"]
    assert len(qfacts["benchmarks"]) == 2
    # The catalog's own lineage sees the quantisation too.
    lineage = catalog_store.neighbours(cat, [reg.quantized.version_uid], ["QUANTIZED_FROM"])
    assert [n.uid for _, _, n in lineage[reg.quantized.version_uid]] == [reg.version_uid]


def test_latency_query_filters_by_task_and_bound(cat: Database, fast_settings: Settings, tmp_path: Path) -> None:
    mlp = onnx_factory.mlp_classifier(tmp_path / "mlp.onnx")
    po = onnx_factory.per_object_model(tmp_path / "po.onnx")
    track = onnx_factory.mlp_classifier(tmp_path / "track.onnx", hidden=16)
    deploy.register_onnx(cat, fast_settings, mlp, model_id="mlp", version="1", task="jet-tagging", benchmark=True)
    deploy.register_onnx(cat, fast_settings, po, model_id="po", version="1", task="top-tagging", benchmark=True)
    deploy.register_onnx(cat, fast_settings, track, model_id="trk", version="1", task="tracking", benchmark=True)
    deploy.register_onnx(cat, fast_settings, mlp, model_id="unbenched", version="1", task="jet-tagging")

    everything = deploy.versions_within_latency(cat, max_p99_ms=1e9, task="jet-tagging")
    # Subtasks count (top-tagging is under jet-tagging); unbenchmarked and other-task versions do not.
    assert sorted(r["model_id"] for r in everything) == ["mlp", "po"]
    assert [r["p99_ms"] for r in everything] == sorted(r["p99_ms"] for r in everything)
    assert all(r["batch"] == 1 for r in everything)

    bound = min(r["p99_ms"] for r in everything)
    within = deploy.versions_within_latency(cat, max_p99_ms=bound, task="jet-tagging")
    assert [r["p99_ms"] for r in within] == [bound]
    assert [r["model_id"] for r in deploy.versions_within_latency(cat, max_p99_ms=1e9, task="top-tagging")] == ["po"]
    assert len(deploy.versions_within_latency(cat, max_p99_ms=1e9)) == 3
    assert {r["batch"] for r in deploy.versions_within_latency(cat, max_p99_ms=1e9, batch=64)} == {64}
    with pytest.raises(InvalidInput, match="max_p99_ms"):
        deploy.versions_within_latency(cat, max_p99_ms=0)


def test_broken_file_writes_nothing(cat: Database, fast_settings: Settings, tmp_path: Path) -> None:
    bad = onnx_factory.broken_file(tmp_path / "broken.onnx")
    with pytest.raises(InvalidInput) as info:
        deploy.register_onnx(cat, fast_settings, bad, model_id="broken", version="1")
    assert info.value.path == str(bad)
    assert _node(cat, "model:broken") is None
    assert not Path(fast_settings.artifact_root).exists()


def test_failing_model_is_registered_with_its_failure(cat: Database, fast_settings: Settings, tmp_path: Path) -> None:
    path = onnx_factory.failing_model(tmp_path / "failing.onnx")
    reg = deploy.register_onnx(cat, fast_settings, path, model_id="failing", version="1", benchmark=True,
                               quantize_int8=True)
    assert not reg.original.smoke.ok and reg.quantized is None
    assert any("smoke test failed" in n for n in reg.original.notes)
    assert any("quantize: skipped" in n for n in reg.notes)
    facts = deploy.deployment(cat, reg.version_uid)
    [smoke] = facts["smoke_tests"]
    assert smoke["ok"] is False and "Reshape" in smoke["error"]
    assert facts["benchmarks"] == [] and facts["quantized_versions"] == []


def test_registration_is_idempotent_and_versions_immutable(cat: Database, fast_settings: Settings, tmp_path: Path) -> None:
    first = onnx_factory.mlp_classifier(tmp_path / "a.onnx")
    other = onnx_factory.per_object_model(tmp_path / "b.onnx")
    a = deploy.register_onnx(cat, fast_settings, first, model_id="m", version="1", task="jet-tagging", name="My model")
    b = deploy.register_onnx(cat, fast_settings, first, model_id="m", version="1")
    assert a.original.artifact == b.original.artifact
    assert len(deploy.deployment(cat, a.version_uid)["smoke_tests"]) == 2  # each run is recorded
    with pytest.raises(InvalidInput, match="immutable"):
        deploy.register_onnx(cat, fast_settings, other, model_id="m", version="1")
    # A new version keeps the model's name and adds its task to the existing ones.
    deploy.register_onnx(cat, fast_settings, other, model_id="m", version="2", task="top-tagging")
    assert _node(cat, "model:m").name == "My model"
    solves = catalog_store.neighbours(cat, ["model:m"], ["SOLVES"])["model:m"]
    assert sorted(t.id for _, _, t in solves) == ["jet-tagging", "top-tagging"]


def test_unknown_task_is_rejected(cat: Database, fast_settings: Settings, tmp_path: Path) -> None:
    path = onnx_factory.mlp_classifier(tmp_path / "a.onnx")
    with pytest.raises(InvalidInput, match="no-such-task"):
        deploy.register_onnx(cat, fast_settings, path, model_id="m", version="1", task="no-such-task")
    assert _node(cat, "model:m") is None


def test_upload_and_compatibility(cat: Database, fast_settings: Settings, tmp_path: Path) -> None:
    data = onnx_factory.mlp_classifier(tmp_path / "mlp.onnx").read_bytes()
    reg = deploy.register_onnx_upload(cat, fast_settings, data, "uploaded.onnx", model_id="up", version="1")
    assert reg.original.smoke.ok and reg.original.artifact.size_bytes == len(data)

    good = tmp_path / "good.csv"
    pd.DataFrame({f"features_{i}": np.linspace(0, 1, 30) for i in range(8)}).to_csv(good, index=False)
    report = deploy.check_compatibility(cat, fast_settings, good, reg.version_uid, events=12)
    assert report.ok and report.output_shapes == {"scores": [12, 3]}

    bad = tmp_path / "bad.csv"
    pd.DataFrame({"pt": np.ones(5), "eta": np.ones(5)}).to_csv(bad, index=False)
    report = deploy.check_compatibility(cat, fast_settings, bad, reg.version_uid, mapping={"features": ["pt", "eta"]})
    assert not report.ok and report.problems[0].input == "features"
    assert "[2]" in report.problems[0].message and "[8]" in report.problems[0].message

    # The stored artifact is checked against its recorded sha256 before it runs.
    reg.original.artifact.path.write_bytes(b"tampered")
    with pytest.raises(Exception, match="the catalog recorded"):
        deploy.check_compatibility(cat, fast_settings, good, reg.version_uid)


def test_cli_register_and_query(cat: Database, settings: Settings, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    monkeypatch.setenv("GRAPHCAT_BENCH_RUNS", "10")
    monkeypatch.setenv("GRAPHCAT_BENCH_WARMUP", "1")
    monkeypatch.chdir(tmp_path)  # no stray .env
    for key in ("URI", "USER", "PASSWORD", "DATABASE"):
        monkeypatch.setenv(f"GRAPHCAT_NEO4J_{key}", str(getattr(settings, f"neo4j_{key.lower()}")))
    path = onnx_factory.per_object_model(tmp_path / "po.onnx")
    code = cli.main(["register-onnx", str(path), "--model", "po-cli", "--version", "1.0",
                     "--task", "top-tagging", "--benchmark", "--quantize"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "registered po-cli@1.0  opset 17" in out and "registered po-cli@1.0-int8" in out
    assert "constituents: float32 [None, 4]" in out and "latency batch  64" in out
    assert cli.main(["fast-models", "--max-p99-ms", "1e9", "--task", "jet-tagging"]) == 0
    out = capsys.readouterr().out
    assert "po-cli@1.0 " in out and "po-cli@1.0-int8" in out and "2 version(s)" in out

    npz = tmp_path / "jets.npz"
    np.savez(npz, constituents=np.ones((8, 5, 4), dtype=np.float32), n_valid=np.full(8, 5))
    assert cli.main(["check-compat", str(npz), "--version", "po-cli@1.0", "--events", "4"]) == 0
    assert "compatible: ran on 4 event(s)" in capsys.readouterr().out
    assert cli.main(["check-compat", str(npz), "--version", "po-cli@1.0", "--map", "constituents=n_valid"]) == 1
    assert "cannot build input 'constituents'" in capsys.readouterr().out
    assert cli.main(["register-onnx", str(onnx_factory.broken_file(tmp_path / "x.onnx")), "--model", "x",
                     "--version", "1"]) == 2


def test_failed_measurement_write_leaves_no_catalog_entry(cat: Database, fast_settings: Settings, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog entry and its measurements are one transaction: when writing a measurement fails
    (here the database refuses the smoke-test record), the version is not left behind without them."""
    from graphcat.errors import GraphcatError
    from graphcat.store import deploy as deploy_store

    def refuse(tx: object, version_uid: str, result: object) -> None:
        raise GraphcatError(f"injected failure while recording the smoke test of {version_uid}")

    monkeypatch.setattr(deploy_store, "record_smoke_test", refuse)
    path = onnx_factory.mlp_classifier(tmp_path / "tagger.onnx")
    with pytest.raises(GraphcatError, match="injected failure"):
        deploy.register_onnx(cat, fast_settings, path, model_id="atomic-tagger", version="1.0.0", task="jet-tagging")
    assert _node(cat, "model_version:atomic-tagger@1.0.0") is None
    assert _node(cat, "model:atomic-tagger") is None

    monkeypatch.undo()
    reg = deploy.register_onnx(cat, fast_settings, path, model_id="atomic-tagger", version="1.0.0", task="jet-tagging")
    assert _node(cat, reg.version_uid) is not None
    assert [s["ok"] for s in deploy.deployment(cat, reg.version_uid)["smoke_tests"]] == [True]
