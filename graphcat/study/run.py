"""The study end to end: generate (optional), train, export, evaluate, register, validate, report.

`python -m graphcat.study [--generate] [--sample DIR] [--epochs N] [--report docs/transferability.md]`
(`make study` runs it with --generate when the sample is missing). Without --generate it reuses the
sample in DIR (default: the shipped one, graphcat/study/data). Tests run `run_study` reduced.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from graphcat.deploy.artifacts import open_artifact_store
from graphcat.service import catalog as catalog_service
from graphcat.service.dataset_distance import TextEncoder
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphcat.study import catalog as study_catalog
from graphcat.study import loco, metrics, models, sample
from graphcat.study.configs import Study, default_study

METRICS = ("auc", metrics.REJECTION_METRIC)
Log = Callable[[str], None]


@dataclass
class StudyResult:
    measured: dict[str, dict[str, dict[str, float]]]  # model version uid -> config -> metric -> value
    rows: list[loco.Row]
    summaries: list[loco.Summary]
    document: dict[str, object]
    pair_rows: list[loco.Row] = field(default_factory=list)
    pair_summaries: list[loco.Summary] = field(default_factory=list)
    train_seconds: dict[str, float] = field(default_factory=dict)


def generate_sample(study: Study, folder: Path, log: Log = print, cache: Path | None = None) -> dict[str, object]:
    """Run Pythia + FastJet for every configuration and write the npz files and sample.json.

    cache: a folder for the raw generated jets, so a rerun after an interruption resumes."""
    from graphcat.study import generate

    started = time.perf_counter()
    manifest: dict[str, object] = {"generated_at": dt.date.today().isoformat(), "versions": generate.versions(),
                                   "configs": {}}
    test_constituents: dict[str, generate.Constituents] = {}
    for cfg in study.configs:
        log(f"configuration {cfg.id}: {cfg.title}")
        entry: dict[str, object] = {"title": cfg.title, "conditions": cfg.conditions()}
        if cfg.generated:
            sig, sig_info = generate.cached_process(cfg, "signal", cfg.seed_signal, cfg.jets_per_class, cache, log)
            bkg, bkg_info = generate.cached_process(cfg, "background", cfg.seed_background, cfg.jets_per_class,
                                                    cache, log)
            jets = generate.Constituents.concat([sig, bkg])
            entry.update({"signal": sig_info, "background": bkg_info, "jets_per_class": cfg.jets_per_class})
        else:
            assert cfg.derived_from is not None
            jets = test_constituents[cfg.derived_from]
            entry["derived_from"] = cfg.derived_from
            if cfg.smearing is not None:
                jets = generate.smeared(jets, cfg)
                entry.update({"smearing": cfg.smearing.__dict__, "smearing_seed": cfg.seed_smearing})
            if cfg.pileup is not None:
                pool, pool_info = generate.soft_pool(cfg.pileup, cache, log)
                jets = generate.overlaid(jets, pool, cfg.pileup.mean, cfg.seed_smearing)
                entry.update({"pileup": cfg.pileup.__dict__, "soft_qcd_pool": pool_info,
                              "overlay_seed": cfg.seed_smearing})
        arrays = generate.features(jets)
        if cfg.id == study.base_id:
            # A shuffled train/test split, fixed by the seed recorded beside it.
            rng = np.random.default_rng(cfg.seed_signal + cfg.seed_background)
            order = rng.permutation(len(jets))
            split = np.ones(len(jets), dtype=np.int8)
            split[order[: int(study.train_fraction * len(jets))]] = 0
            arrays["split"] = split
            entry["split"] = {"train_fraction": study.train_fraction, "seed": cfg.seed_signal + cfg.seed_background}
            test_constituents[cfg.id] = jets.take(np.flatnonzero(split == 1))
        path = sample.save(folder, cfg.id, arrays)
        entry.update({"file": path.name, "digest": sample.digest(path), "size_bytes": path.stat().st_size,
                      "jets": int(len(jets))})
        manifest["configs"][cfg.id] = entry  # type: ignore[index]
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    (folder / "sample.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


@dataclass
class Trained:
    """The taggers trained on a study's base and measured on every configuration of its sample."""

    models: list[study_catalog.TrainedModel]
    measured: dict[str, dict[str, dict[str, float]]]  # model version uid -> config -> metric -> value
    by_kind: dict[str, dict[str, dict[str, float]]]
    seconds: dict[str, float]
    onnx: dict[str, Path]  # model version uid -> exported file
    samples: dict[str, study_catalog.SampleFile]
    created_at: str


