"""The demo's entries from other tools: a Hugging Face model card, a Croissant file, an MLflow registry,
a folder of ONNX files.

`graphcat demo load` imports graphcat/demo/hep-catalog.yaml, then these through the same commands a
user runs (`graphcat import-card`, `graphcat import-croissant`, `graphcat import-mlflow`), so a newcomer sees imported models
beside hand-written ones. The MLflow registry is built with the `mlflow` client under
`.graphcat/demo-mlflow/` (kept: `mlflow ui --backend-store-uri sqlite:///.graphcat/demo-mlflow/mlflow.db`
shows it) the first time, then re-imported (a no-op when nothing changed). The ONNX folder
(graphcat.interop.demo_onnx) goes through `graphcat import-onnx`.
"""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

from graphcat.domain import ImportReport
from graphcat.interop import demo_onnx
from graphcat.settings import Settings
from graphcat.store.database import Database

MLFLOW_FOLDER = Path(".graphcat") / "demo-mlflow"
# The 16 high-level features of the hls4ml LHC jet dataset (the demo catalog's hls4ml-lhc-jets-hlf).
HLF = ("j_zlogz", "j_c1_b0_mmdt", "j_c1_b1_mmdt", "j_c1_b2_mmdt", "j_c2_b1_mmdt", "j_c2_b2_mmdt",
       "j_d2_b1_mmdt", "j_d2_b2_mmdt", "j_d2_a1_b1_mmdt", "j_d2_a1_b2_mmdt", "j_m2_b1_mmdt", "j_m2_b2_mmdt",
       "j_n2_b1_mmdt", "j_n2_b2_mmdt", "j_mass_mmdt", "j_multiplicity")
CLASSES = ("p_gluon", "p_quark", "p_w", "p_z", "p_top")
MODEL = "Jet Substructure BDT"
VERSIONS = (  # (params, metrics, description): two trainings of one model, the second the champion
    ({"n_estimators": "300", "max_depth": "4", "learning_rate": "0.1", "seed": "1"},
     {"accuracy": 0.731, "roc_auc": 0.925}, "baseline boosted decision trees on the 16 HLF features"),
    ({"n_estimators": "800", "max_depth": "6", "learning_rate": "0.05", "seed": "2"},
     {"accuracy": 0.752, "roc_auc": 0.936}, "deeper trees, smaller learning rate"),
)


def _shipped(folder: str) -> Path:
    return Path(str(resources.files("graphcat").joinpath(f"demo/interop/{folder}")))


def card_folders() -> list[Path]:
    return sorted(p for p in _shipped("cards").iterdir() if (p / "README.md").is_file())


def croissant_files() -> list[Path]:
    """Croissant descriptions of data shipped with graphcat (the study's base sample, with its sha256)."""
    return sorted(_shipped("croissant").glob("*.json"))


def load(db: Database, settings: Settings, mlflow_folder: Path = MLFLOW_FOLDER,
         onnx_folder: Path = demo_onnx.FOLDER) -> list[tuple[str, ImportReport]]:
    """Import the demo's model cards, Croissant files, MLflow registry and ONNX folder; (what, report) for each."""
    from graphcat.interop.card_commands import import_card
    from graphcat.interop.commands import import_mlflow
    from graphcat.interop.croissant import import_croissant
    from graphcat.interop.onnx_folder import import_onnx_folder

    done = [(f"model card {folder.name}", import_card(db, settings, folder)) for folder in card_folders()]
    done += [(f"Croissant {path.name}", import_croissant(db, path)) for path in croissant_files()]
    uri = build_mlflow_registry(mlflow_folder)
    done.append((f"MLflow registry {uri}", import_mlflow(db, uri)))
    folder = demo_onnx.build_folder(onnx_folder, HLF, CLASSES)
    done.append((f"ONNX folder {folder}", import_onnx_folder(db, settings, folder).imported))
    return done


def build_mlflow_registry(folder: Path) -> str:
    """A small real MLflow sqlite registry: one model, two versions, an alias, logged datasets."""
    os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
    import mlflow
    import numpy as np
    import pandas as pd
    from mlflow import MlflowClient
    from mlflow.models import Model
    from mlflow.models.signature import ModelSignature
    from mlflow.types import ColSpec, Schema

    folder = folder.resolve()
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    if (folder / "complete").is_file():
        return uri
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mlflow.db").unlink(missing_ok=True)  # a build cut short starts again
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    mlflow.set_tracking_uri(uri)
    experiment = client.create_experiment("demo-jet-substructure", artifact_location=(folder / "artifacts").as_uri())
    signature = ModelSignature(inputs=Schema([ColSpec("float", name) for name in HLF]),
                               outputs=Schema([ColSpec("float", name) for name in CLASSES]))
    rng = np.random.default_rng(0)
    train = pd.DataFrame({name: rng.normal(size=200).astype("float32") for name in HLF})
    test = train.sample(frac=0.3, random_state=0)
    client.create_registered_model(MODEL, tags={"domain": "jets", "team": "trigger"},
                                   description="Five-class jet tagger (g, q, W, Z, t) on jet substructure features: "
                                               "a BDT baseline next to the hls4ml networks.")
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        model_dir.mkdir()
        Model(flavors={"python_function": {"loader_module": "mlflow.xgboost", "python_version": "3.11"},
                       "xgboost": {"xgb_version": "2.1.0", "data": "model.xgb", "model_format": "xgb"}},
              signature=signature).save(str(model_dir / "MLmodel"))
        (model_dir / "requirements.txt").write_text("xgboost==2.1.0\nnumpy\npandas\n")
        for params, metrics, description in VERSIONS:
            with mlflow.start_run(experiment_id=experiment,
                                  tags={"mlflow.source.name": "train_bdt.py",
                                        "mlflow.source.git.repoURL": "https://example.org/hep/jet-substructure.git",
                                        "mlflow.source.git.commit": "4f2c1d0e9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d"}) as run:
                mlflow.log_params(params)
                mlflow.log_metrics(metrics)
                mlflow.log_input(mlflow.data.from_pandas(train, source="file:///data/hls4ml/hlf_train.parquet",
                                                         name="hls4ml-hlf-train"), context="training")
                mlflow.log_input(mlflow.data.from_pandas(test, source="file:///data/hls4ml/hlf_test.parquet",
                                                         name="hls4ml-hlf-test"), context="evaluation")
                mlflow.log_artifacts(str(model_dir), "model")
            mv = client.create_model_version(MODEL, source=f"{run.info.artifact_uri}/model", run_id=run.info.run_id,
                                             description=description)
    client.set_registered_model_alias(MODEL, "champion", mv.version)
    (folder / "complete").write_text("built by graphcat demo load\n")
    return uri
