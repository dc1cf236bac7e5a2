"""bench/peers_mlflow.py's questions on ~50 versions: graphcat (real Neo4j, GraphQL) and a real MLflow
sqlite registry give the same sets of versions, and the sets the catalog records say."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from mlflow import MlflowClient
from starlette.testclient import TestClient

from bench.peers_mlflow_questions import expected, graphcat_all, graphcat_page, mlflow_all, variants
from bench.peers_mlflow_registry import cached_registry, read_catalog
from bench.synthetic import catalog_files, generate
from graphcat.catalog.bulk import bulk_import
from graphcat.store.database import Database
from tests.graphql_helpers import client_for


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list]:
    folder = tmp_path_factory.mktemp("synthetic")
    generate(50, folder, seed=0)
    files = catalog_files(folder)
    return files, read_catalog(files)


@pytest.fixture()
def both(db: Database, catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, MlflowClient, list]]:
    files, models = catalog
    bulk_import(db, files, progress=False)
    encoder_dir = str(Path(db.settings.encoder_dir).resolve())  # the exported sentence model, made once
    monkeypatch.chdir(tmp_path)  # MLflow's default artifact folder (./mlartifacts) goes to the tmp dir
    uri, figures = cached_registry(tmp_path / "mlflow", models)
    assert figures["versions"] == 50 and not figures["cached"]
    for client in client_for(db.settings, index_dir=str(tmp_path / "index"), encoder_dir=encoder_dir):
        yield client, MlflowClient(tracking_uri=uri, registry_uri=uri), models


def test_task_and_experiment_filter_same_set_on_both_sides(both) -> None:
    graphcat, mlflow, models = both
    checked = 0
    through_subtask = 0
    for v in variants(models, n=100)["task+experiment"]:
        truth = expected(models, v)
        assert truth, v  # variants are drawn from pairs that occur
        assert graphcat_all(graphcat, v, first=7) == truth, v.label  # several graphcat pages
        assert mlflow_all(mlflow, v, max_results=7) == truth, v.label  # several MLflow pages
        task = v.label.partition(" + ")[0]
        through_subtask += any(task not in _own_tasks(models, ident) for ident in truth)
        checked += 1
    assert checked >= 10
    # the parent-task tags matter: some answers hold versions whose model names only a subtask
    assert through_subtask > 0


def test_model_and_prefix_questions_agree(both) -> None:
    graphcat, mlflow, models = both
    qs = variants(models, n=5)
    for v in [*qs["model"], *qs["name prefix"]]:
        truth = expected(models, v)
        assert truth and graphcat_all(graphcat, v) == truth == mlflow_all(mlflow, v), v.label
    assert all(len(expected(models, v)) > 1 for v in qs["model"])


def test_a_wrong_filter_is_an_error_not_an_empty_answer(both) -> None:
    graphcat, _, models = both
    v = variants(models, n=1)["task+experiment"][0]
    bad = type(v)(v.question, v.label, v.graphql, {"filter": {"task": "task:x", "nonsense": 1}}, v.mlflow_filter)
    with pytest.raises(RuntimeError, match="graphcat answered errors"):
        graphcat_page(graphcat, bad)


def _own_tasks(models: list, version_id: str) -> set[str]:
    model_id = version_id.partition("@")[0]
    (m,) = [m for m in models if m.catalog_id == model_id]
    return set(m.tasks)


def test_registry_is_reused_and_a_broken_catalog_file_is_named(catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files, models = catalog
    monkeypatch.chdir(tmp_path)
    few = models[:3]
    uri, first = cached_registry(tmp_path / "mlflow", few)
    again_uri, again = cached_registry(tmp_path / "mlflow", few)
    assert (again_uri, again["cached"], again["date"]) == (uri, True, first["date"]) and not first["cached"]
    names = {m.name for m in MlflowClient(tracking_uri=uri, registry_uri=uri).search_registered_models()}
    assert names == {m.catalog_id for m in few}
    broken = tmp_path / "models-9999.json"
    broken.write_text('{"graphcat_catalog": 1, "models": [{"id": "x", "name": "X", "versions": [{"version": "1.0", '
                      '"trained_on": ["no-such-dataset@1.0"]}]}]}')
    with pytest.raises(ValueError, match=r"models-9999.json: .*x@1.0: trained_on \['no-such-dataset@1.0'\] not in"):
        read_catalog([files[0], broken])
    broken.write_text('{"graphcat_catalog": 1, "models": [{"id": "x", "versions": []}]}')
    with pytest.raises(ValueError, match="models-9999.json: an entry lacks the field 'name'"):
        read_catalog([files[0], broken])
