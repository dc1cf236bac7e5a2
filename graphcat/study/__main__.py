"""`python -m graphcat.study`: see graphcat.study.run."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database
from graphcat.study import catalog as study_catalog
from graphcat.study import legacy, loco, report, sample
from graphcat.study.configs import default_study
from graphcat.study.run import METRICS, generate_sample, run_study


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m graphcat.study", description=__doc__)
    parser.add_argument("--generate", action="store_true", help="generate the sample with Pythia 8 + FastJet first")
    parser.add_argument("--sample", type=Path, default=sample.SHIPPED, help="sample folder (default: the shipped one)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--report", type=Path, default=Path("docs/transferability.md"))
    parser.add_argument("--no-encoder", action="store_true", help="skip the description-embedding distance")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the raw generated jets here, so an interrupted --generate resumes")
    parser.add_argument("--compare-estimator-from", metavar="COMMIT", action="append", default=[],
                        help="also validate the estimator as it was at this git commit, on the same catalog "
                             "(repeatable)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # a shared 2-core machine: one core for the study
    study = default_study()
    if args.generate or not (args.sample / "sample.json").is_file():
        generate_sample(study, args.sample, cache=args.cache)
    encoder = None
    if not args.no_encoder:
        from embeddings.encoder import Encoder

        encoder = Encoder()
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


if __name__ == "__main__":
    raise SystemExit(main())
