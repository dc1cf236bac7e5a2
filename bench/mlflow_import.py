"""Importing an MLflow registry of 1,000 model versions (issue 14) beside MLflow's own client.

    .venv/bin/python -m bench.mlflow_import [--versions 1000] [--models 50] [--rounds 3] [--no-docs]

EMPTIES the catalog of GRAPHCAT_NEO4J_URI (point it at a scratch server). The registry is a real
MLflow sqlite registry built with the `mlflow` client (cached under .graphcat/bench/mlflow-N/):
`--models` registered models sharing `--versions` versions; each version is a run with params,
metrics, a training and an evaluation dataset logged through `mlflow.data`, and a model folder
(MLmodel with a column signature, requirements.txt) logged as artifacts.

Per round, side by side on the same registry:
- **MLflow client alone**: what any tool needs just to list and read the versions with MlflowClient
  and mlflow.artifacts: every registered model, every version, its run, its MLmodel (parsed) and
  environment files. Written here independently of graphcat's reader.
- **graphcat import-mlflow**, first import into an empty catalog (read + map + one transaction).
- **graphcat re-import**, nothing changed (read + map + compare, nothing written).
The goal (issue 14): the first import takes at most 2x the client alone.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.common import ROOT, machine, table, write_section

CACHE = ROOT / ".graphcat" / "bench"
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
# Both sides without a progress bar per downloaded file (graphcat turns it off by default).
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")


def build(folder: Path, versions: int, models: int) -> str:
    """A sqlite registry of `versions` versions over `models` models (built once, then reused)."""
    import mlflow
    from mlflow import MlflowClient
    from mlflow.models import Model
    from mlflow.models.signature import ModelSignature
    from mlflow.types import ColSpec, Schema

    uri = f"sqlite:///{folder / 'mlflow.db'}"
    done = folder / "complete"
    if done.is_file():
        return uri
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_file():
            stale.unlink()
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment(f"bench-{time.time_ns()}", artifact_location=(folder / "artifacts").as_uri())
    rng = np.random.default_rng(0)
    columns = ["jet_pt", "jet_eta", "jet_phi", "jet_mass", "n_constituents"]
    signature = ModelSignature(inputs=Schema([ColSpec("double", c) for c in columns[:-1]] + [ColSpec("long", columns[-1])]),
                               outputs=Schema([ColSpec("double", "score")]))
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        model_dir.mkdir()
        Model(flavors={"python_function": {"loader_module": "bench_model", "python_version": "3.11"}},
              signature=signature).save(str(model_dir / "MLmodel"))
        (model_dir / "requirements.txt").write_text("numpy\npandas\n")
        for i in range(versions):
            name = f"tagger-{i % models:03d}"
            frame = pd.DataFrame({c: rng.normal(size=20) for c in columns})
            with mlflow.start_run(experiment_id=experiment) as run:
                mlflow.log_params({"lr": f"{1e-3 * (1 + i % 7):g}", "batch_size": "128", "epochs": str(5 + i % 10),
                                   "optimizer": "adam", "seed": str(i)})
                mlflow.log_metrics({"auc": 0.8 + (i % 100) / 1000, "accuracy": 0.7 + (i % 50) / 1000})
                mlflow.log_input(mlflow.data.from_pandas(frame, source=f"file:///data/train_{i % models}.parquet",
                                                         name=f"train-{i % models:03d}"), context="training")
                mlflow.log_input(mlflow.data.from_pandas(frame.head(10), source=f"file:///data/test_{i % models}.parquet",
                                                         name=f"test-{i % models:03d}"), context="evaluation")
                mlflow.log_artifacts(str(model_dir), "model")
                source = f"{run.info.artifact_uri}/model"
            if i < models:
                client.create_registered_model(name, description=f"{name}: benchmark tagger")
            client.create_model_version(name, source=source, run_id=run.info.run_id, tags={"bench": "yes"})
    done.write_text(f"{versions} versions over {models} models\n")
    return uri


def client_alone(uri: str) -> int:
    """List and read every version with MlflowClient and mlflow.artifacts; returns the versions read."""
    import mlflow.artifacts
    from mlflow import MlflowClient
    from mlflow.models import Model

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    count, token = 0, None
    models: list[Any] = []
    while True:
        page = client.search_registered_models(max_results=1000, page_token=token)
        models.extend(page)
        token = page.token
        if not token:
            break
    with tempfile.TemporaryDirectory() as tmp:
        for m in models:
            for mv in client.search_model_versions(f"name = '{m.name}'", max_results=10000):
                client.get_run(mv.run_id)
                root = client.get_model_version_download_uri(m.name, mv.version).rstrip("/")
                files = {Path(f.path).name for f in mlflow.artifacts.list_artifacts(artifact_uri=root, tracking_uri=uri)}
                local = {f: mlflow.artifacts.download_artifacts(artifact_uri=f"{root}/{f}", tracking_uri=uri, dst_path=tmp)
                         for f in ("MLmodel", "requirements.txt") if f in files}
                Model.load(local["MLmodel"])
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mlflow_import", description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("neo4j").setLevel(logging.ERROR)  # "label does not exist" notices on an empty catalog

    from graphcat.interop.commands import import_mlflow
    from graphcat.interop.mlflow import READ_THREADS
    from graphcat.settings import Settings
    from graphcat.store import migrations
    from graphcat.store.admin import clear_catalog
    from graphcat.store.database import Database

    folder = CACHE / f"mlflow-{args.versions}-{args.models}"
    t = time.perf_counter()
    uri = build(folder, args.versions, args.models)
    print(f"registry {uri} ready in {time.perf_counter() - t:.1f} s", flush=True)
    settings = Settings.from_env(env_file=ROOT / ".env")
    times: dict[str, list[float]] = {"client": [], "import": [], "reimport": []}
    with Database(settings) as db:
        migrations.apply(db)
        info = machine(db)
        for r in range(args.rounds):
            t = time.perf_counter()
            read = client_alone(uri)
            times["client"].append(time.perf_counter() - t)
            assert read == args.versions, f"client read {read} versions, expected {args.versions}"
            clear_catalog(db)
            t = time.perf_counter()
            report = import_mlflow(db, uri)
            times["import"].append(time.perf_counter() - t)
            assert report.created.get("model_version") == args.versions, report.created
            t = time.perf_counter()
            again = import_mlflow(db, uri)
            times["reimport"].append(time.perf_counter() - t)
            assert not again.created and not again.updated, (again.created, again.updated)
            print(f"round {r + 1}: client {times['client'][-1]:.1f} s, import {times['import'][-1]:.1f} s, "
                  f"re-import {times['reimport'][-1]:.1f} s", flush=True)
        clear_catalog(db)
    base = statistics.median(times["client"])
    rows = []
    for key, label in (("client", "MLflow client alone: list + read every version"),
                       ("import", "graphcat import-mlflow, empty catalog"),
                       ("reimport", "graphcat import-mlflow again, nothing changed")):
        med = statistics.median(times[key])
        rows.append([label, f"{med:.1f}", f"{min(times[key]):.1f}", f"{max(times[key]):.1f}",
                     f"{args.versions / med:.0f}", f"{med / base:.2f}x"])
    body = table(["", "median s", "min s", "max s", "versions/s", "vs client"], rows)
    verdict = "met" if statistics.median(times["import"]) <= 2 * base else "NOT met"
    line = (f"Run {info['date']}: `python -m bench.mlflow_import --versions {args.versions} --models {args.models} "
            f"--rounds {args.rounds}` on {info['cpu']}, {info['memory']}, load average "
            f"{info['load average at start (1 min)']}; Neo4j {info.get('neo4j', '?')}; sqlite registry, "
            f"{args.versions} versions over {args.models} models, each with a run (5 params, 2 metrics, 2 logged "
            f"datasets) and an MLmodel + requirements.txt. The client alone reads one version after another, as a "
            f"script would; graphcat reads {READ_THREADS} versions at a time (graphcat.interop.mlflow.READ_THREADS).")
    text = (f"## Import 1,000 MLflow model versions (bench/mlflow_import.py, issue 14)\n\n{line}\n\n{body}\n\n"
            f"Goal: the first import within 2x the client alone: **{verdict}** "
            f"({statistics.median(times['import']) / base:.2f}x).")
    print(text)
    if not args.no_docs:
        write_section("interop-mlflow", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
