"""Read an MLflow tracking server / model registry with the `mlflow` client library.

`read_registry` returns plain records (no MLflow objects) of the registered models, every
version, the run behind each version (params, metrics, tags, logged datasets) and the parts of the
model artifact graphcat maps: the MLmodel file (flavours, signature) and the environment files.
Only MlflowClient and mlflow.artifacts are used: no REST calls or sqlite reads of our own.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from graphcat.errors import InvalidInput

# An unreachable server should fail in seconds, not after MLflow's default minutes of retries; a
# progress bar per downloaded MLmodel would bury graphcat's own output.
_HTTP_DEFAULTS = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "15",
                  "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}
ENVIRONMENT_FILES = ("conda.yaml", "requirements.txt")
# Versions read at once: each costs a few round trips (run, download URI, artifact listing and
# files), mostly waiting on the tracking server or sqlite, so a few threads overlap the waits.
READ_THREADS = 4


class MlflowSourceError(InvalidInput):
    """The MLflow source could not be read: names the tracking URI and what failed."""


@dataclass(frozen=True)
class DatasetRecord:
    name: str
    digest: str
    source_type: str | None
    source: str | None  # JSON, as MLflow stores it
    schema: str | None  # JSON: {"mlflow_colspec": [...]} or {"mlflow_tensorspec": {...}}
    profile: str | None  # JSON, e.g. {"num_rows": 50}
    context: str | None  # the input's mlflow.data.context tag: training, evaluation, ...


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]
    end_time_ms: int | None
    datasets: tuple[DatasetRecord, ...]


@dataclass(frozen=True)
class OnnxArtifact:
    """The ONNX file of a version's `onnx` flavour, downloaded with mlflow.artifacts."""

    artifact_path: str  # inside the model's artifacts, as the MLmodel names it (e.g. "model.onnx")
    local: Path  # a self-contained copy: external data (MLflow's default) is folded into the file


@dataclass(frozen=True)
class VersionRecord:
    version: str
    description: str | None
    tags: dict[str, str]
    stage: str | None
    created_ms: int | None
    source: str | None
    run: RunRecord | None
    mlmodel: Any | None  # mlflow.models.Model, or None when the artifact has no MLmodel
    environment: dict[str, str]  # file name -> text, for the files of ENVIRONMENT_FILES present
    onnx: OnnxArtifact | None = None  # when the MLmodel has an `onnx` flavour and onnx_dir was given


@dataclass(frozen=True)
class ModelRecord:
    name: str
    description: str | None
    tags: dict[str, str]
    aliases: dict[str, str]  # alias -> version
    versions: tuple[VersionRecord, ...] = field(default=())


def check_uri(uri: str) -> None:
    """Refuse a URI that MLflow would silently turn into a new, empty store."""
    parsed = urlparse(uri)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db or sqlite:////absolute/path.db (SQLAlchemy's spelling)
        path = uri[len("sqlite:///"):] if uri.startswith("sqlite:///") else ""
        if not path or not Path(path).is_file():
            raise MlflowSourceError(f"tracking URI {uri!r}: no sqlite database at {path or '(no path)'!r}")
    elif parsed.scheme in ("http", "https"):
        return
    elif parsed.scheme in ("", "file"):
        folder = Path(parsed.path if parsed.scheme == "file" else uri)
        if not folder.is_dir():
            raise MlflowSourceError(f"tracking URI {uri!r}: no MLflow file store folder at {str(folder)!r}")
    else:
        raise MlflowSourceError(f"tracking URI {uri!r}: unsupported scheme {parsed.scheme!r} "
                                "(expected sqlite:///FILE, a folder, or http(s)://HOST:PORT)")


def read_registry(uri: str, names: list[str] | None = None, *, onnx_dir: Path | None = None) -> list[ModelRecord]:
    """The registry as plain records; with `onnx_dir`, the ONNX file of every version with an
    `onnx` flavour is downloaded below it (the caller owns the folder and removes it)."""
    check_uri(uri)
    for key, value in _HTTP_DEFAULTS.items():
        os.environ.setdefault(key, value)
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    try:
        if names:
            found = []
            for name in names:
                hits = [m for m in client.search_registered_models(filter_string=f"name = '{_quote(name)}'")
                        if m.name == name]
                if not hits:
                    raise MlflowSourceError(f"tracking URI {uri!r}: no registered model named {name!r}")
                found.append(hits[0])
        else:
            found = _all_models(client)
        with ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="graphcat-mlflow") as pool:
            return [_model(client, uri, m, pool, onnx_dir) for m in sorted(found, key=lambda m: m.name)]
    except MlflowException as exc:
        raise MlflowSourceError(f"tracking URI {uri!r}: MLflow could not be read: {_first_line(exc)}") from exc
    except OSError as exc:  # connection refused and the like, when raised below MLflow's wrapping
        raise MlflowSourceError(f"tracking URI {uri!r}: {exc}") from exc


