"""graphcat import-onnx on folders of real ONNX files (built with onnx in tmp dirs) and the real Neo4j."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.cli import main
from graphcat.errors import InvalidInput
from graphcat.interop.onnx_folder import OnnxFolderInvalid, import_onnx_folder
from graphcat.service import deploy
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphcat.store.index_state import catalog_revision
from tests import onnx_factory

COLUMNS = ["jet_pt", "jet_eta", "jet_phi", "jet_mass", "tau21", "tau32", "n_constituents", "btag"]
CONTEXT = {
    "graphcat_catalog": 1,
    "tasks": [{"id": "jet-tagging", "name": "Jet tagging"}],
    "datasets": [{"id": "qcd-top", "name": "QCD vs top", "versions": [{"version": "1", "features": []}]}],
}
SIDECAR = """\
model: top-mlp
version: "2.0"
name: Top MLP
task: jet-tagging
description: an MLP on jet substructure
license: MIT
trained_on: [qcd-top@1]
parent: fixed@1
inputs:
  features:
    unit: GeV
    description: jet kinematics and substructure
    columns: [{columns}]
outputs:
  scores:
    description: softmax over (QCD, top, W)
""".format(columns=", ".join(COLUMNS))


@pytest.fixture()
def cat(db: Database) -> Database:
    import_documents(db, [("context", CONTEXT)])
    return db


@pytest.fixture()
def fast(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings, artifact_root=str(tmp_path / "artifacts"), bench_runs=10, bench_warmup=1)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Three good models: one with a sidecar, two without (one in a subfolder, one with spaces in its name)."""
    root = tmp_path / "models"
    (root / "sub").mkdir(parents=True)
    onnx_factory.mlp_classifier(root / "tagger.onnx")
    (root / "tagger.yaml").write_text(SIDECAR, encoding="utf-8")
    onnx_factory.per_object_model(root / "sub" / "Jet Constituents.onnx")
    onnx_factory.fixed_batch_model(root / "fixed.onnx")
    return root


def _versions(doc: dict) -> dict[str, dict]:
    return {f"{m['id']}@{v['version']}": v for m in doc.get("models", []) for v in m["versions"]}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stored(settings: Settings) -> list[Path]:
    return sorted(Path(settings.artifact_root).rglob("*.onnx"))


def test_folder_lands_in_the_graph(cat: Database, fast: Settings, folder: Path) -> None:
    report = import_onnx_folder(cat, fast, folder)
    assert report.ok and report.failed == []
    assert report.versions == {"fixed.onnx": "fixed@1", "sub/Jet Constituents.onnx": "jet-constituents@1",
                               "tagger.onnx": "top-mlp@2.0"}
    assert sorted(report.measured) == sorted(report.versions)
    assert report.imported.created["model_version"] == 3
    doc = export_document(cat)
    models = {m["id"]: m for m in doc["models"]}
    assert models["top-mlp"]["name"] == "Top MLP" and models["top-mlp"]["tasks"] == ["jet-tagging"]
    assert models["fixed"]["name"] == "fixed" and "tasks" not in models["fixed"]
    versions = _versions(doc)
    tagger = versions["top-mlp@2.0"]
    assert tagger["inputs"] == [{"name": "features", "dtype": "float32", "shape": [8], "unit": "GeV",
                                 "description": "jet kinematics and substructure; columns: " + ", ".join(COLUMNS)}]
    assert tagger["outputs"] == [{"name": "scores", "dtype": "float32", "shape": [3],
                                  "description": "softmax over (QCD, top, W)"}]
    assert tagger["framework"] == "onnx" and tagger["format"] == "onnx" and tagger["license"] == "MIT"
    assert tagger["description"] == "an MLP on jet substructure"
    assert tagger["trained_on"] == ["qcd-top@1"]
    assert tagger["lineage"] == [{"type": "FINE_TUNED_FROM", "from": "fixed@1"}]
    assert tagger["artifact"]["sha256"] == _sha(folder / "tagger.onnx")
    # without a sidecar: id from the file stem, version "1", the signature from the file (its named
    # dynamic axis shown back as the file names it; matched as any length)
    jets = versions["jet-constituents@1"]
    assert [(c["name"], c["dtype"], c["shape"]) for c in jets["inputs"]] == [
        ("constituents", "float32", ["n_constituents", 4]), ("n_valid", "int64", [])]
    assert [(c["name"], c["dtype"], c["shape"]) for c in jets["outputs"]] == [("jet_score", "float32", [1])]
    assert "license" not in jets and "description" not in jets
    # the deployment record of the registration path: ONNX facts, smoke test, artifact in the store
    for ref, file in (("top-mlp@2.0", "tagger.onnx"), ("jet-constituents@1", "sub/Jet Constituents.onnx")):
        facts = deploy.deployment(cat, deploy.version_uid(*ref.split("@")))
        assert facts["onnx_opset"] == onnx_factory.OPSET
        assert facts["artifact_sha256"] == _sha(folder / file)
        assert [s["ok"] for s in facts["smoke_tests"]] == [True]
    assert len(_stored(fast)) == 3


