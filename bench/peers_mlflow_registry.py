"""The synthetic catalog (bench/synthetic.py) as an MLflow model registry: records, tags, the load.

Read the catalog files completely into plain records (`read_catalog`), then write them with the
`mlflow` client (`load_registry`): one registered model per graphcat model (name = the graphcat
model id, description, tags), one model version per graphcat version, in version order, with tags
for everything graphcat's `modelVersions` filter can ask, and the aliases.

Multi-valued facts (a version solves several tasks, is trained on several datasets whose detectors
belong to several experiments) become one tag per value, `<facet>.<value>` = "true", because an
MLflow tag holds one string and `search_model_versions` compares whole values: `tags.`task.X` =
'true'` is then an exact "has task X". A task tag is written for the task and every parent task,
as graphcat's task filter matches subtasks. MLflow tag keys may not hold `@`, so a dataset
version `ds@1.0` is the key `trained_on.ds/1.0`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRUE = "true"


@dataclass
class VersionRecord:
    catalog_id: str  # "<model>@<version>"
    version: str
    description: str
    created_at: str
    framework: str
    format: str
    license: str
    trained_on: list[str]
    tasks: list[str]  # the model's tasks and their parent tasks
    experiments: list[str]
    detectors: list[str]
    aliases: list[str]
    deprecated: bool


@dataclass
class ModelRecord:
    catalog_id: str
    name: str
    description: str
    owner: str
    tags: list[str]
    tasks: list[str]  # as the catalog lists them (the versions' `tasks` add the parents)
    versions: list[VersionRecord] = field(default_factory=list)


def _entries(doc: dict[str, Any], section: str) -> list[dict[str, Any]]:
    value = doc.get(section, [])
    if not isinstance(value, list):
        raise ValueError(f"section {section!r} is not a list")
    return value


def read_catalog(files: list[Path]) -> list[ModelRecord]:
    """Every model of the catalog files with what the MLflow side needs, in file order."""
    detector_experiment: dict[str, str] = {}
    task_parent: dict[str, str | None] = {}
    dataset_detectors: dict[str, list[str]] = {}
    models: list[ModelRecord] = []
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            for d in _entries(doc, "detectors"):
                detector_experiment[d["id"]] = d["experiment"]
            for t in _entries(doc, "tasks"):
                task_parent[t["id"]] = t.get("parent")
            for ds in _entries(doc, "datasets"):
                for v in ds.get("versions", []):
                    dataset_detectors[f"{ds['id']}@{v['version']}"] = [
                        *v.get("recorded_with", []), *v.get("simulated_with", [])]
            for m in _entries(doc, "models"):
                models.append(_model(m, task_parent, dataset_detectors, detector_experiment))
        except KeyError as exc:
            raise ValueError(f"{path}: an entry lacks the field {exc.args[0]!r}") from exc
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: not a synthetic catalog file the MLflow peer can read: {exc}") from exc
    return models


def _with_parents(tasks: list[str], parent: dict[str, str | None]) -> list[str]:
    out: set[str] = set()
    for task in tasks:
        seen = 0
        current: str | None = task
        while current is not None and seen <= 10:  # graphcat's filter: SUBTASK_OF*0..10
            out.add(current)
            current, seen = parent.get(current), seen + 1
    return sorted(out)


def _model(m: dict[str, Any], task_parent: dict[str, str | None], dataset_detectors: dict[str, list[str]],
           detector_experiment: dict[str, str]) -> ModelRecord:
    tasks = _with_parents(m.get("tasks", []), task_parent)
    record = ModelRecord(m["id"], m["name"], m.get("description", ""), m.get("owner", ""), list(m.get("tags", [])),
                         list(m.get("tasks", [])))
    for v in m.get("versions", []):
        trained = list(v.get("trained_on", []))
        unknown = [d for d in trained if d not in dataset_detectors]
        if unknown:
            raise ValueError(f"model version {m['id']}@{v['version']}: trained_on {unknown} not in the catalog "
                             "(datasets come before the models that use them)")
        detectors = sorted({d for ds in trained for d in dataset_detectors[ds]})
        record.versions.append(VersionRecord(
            catalog_id=f"{m['id']}@{v['version']}", version=v["version"], description=v.get("description", ""),
            created_at=v.get("created_at", ""), framework=v.get("framework", ""), format=v.get("format", ""),
            license=v.get("license", ""), trained_on=trained, tasks=tasks, detectors=detectors,
            experiments=sorted({detector_experiment[d] for d in detectors}), aliases=list(v.get("aliases", [])),
            deprecated="deprecated" in v))
    return record


def dataset_key(dataset_version: str) -> str:
    return dataset_version.replace("@", "/")


def model_tags(m: ModelRecord) -> dict[str, str]:
    return {"graphcat_id": m.catalog_id, "display_name": m.name, "owner": m.owner, **{f"tag.{t}": TRUE for t in m.tags}}


def version_tags(m: ModelRecord, v: VersionRecord) -> dict[str, str]:
    tags = {"graphcat_id": v.catalog_id, "version": v.version, "created_at": v.created_at,
            "framework": v.framework, "format": v.format, "license": v.license, "owner": m.owner}
    if v.deprecated:
        tags["deprecated"] = TRUE
    for facet, values in (("task", v.tasks), ("experiment", v.experiments), ("detector", v.detectors),
                          ("tag", m.tags)):
        tags.update({f"{facet}.{value}": TRUE for value in values})
    tags.update({f"trained_on.{dataset_key(d)}": TRUE for d in v.trained_on})
    return tags


@dataclass
class LoadReport:
    models: int
    versions: int
    aliases: int
    seconds: float

    @property
    def versions_per_second(self) -> float:
        return self.versions / self.seconds if self.seconds else 0.0


def load_registry(uri: str, models: list[ModelRecord]) -> LoadReport:
    """Write the records into the (empty) MLflow registry at `uri` with MlflowClient; timed."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    versions = aliases = 0
    start = time.perf_counter()
    for m in models:
        client.create_registered_model(m.catalog_id, tags=model_tags(m), description=m.description)
        for v in m.versions:
            mv = client.create_model_version(m.catalog_id, source=f"models-source/{v.catalog_id}",
                                             tags=version_tags(m, v), description=v.description)
            versions += 1
            for alias in v.aliases:
                client.set_registered_model_alias(m.catalog_id, alias, mv.version)
                aliases += 1
    return LoadReport(len(models), versions, aliases, time.perf_counter() - start)


def cached_registry(folder: Path, models: list[ModelRecord], rebuild: bool = False) -> tuple[str, dict[str, Any]]:
    """The sqlite registry of these records under `folder`, loaded once: its URI and the load's
    figures (`cached`: true when they come from the run that built it, named by its date)."""
    import datetime as dt

    uri = f"sqlite:///{folder / 'mlflow.db'}"
    done = folder / "load.json"
    expected = sum(len(m.versions) for m in models)
    if done.is_file() and not rebuild:
        figures = json.loads(done.read_text(encoding="utf-8"))
        if figures.get("versions") == expected:
            return uri, {**figures, "cached": True}
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (done, folder / "mlflow.db"):
        stale.unlink(missing_ok=True)
    report = load_registry(uri, models)
    figures = {"models": report.models, "versions": report.versions, "aliases": report.aliases,
               "seconds": report.seconds, "versions_per_second": report.versions_per_second,
               "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    done.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return uri, {**figures, "cached": False}
