"""The study as a catalog document (docs/catalog-format.md): datasets, models, evaluations.

One dataset per configuration (`pythia8-wqq-qcd-<config>`, version 1.0) whose conditions carry
the generation settings (tune plus changed Pythia settings, sqrt(s), pT window, smearing); the
smeared ones are DERIVED_FROM the base (kind reprocessing). Each model version is TRAINED_ON the
base and evaluated on every configuration (the base's test split for the base).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphcat.study.configs import MAX_CONSTITUENTS, Study, StudyConfig
from graphcat.study.jets import FEATURE_NAMES

DATASET_VERSION = "1.0"
MODEL_VERSION = "1.0.0"
TASK = "w-vs-qcd-jet-tagging"
OWNER = "graphcat-study"
MODEL_IDS = {"mlp": "wtag-substructure-mlp", "deepsets": "wtag-particle-flow-network", "masscut": "wtag-mass-tau21-window"}
MODEL_NAMES = {"mlp": "W tagger: jet-substructure MLP", "deepsets": "W tagger: Particle Flow Network (Deep Sets)",
               "masscut": "W tagger: soft jet-mass window and tau21 cut"}


def dataset_id(config_id: str) -> str:
    return f"pythia8-wqq-qcd-{config_id}"


def dataset_version_ref(config_id: str) -> str:
    return f"{dataset_id(config_id)}@{DATASET_VERSION}"


def dataset_version_uid(config_id: str) -> str:
    return f"dataset_version:{dataset_version_ref(config_id)}"


def model_version(artifact_sha256: str) -> str:
    """1.0.0 plus the artifact's digest: retraining that changes the weights is a new version."""
    return f"{MODEL_VERSION}+{artifact_sha256[:8]}"


def model_version_uid(kind: str, artifact_sha256: str) -> str:
    return f"model_version:{MODEL_IDS[kind]}@{model_version(artifact_sha256)}"


SCHEMA = [
    {"name": "features", "dtype": "float32", "shape": [len(FEATURE_NAMES)],
     "description": "jet substructure: " + ", ".join(FEATURE_NAMES)},
    {"name": "particles", "dtype": "float16", "shape": [MAX_CONSTITUENTS, 3],
     "description": f"the {MAX_CONSTITUENTS} hardest constituents: pT/jet pT, eta - jet eta, phi - jet phi; zero-padded"},
    {"name": "jet_pt", "dtype": "float32", "shape": [], "unit": "GeV"},
    {"name": "jet_eta", "dtype": "float32", "shape": []},
    {"name": "label", "dtype": "int8", "shape": [], "description": "1 = W -> qq jet, 0 = QCD jet"},
]


@dataclass(frozen=True)
class SampleFile:
    """Where a configuration's jets are; digest, size and jets are None for a sample not generated yet
    (a pre-registered configuration: graphcat.study.preregistration)."""

    digest: str | None
    size_bytes: int | None
    jets: int | None
    location: str


@dataclass(frozen=True)
class TrainedModel:
    kind: str
    artifact_uri: str
    artifact_sha256: str
    epochs: int
    learning_rate: float
    batch_size: int
    seed: int
    train_jets: int


def dataset_entry(cfg: StudyConfig, sample: SampleFile, created_at: str) -> dict[str, Any]:
    """One configuration as a catalog dataset with its one version."""
    version: dict[str, Any] = {
        "version": DATASET_VERSION, "created_at": created_at, "description": cfg.describe(), "format": "npz",
        "location": sample.location, "digest": sample.digest, "size_bytes": sample.size_bytes,
        "num_events": sample.jets, "data_type": "simulation", "conditions": cfg.conditions(), "features": SCHEMA,
    }
    version = {k: v for k, v in version.items() if v is not None}
    if cfg.derived_from:
        version["derived_from"] = [{"dataset": dataset_version_ref(cfg.derived_from), "kind": "reprocessing"}]
    return {"id": dataset_id(cfg.id), "name": f"Pythia 8 W->qq vs QCD jets: {cfg.title}",
            "description": cfg.describe(), "tasks": [TASK], "owner": OWNER, "tags": ["jets", "w-tagging", "pythia8"],
            "versions": [version]}


def _model(m: TrainedModel, study: Study, evaluations: dict[str, dict[str, float]], created_at: str) -> dict[str, Any]:
    inputs = [SCHEMA[0]] if m.kind in ("mlp", "masscut") else [{**SCHEMA[1], "dtype": "float32"}]
    evals = [{"dataset": dataset_version_ref(cfg_id), "metric": metric, "value": round(value, 6), "date": created_at,
              "notes": "base test split" if cfg_id == study.base_id else "all jets of the configuration"}
             for cfg_id, metrics in sorted(evaluations.items()) for metric, value in sorted(metrics.items())]
    return {
        "id": MODEL_IDS[m.kind], "name": MODEL_NAMES[m.kind], "tasks": [TASK], "owner": OWNER,
        "description": f"{MODEL_NAMES[m.kind]} trained on the graphcat Pythia 8 study's base configuration.",
        "tags": ["w-tagging", "study"],
        "versions": [{
            "version": model_version(m.artifact_sha256), "created_at": created_at, "framework": "pytorch", "format": "onnx",
            "artifact": {"uri": m.artifact_uri, "sha256": m.artifact_sha256}, "license": "Apache-2.0",
            "inputs": inputs, "outputs": [{"name": "p_w", "dtype": "float32", "shape": [1],
                                           "description": "probability that the jet is a W -> qq jet"}],
            "hyperparameters": {"learning_rate": m.learning_rate, "batch_size": m.batch_size, "epochs": m.epochs,
                                "optimizer": "adam", "extra": {"train_jets": m.train_jets}},
            "reproducibility": {"code_repository": "graphcat/study", "seed": m.seed},
            "trained_on": [dataset_version_ref(study.base_id)],
            "evaluations": evals,
        }],
    }


def document(study: Study, samples: dict[str, SampleFile], models: list[TrainedModel],
             evaluations: dict[str, dict[str, dict[str, float]]], created_at: str) -> dict[str, Any]:
    """The whole study as one catalog document; evaluations[kind][config][metric] = value."""
    return {
        "graphcat_catalog": 1,
        "tasks": [{"id": TASK, "name": "W vs QCD jet tagging",
                   "description": "Tell boosted hadronic W boson jets from QCD quark and gluon jets."}],
        "owners": [{"id": OWNER, "name": "graphcat generalisation study", "kind": "team"}],
        "datasets": [dataset_entry(cfg, samples[cfg.id], created_at) for cfg in study.configs if cfg.id in samples],
        "models": [_model(m, study, evaluations.get(m.kind, {}), created_at) for m in models],
    }
