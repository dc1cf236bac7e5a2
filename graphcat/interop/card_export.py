"""`graphcat export-card MODEL_ID[@VERSION]`: a model version as a Hugging Face model card.

The YAML metadata is built with huggingface_hub's own `ModelCardData` / `EvalResult` (so its parser
reads it back), then readable prose: description, inputs and outputs tables, training data,
evaluations, lineage and deployment facts. Everything is read through graphcat.service.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graphcat import domain
from graphcat.errors import InvalidInput
from graphcat.interop.card_mapping import LIBRARY_FRAMEWORKS, TAG_KEYS, dataset_hub_id, parse_notes
from graphcat.service import catalog, deploy
from graphcat.store.database import Database

# framework -> library_name for versions that did not come from a card.
FRAMEWORK_LIBRARIES = {"pytorch": "pytorch", "tensorflow": "tensorflow", "keras": "keras", "jax": "jax",
                       "onnx": "onnx", "sklearn": "sklearn", "xgboost": "xgboost"}
VERSION_REF = re.compile(r"([a-z0-9][a-z0-9._-]*)(?:@(.+))?")


def export_card(db: Database, ref: str, output: str | Path | None = None) -> Path:
    model_id, version = parse_ref(ref)
    mv = resolve_version(db, model_id, version)
    folder = Path(output) if output else Path(f"{model_id}-{mv.version}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "README.md"
    path.write_text(card_text(db, mv), encoding="utf-8")
    return path


def parse_ref(ref: str) -> tuple[str, str | None]:
    match = VERSION_REF.fullmatch(ref.strip())
    if not match:
        raise InvalidInput(f"{ref!r} is not MODEL_ID or MODEL_ID@VERSION (ids are lowercase slugs)", path="model")
    return match.group(1), match.group(2)


def resolve_version(db: Database, model_id: str, version: str | None) -> domain.ModelVersion:
    """The named version; without one, the version aliased `production`, else the newest registered."""
    model_uid = domain.uid("model", model_id)
    catalog.get_by_uid(db, model_uid)  # NotFound names the model
    if version is not None:
        node = catalog.get_by_uid(db, domain.uid("model_version", f"{model_id}@{version}"))
        if not isinstance(node, domain.ModelVersion):
            raise InvalidInput(f"{node.uid!r} is a {node.kind}, not a model version", path="model")
        return node
    versions = [v for v in catalog.versions_of(db, [model_uid])[model_uid] if isinstance(v, domain.ModelVersion)]
    if not versions:
        raise InvalidInput(f"model {model_id!r} has no versions to describe", path="model")
    production = [v for v in versions if "production" in v.aliases]
    return production[0] if production else max(versions, key=lambda v: (v.created_at or "", _natural(v.version)))


def _natural(text: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)


def card_text(db: Database, mv: domain.ModelVersion) -> str:
    from huggingface_hub import ModelCard

    facts = _facts(db, mv)
    data = metadata(facts)
    text = f"---\n{data.to_yaml()}\n---\n\n{prose(facts)}"
    ModelCard(text)  # what we write must parse back (raises otherwise)
    return text


# -- reading the catalog ---------------------------------------------------------------------------


def _facts(db: Database, mv: domain.ModelVersion) -> dict[str, Any]:
    uid = mv.uid
    model = catalog.get_by_uid(db, mv.model_uid)
    evaluations = [e for e in catalog.evaluations_of(db, [uid])[uid] if isinstance(e, domain.Evaluation)]
    trained = catalog.datasets_trained_on(db, [uid])[uid]
    dataset_versions = catalog.get_many(db, [e.dataset_version_uid for e in evaluations]) | {d.uid: d for d in trained}
    families = catalog.get_many(db, [d.dataset_uid for d in dataset_versions.values()])  # type: ignore[attr-defined]
    lineage = [(t, n) for t in domain.MODEL_LINEAGE_TYPES for n in catalog.related(db, [uid], [t])[uid]]
    return {"mv": mv, "model": model, "tasks": catalog.tasks_of(db, [mv.model_uid])[mv.model_uid],
            "inputs": sorted(catalog.inputs_of(db, [uid])[uid], key=lambda f: f.position),  # type: ignore[attr-defined]
            "outputs": sorted(catalog.outputs_of(db, [uid])[uid], key=lambda f: f.position),  # type: ignore[attr-defined]
            "trained_on": sorted(trained, key=lambda d: d.uid), "evaluations": sorted(evaluations, key=lambda e: e.uid),
            "dataset_versions": dataset_versions, "families": families, "lineage": lineage,
            "deployment": deploy.deployment(db, uid)}


def _dataset_names(facts: dict[str, Any], dsv_uid: str) -> tuple[str, str, str | None]:
    """(hub-style type, name, revision) of a dataset version."""
    dsv = facts["dataset_versions"][dsv_uid]
    family = facts["families"].get(dsv.dataset_uid)
    hub = dataset_hub_id(dsv.location)
    name = family.name if family is not None else dsv.id
    return hub or dsv.dataset_uid.partition(":")[2], name, None if dsv.version == "unversioned" else dsv.version


# -- the YAML metadata -----------------------------------------------------------------------------


def metadata(facts: dict[str, Any]) -> Any:
    from huggingface_hub import EvalResult, ModelCardData

    mv: domain.ModelVersion = facts["mv"]
    keyed: dict[str, list[str]] = {k: [] for k in TAG_KEYS}
    plain = []
    for tag in mv.tags or facts["model"].tags:
        key, sep, value = tag.partition("=")
        if sep and key in keyed:
            keyed[key].append(value)
        else:
            plain.append(tag)
    library = (keyed["library_name"] or [None])[0] or FRAMEWORK_LIBRARIES.get(mv.framework or "")
    if library and mv.framework and LIBRARY_FRAMEWORKS.get(library.lower(), "other") != mv.framework:
        library = FRAMEWORK_LIBRARIES.get(mv.framework, library)
    tasks = [t.id for t in facts["tasks"]]
    pipeline = (keyed["pipeline_tag"] or [None])[0]
    results = []
    for e in facts["evaluations"]:
        kept = parse_notes(e.notes)
        dtype, dname, revision = _dataset_names(facts, e.dataset_version_uid)
        results.append(EvalResult(
            task_type=kept.get("task.type") or (tasks[0] if tasks else pipeline or "other"),
            task_name=kept.get("task.name"), dataset_type=dtype, dataset_name=dname,
            dataset_config=kept.get("dataset.config"), dataset_split=kept.get("dataset.split"),
            dataset_revision=revision, metric_type=e.metric, metric_value=e.value,
            metric_name=kept.get("metric.name"), source_url=e.source_url))
    return ModelCardData(
        model_name=facts["model"].name, license=mv.license, library_name=library, pipeline_tag=pipeline,
        language=keyed["language"] or None, base_model=keyed["base_model"] or None, tags=sorted(plain) or None,
        datasets=[_dataset_names(facts, d.uid)[0] for d in facts["trained_on"]] or None,
        eval_results=results or None)


# -- the prose -------------------------------------------------------------------------------------


def prose(facts: dict[str, Any]) -> str:
    mv: domain.ModelVersion = facts["mv"]
    model = facts["model"]
    description = _without_title((mv.description or model.description or "").strip(), model.name)
    summary = [f"framework {mv.framework}" if mv.framework else None, f"format {mv.format}" if mv.format else None,
               f"license {mv.license}" if mv.license else None,
               f"tasks: {', '.join(t.id for t in facts['tasks'])}" if facts["tasks"] else None]
    listed = "; ".join(f for f in summary if f)
    parts = [f"# {model.name}", "", f"graphcat model version `{mv.id}`" + (f" ({listed})" if listed else "") + ".", "",
             "## Description", "", description or "_No description in the catalog._", ""]
    parts += _features("Inputs", facts["inputs"]) + _features("Outputs", facts["outputs"])
    parts += _training(facts) + _evaluations(facts) + _lineage(facts) + _deployment(facts["deployment"])
    return "\n".join(parts).rstrip() + "\n"


def _without_title(text: str, name: str) -> str:
    """An imported card's prose opens with `# <name>`: the card's own title already says it."""
    first, _, rest = text.partition("\n")
    if first.startswith("# ") and first[2:].strip().lower() == name.strip().lower():
        return rest.strip()
    return text


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ") if value not in (None, "") else "-"


def _shape(shape: tuple[int | None, ...]) -> str:
    return "scalar" if not shape else "[" + ", ".join("n" if d is None else str(d) for d in shape) + "]"


def _features(title: str, features: list[Any]) -> list[str]:
    if not features:
        return [f"## {title}", "", "Not known to the catalog.", ""]
    rows = [f"## {title}", "", "| # | name | dtype | shape (per event) | unit | description |", "|---|---|---|---|---|---|"]
    rows += [f"| {f.position} | {_cell(f.name)} | {f.dtype} | {_shape(f.shape)} | {_cell(f.unit)} | {_cell(f.description)} |"
             for f in features]
    note = ["", "Shapes are per event (`scalar`: one value; `n`: a variable-length axis)."] if title == "Inputs" else []
    return rows + note + [""]


def _training(facts: dict[str, Any]) -> list[str]:
    rows = ["## Training data", ""]
    if not facts["trained_on"]:
        return rows + ["No training dataset is recorded in the catalog.", ""]
    for d in facts["trained_on"]:
        hub, name, revision = _dataset_names(facts, d.uid)
        extra = ", ".join(x for x in (f"{d.num_events} events" if d.num_events else None, d.location) if x)
        rows.append(f"- {name} (`{d.id}`)" + (f": {extra}" if extra else ""))
    return rows + [""]


def _evaluations(facts: dict[str, Any]) -> list[str]:
    if not facts["evaluations"]:
        return []
    rows = ["## Evaluation", "", "| dataset | metric | value | date |", "|---|---|---|---|"]
    rows += [f"| {_cell(facts['dataset_versions'][e.dataset_version_uid].id)} | {e.metric} | {e.value:g} | {_cell(e.date)} |"
             for e in facts["evaluations"]]
    return rows + [""]


def _lineage(facts: dict[str, Any]) -> list[str]:
    rows = ["## Lineage", ""]
    if not facts["lineage"]:
        return rows + ["No parent model version is recorded.", ""]
    words = {"FINE_TUNED_FROM": "fine-tuned from", "DISTILLED_FROM": "distilled from",
             "QUANTIZED_FROM": "quantized from", "CONVERTED_FROM": "converted from"}
    return rows + [f"- {words[t]} `{n.id}`" for t, n in facts["lineage"]] + [""]


def _deployment(dep: dict[str, Any]) -> list[str]:
    rows = ["## Deployment", ""]
    if dep.get("artifact_uri"):
        rows.append(f"- artifact: {dep['artifact_uri']} (sha256 {dep.get('artifact_sha256') or '-'}, "
                    f"{dep.get('artifact_size_bytes') or '-'} bytes)")
    if dep.get("onnx_opset") is not None:
        rows.append(f"- ONNX opset {dep['onnx_opset']}, IR version {dep.get('onnx_ir_version')}, "
                    f"producer {dep.get('onnx_producer') or '-'}")
    smoke = dep.get("smoke_tests") or []
    if smoke:
        rows.append(f"- smoke test ({smoke[0].get('ran_at')}): {'passed' if smoke[0].get('ok') else 'failed'}")
    benchmarks = dep.get("benchmarks") or []
    if benchmarks:
        rows += ["", "| batch | threads | p50 ms | p99 ms | hardware | measured |", "|---|---|---|---|---|---|"]
        rows += [f"| {b.get('batch')} | {b.get('threads')} | {b.get('p50_ms'):.3f} | {b.get('p99_ms'):.3f} | "
                 f"{_cell((b.get('hardware') or {}).get('cpu_model'))} | {b.get('measured_at')} |" for b in benchmarks]
    if len(rows) == 2:
        rows.append("Not measured: no ONNX artifact was registered for this version.")
    return rows + [""]