def test_rerun_imports_only_new_files_and_a_changed_file_is_a_conflict(cat: Database, fast: Settings,
                                                                        folder: Path) -> None:
    import_onnx_folder(cat, fast, folder)
    revision, before = catalog_revision(cat), export_document(cat)
    again = import_onnx_folder(cat, fast, folder)
    assert again.imported.created == {} and again.imported.updated == {} and again.measured == []
    assert catalog_revision(cat) == revision and export_document(cat) == before
    smoke = deploy.deployment(cat, deploy.version_uid("top-mlp", "2.0"))["smoke_tests"]
    assert len(smoke) == 1  # not measured again

    onnx_factory.mlp_classifier(folder / "sub" / "wide.onnx", hidden=64)
    third = import_onnx_folder(cat, fast, folder)
    assert third.measured == ["sub/wide.onnx"]
    assert third.imported.created == {"model": 1, "model_version": 1, "feature": 2}
    assert _versions(export_document(cat))["wide@1"]["inputs"][0]["shape"] == [8]

    old_sha = _sha(folder / "tagger.onnx")
    onnx_factory.mlp_classifier(folder / "tagger.onnx", hidden=16)  # new content, same sidecar version
    before = export_document(cat)
    with pytest.raises(OnnxFolderInvalid) as info:
        import_onnx_folder(cat, fast, folder)
    message = str(info.value)
    assert "tagger.onnx: top-mlp@2.0 is already registered with artifact file://" in message
    assert f"(sha256 {old_sha}); this file has sha256 {_sha(folder / 'tagger.onnx')}" in message
    assert "wide.onnx" not in message and "fixed.onnx" not in message
    assert export_document(cat) == before

    onnx_factory.mlp_classifier(folder / "tagger.onnx")  # the registered bytes again, but the sidecar changed
    assert _sha(folder / "tagger.onnx") == old_sha
    (folder / "tagger.yaml").write_text(SIDECAR.replace("an MLP on jet substructure", "rewritten"), encoding="utf-8")
    with pytest.raises(CatalogInvalid) as info:
        import_onnx_folder(cat, fast, folder)
    assert "tagger.onnx: models[2].versions[0]" in str(info.value)
    assert "'top-mlp@2.0' is already registered with different content" in str(info.value)
    assert "differing fields: description" in str(info.value)
    assert export_document(cat) == before


