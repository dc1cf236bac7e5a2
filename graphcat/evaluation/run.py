"""Run a catalogued model version's ONNX artifact on a user's file and measure it (issue 17).

`measure(db, settings, model_version_uid, path, label=..., metrics=...)`:

1. the metric names are checked first (nothing is read for a typo);
2. the model version, its ONNX artifact (sha256 checked against the catalog) and its signature;
3. the file's schema (graphcat.userschema), the label column, and the mapping of the other columns
   onto the model's inputs (graphcat.evaluation.mapping, the recommender's matching);
4. the file read in batches of `batch_rows` rows, each turned into input tensors (NaN/inf refused,
   naming the input) and run with onnxruntime; a progress callback sees the rows done;
5. the scores (the first output: one column, or the second of two as the signal probability)
   against the labels with scikit-learn, and a bootstrap interval per metric.

Nothing is written here: graphcat.evaluation.service records a Measurement when asked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from graphcat import __version__, domain
from graphcat.deploy import onnx_inspect, runtime
from graphcat.deploy.artifacts import ArtifactStore, sha256_of
from graphcat.errors import NotFound
from graphcat.evaluation import mapping as mapping_
from graphcat.evaluation import metrics as metrics_
from graphcat.evaluation.errors import BadInputValues, LabelProblem, ModelFailed, NoArtifact, UnknownModelVersion
from graphcat.evaluation.tables import open_table
from graphcat.service import catalog as catalog_service
from graphcat.settings import Settings
from graphcat.store import deploy as deploy_store
from graphcat.store.database import Database

BATCH_ROWS = 4096
Progress = Callable[[int, int | None], None]  # (rows done, total rows when known)


@dataclass(frozen=True)
class MetricValue:
    name: str
    value: float
    low: float  # bootstrap interval
    high: float


@dataclass(frozen=True)
class Measurement:
    model_version_uid: str
    source: str  # the file's name
    format: str
    rows: int
    sha256: str
    size_bytes: int
    label: str
    metrics: tuple[MetricValue, ...]
    mapping: dict[str, str]  # model input -> expression of the file's columns
    steps: tuple[str, ...]  # the recommender's steps, as it states them
    artifact_sha256: str
    graphcat_version: str = __version__
    seconds: float = 0.0
    schema: list[dict[str, object]] = field(default_factory=list)  # the file's features (catalog form)


def model_version(db: Database, uid: str) -> domain.ModelVersion:
    try:
        node = catalog_service.get_by_uid(db, uid)
    except NotFound:
        raise UnknownModelVersion(f"no model version {uid!r} in the catalog", path="modelVersion") from None
    if not isinstance(node, domain.ModelVersion):
        raise UnknownModelVersion(f"{uid!r} is a {node.kind}, not a model version", path="modelVersion")
    return node


def artifact(db: Database, settings: Settings, uid: str) -> tuple[Path, str]:
    facts = deploy_store.version_deployment(db, uid)
    if not facts["artifact_uri"] or not facts["artifact_sha256"]:
        raise NoArtifact(f"model version {uid} has no ONNX artifact in the artifact store "
                         f"(register one with `graphcat register-onnx`)", path="modelVersion")
    path = ArtifactStore(settings.artifact_root).verify(facts["artifact_uri"], facts["artifact_sha256"])
    return path, facts["artifact_sha256"]


@dataclass(frozen=True)
class Prepared:
    """What the catalog says about a run (read with the database): plain data a worker process can take."""

    model_version_uid: str
    onnx_path: Path
    onnx_sha256: str
    inputs: tuple[domain.Node, ...]  # the model version's input features, by position
    metrics: tuple[str, ...]  # checked names


def prepare(db: Database, settings: Settings, model_version_uid: str,
            metrics: str | list[str] | None = None) -> Prepared:
    """Steps 1 and 2: the metric names, the model version, its verified artifact and its inputs."""
    wanted = metrics_.parse(metrics)
    mv = model_version(db, model_version_uid)
    onnx_path, onnx_sha = artifact(db, settings, mv.uid)
    inputs = sorted(catalog_service.inputs_of(db, [mv.uid]).get(mv.uid, []), key=lambda f: f.position)
    return Prepared(mv.uid, onnx_path, onnx_sha, tuple(inputs), tuple(m.name for m in wanted))


def measure(db: Database, settings: Settings, model_version_uid: str, path: str | Path, *, label: str,
            metrics: str | list[str] | None = None, batch_rows: int = BATCH_ROWS, source: str | None = None,
            progress: Progress | None = None) -> Measurement:
    started = time.perf_counter()
    prepared = prepare(db, settings, model_version_uid, metrics)
    return measure_prepared(prepared, settings, path, label=label, batch_rows=batch_rows, source=source,
                            progress=progress, started=started)


def measure_prepared(prepared: Prepared, settings: Settings, path: str | Path, *, label: str,
                     batch_rows: int = BATCH_ROWS, source: str | None = None, progress: Progress | None = None,
                     started: float | None = None) -> Measurement:
    """Steps 3 to 5, without the database (graphcat.evaluation.jobs runs this in a worker process)."""
    started = time.perf_counter() if started is None else started
    wanted = metrics_.parse(list(prepared.metrics))
    signature = onnx_inspect.inspect(prepared.onnx_path)
    table = open_table(path, settings, source=source)
    if label not in table.schema.names:
        raise LabelProblem(f"the file has no label column {label!r} (columns: {', '.join(table.schema.names[:20])})",
                           path="label")
    user = mapping_.columns_of([f for f in table.schema.features if f.name != label])
    inputs = mapping_.columns_of(list(prepared.inputs))
    plan = mapping_.build(user, inputs, signature)

    session = runtime.session(prepared.onnx_path)
    rows_per_batch = runtime.batch_size_for(signature, batch_rows)
    output = session.get_outputs()[0].name
    scores, labels, done = [], [], 0
    for batch in table.batches([*plan.columns, label], rows_per_batch):
        feeds = plan.tensors(batch)
        for name, values in feeds.items():
            if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
                bad = np.flatnonzero(~np.isfinite(values.reshape(len(values), -1)).all(axis=1))
                raise BadInputValues(f"model input {name!r} has NaN or infinite values in rows "
                                     f"{', '.join(str(done + int(i)) for i in bad[:5])}{' ...' if len(bad) > 5 else ''} "
                                     f"(from {plan.describe()[name]})", path=name)
        try:
            out = session.run([output], feeds)[0]
        except runtime.ORT_ERRORS as exc:
            raise ModelFailed(f"onnxruntime failed on rows {done}..{done + len(batch[label]) - 1}: "
                              f"{type(exc).__name__}: {exc}", path="modelVersion") from exc
        scores.append(_score(np.asarray(out), output))
        labels.append(np.asarray(batch[label]))
        done += len(batch[label])
        if progress is not None:
            progress(done, table.schema.num_events)
    if not done:
        raise LabelProblem("the file has no rows to evaluate on", path=table.source)
    y = metrics_.check_labels(np.concatenate(labels), wanted, label)
    s = np.concatenate(scores).astype(np.float64)
    values = tuple(MetricValue(m.name, m.compute(y, s), *m.interval(y, s)) for m in wanted)
    sha, size = sha256_of(path)
    return Measurement(prepared.model_version_uid, table.source, table.schema.format, done, sha, size, label, values, plan.describe(),
                       tuple(t for f in plan.feeds for t in f.steps), prepared.onnx_sha256,
                       seconds=time.perf_counter() - started,
                       schema=[{"name": f.name, "dtype": f.dtype, "shape": list(f.shape), "unit": f.unit,
                                "description": f.description} for f in table.schema.features])


def _score(out: np.ndarray, name: str) -> np.ndarray:
    """One score per event: a single output column, or the second of two (the signal probability)."""
    if out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        return out.reshape(len(out))
    if out.ndim == 2 and out.shape[1] == 2:
        return out[:, 1]
    raise ModelFailed(f"the model's output {name!r} has shape {list(out.shape[1:])} per event; graphcat evaluate "
                      f"reads one score (one column, or the second of two)", path="modelVersion")