def _quote(name: str) -> str:
    return name.replace("'", "\\'")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _all_models(client: Any) -> list[Any]:
    models, token = [], None
    while True:
        page = client.search_registered_models(max_results=1000, page_token=token)
        models.extend(page)
        token = page.token
        if not token:
            return models


def _all_versions(client: Any, name: str) -> list[Any]:
    versions, token = [], None
    while True:
        page = client.search_model_versions(filter_string=f"name = '{_quote(name)}'", max_results=10000,
                                            page_token=token)
        versions.extend(page)
        token = page.token
        if not token:
            return versions


def _model(client: Any, uri: str, m: Any, pool: ThreadPoolExecutor, onnx_dir: Path | None) -> ModelRecord:
    """A registered model with every version; the versions' runs and artifacts are read by `pool`
    (in order: the first failing version, in version order, is the error reported)."""
    versions = sorted(_all_versions(client, m.name), key=lambda v: int(v.version))
    return ModelRecord(name=m.name, description=m.description or None, tags=dict(m.tags or {}),
                       aliases={a: str(v) for a, v in (m.aliases or {}).items()},
                       versions=tuple(pool.map(lambda v: _version(client, uri, m.name, v, onnx_dir), versions)))


def _version(client: Any, uri: str, name: str, mv: Any, onnx_dir: Path | None) -> VersionRecord:
    run = _run(client, mv.run_id) if mv.run_id else None
    mlmodel, environment = _artifact_files(client, uri, name, mv.version)
    onnx_file = None
    if onnx_dir is not None and mlmodel is not None and "onnx" in (mlmodel.flavors or {}):
        from graphcat.interop.mlflow_onnx import download_onnx

        root = client.get_model_version_download_uri(name, mv.version).rstrip("/")
        where = f"tracking URI {uri!r}: MLflow model {name!r} version {mv.version}"
        # one folder per version, named without the model name's characters (versions are read in threads)
        target = onnx_dir / hashlib.sha256(f"{name}\0{mv.version}".encode()).hexdigest()[:20]
        path, artifact_path = download_onnx(uri, root, mlmodel.flavors["onnx"], target, where)
        onnx_file = OnnxArtifact(artifact_path, path)
    return VersionRecord(version=str(mv.version), description=mv.description or None, tags=dict(mv.tags or {}),
                         stage=mv.current_stage if mv.current_stage not in (None, "None") else None,
                         created_ms=mv.creation_timestamp, source=mv.source, run=run, mlmodel=mlmodel,
                         environment=environment, onnx=onnx_file)


def _run(client: Any, run_id: str) -> RunRecord:
    run = client.get_run(run_id)
    datasets = []
    for di in (run.inputs.dataset_inputs if run.inputs else None) or []:
        context = next((t.value for t in di.tags or [] if t.key == "mlflow.data.context"), None)
        d = di.dataset
        datasets.append(DatasetRecord(d.name, d.digest, d.source_type, d.source, d.schema, d.profile, context))
    return RunRecord(run_id=run_id, params=dict(run.data.params), metrics=dict(run.data.metrics),
                     tags=dict(run.data.tags), end_time_ms=run.info.end_time, datasets=tuple(datasets))


def _artifact_files(client: Any, uri: str, name: str, version: str) -> tuple[Any | None, dict[str, str]]:
    """The version's MLmodel (parsed by mlflow.models.Model) and its environment files."""
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException
    from mlflow.models import Model

    root = client.get_model_version_download_uri(name, version).rstrip("/")
    where = f"model {name!r} version {version}"
    with tempfile.TemporaryDirectory(prefix="graphcat-mlflow-") as tmp:
        listed = {Path(f.path).name for f in mlflow.artifacts.list_artifacts(artifact_uri=root, tracking_uri=uri)
                  if not f.is_dir}
        if "MLmodel" not in listed:
            return None, {}
        wanted = [f for f in ("MLmodel", *ENVIRONMENT_FILES) if f in listed]
        local: dict[str, Path] = {}
        for file in wanted:
            local[file] = Path(mlflow.artifacts.download_artifacts(artifact_uri=f"{root}/{file}", tracking_uri=uri,
                                                                   dst_path=tmp))
        try:
            mlmodel = Model.load(str(local["MLmodel"]))
        except yaml.YAMLError as exc:
            raise MlflowSourceError(f"tracking URI {uri!r}: {where}: MLmodel: not valid YAML: {_first_line(exc)}") from exc
        except (MlflowException, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise MlflowSourceError(f"tracking URI {uri!r}: {where}: MLmodel: cannot be read: {_first_line(exc)}") from exc
        if mlmodel is None or not hasattr(mlmodel, "flavors"):
            raise MlflowSourceError(f"tracking URI {uri!r}: {where}: MLmodel: not an MLmodel document")
        environment = {f: local[f].read_text(encoding="utf-8") for f in ENVIRONMENT_FILES if f in local}
        return mlmodel, environment