def test_a_corrupt_file_is_named_and_nothing_is_written(cat: Database, fast: Settings, folder: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", fast.artifact_root)
    onnx_factory.broken_file(folder / "sub" / "broken.onnx")
    with pytest.raises(OnnxFolderInvalid) as info:
        import_onnx_folder(cat, fast, folder)
    message = str(info.value)
    assert "1 of 4 ONNX file(s)" in message and "nothing written" in message
    assert "sub/broken.onnx: not a valid ONNX model" in message
    assert export_document(cat).get("models") is None
    assert _stored(fast) == []  # not even the artifact store saw the good files
    assert main(["import-onnx", str(folder)]) == 2
    assert "sub/broken.onnx: not a valid ONNX model" in capsys.readouterr().err
    assert export_document(cat).get("models") is None


def test_keep_going_writes_the_good_files_and_lists_the_bad(cat: Database, fast: Settings, folder: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", fast.artifact_root)
    onnx_factory.broken_file(folder / "broken.onnx")
    onnx_factory.mlp_classifier(folder / "badside.onnx")
    (folder / "badside.yaml").write_text('version: 1.0\n', encoding="utf-8")
    report = import_onnx_folder(cat, fast, folder, keep_going=True)
    assert [f.path for f in report.failed] == ["badside.onnx", "broken.onnx"]
    assert "badside.yaml: version: must be non-empty text, got 1.0 (quote it" in report.failed[0].message
    assert set(report.versions) == {"fixed.onnx", "sub/Jet Constituents.onnx", "tagger.onnx"}
    assert set(_versions(export_document(cat))) == {"fixed@1", "jet-constituents@1", "top-mlp@2.0"}
    # the CLI: exit code 1 with --keep-going when a file failed, the failure named by path on stderr
    assert main(["import-onnx", str(folder), "--keep-going"]) == 1
    out, err = capsys.readouterr()
    assert "broken.onnx: FAILED, not imported: not a valid ONNX model" in err
    assert "tagger.onnx: top-mlp@2.0 unchanged" in out and "2 file(s) failed" in out


def test_a_reference_to_nothing_is_named_by_file(cat: Database, fast: Settings, folder: Path) -> None:
    (folder / "tagger.yaml").write_text(SIDECAR.replace("qcd-top@1", "qcd-top@9"), encoding="utf-8")
    with pytest.raises(CatalogInvalid) as info:
        import_onnx_folder(cat, fast, folder)
    assert "tagger.onnx: models[2].versions[0].trained_on[0]: unknown dataset version 'qcd-top@9'" in str(info.value)
    assert export_document(cat).get("models") is None
    report = import_onnx_folder(cat, fast, folder, keep_going=True)
    assert [(f.path, "qcd-top@9" in f.message) for f in report.failed] == [("tagger.onnx", True)]
    assert set(report.versions) == {"fixed.onnx", "sub/Jet Constituents.onnx"}
    assert set(_versions(export_document(cat))) == {"fixed@1", "jet-constituents@1"}


@pytest.mark.parametrize(("text", "expected"), [
    ("licence: MIT\n", "tagger.yaml: licence: unknown field"),
    ("model: Top MLP\n", "tagger.yaml: model: 'Top MLP' is not a graphcat id"),
    ("inputs: {nope: {unit: GeV}}\n", "tagger.yaml: inputs.nope: the ONNX file has no input 'nope'"),
    ("inputs: {features: {columns: [a, b]}}\n", "tagger.yaml: inputs.features.columns: 2 column names"),
    ("inputs: {features: {units: GeV}}\n", "tagger.yaml: inputs.features.units: unknown field"),
    ("trained_on: [qcd-top]\n", "tagger.yaml: trained_on[0]: must be dataset@version"),
    ("parent: {from: fixed@1, type: COPIED_FROM}\n", "tagger.yaml: parent.type: type 'COPIED_FROM' is not one of"),
    ("name: [unclosed\n", "tagger.yaml: not valid YAML"),
    ("- a list\n", "tagger.yaml: must be a mapping of fields"),
])
def test_bad_sidecars_name_the_file_and_field(cat: Database, fast: Settings, folder: Path, text: str,
                                              expected: str) -> None:
    (folder / "tagger.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(OnnxFolderInvalid) as info:
        import_onnx_folder(cat, fast, folder)
    assert f"  tagger.onnx: {expected}" in str(info.value)
    assert export_document(cat).get("models") is None


def test_two_files_for_one_version_and_a_missing_folder(cat: Database, fast: Settings, folder: Path,
                                                        tmp_path: Path) -> None:
    onnx_factory.mlp_classifier(folder / "sub" / "fixed.onnx", hidden=8)
    with pytest.raises(OnnxFolderInvalid, match=r"sub/fixed.onnx: model version fixed@1 is already defined by "
                                                r"fixed.onnx"):
        import_onnx_folder(cat, fast, folder)
    assert main(["import-onnx", str(tmp_path / "nowhere")]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidInput, match="no \\*.onnx file"):
        import_onnx_folder(cat, fast, empty)


def test_a_model_that_fails_its_smoke_test_is_registered_with_the_failure(cat: Database, fast: Settings,
                                                                          folder: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    onnx_factory.failing_model(folder / "reshape.onnx")
    monkeypatch.setenv("GRAPHCAT_ARTIFACT_ROOT", fast.artifact_root)
    assert main(["import-onnx", str(folder)]) == 1  # like register-onnx: written, but the exit code says so
    facts = deploy.deployment(cat, deploy.version_uid("reshape", "1"))
    [smoke] = facts["smoke_tests"]
    assert smoke["ok"] is False and "Reshape" in smoke["error"]
    assert set(_versions(export_document(cat))) == {"fixed@1", "jet-constituents@1", "reshape@1", "top-mlp@2.0"}
    report = import_onnx_folder(cat, fast, folder)
    assert report.smoke_failed == {} and report.measured == []  # already registered: not run again


def test_benchmark_measures_each_new_file(cat: Database, fast: Settings, tmp_path: Path) -> None:
    root = tmp_path / "one"
    root.mkdir()
    onnx_factory.mlp_classifier(root / "mlp.onnx")
    report = import_onnx_folder(cat, fast, root, benchmark=True)
    assert report.versions == {"mlp.onnx": "mlp@1"}
    benches = deploy.deployment(cat, deploy.version_uid("mlp", "1"))["benchmarks"]
    assert sorted(b["batch"] for b in benches) == [1, 64]
    assert all(0 < b["p50_ms"] <= b["p99_ms"] and b["runs"] == 10 for b in benches)


def test_an_unknown_task_fails_every_file_of_that_model(cat: Database, fast: Settings, folder: Path) -> None:
    onnx_factory.mlp_classifier(folder / "tagger-v3.onnx", hidden=16)
    (folder / "tagger-v3.yaml").write_text('model: top-mlp\nversion: "3.0"\n', encoding="utf-8")
    (folder / "tagger.yaml").write_text(SIDECAR.replace("task: jet-tagging", "task: no-such-task"), encoding="utf-8")
    with pytest.raises(CatalogInvalid, match=r"tagger-v3.onnx, tagger.onnx: models\[2\].tasks\[0\]: unknown task"):
        import_onnx_folder(cat, fast, folder)
    report = import_onnx_folder(cat, fast, folder, keep_going=True)
    assert [f.path for f in report.failed] == ["tagger-v3.onnx", "tagger.onnx"]
    assert set(_versions(export_document(cat))) == {"fixed@1", "jet-constituents@1"}