def train_and_measure(settings: Settings, study: Study, folder: Path = sample.SHIPPED, *, epochs: int = 30,
                      jets_per_class: int | None = None, onnx_dir: Path | None = None, log: Log = print) -> Trained:
    """Train every tagger on the base, export it to ONNX, evaluate the export on every configuration.

    jets_per_class limits every configuration to that many jets per class (a reduced study)."""
    manifest = sample.read_manifest(folder)
    created_at = str(manifest.get("generated_at") or dt.date.today().isoformat())
    onnx_dir = onnx_dir or Path(settings.artifact_root).parent / "study"
    store = open_artifact_store(settings)

    def limited(jets: sample.JetSet) -> sample.JetSet:
        return jets.head_per_class(jets_per_class) if jets_per_class else jets

    sets = {cfg.id: limited(sample.load(cfg.id, folder, split="test" if cfg.id == study.base_id else None))
            for cfg in study.configs}
    train_set = limited(sample.load(study.base_id, folder, split="train"))
    trained: list[study_catalog.TrainedModel] = []
    measured: dict[str, dict[str, dict[str, float]]] = {}
    by_kind: dict[str, dict[str, dict[str, float]]] = {}
    seconds: dict[str, float] = {}
    onnx: dict[str, Path] = {}
    for seed, kind in enumerate(models.KINDS, start=1):
        started = time.perf_counter()
        t = models.train(kind, train_set, epochs=epochs, seed=seed)
        seconds[kind] = round(time.perf_counter() - started, 1)
        path = models.export_onnx(t, onnx_dir / f"{study_catalog.MODEL_IDS[kind]}.onnx")
        art = store.put(path)
        trained.append(study_catalog.TrainedModel(kind, art.uri, art.sha256, t.epochs, t.learning_rate, t.batch_size,
                                                  t.seed, t.train_jets))
        results = {cfg_id: measure(art.path, kind, jets) for cfg_id, jets in sets.items()}
        by_kind[kind] = results
        uid = study_catalog.model_version_uid(kind, art.sha256)
        measured[uid] = results
        onnx[uid] = path
        log(f"{kind}: trained in {seconds[kind]} s; AUC " +
            ", ".join(f"{c}={r['auc']:.3f}" for c, r in results.items()))
    samples = {cfg_id: study_catalog.SampleFile(entry["digest"], entry["size_bytes"], len(sets[cfg_id]),
                                                _location(folder / entry["file"]))
               for cfg_id, entry in manifest["configs"].items() if cfg_id in sets}
    return Trained(trained, measured, by_kind, seconds, onnx, samples, created_at)


def _location(path: Path) -> str:
    """A sample file as the catalog records it: relative to the repository when it lies inside."""
    root = Path(__file__).resolve().parents[2]
    path = path.resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def measure(onnx_path: Path, kind: str, jets: sample.JetSet) -> dict[str, float]:
    """Every metric of METRICS for one exported tagger on one set of jets."""
    scores = models.onnx_scores(onnx_path, kind, jets)
    return {"auc": metrics.auc(jets.label, scores),
            metrics.REJECTION_METRIC: metrics.background_rejection(jets.label, scores)}


def run_study(db: Database, settings: Settings, *, study: Study | None = None, folder: Path = sample.SHIPPED,
              epochs: int = 30, jets_per_class: int | None = None, encoder: TextEncoder | None = None,
              onnx_dir: Path | None = None, log: Log = print) -> StudyResult:
    """Train the taggers on the base, evaluate every configuration, register all, validate the estimator.

    jets_per_class limits every configuration to that many jets per class (a reduced study)."""
    study = study or default_study()
    t = train_and_measure(settings, study, folder, epochs=epochs, jets_per_class=jets_per_class, onnx_dir=onnx_dir,
                          log=log)
    measured = t.measured
    doc = study_catalog.document(study, t.samples, t.models, t.by_kind, t.created_at)
    report = catalog_service.register(db, doc, name="graphcat-study")
    log(f"registered: {report.summary()}")

    configs = {cfg.id: study_catalog.dataset_version_uid(cfg.id) for cfg in study.configs}
    rows = loco.leave_one_out(db, list(measured), configs, study.base_id, measured, list(METRICS), encoder)
    summaries = [loco.summarise(rows, metric) for metric in METRICS]
    pair_rows = loco.leave_one_out(db, list(measured), configs, study.base_id, measured, list(METRICS), encoder,
                                   pairs=True)
    pair_summaries = [loco.summarise(pair_rows, metric) for metric in METRICS]
    return StudyResult(measured, rows, summaries, doc, pair_rows, pair_summaries, t.seconds)
