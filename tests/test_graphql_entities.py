"""Every fact of the graph model over GraphQL, against the real Neo4j: model-version inputs/outputs,
hyper-parameters, reproducibility, artifact, owner, publications, model lineage, deployment facts
(smoke tests, benchmarks, quantisation) and fastModels; dataset-version conditions, features and
derivations; detector/experiment/task/owner/publication links; batched loading stays flat."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

import onnx_factory
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.service import deploy
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.graphql_helpers import client_for, gql

PARTICLE = {"name": "part_pt", "dtype": "float32", "shape": [None], "unit": "GeV", "description": "constituent pT"}
IMAGE = {"name": "calo_image", "dtype": "float32", "shape": [24, 24], "description": "calorimeter image"}


def full_catalog(extra_versions: int = 0) -> dict[str, Any]:
    version = {
        "version": "1.0.0", "created_at": "2019-02-22", "framework": "pytorch", "format": "onnx", "license": "MIT",
        "artifact": {"uri": "https://example.org/pn.onnx", "sha256": "ab" * 32},
        "inputs": [{"name": "jet_pt", "dtype": "float32", "shape": [], "unit": "GeV"}, PARTICLE, IMAGE],
        "outputs": [{"name": "scores", "dtype": "float32", "shape": [2], "description": "softmax (QCD, top)"}],
        "hyperparameters": {"learningRate": 0.0003, "bs": 384, "epochs": 20, "optimizer": "adam", "k_neighbours": 16},
        "reproducibility": {"code_repository": "https://github.com/hqucms/ParticleNet", "commit": "abc123", "seed": 42},
        "trained_on": ["top@1.1"], "aliases": ["production"],
        "evaluations": [{"dataset": "top@1.1", "metric": "auc", "value": 0.9858, "source": "arxiv-1902.08570"}],
    }
    return {
        "graphcat_catalog": 1,
        "experiments": [{"id": "cms", "name": "CMS", "url": "https://cms.cern"}],
        "detectors": [{"id": "cms-detector", "name": "CMS detector", "experiment": "cms", "kind": "general-purpose"}],
        "tasks": [{"id": "jet-tagging", "name": "jet tagging"},
                  {"id": "top-tagging", "name": "top tagging", "parent": "jet-tagging"}],
        "owners": [{"id": "qu-gouskos", "name": "H. Qu and L. Gouskos", "kind": "team"}],
        "publications": [{"id": "arxiv-1902.08570", "title": "ParticleNet: Jet Tagging via Particle Clouds",
                          "authors": ["Huilin Qu", "Loukas Gouskos"], "year": 2020, "arxiv": "1902.08570"}],
        "datasets": [{
            "id": "top", "name": "Top tagging reference", "tasks": ["top-tagging"], "owner": "qu-gouskos",
            "described_in": ["arxiv-1902.08570"],
            "versions": [
                {"version": "1.0", "format": "hdf5", "data_type": "simulation", "simulated_with": ["cms-detector"],
                 "num_events": 2000000, "size_bytes": 1234, "digest": "sha256:" + "cd" * 32,
                 "location": "https://zenodo.org/record/2603256", "doi": "10.5281/zenodo.2603256",
                 "conditions": {"sqrt_s_tev": 14, "pileup_mean": 0, "generator": "Pythia 8.2",
                                "detector_simulation": "Delphes", "kinematic_range": "550 < pT < 650 GeV",
                                "parameters": {"jet_pt_centre_gev": 600, "detector_pt_resolution": 0.05}},
                 "features": [{"name": "jet_pt", "dtype": "float32", "shape": [], "unit": "GeV"}, PARTICLE]},
                {"version": "1.1", "format": "parquet", "data_type": "simulation",
                 "derived_from": [{"dataset": "top@1.0", "kind": "conversion"}],
                 "features": [{"name": "jet_pt", "dtype": "float32", "shape": []}, PARTICLE, IMAGE]},
            ],
        }],
        "models": [{
            "id": "particlenet", "name": "ParticleNet", "tasks": ["top-tagging"], "owner": "qu-gouskos",
            "described_in": ["arxiv-1902.08570"],
            "versions": [version, {
                "version": "1.1.0", "framework": "pytorch", "format": "onnx", "inputs": version["inputs"],
                "outputs": version["outputs"], "trained_on": ["top@1.1"],
                "lineage": [{"type": "FINE_TUNED_FROM", "from": "particlenet@1.0.0"}],
            }, *({"version": f"2.0.{i}", "framework": "onnx", "format": "onnx", "inputs": version["inputs"],
                  "outputs": version["outputs"], "trained_on": ["top@1.0"],
                  "lineage": [{"type": "DISTILLED_FROM", "from": "particlenet@1.0.0"}]} for i in range(extra_versions))],
        }],
    }


@pytest.fixture()
def client(neo4j_server: Settings, db: Database, tmp_path: Path) -> Iterator[TestClient]:
    yield from client_for(neo4j_server, index_dir=str(tmp_path / "index"))


MODEL_VERSION = """query ($id: ID!) { node(id: $id) { ... on ModelVersion {
  version createdAt license aliases deprecated deprecationReason
  artifact { uri sha256 sizeBytes }
  hyperparameters { learningRate batchSize epochs optimizer extra }
  reproducibility { codeRepository commit environment trainingConfig seed }
  inputs { name dtype shape kind unit description position }
  outputs { name dtype shape kind description position }
  owner { id name kind models { id } }
  publications { id title authors year arxiv models { id } datasets { id } }
  lineageFrom { type modelVersion { id } }
  lineageTo { type modelVersion { id } }
  evaluations { metric value source { id title } modelVersion { id } }
  model { tasks { id parent { id subtasks { id } } } }
} } }"""


def test_a_model_version_exposes_every_fact(client: TestClient, db: Database) -> None:
    import_documents(db, [("full", full_catalog())])
    r = gql(client, MODEL_VERSION, {"id": "model_version:particlenet@1.0.0"})
    assert r.status_code == 200, r.text
    mv = r.json()["data"]["node"]
    assert mv["createdAt"] == "2019-02-22" and mv["license"] == "MIT" and mv["aliases"] == ["production"]
    assert mv["artifact"] == {"uri": "https://example.org/pn.onnx", "sha256": "ab" * 32, "sizeBytes": None}
    # Hyper-parameter spellings were normalised on import; the unknown key lands in `extra`.
    assert mv["hyperparameters"] == {"learningRate": 0.0003, "batchSize": 384, "epochs": 20, "optimizer": "adam",
                                     "extra": {"k_neighbours": 16}}
    assert mv["reproducibility"] == {"codeRepository": "https://github.com/hqucms/ParticleNet", "commit": "abc123",
                                     "environment": None, "trainingConfig": None, "seed": 42}
    assert [(f["name"], f["shape"], f["kind"], f["position"]) for f in mv["inputs"]] == [
        ("jet_pt", [], "scalar", 0), ("part_pt", [None], "sequence", 1), ("calo_image", [24, 24], "tensor", 2)]
    assert mv["inputs"][0]["unit"] == "GeV"
    assert mv["outputs"] == [{"name": "scores", "dtype": "float32", "shape": [2], "kind": "array",
                              "description": "softmax (QCD, top)", "position": 0}]
    assert mv["owner"] == {"id": "owner:qu-gouskos", "name": "H. Qu and L. Gouskos", "kind": "team",
                           "models": [{"id": "model:particlenet"}]}
    assert mv["publications"] == [{"id": "publication:arxiv-1902.08570",
                                   "title": "ParticleNet: Jet Tagging via Particle Clouds",
                                   "authors": ["Huilin Qu", "Loukas Gouskos"], "year": 2020, "arxiv": "1902.08570",
                                   "models": [{"id": "model:particlenet"}], "datasets": [{"id": "dataset:top"}]}]
    assert mv["lineageFrom"] == []
    assert mv["lineageTo"] == [{"type": "FINE_TUNED_FROM", "modelVersion": {"id": "model_version:particlenet@1.1.0"}}]
    assert mv["evaluations"] == [{"metric": "auc", "value": 0.9858, "modelVersion": {"id": "model_version:particlenet@1.0.0"},
                                  "source": {"id": "publication:arxiv-1902.08570",
                                             "title": "ParticleNet: Jet Tagging via Particle Clouds"}}]
    assert mv["model"]["tasks"] == [{"id": "task:top-tagging", "parent": {
        "id": "task:jet-tagging", "subtasks": [{"id": "task:top-tagging"}]}}]
    newer = gql(client, MODEL_VERSION, {"id": "model_version:particlenet@1.1.0"}).json()["data"]["node"]
    assert newer["lineageFrom"] == [{"type": "FINE_TUNED_FROM", "modelVersion": {"id": "model_version:particlenet@1.0.0"}}]
    assert newer["hyperparameters"]["extra"] == {} and newer["reproducibility"]["seed"] is None


DATASET_VERSION = """query ($id: ID!) { node(id: $id) { ... on DatasetVersion {
  version format location doi digest sizeBytes numEvents dataType
  conditions { sqrtSTev pileupMean runPeriod generator tune detectorSimulation kinematicRange
               parameters { name value } }
  dataset { id owner { id } publications { id } tasks { id datasets { id } } }
  features { name shape kind position }
  derivedFrom { kind datasetVersion { id } }
  derivatives { kind datasetVersion { id } }
  detectors { id experiment { id detectors { id } } datasetVersions { id } }
  trainedModels { id }
} } }"""


def test_a_dataset_version_exposes_conditions_features_and_derivations(client: TestClient, db: Database) -> None:
    import_documents(db, [("full", full_catalog())])
    dv = gql(client, DATASET_VERSION, {"id": "dataset_version:top@1.0"}).json()["data"]["node"]
    assert dv["digest"] == "sha256:" + "cd" * 32 and dv["sizeBytes"] == 1234 and dv["numEvents"] == 2000000
    assert dv["dataType"] == "simulation" and dv["doi"] == "10.5281/zenodo.2603256"
    assert dv["conditions"] == {"sqrtSTev": 14.0, "pileupMean": 0.0, "runPeriod": None, "generator": "Pythia 8.2",
                                "tune": None, "detectorSimulation": "Delphes", "kinematicRange": "550 < pT < 650 GeV",
                                "parameters": [{"name": "detector_pt_resolution", "value": 0.05},
                                               {"name": "jet_pt_centre_gev", "value": 600.0}]}
    assert dv["dataset"] == {"id": "dataset:top", "owner": {"id": "owner:qu-gouskos"},
                             "publications": [{"id": "publication:arxiv-1902.08570"}],
                             "tasks": [{"id": "task:top-tagging", "datasets": [{"id": "dataset:top"}]}]}
    assert [(f["name"], f["kind"], f["position"]) for f in dv["features"]] == [("jet_pt", "scalar", 0),
                                                                               ("part_pt", "sequence", 1)]
    assert dv["derivedFrom"] == []
    assert dv["derivatives"] == [{"kind": "conversion", "datasetVersion": {"id": "dataset_version:top@1.1"}}]
    assert dv["detectors"] == [{"id": "detector:cms-detector",
                                "experiment": {"id": "experiment:cms", "detectors": [{"id": "detector:cms-detector"}]},
                                "datasetVersions": [{"id": "dataset_version:top@1.0"}]}]
    assert dv["trainedModels"] == []
    newer = gql(client, DATASET_VERSION, {"id": "dataset_version:top@1.1"}).json()["data"]["node"]
    assert newer["derivedFrom"] == [{"kind": "conversion", "datasetVersion": {"id": "dataset_version:top@1.0"}}]
    assert [m["id"] for m in newer["trainedModels"]] == ["model_version:particlenet@1.0.0",
                                                         "model_version:particlenet@1.1.0"]


PAGE = """query ($first: Int) { modelVersions(first: $first) { edges { node { id
  artifact { sizeBytes } inputs { name } outputs { name } owner { id } publications { id }
  lineageFrom { type } deployment { benchmarks { p99Ms } }
  datasets { id features { name } derivedFrom { kind } }
} } } }"""


def test_nested_entity_fields_are_batched_whatever_the_page_size(client: TestClient, db: Database) -> None:
    import_documents(db, [("full", full_catalog(extra_versions=60))])
    counts = {}
    for first in (5, 62):
        r = gql(client, PAGE, {"first": first})
        assert r.status_code == 200, r.text
        edges = r.json()["data"]["modelVersions"]["edges"]
        assert len(edges) == first and all(len(e["node"]["inputs"]) == 3 for e in edges)
        counts[first] = int(r.headers["x-graphcat-queries"])
    # One query per relationship set and one for deployment facts, not one per version.
    assert counts[5] == counts[62] <= 12, counts


@pytest.fixture()
def fast_settings(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings, artifact_root=str(tmp_path / "artifacts"), bench_runs=20, bench_warmup=2,
                               index_dir=str(tmp_path / "index"))


DEPLOYMENT = """query ($id: ID!) { node(id: $id) { ... on ModelVersion {
  artifact { sha256 sizeBytes }
  deployment {
    artifactSizeBytes onnxOpset onnxIrVersion onnxProducer
    smokeTests { ok error batch outputShapes onnxruntimeVersion ranAt }
    benchmarks { batch p50Ms p99Ms threads runtime hardware { id kind cores cpuModel } }
    quantizedFrom { method weightType events maxAbsDiff argmaxAgreement outputAgreement original { id } }
    quantizedVersions { id }
  }
} } }"""

FAST = """query ($task: String, $max: Float!, $batch: Int!) {
  fastModels(task: $task, maxP99Ms: $max, batch: $batch) { p50Ms p99Ms batch hardware { id } modelVersion { id } }
}"""


def test_deployment_facts_and_fast_models(db: Database, fast_settings: Settings, tmp_path: Path) -> None:
    import_documents(db, [("tasks", {"graphcat_catalog": 1, "tasks": [
        {"id": "jet-tagging", "name": "Jet tagging"}, {"id": "tracking", "name": "Tracking"}]})])
    onnx = onnx_factory.mlp_classifier(tmp_path / "tagger.onnx")
    reg = deploy.register_onnx(db, fast_settings, onnx, model_id="mlp", version="1", task="jet-tagging",
                               benchmark=True, quantize_int8=True)
    deploy.register_onnx(db, fast_settings, onnx_factory.mlp_classifier(tmp_path / "trk.onnx", hidden=16),
                         model_id="trk", version="1", task="tracking", benchmark=True)
    assert reg.quantized is not None and reg.agreement is not None
    with TestClient(create_app(fast_settings)) as client:
        original = gql(client, DEPLOYMENT, {"id": reg.version_uid}).json()["data"]["node"]
        d = original["deployment"]
        assert original["artifact"]["sizeBytes"] == d["artifactSizeBytes"] == reg.original.artifact.size_bytes > 0
        assert d["onnxOpset"] == onnx_factory.OPSET and d["onnxProducer"] == "graphcat-tests"
        assert [s["ok"] for s in d["smokeTests"]] == [True]
        assert d["smokeTests"][0]["outputShapes"] == {"scores": [d["smokeTests"][0]["batch"], 3]}
        assert sorted(b["batch"] for b in d["benchmarks"]) == [1, 64]
        assert all(b["p50Ms"] <= b["p99Ms"] and b["hardware"]["kind"] == "cpu" and b["runtime"] == "onnxruntime"
                   for b in d["benchmarks"])
        assert d["quantizedFrom"] is None
        assert d["quantizedVersions"] == [{"id": reg.quantized.version_uid}]

        q = gql(client, DEPLOYMENT, {"id": reg.quantized.version_uid}).json()["data"]["node"]["deployment"]
        assert q["quantizedFrom"]["original"] == {"id": reg.version_uid}
        assert q["quantizedFrom"]["weightType"] == "int8" and q["quantizedFrom"]["events"] == reg.agreement.events
        assert q["quantizedFrom"]["maxAbsDiff"] == pytest.approx(reg.agreement.max_abs_diff)
        assert [o["name"] for o in q["quantizedFrom"]["outputAgreement"]] == ["scores"]

        everything = gql(client, FAST, {"task": "jet-tagging", "max": 1e9, "batch": 1}).json()["data"]["fastModels"]
        # Both jet-tagging versions (original and int8), not the tracking model; fastest first.
        assert {f["modelVersion"]["id"] for f in everything} == {reg.version_uid, reg.quantized.version_uid}
        assert [f["p99Ms"] for f in everything] == sorted(f["p99Ms"] for f in everything)
        bound = everything[0]["p99Ms"]
        within = gql(client, FAST, {"task": "task:jet-tagging", "max": bound, "batch": 1}).json()["data"]["fastModels"]
        assert [f["p99Ms"] for f in within] == [bound]
        assert len(gql(client, FAST, {"task": None, "max": 1e9, "batch": 64}).json()["data"]["fastModels"]) == 3
        bad = gql(client, FAST, {"task": None, "max": 0, "batch": 1}).json()
        assert bad["data"] is None and bad["errors"][0]["extensions"]["field"] == "maxP99Ms"
        assert "positive" in bad["errors"][0]["message"]


DATASET_VERSIONS = """query D($filter: DatasetVersionFilter, $first: Int, $after: String) {
  datasetVersions(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id dataType conditions { sqrtSTev generator } } }
  }
}"""


def test_dataset_versions_by_run_conditions_a_page_at_a_time(client: TestClient, db: Database) -> None:
    import_documents(db, [("full", full_catalog())])

    def ids(variables: dict[str, Any]) -> list[str]:
        body = gql(client, DATASET_VERSIONS, variables).json()
        assert "errors" not in body, body
        return [e["node"]["id"] for e in body["data"]["datasetVersions"]["edges"]]

    assert ids({}) == ["dataset_version:top@1.0", "dataset_version:top@1.1"]
    assert ids({"filter": {"generator": "pythia"}}) == ["dataset_version:top@1.0"]
    assert ids({"filter": {"sqrtSTev": 14}}) == ["dataset_version:top@1.0"]
    assert ids({"filter": {"sqrtSTev": 13}}) == []
    # A bare detector id names the detector; an unknown one is an error naming the filter.
    assert ids({"filter": {"detector": "cms-detector"}}) == ["dataset_version:top@1.0"]
    unknown = gql(client, DATASET_VERSIONS, {"filter": {"detector": "lhcb"}}).json()
    assert unknown["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "filters.detector"}
    # Pages: the first item's cursor continues after it, the end cursor after the page.
    first = gql(client, DATASET_VERSIONS, {"first": 1}).json()["data"]["datasetVersions"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
    assert first["edges"][0]["cursor"] == first["pageInfo"]["endCursor"]
    assert ids({"first": 1, "after": first["pageInfo"]["endCursor"]}) == ["dataset_version:top@1.1"]
    bad = gql(client, DATASET_VERSIONS, {"filter": {"dataType": "real"}}).json()
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_sizes_and_event_counts_past_32_bits_are_served(db: Database, settings: Settings) -> None:
    """A 190 GB dataset of 3 billion events: GraphQL's Int (32-bit) cannot carry it, Long can."""
    doc = {"graphcat_catalog": 1, "datasets": [{"id": "big", "name": "Run-2 JetHT", "versions": [
        {"version": "1", "size_bytes": 190_000_000_000, "num_events": 3_000_000_000, "data_type": "data"}]}]}
    import_documents(db, [("big.yaml", doc)])
    with TestClient(create_app(settings)) as client:
        body = gql(client, '{ node(id: "dataset_version:big@1") { ... on DatasetVersion { sizeBytes numEvents } } }').json()
    assert "errors" not in body, body
    assert body["data"]["node"] == {"sizeBytes": 190_000_000_000, "numEvents": 3_000_000_000}
