"""`python -m graphcat.study`: see graphcat.study.run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database
from graphcat.study import catalog as study_catalog
from graphcat.errors import InvalidInput
from graphcat.study import config_file, legacy, loco, prereg_report, preregistration, report, sample
from graphcat.study.configs import default_study
from graphcat.study.run import METRICS, generate_sample, run_study


REPORT = Path("docs/transferability.md")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m graphcat.study", description=__doc__)
    parser.add_argument("--generate", action="store_true", help="generate the sample with Pythia 8 + FastJet first")
    parser.add_argument("--sample", type=Path, default=sample.SHIPPED, help="sample folder (default: the shipped one)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--report", type=Path, default=REPORT,
                        help="the report (default: docs/transferability.md; with --configs, <sample>/transferability.md)")
    parser.add_argument("--no-encoder", action="store_true", help="skip the description-embedding distance")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the raw generated jets here, so an interrupted --generate resumes")
    parser.add_argument("--compare-estimator-from", metavar="COMMIT", action="append", default=[],
                        help="also validate the estimator as it was at this git commit, on the same catalog "
                             "(repeatable)")
    parser.add_argument("--configs", type=Path, default=None,
                        help="a YAML file of configurations (graphcat/study/config_file.py) instead of the built-in ones")
    parser.add_argument("--predict", action="store_true",
                        help="pre-registration: predict, with the frozen estimator, every tagger on the --configs "
                             "configurations the built-in study lacks (no jets needed), write --out")
    parser.add_argument("--evaluate", type=Path, metavar="PREDICTIONS", default=None,
                        help="score these committed predictions on the --configs sample in --sample "
                             "(with --generate: generate it first), write --out and the report section")
    parser.add_argument("--out", type=Path, default=None, help="where --predict / --evaluate write their JSON")
    parser.add_argument("--onnx-dir", type=Path, default=preregistration.FOLDER / "models",
                        help="--predict: where the exported taggers go (commit them with the predictions)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # a shared 2-core machine: one core for the study
    if (args.predict or args.evaluate) and (args.configs is None or args.out is None):
        parser.error("--predict and --evaluate need --configs FILE and --out FILE")
    if args.predict:
        return _predict(args)
    if args.evaluate:
        return _evaluate(args)
    study = config_file.read(args.configs) if args.configs else default_study()
    if args.configs and args.sample == sample.SHIPPED:
        raise InvalidInput("with --configs, give --sample DIR for that study's jets (the shipped sample is the "
                           "built-in study's)", path="--sample")
    if args.configs and args.report == REPORT:
        args.report = args.sample / "transferability.md"  # docs/transferability.md is the built-in study's
    if args.generate or not (args.sample / "sample.json").is_file():
        generate_sample(study, args.sample, cache=args.cache)
    encoder = _encoder(args)
    settings = Settings.from_env()
    with Database(settings) as db:
        migrations.apply(db)
        result = run_study(db, settings, study=study, folder=args.sample, epochs=args.epochs, encoder=encoder)
        comparisons: list[tuple[str, list[loco.Row], list[loco.Row]]] = []
        for commit in args.compare_estimator_from:
            older = legacy.estimator_class(commit)
            configs = {cfg.id: study_catalog.dataset_version_uid(cfg.id) for cfg in study.configs}
            runs = [loco.leave_one_out(db, list(result.measured), configs, study.base_id, result.measured, list(METRICS),
                                       encoder, pairs=pairs, estimator_class=older) for pairs in (False, True)]
            comparisons.append((f"estimator at {commit}", runs[0], runs[1]))
    for s in result.summaries:
        print(f"{s.metric}: n={s.n} spearman={s.spearman:.3f} (baseline {s.spearman_baseline:.3f}) "
              f"MAE={s.mae:.4f} (baseline {s.mae_baseline:.4f}) coverage={s.coverage:.0%}")
    path = report.write(result, study, sample.read_manifest(args.sample), args.report,
                        args.report.with_suffix(".png"), comparisons=comparisons)
    print(f"wrote {path}")
    return 0


def _encoder(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    if args.no_encoder:
        return None
    from embeddings.encoder import Encoder

    return Encoder()


def _predict(args: argparse.Namespace) -> int:
    targets = config_file.read(args.configs)
    settings = Settings.from_env()
    with Database(settings) as db:
        migrations.apply(db)
        out = preregistration.predict(db, settings, targets, configs_file=args.configs, onnx_dir=args.onnx_dir,
                                      epochs=args.epochs, encoder=_encoder(args))
    for p in out["predictions"]:
        if p["metric"] == "auc":
            print(f"{p['config_id']:>12} {p['kind']:>9}: {p['status']} {p['estimated']} [{p['low']}, {p['high']}] "
                  f"(baseline {p['baseline']:.3f})")
    print(f"wrote {preregistration.write_json(out, args.out)}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    targets = config_file.read(args.configs)
    predictions = json.loads(args.evaluate.read_text())
    if args.generate or not (args.sample / "sample.json").is_file():
        generate_sample(targets, args.sample, cache=args.cache)
    result = preregistration.evaluate(predictions, args.sample)
    preregistration.write_json(result, args.out)
    for metric, s in result["summaries"].items():
        print(f"{metric}: n={s['n']} spearman={s['spearman']:.3f} (baseline {s['spearman_baseline']:.3f}) "
              f"MAE={s['mae']:.4f} (baseline {s['mae_baseline']:.4f}) coverage={s['coverage']:.0%}")
    path = prereg_report.update(args.report, predictions, result, args.evaluate, sample.read_manifest(args.sample))
    print(f"wrote {args.out} and the section in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
