"""`evaluateOnData` (multipart upload) and `leaderboard` over HTTP against the real Neo4j: a writer
measures without recording (nothing written), then with `record: true` and the model ranks on the
leaderboard (readable without a token); a reader is refused; a typed error with its code for an
input the file cannot feed (nothing written)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from starlette.testclient import TestClient

import evaluation_factory as factory
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.service import deploy
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphql_helpers import gql, payload, post_upload, token

EVALUATE = """mutation ($file: Upload, $model: ID!, $label: String!, $metrics: [String!], $record: Boolean!) {
  evaluateOnData(modelVersion: $model, file: $file, label: $label, metrics: $metrics, record: $record) {
    __typename
    ... on UserError { message code field }
    ... on EvaluationOnData { modelVersion rows source recorded datasetVersion evaluations
                              metrics { metric value low high gap } mapping { input expression } }
  }
}"""
BOARD = """query ($dataset: ID!, $metric: String!, $first: Int!, $after: String) {
  leaderboard(dataset: $dataset, metric: $metric, first: $first, after: $after) {
    metric lowerIsBetter totalCount pageInfo { hasNextPage endCursor }
    edges { node { rank modelVersion value kind low high rows } }
  }
}"""


@pytest.fixture()
def local(db: Database, settings: Settings, tmp_path: Path) -> Settings:
    local = dataclasses.replace(settings, artifact_root=str(tmp_path / "artifacts"), index_dir=str(tmp_path / "index"),
                                evaluation_wait_s=600.0)  # the result, however loaded the machine
    import_documents(db, [("tasks", {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "Jet tagging"}]})])
    deploy.register_onnx(db, local, factory.mass_tagger(tmp_path / "mass.onnx"), model_id="mass-tagger", version="1",
                         task="jet-tagging")
    return local


@pytest.fixture()
def client(local: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(local)) as c:
        yield c


def post_file(client: TestClient, path: Path, bearer: str, **variables: Any) -> Any:
    return post_upload(client, EVALUATE, {"model": "model_version:mass-tagger@1", "label": "label", "record": False,
                                          **variables}, path, bearer)


def evaluate(client: TestClient, path: Path, bearer: str, **variables: Any) -> dict[str, Any]:
    return payload(post_file(client, path, bearer, **variables), "evaluateOnData")  # type: ignore[no-any-return]


def test_evaluate_upload_record_and_leaderboard(db: Database, client: TestClient, tmp_path: Path) -> None:
    path = factory.write(factory.jets(300, seed=11), tmp_path / "jets.parquet")
    reader, writer = token(db, "reader"), token(db, "writer")
    refused = post_file(client, path, reader)
    assert refused.status_code == 403 and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    measured = evaluate(client, path, writer, metrics=["auc", "mse"])
    assert measured["__typename"] == "EvaluationOnData" and not measured["recorded"]
    assert db.driver.execute_query("MATCH (n:Evaluation) RETURN count(n) AS n").records[0]["n"] == 0
    assert measured["rows"] == 300 and measured["source"] == "jets.parquet"
    assert [m["metric"] for m in measured["metrics"]] == ["auc", "mse"] and measured["metrics"][0]["value"] == 1.0
    recorded = evaluate(client, path, writer, record=True)
    assert recorded["recorded"] and recorded["datasetVersion"].startswith("dataset_version:upload-")
    answer = gql(client, BOARD, {"dataset": recorded["datasetVersion"], "metric": "auc", "first": 1}).json()
    assert "errors" not in answer, answer
    board = answer["data"]["leaderboard"]
    assert board["totalCount"] == 1 and not board["pageInfo"]["hasNextPage"] and not board["lowerIsBetter"]
    node = board["edges"][0]["node"]
    interval = (node.pop("low"), node.pop("high"))
    assert node == {"rank": 1, "modelVersion": "model_version:mass-tagger@1", "value": 1.0, "kind": "MEASURED",
                    "rows": 300}
    assert interval == pytest.approx((1.0, 1.0))  # separable labels: every resample has AUC 1


def test_unfed_input_is_a_typed_error(db: Database, client: TestClient, tmp_path: Path) -> None:
    table = factory.jets(50, seed=12)
    path = factory.write({k: v for k, v in table.items() if k != "jet_mass"}, tmp_path / "no_mass.csv")
    error = evaluate(client, path, token(db, "writer"), record=True)
    assert error["__typename"] == "InvalidInputError" and error["code"] == "INPUT_NOT_FED"
    assert error["field"] == "jet_mass" and "columns tried" in error["message"]
    count = db.driver.execute_query("MATCH (n:Evaluation) RETURN count(n) AS n").records[0]["n"]
    assert count == 0


def test_leaderboard_pages(db: Database, client: TestClient, local: Settings, tmp_path: Path) -> None:
    deploy.register_onnx(db, local, factory.identity_model(tmp_path / "raw.onnx", "jet_mass"), model_id="raw-mass",
                         version="1", task="jet-tagging")
    table = factory.jets(200, seed=15)
    table["label"] = (table["jet_mass"] > 130).astype(np.int64)  # the raw mass separates it, the sigmoid too
    path = factory.write(table, tmp_path / "jets.npz")
    writer = token(db, "writer")
    dataset = evaluate(client, path, writer, record=True, metrics=["mse"])["datasetVersion"]
    evaluate(client, path, writer, record=True, metrics=["mse"], model="model_version:raw-mass@1")
    seen, after = [], None
    while True:
        answer = gql(client, BOARD, {"dataset": dataset, "metric": "mse", "first": 1, "after": after}).json()
        board = answer["data"]["leaderboard"]
        assert board["lowerIsBetter"] and board["totalCount"] == 2
        seen += [(e["node"]["rank"], e["node"]["modelVersion"], e["node"]["value"]) for e in board["edges"]]
        if not board["pageInfo"]["hasNextPage"]:
            break
        after = board["pageInfo"]["endCursor"]
    # mse of the sigmoid around 100 against a cut at 130 is far below that of the raw mass (~ 100^2).
    assert [uid for _, uid, _ in seen] == ["model_version:mass-tagger@1", "model_version:raw-mass@1"]
    assert [r for r, _, _ in seen] == [1, 2] and seen[0][2] < 1.0 < seen[1][2]


ABOUT = """mutation ($file: Upload, $about: FileAboutInput) {
  evaluateOnData(modelVersion: "model_version:mass-tagger@1", file: $file, label: "label", record: false, about: $about) {
    __typename
    ... on UserError { message code field }
    ... on EvaluationOnData { datasetVersion metrics { value estimateStatus estimate gap } }
  }
}"""


def test_about_gives_an_upload_an_estimate_over_http(db: Database, client: TestClient, tmp_path: Path) -> None:
    from graphcat.service import catalog as catalog_service

    cond = {"sqrt_s_tev": 13.0, "generator": "pythia8", "pileup_mean": 0}
    catalog_service.register(db, {"graphcat_catalog": 1, "datasets": [{"id": "jets", "name": "Jets", "tasks": ["jet-tagging"],
                                                                       "versions": [{"version": "a", "conditions": cond}]}]})
    catalog_service.record_evaluation(db, "model_version:mass-tagger@1", {"dataset": "jets@a", "metric": "auc", "value": 0.9})
    path = factory.write(factory.jets(200, seed=31), tmp_path / "mine.csv")
    writer = token(db, "writer")
    about = {"dataType": "simulation", "conditions": {"sqrtSTev": 13.0, "generator": "pythia8", "pileupMean": 40,
                                                      "parameters": [{"name": "jet_pt_centre_gev", "value": 450}]}}
    told = payload(post_upload(client, ABOUT, {"about": about}, path, writer), "evaluateOnData")
    assert told["__typename"] == "EvaluationOnData" and told["datasetVersion"] is None, told
    metric = told["metrics"][0]
    assert metric["estimateStatus"] == "estimated" and metric["gap"] == pytest.approx(metric["value"] - metric["estimate"])
    bad = payload(post_upload(client, ABOUT, {"about": {"conditions": {"sqrtSTev": -2}}}, path, writer), "evaluateOnData")
    assert bad["__typename"] == "InvalidInputError" and bad["field"] == "about.conditions.sqrt_s_tev", bad
    assert db.driver.execute_query("MATCH (n:Evaluation) RETURN count(n) AS n").records[0]["n"] == 1
