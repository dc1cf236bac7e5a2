"""Turn what graphcat.interop.mlflow read into one graphcat catalog document (docs/interop.md).

Columns follow graphcat's convention (embeddings/schema.py): dtype from the closed set, shape per
event. MLflow's leading -1 axis of a tensor spec is the batch (event) axis and is dropped; any
other -1 is a variable-length axis, kept as -1 (matched as null, shown and exported back as -1).
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from typing import Any

from graphcat.interop.mlflow import DatasetRecord, MlflowSourceError, ModelRecord, VersionRecord

COLSPEC_DTYPES = {"boolean": "bool", "integer": "int32", "long": "int64", "float": "float32",
                  "double": "float64", "string": "string"}
NUMPY_DTYPES = {"bool": "bool", "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64",
                "uint8": "uint8", "uint16": "uint16", "uint32": "uint32", "uint64": "uint64",
                "float16": "float16", "float32": "float32", "float64": "float64", "str": "string", "object": "string"}
FLAVOUR_FRAMEWORK = [("onnx", "onnx", "onnx"), ("pytorch", "pytorch", "other"), ("tensorflow", "tensorflow", "savedmodel"),
                     ("keras", "keras", "other"), ("xgboost", "xgboost", "other"), ("sklearn", "sklearn", "pickle")]
TRAINING_CONTEXTS = {"training", "train"}
EVALUATION_CONTEXTS = {"evaluation", "eval", "validation", "test", "testing"}
STAGE_ALIASES = {"production": "production", "staging": "staging"}
DATA_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".h5": "hdf5", ".hdf5": "hdf5",
                ".root": "root", ".npz": "npz"}
# Tags MLflow sets on every run: the reproducibility record takes what matters of them.
GIT_COMMIT, GIT_REPO, SOURCE_NAME, ENTRY_POINT = ("mlflow.source.git.commit", "mlflow.source.git.repoURL",
                                                  "mlflow.source.name", "mlflow.project.entryPoint")


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9._-]+", "-", text.strip().lower()).strip("-._")
    return s or "unnamed"


def metric_name(text: str) -> str:
    s = re.sub(r"[^a-z0-9_@.%-]+", "_", text.strip().lower()).lstrip("_@.%-")
    return s or "metric"


class Mapper:
    """Collects the document while keeping, per version entry, a label naming its MLflow origin."""

    def __init__(self, uri: str, onnx: dict[tuple[str, str], dict[str, Any]] | None = None) -> None:
        self.uri = uri
        # (MLflow model, version) -> artifact/inputs/outputs read from its ONNX flavour file, which
        # replace the MLflow source URI and signature (graphcat.interop.mlflow_onnx)
        self.onnx = onnx or {}
        self.datasets: dict[str, dict[str, Any]] = {}  # id -> dataset entry
        self.dataset_origin: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}  # (id, version) -> (label, entry)
        self.labels: dict[str, str] = {}  # "models[i].versions[j]" -> "MLflow model 'X' version N"

    def document(self, models: list[ModelRecord]) -> dict[str, Any]:
        entries, ids = [], {}
        for i, m in enumerate(models):
            ident = slug(m.name)
            if ident in ids:
                raise MlflowSourceError(f"tracking URI {self.uri!r}: registered models {ids[ident]!r} and {m.name!r} "
                                        f"both map to the graphcat model id {ident!r}")
            ids[ident] = m.name
            entries.append(self.model(i, ident, m))
        doc: dict[str, Any] = {"graphcat_catalog": 1}
        if self.datasets:
            doc["datasets"] = [self.datasets[k] for k in sorted(self.datasets)]
        doc["models"] = entries
        return doc

    def model(self, i: int, ident: str, m: ModelRecord) -> dict[str, Any]:
        aliases: dict[str, list[str]] = {}
        for alias, version in sorted(m.aliases.items()):
            aliases.setdefault(version, []).append(slug(alias))
        # A stage becomes an alias on the newest version holding it (an alias names one version).
        for stage, alias in STAGE_ALIASES.items():
            holders = [v.version for v in m.versions if (v.stage or "").lower() == stage]
            if holders and not any(alias in a for a in aliases.values()):
                aliases.setdefault(max(holders, key=int), []).append(alias)
        versions = []
        for j, v in enumerate(m.versions):
            self.labels[f"models[{i}].versions[{j}]"] = f"MLflow model {m.name!r} version {v.version}"
            versions.append(self.version(m, v, sorted(set(aliases.get(v.version, [])))))
        entry: dict[str, Any] = {"id": ident, "name": m.name, "description": m.description,
                                 "tags": _tags(m.tags), "versions": versions}
        return entry

    def version(self, m: ModelRecord, v: VersionRecord, aliases: list[str]) -> dict[str, Any]:
        where = f"model {m.name!r} version {v.version}"
        framework, fmt = _framework(v.mlmodel)
        entry: dict[str, Any] = {"version": v.version, "created_at": _iso(v.created_ms), "description": v.description,
                                 "tags": _tags(v.tags), "framework": framework, "format": fmt,
                                 "artifact": {"uri": v.source} if v.source else None,
                                 "aliases": aliases,
                                 "deprecated": {"reason": "archived in MLflow (stage Archived)"}
                                 if (v.stage or "").lower() == "archived" else None}
        signature = getattr(v.mlmodel, "signature", None) if v.mlmodel is not None else None
        if signature is not None:
            entry["inputs"] = columns(signature.inputs, "input", f"{where}: signature inputs", self.uri)
            entry["outputs"] = columns(signature.outputs, "output", f"{where}: signature outputs", self.uri)
        entry.update(self.onnx.get((m.name, v.version), {}))
        run = v.run
        if run is None:
            return entry
        entry["hyperparameters"] = {k: _param(val) for k, val in sorted(run.params.items())}
        entry["reproducibility"] = {
            "code_repository": run.tags.get(GIT_REPO), "commit": run.tags.get(GIT_COMMIT),
            "entry_point": run.tags.get(ENTRY_POINT) or run.tags.get(SOURCE_NAME),
            "environment": _environment(v.environment), "seed": _seed(run.params)}
        trained, evaluated = [], []
        for d in run.datasets:
            ref = self.dataset(d, f"{where} (run {run.run_id})")
            context = (d.context or "").lower()
            if context in TRAINING_CONTEXTS:
                trained.append(ref)
            elif context in EVALUATION_CONTEXTS:
                evaluated.append(ref)
        entry["trained_on"] = sorted(set(trained))
        date = _iso(run.end_time_ms)
        entry["evaluations"] = [{"dataset": ref, "metric": metric_name(k), "value": float(val), "date": date,
                                 "notes": f"MLflow run {run.run_id} metric {k!r}"}
                                for ref in sorted(set(evaluated)) for k, val in sorted(run.metrics.items())
                                if math.isfinite(val)]
        return entry

    def dataset(self, d: DatasetRecord, label: str) -> str:
        ident, version = slug(d.name), d.digest
        source = _json(d.source, label, "dataset source") or {}
        location = source.get("uri") or source.get("url") or source.get("path") if isinstance(source, dict) else None
        profile = _json(d.profile, label, "dataset profile") or {}
        entry = {"version": version, "description": f"MLflow dataset {d.name!r} (digest {d.digest}, source type {d.source_type})",
                 "location": location, "format": _data_format(location),
                 "num_events": profile.get("num_rows") if isinstance(profile, dict) else None,
                 "features": dataset_features(d.schema, f"{label}: dataset {d.name!r}", self.uri)}
        first = self.dataset_origin.get((ident, version))
        if first is not None:
            if first[1] != entry:
                raise MlflowSourceError(f"tracking URI {self.uri!r}: dataset {d.name!r} digest {d.digest} is logged "
                                        f"with different source or schema by {first[0]} and by {label}")
            return f"{ident}@{version}"
        self.dataset_origin[(ident, version)] = (label, entry)
        family = self.datasets.setdefault(ident, {"id": ident, "name": d.name, "versions": []})
        family["versions"].append(entry)
        return f"{ident}@{version}"


def columns(schema: Any, role: str, where: str, uri: str) -> list[dict[str, Any]]:
    """MLflow ColSpec / TensorSpec entries (mlflow.types.Schema) as graphcat columns."""
    if schema is None:
        return []
    specs = schema.inputs if hasattr(schema, "inputs") else list(schema)
    out = []
    for k, spec in enumerate(specs):
        name = spec.name or (role if len(specs) == 1 else f"{role}_{k}")
        if hasattr(spec, "shape"):  # TensorSpec
            out.append({"name": name, "dtype": _numpy_dtype(spec.type, f"{where}[{k}] {name!r}", uri),
                        "shape": per_event_shape(spec.shape)})
        else:
            out.append(_colspec(spec.type, name, getattr(spec, "required", True), f"{where}[{k}] {name!r}", uri))
    return out


def per_event_shape(shape: Any) -> list[int]:
    dims = list(shape or ())
    if dims and dims[0] == -1:
        dims = dims[1:]  # the batch axis: one entry per event
    return [int(d) for d in dims]  # -1: any length, spelled as MLflow does


def dataset_features(schema_json: str | None, where: str, uri: str) -> list[dict[str, Any]]:
    if not schema_json:
        return []
    try:
        from mlflow.types import Schema
        raw = json.loads(schema_json)
        if "mlflow_colspec" in raw:
            return columns(Schema.from_json(json.dumps(raw["mlflow_colspec"])), "column", where, uri)
        if "mlflow_tensorspec" in raw:
            spec = raw["mlflow_tensorspec"]
            feats = columns(Schema.from_json(spec["features"]), "features", where, uri) if spec.get("features") else []
            targets = columns(Schema.from_json(spec["targets"]), "targets", where, uri) if spec.get("targets") else []
            return feats + targets
    except (ValueError, KeyError, TypeError) as exc:
        raise MlflowSourceError(f"tracking URI {uri!r}: {where}: schema cannot be read: {exc}") from exc
    raise MlflowSourceError(f"tracking URI {uri!r}: {where}: schema is neither mlflow_colspec nor mlflow_tensorspec")


def _colspec(type_: Any, name: str, required: bool, where: str, uri: str) -> dict[str, Any]:
    key = getattr(type_, "name", None) or str(type_)
    dtype = COLSPEC_DTYPES.get(key)
    if dtype is None:
        raise MlflowSourceError(f"tracking URI {uri!r}: {where}: column type {key!r} has no graphcat dtype "
                                f"(mapped: {', '.join(sorted(COLSPEC_DTYPES))})")
    column: dict[str, Any] = {"name": name, "dtype": dtype, "shape": []}
    if not required:
        column["description"] = "optional (MLflow: required=false)"
    return column


def _numpy_dtype(dtype: Any, where: str, uri: str) -> str:
    name = getattr(dtype, "name", str(dtype))
    kind = getattr(dtype, "kind", "")
    if kind in ("U", "S", "O"):
        return "string"
    if name not in NUMPY_DTYPES:
        raise MlflowSourceError(f"tracking URI {uri!r}: {where}: tensor dtype {name!r} has no graphcat dtype")
    return NUMPY_DTYPES[name]


def _framework(mlmodel: Any) -> tuple[str | None, str | None]:
    if mlmodel is None:
        return None, None
    flavours = set(getattr(mlmodel, "flavors", {}) or {})
    for flavour, framework, fmt in FLAVOUR_FRAMEWORK:
        if flavour in flavours:
            return framework, fmt
    return "other", "other"


def _tags(tags: dict[str, str]) -> list[str]:
    return sorted(f"{k}={v}" for k, v in tags.items() if not k.startswith("mlflow."))


def _iso(ms: int | None) -> str | None:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds") if ms else None


def _param(text: str) -> Any:
    """MLflow params are strings: numbers become numbers, everything else stays text."""
    if re.fullmatch(r"[+-]?\d+", text.strip()):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _seed(params: dict[str, str]) -> int | None:
    for key in ("seed", "random_seed", "random_state"):
        if key in params and re.fullmatch(r"[+-]?\d+", params[key].strip()):
            return int(params[key])
    return None


def _environment(files: dict[str, str]) -> str | None:
    return "\n".join(f"# {name}\n{text.rstrip()}" for name, text in sorted(files.items())) or None


def _data_format(location: str | None) -> str | None:
    if not location:
        return None
    for ext, fmt in DATA_FORMATS.items():
        if location.lower().endswith(ext):
            return fmt
    return "other"


def _json(text: str | None, label: str, what: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise MlflowSourceError(f"{label}: {what} is not JSON: {exc}") from exc
