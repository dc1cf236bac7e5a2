"""A pre-registered test of the transferability estimator on configurations the study never used (issue 20).

Two steps, committed apart so that the commit order is the evidence:

1. `predict`: train the taggers on the built-in study's base (shipped sample), register the built-in
   study and the new configurations' dataset versions (conditions and description only: no jet of
   them exists yet), and ask the FROZEN estimator (the code of graphcat/service/transferability.py
   and dataset_distance.py at FROZEN_COMMIT, read from git) for each (tagger, new configuration).
   Writes the predictions, the baseline ("as on the base test split") and the exported taggers' digests.
2. `evaluate`: with the jets of the new configurations generated afterwards, score the SAME exported
   taggers (their sha256 is checked against the predictions), and compare: Spearman, MAE and interval
   coverage of the committed predictions and of the baseline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from graphcat.errors import InvalidInput
from graphcat.service import catalog as catalog_service
from graphcat.service.dataset_distance import TextEncoder
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphcat.study import catalog as study_catalog
from graphcat.study import legacy, loco, metrics, sample
from graphcat.study.config_file import builtin_ids
from graphcat.study.configs import Study, default_study
from graphcat.study.run import METRICS, measure, train_and_measure

FROZEN_TAG = "transfer-estimator-frozen"
FROZEN_COMMIT = "9c4e3e2fa3b734e1a3fee269618faaa30265c00e"  # main when the estimator was frozen (the tag's target)
ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(__file__).resolve().parent / "preregistered"
Log = Callable[[str], None]


def new_configs(targets: Study) -> list[Any]:
    """The configurations of `targets` that the built-in study does not have (the ones to predict)."""
    known = builtin_ids()
    new = [c for c in targets.configs if c.id not in known]
    if not new:
        raise InvalidInput("the configuration file has no configuration the built-in study lacks: nothing to predict",
                           path="configs")
    return new


def _relative(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def predict(db: Database, settings: Settings, targets: Study, *, configs_file: Path, onnx_dir: Path,
            folder: Path = sample.SHIPPED, epochs: int = 30, jets_per_class: int | None = None,
            encoder: TextEncoder | None = None, estimator_commit: str = FROZEN_COMMIT,
            log: Log = print) -> dict[str, Any]:
    """Predictions for every (tagger, new configuration, metric), before any of their jets exists."""
    study = default_study()
    new = new_configs(targets)
    trained = train_and_measure(settings, study, folder, epochs=epochs, jets_per_class=jets_per_class,
                                onnx_dir=onnx_dir, log=log)
    doc = study_catalog.document(study, trained.samples, trained.models, trained.by_kind, trained.created_at)
    planned = study_catalog.SampleFile(None, None, None, "not generated when the predictions were made")
    doc["datasets"] += [study_catalog.dataset_entry(c, planned, trained.created_at) for c in new]
    log(f"registered: {catalog_service.register(db, doc, name='graphcat-study-preregistered').summary()}")

    estimator_class = legacy.estimator_class(estimator_commit)
    memo = loco.MemoEncoder(encoder) if encoder is not None else None
    estimator = estimator_class(db, memo)
    kinds = {study_catalog.model_version_uid(m.kind, m.artifact_sha256): m.kind for m in trained.models}
    rows = []
    for cfg in new:
        dsv = study_catalog.dataset_version_uid(cfg.id)
        for uid, kind in kinds.items():
            for metric in METRICS:
                est = estimator.estimate(uid, dsv, metric)
                rows.append({"model_version_uid": uid, "kind": kind, "config_id": cfg.id, "metric": metric,
                             "status": est.status, "estimated": est.value, "low": est.low, "high": est.high,
                             "baseline": trained.measured[uid][study.base_id][metric], "reason": est.reason})
    return {
        "issue": 20,
        "made_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "estimator": {"commit": estimator_commit, "tag": FROZEN_TAG if estimator_commit == FROZEN_COMMIT else None,
                      "files": ["graphcat/service/transferability.py", "graphcat/service/dataset_distance.py"],
                      "description_encoder": encoder is not None},
        "configs_file": _relative(configs_file),
        "baseline": f"the tagger's value on the built-in study's {study.base_id!r} test split",
        "training": {"epochs": epochs, "jets_per_class": jets_per_class, "sample": _relative(folder)},
        "models": {uid: {"kind": kinds[uid], "onnx": _relative(trained.onnx[uid]),
                         "sha256": _sha256(trained.onnx[uid])} for uid in kinds},
        "configs": {c.id: {"title": c.title, "conditions": c.conditions(), "description": c.describe()} for c in new},
        "predictions": rows,
    }


def write_json(data: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def _model_path(entry: dict[str, Any]) -> Path:
    path = Path(entry["onnx"])
    path = path if path.is_absolute() else ROOT / path
    if not path.is_file():
        raise InvalidInput(f"the tagger the predictions were made for is missing: {path}", path="models")
    if _sha256(path) != entry["sha256"]:
        raise InvalidInput(f"{path} is not the tagger the predictions were made for (sha256 differs)", path="models")
    return path


def evaluate(predictions: dict[str, Any], folder: Path, log: Log = print) -> dict[str, Any]:
    """Measure the predicted taggers on the generated jets of the new configurations and score the predictions."""
    paths = {uid: _model_path(entry) for uid, entry in predictions["models"].items()}
    measured: dict[str, dict[str, dict[str, float]]] = {uid: {} for uid in paths}
    jets_of: dict[str, dict[str, int]] = {}
    for cfg_id in predictions["configs"]:
        jets = sample.load(cfg_id, folder)
        jets_of[cfg_id] = {"signal": int(jets.label.sum()), "background": int((jets.label == 0).sum())}
        for uid, path in paths.items():
            measured[uid][cfg_id] = measure(path, predictions["models"][uid]["kind"], jets)
        log(f"{cfg_id}: AUC " + ", ".join(f"{predictions['models'][u]['kind']}={measured[u][cfg_id]['auc']:.3f}"
                                          for u in paths))
    rows = [loco.Row(p["model_version_uid"], p["config_id"], p["metric"],
                     measured[p["model_version_uid"]][p["config_id"]][p["metric"]],
                     p["estimated"], p["low"], p["high"], p["baseline"], p["status"]) for p in predictions["predictions"]]
    table = []
    for r in rows:
        n = jets_of[r.config_id]
        se = metrics.auc_standard_error(r.measured, n["signal"], n["background"]) if r.metric == "auc" else None
        table.append({**r.__dict__, "kind": predictions["models"][r.model_version_uid]["kind"], "auc_se": se,
                      "inside": r.low is not None and r.high is not None and r.low <= r.measured <= r.high})
    summaries = {m: loco.summarise(rows, m).__dict__ for m in METRICS}
    per_config = {}
    for cfg_id in predictions["configs"]:
        sel = [r for r in rows if r.config_id == cfg_id and r.metric == "auc" and r.estimated is not None]
        per_config[cfg_id] = {"mae": metrics.mae([r.estimated for r in sel], [r.measured for r in sel]),
                              "mae_baseline": metrics.mae([r.baseline for r in sel], [r.measured for r in sel])}
    return {"issue": 20, "predictions_made_at": predictions["made_at"], "estimator": predictions["estimator"],
            "jets": jets_of, "rows": table, "summaries": summaries, "auc_by_config": per_config}
