"""evaluateOnData as a job in a worker process, over HTTP against the real Neo4j: `wait: 0` answers
the job at once and `evaluationJob` is polled to its result (only with the token that started it);
a job over the time limit and a cancelled job end with their typed error and record nothing; an
upload over GRAPHCAT_MAX_UPLOAD_BYTES is refused while it streams to disk."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

import evaluation_factory as factory
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.service import deploy
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphql_helpers import gql, payload, post_upload, token

JOB = "id state rowsDone rowsTotal seconds workerPeakRssBytes error { code message field } result { rows metrics { metric value } }"
EVALUATE = """mutation ($file: Upload, $label: String!, $record: Boolean!, $wait: Float) {
  evaluateOnData(modelVersion: "model_version:mass-tagger@1", file: $file, label: $label, record: $record, wait: $wait) {
    __typename
    ... on UserError { message code field }
    ... on EvaluationOnData { rows recorded }
    ... on EvaluationJob { %s }
  }
}""" % JOB
POLL = "query ($id: ID!) { evaluationJob(id: $id) { __typename ... on UserError { code message } ... on EvaluationJob { %s } } }" % JOB
CANCEL = "mutation ($id: ID!) { cancelEvaluation(id: $id) { __typename ... on EvaluationJob { %s } } }" % JOB


def app_for(db: Database, settings: Settings, tmp_path: Path, **overrides: Any) -> Iterator[TestClient]:
    local = dataclasses.replace(settings, artifact_root=str(tmp_path / "artifacts"), index_dir=str(tmp_path / "index"),
                                **overrides)
    import_documents(db, [("tasks", {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "Jet tagging"}]})])
    deploy.register_onnx(db, local, factory.mass_tagger(tmp_path / "mass.onnx"), model_id="mass-tagger", version="1",
                         task="jet-tagging")
    with TestClient(create_app(local)) as client:
        yield client


@pytest.fixture()
def client(db: Database, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    yield from app_for(db, settings, tmp_path)


def start(client: TestClient, path: Path, bearer: str, **variables: Any) -> dict[str, Any]:
    return payload(post_upload(client, EVALUATE, {"label": "label", "record": False, **variables}, path, bearer),
                   "evaluateOnData")  # type: ignore[no-any-return]


def poll(client: TestClient, job_id: str, bearer: str, until: float = 600.0) -> dict[str, Any]:
    deadline = time.monotonic() + until
    while True:
        job = payload(gql(client, POLL, {"id": job_id}, token=bearer), "evaluationJob")
        if job["__typename"] != "EvaluationJob" or job["state"] in ("DONE", "FAILED", "CANCELLED"):
            return job  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def evaluations(db: Database) -> int:
    return int(db.driver.execute_query("MATCH (n:Evaluation) RETURN count(n) AS n").records[0]["n"])


def test_wait_zero_answers_the_job_and_the_poll_its_result(db: Database, client: TestClient, tmp_path: Path) -> None:
    path = factory.write(factory.jets(5000, seed=21), tmp_path / "jets.parquet")
    writer = token(db, "writer")
    job = start(client, path, writer, wait=0.0)
    assert job["__typename"] == "EvaluationJob" and job["state"] in ("QUEUED", "RUNNING"), job
    done = poll(client, job["id"], writer)
    assert done["state"] == "DONE" and done["error"] is None, done
    assert done["rowsDone"] == done["rowsTotal"] == 5000 and done["result"]["rows"] == 5000
    assert done["result"]["metrics"] == [{"metric": "auc", "value": 1.0}]
    assert done["workerPeakRssBytes"] > 10 * 2**20 and done["seconds"] > 0
    other = payload(gql(client, POLL, {"id": job["id"]}, token=token(db, "writer")), "evaluationJob")
    assert other["__typename"] == "InvalidInputError" and "another caller" in other["message"]
    unknown = payload(gql(client, POLL, {"id": "nope"}, token=writer), "evaluationJob")
    assert unknown["__typename"] == "NotFoundError" and unknown["code"] == "UNKNOWN_JOB"


def test_time_limit_stops_the_worker_and_records_nothing(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = factory.write(factory.jets(2000, seed=22), tmp_path / "jets.csv")
    for client in app_for(db, settings, tmp_path, evaluation_time_limit_s=0.01, evaluation_wait_s=600.0):
        error = start(client, path, token(db, "writer"), record=True)
        assert error["__typename"] == "InvalidInputError" and error["code"] == "TIME_LIMIT", error
        assert "GRAPHCAT_EVALUATION_TIME_LIMIT_S" in error["message"] and "nothing was recorded" in error["message"]
    assert evaluations(db) == 0


def test_cancel_stops_the_worker_and_records_nothing(db: Database, client: TestClient, tmp_path: Path) -> None:
    path = factory.write(factory.jets(400_000, seed=23), tmp_path / "jets.csv")  # a few seconds of reading
    writer = token(db, "writer")
    job = start(client, path, writer, record=True, wait=0.0)
    cancelled = payload(gql(client, CANCEL, {"id": job["id"]}, token=writer), "cancelEvaluation")
    assert cancelled["state"] == "CANCELLED" and cancelled["error"]["code"] == "CANCELLED", cancelled
    assert poll(client, job["id"], writer)["state"] == "CANCELLED"
    assert evaluations(db) == 0


def test_an_upload_over_the_limit_is_refused_while_it_streams(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = factory.write(factory.jets(3000, seed=24), tmp_path / "jets.csv")
    limit = path.stat().st_size // 2
    for client in app_for(db, settings, tmp_path, max_upload_bytes=limit):
        error = start(client, path, token(db, "writer"))
        assert error["__typename"] == "InvalidInputError" and error["field"] == "file", error
        assert f"over {limit} bytes" in error["message"] and "GRAPHCAT_MAX_UPLOAD_BYTES" in error["message"]
