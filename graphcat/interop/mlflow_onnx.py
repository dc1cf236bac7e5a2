"""MLflow's `onnx` flavour: the version's ONNX file through graphcat's ONNX registration path.

`download_onnx` fetches the file the flavour names (and the external-data files it points to,
which `mlflow.onnx.log_model` writes by default) with mlflow.artifacts, and folds external data
into one self-contained file, so the artifact store holds a model that runs on its own.
`measure_versions` checks every downloaded file (onnx checker, signature), stores, smoke-tests it
(graphcat.interop.onnx_register) and returns the version-entry fields that replace the MLflow
ones (artifact, inputs, outputs) plus the outcomes whose measurements commit with the import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphcat.errors import InvalidInput
from graphcat.interop import onnx_register
from graphcat.interop.mlflow import MlflowSourceError, ModelRecord
from graphcat.interop.mlflow_mapping import slug
from graphcat.settings import Settings
from graphcat.store.database import Database

ONNX_FIELDS = ("framework", "format", "artifact", "inputs", "outputs")


def download_onnx(uri: str, root: str, flavour: dict[str, Any], target: Path, where: str) -> tuple[Path, str]:
    """(local self-contained file, artifact path) of the flavour's ONNX file; errors name `where`."""
    import mlflow.artifacts
    import onnx
    from google.protobuf.message import DecodeError
    from mlflow.exceptions import MlflowException

    rel = flavour.get("data") if isinstance(flavour, dict) else None
    if not isinstance(rel, str) or not rel.strip("/"):
        raise MlflowSourceError(f"{where}: MLmodel: the onnx flavour names no 'data' file")
    rel = rel.strip("/")
    folder = target / "files"
    folder.mkdir(parents=True)

    def fetch(path: str) -> Path:
        try:
            return Path(mlflow.artifacts.download_artifacts(artifact_uri=f"{root}/{path}", tracking_uri=uri,
                                                            dst_path=str(folder)))
        except (MlflowException, OSError) as exc:
            raise MlflowSourceError(f"{where}: ONNX artifact {path!r}: cannot be downloaded: {exc}") from exc

    local = fetch(rel)
    try:
        proto = onnx.load(str(local), load_external_data=False)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise MlflowSourceError(f"{where}: ONNX artifact {rel!r}: not a valid ONNX protobuf: {exc}") from exc
    external = sorted({e.value for t in _tensors(proto) if t.data_location == onnx.TensorProto.EXTERNAL
                       for e in t.external_data if e.key == "location"})
    if not external:
        return local, rel
    base = str(Path(rel).parent)
    for location in external:
        if Path(location).is_absolute() or ".." in Path(location).parts:
            raise MlflowSourceError(f"{where}: ONNX artifact {rel!r}: external data {location!r} is outside the model")
        fetched = fetch(location if base == "." else f"{base}/{location}")
        if fetched != local.parent / location:  # keep the layout the file refers to
            (local.parent / location).parent.mkdir(parents=True, exist_ok=True)
            fetched.replace(local.parent / location)
    try:
        onnx.load_external_data_for_model(proto, str(local.parent))
    except (OSError, ValueError, RuntimeError) as exc:
        raise MlflowSourceError(f"{where}: ONNX artifact {rel!r}: external data cannot be read: {exc}") from exc
    single = target / Path(rel).name
    onnx.save(proto, str(single))
    return single, rel


def _tensors(proto: Any) -> list[Any]:
    """Every tensor of the model: initializers and tensor attributes, in subgraphs too."""
    out, graphs = [], [proto.graph]
    while graphs:
        graph = graphs.pop()
        out.extend(graph.initializer)
        for node in graph.node:
            for attr in node.attribute:
                if attr.HasField("t"):
                    out.append(attr.t)
                out.extend(attr.tensors)
                if attr.HasField("g"):
                    graphs.append(attr.g)
                graphs.extend(attr.graphs)
    return out


def measure_versions(db: Database, settings: Settings, uri: str, models: list[ModelRecord], *,
                     progress: bool = False) -> tuple[dict[tuple[str, str], dict[str, Any]], list[onnx_register.Outcome]]:
    """(MLflow model name, version) -> the ONNX fields of its graphcat version entry, and the outcomes."""
    items, keys = [], {}
    for m in models:
        for v in m.versions:
            if v.onnx is None:
                continue
            label = f"MLflow model {m.name!r} version {v.version}: ONNX artifact {v.onnx.artifact_path!r}"
            try:
                item = onnx_register.inspect_item(label, v.onnx.local, slug(m.name), v.version)
            except InvalidInput as exc:
                raise MlflowSourceError(f"tracking URI {uri!r}: {label}: {exc.message}") from exc
            items.append(item)
            keys[label] = (m.name, v.version)
    clashes = onnx_register.conflicts(db, items)
    if clashes:
        raise MlflowSourceError("\n".join(f"tracking URI {uri!r}: {label}: {why}" for label, why in clashes.items()))
    outcomes = onnx_register.measure_items(db, settings, items, progress=progress)
    fields = {keys[o.item.label]: {k: o.entry[k] for k in ONNX_FIELDS} for o in outcomes}
    return fields, outcomes
