"""Real MLflow registries for the import-mlflow tests, built with the `mlflow` package in a tmp dir.

`build_registry` logs runs (params, metrics, a training and an evaluation dataset through
`mlflow.data`, a model with a signature) and registers versions of two models; nothing is
loaded from a hub and no server is needed (sqlite backend, local artifact folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import mlflow
import mlflow.pyfunc
from mlflow import MlflowClient
from mlflow.models import infer_signature
from mlflow.types import ColSpec, Schema, TensorSpec
from mlflow.models.signature import ModelSignature

os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")


class Scores(mlflow.pyfunc.PythonModel):
    """A tiny real pyfunc model: a fixed linear score of the four inputs."""

    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        return np.asarray(model_input, dtype="float32").sum(axis=-1, keepdims=True)


def column_signature() -> ModelSignature:
    return ModelSignature(inputs=Schema([ColSpec("double", "jet_pt"), ColSpec("double", "jet_eta"),
                                         ColSpec("long", "n_constituents"), ColSpec("string", "label", required=False)]),
                          outputs=Schema([ColSpec("double", "score")]))


def tensor_signature() -> ModelSignature:
    return ModelSignature(inputs=Schema([TensorSpec(np.dtype("float32"), (-1, 100, 4), "part_features"),
                                         TensorSpec(np.dtype("float32"), (-1, 100), "part_mask")]),
                          outputs=Schema([TensorSpec(np.dtype("float32"), (-1, 2), "probs")]))


def tracking_uri(folder: Path) -> str:
    return f"sqlite:///{folder / 'mlflow.db'}"


def log_version(client: MlflowClient, uri: str, model: str, *, signature: ModelSignature, params: dict[str, Any],
                metrics: dict[str, float], train: pd.DataFrame, evaluation: pd.DataFrame | None = None,
                tags: dict[str, str] | None = None, description: str | None = None,
                run_tags: dict[str, str] | None = None) -> str:
    """One run with a logged model, registered as the next version of `model`; returns the version."""
    mlflow.set_tracking_uri(uri)
    experiment = client.get_experiment_by_name("jet-tagging")
    if experiment is None and uri.startswith("sqlite:///"):  # artifacts beside the registry, not in the cwd
        folder = Path(uri[len("sqlite:///"):]).parent
        client.create_experiment("jet-tagging", artifact_location=(folder / "artifacts").as_uri())
    elif experiment is None:  # a tracking server: its proxied artifact store (mlflow-artifacts:/)
        client.create_experiment("jet-tagging")
    mlflow.set_experiment("jet-tagging")
    with mlflow.start_run(tags=run_tags or {}) as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        mlflow.log_input(mlflow.data.from_pandas(train, source="file:///data/qcd_top_train.parquet", name="qcd-top-train"),
                         context="training")
        if evaluation is not None:
            mlflow.log_input(mlflow.data.from_pandas(evaluation, source="file:///data/qcd_top_test.parquet",
                                                     name="qcd-top-test"), context="evaluation")
        info = mlflow.pyfunc.log_model(name="model", python_model=Scores(), signature=signature,
                                       pip_requirements=["numpy", "pandas"])
    if not client.search_registered_models(filter_string=f"name = '{model}'"):
        client.create_registered_model(model, description=f"{model}: a test tagger")
    mv = client.create_model_version(model, source=info.model_uri, run_id=run.info.run_id, tags=tags or {},
                                     description=description, model_id=info.model_id)
    return mv.version


def frames(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    def one(n: int) -> pd.DataFrame:
        return pd.DataFrame({"jet_pt": rng.uniform(500, 700, n), "jet_eta": rng.uniform(-2, 2, n),
                             "n_constituents": rng.integers(10, 100, n), "is_top": rng.integers(0, 2, n)})
    return one(50), one(20)


def build_registry(folder: Path, uri: str | None = None) -> dict[str, Any]:
    """Two models: `Top Tagger` (2 versions, alias champion on 2, column signature, train + eval
    datasets) and `pnet-lite` (1 version, tensor signature, train dataset only).

    In a sqlite registry under `folder`, or through the tracking server at `uri` (http://...)."""
    uri = uri or tracking_uri(folder)
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    train, test = frames()
    git = {"mlflow.source.git.commit": "0123456789abcdef0123456789abcdef01234567",
           "mlflow.source.git.repoURL": "https://example.org/hep/top-tagger.git",
           "mlflow.source.name": "train.py"}
    v1 = log_version(client, uri, "Top Tagger", signature=column_signature(),
                     params={"lr": "0.001", "batch_size": "128", "epochs": "5", "optimizer": "Adam", "seed": "42",
                             "hidden": "64"},
                     metrics={"auc": 0.91, "accuracy": 0.85}, train=train, evaluation=test,
                     tags={"team": "top"}, description="first try", run_tags=git)
    v2 = log_version(client, uri, "Top Tagger", signature=column_signature(),
                     params={"lr": "0.0005", "batch_size": "256", "epochs": "10", "optimizer": "adam", "seed": "7"},
                     metrics={"auc": 0.93, "accuracy": 0.87}, train=train, evaluation=test,
                     tags={"team": "top", "reviewed": "yes"}, description="longer training", run_tags=git)
    client.set_registered_model_alias("Top Tagger", "champion", v2)
    client.set_registered_model_tag("Top Tagger", "domain", "jets")
    p1 = log_version(client, uri, "pnet-lite", signature=tensor_signature(), params={"learning_rate": "0.01"},
                     metrics={"loss": 0.3}, train=train)
    return {"uri": uri, "client": client, "versions": {"Top Tagger": [v1, v2], "pnet-lite": [p1]}}
