"""docs/transferability.md: the measured table, the leave-one-out validation and a plot."""

from __future__ import annotations

import json
from pathlib import Path

from graphcat.study import loco, prereg_report
from graphcat.study.configs import Study
from graphcat.study.metrics import REJECTION_METRIC, auc_standard_error
from graphcat.study.run import METRICS, StudyResult

INTRO = """\
# Transferability: how far can a trained model be reused on another dataset?

graphcat estimates, for a (model version, dataset version) pair without an evaluation, the metric
to expect, with an interval and the evidence behind it, or answers "not enough evidence"
(`graphcat/service/transferability.py`; the model is documented there in full). The evidence is
the model's recorded evaluations on other datasets, weighted by how close each dataset is to the
target (`graphcat/service/dataset_distance.py`: data/simulation, detector, experiment, sqrt(s),
pile-up, pT range, the numeric knobs in `conditions.parameters`, generator, tune and its changed
settings, detector simulation, schema, description embeddings) and by DERIVED_FROM lineage. Each
evaluation is carried to the target along a response fitted on the model's own evaluations and
shrunk towards its peers': on the numeric axes (sqrt(s), pile-up, jet pT, a resolution, a
generator setting) a signed linear trend plus a cost of moving away from the training point either
way, on the categorical ones (a tune name, a generator) a penalty per unit; the interval grows with
the distance the estimate is carried.

To test it on something real, `make study` generates W->qq vs QCD jets with Pythia 8 and FastJet
under a base configuration and shifted ones, trains three small taggers on the base, exports them
to ONNX, registers everything in the catalog with the generation settings as dataset conditions
(numbers where they are numbers), evaluates every model on every configuration, and measures the
estimator by leaving one configuration out at a time (all its evaluations hidden, for every model).
"""

# The run before numeric axes (docs/transferability.md at commit be2a65e): 9 configurations of
# 1200-3000 jets per class, two taggers, the unsigned-drift estimator. Quoted, not recomputed: that
# sample is no longer shipped (git show be2a65e:graphcat/study/data/... has it).
PREVIOUS_RUN = ("9 configurations (16 pairs), 2 taggers, estimator at be2a65e (quoted)",
                "| auc | 16 | 0.60 | 0.76 | 0.18 | 0.0145 | 0.0180 | 75% | 0 |")


# What the estimators compared with `--compare-estimator-from` were (shown beside their rows).
ESTIMATOR_NOTES = {
    "be2a65e": "unsigned drift per axis, conditions equal/different (before numeric axes)",
    "8fe1587": "signed linear slopes on numeric axes only (written before any result on this sample was seen)",
}


def _fmt(metric: str, v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.1f}" if metric == REJECTION_METRIC else f"{v:.3f}"


def write(result: StudyResult, study: Study, manifest: dict[str, object], path: Path, plot: Path | None,
          comparisons: list[tuple[str, list[loco.Row], list[loco.Row]]] | None = None) -> Path:
    lines = [INTRO, "## The sample", ""]
    versions = manifest.get("versions", {})
    lines.append(f"Generated with {json.dumps(versions)} in {manifest.get('seconds', '?')} s on one core "
                 "(of a shared 2-core machine, other jobs running); "
                 "settings and seeds per configuration are in `graphcat/study/data/sample.json`, the jets in "
                 "`graphcat/study/data/<config>.npz`.")
    lines += ["", "| configuration | what changes | jets | conditions recorded |", "|---|---|---|---|"]
    for cfg in study.configs:
        entry = manifest["configs"][cfg.id]  # type: ignore[index]
        cond = cfg.conditions()
        params = ", ".join(f"{k}={v:g}" for k, v in cond["parameters"].items())  # type: ignore[attr-defined]
        recorded = (f"sqrt(s)={cond['sqrt_s_tev']:g} TeV; pile-up {cond['pileup_mean']:g}; {cond['kinematic_range']}; "
                    f"tune {cond['tune']}; {cond['detector_simulation']}; parameters: {params}"
                    ).replace("|", "\\|")  # a pipe would end the cell
        lines.append(f"| `{cfg.id}` | {cfg.title} | {entry['jets']} | {recorded} |")
    lines += ["", "## Measured performance (ONNX models, every configuration)", ""]
    uids = list(result.measured)
    header = "| configuration | " + " | ".join(f"{u.split(':', 1)[1]} {m}" for u in uids for m in METRICS) + " |"
    lines += [header, "|---" * (1 + len(uids) * len(METRICS)) + "|"]
    for cfg in study.configs:
        cells = [_fmt(m, result.measured[u][cfg.id][m]) for u in uids for m in METRICS]
        lines.append(f"| `{cfg.id}` | " + " | ".join(cells) + " |")
    lines += ["", "The base column is the base configuration's test split (the models never saw it); "
              f"background rejection is 1/eps_B at 50% signal efficiency.", "",
              "## Leave one configuration out", "",
              "Every evaluation on the held-out configuration is hidden, for every model: a new dataset."]
    lines += _summary_table(result.summaries)
    lines += ["", _verdict(result, manifest)]
    lines += _comparison(result, comparisons or [])
    lines += ["", "Leaving out one (model, configuration) pair instead, so that the other model's result on that "
              "configuration stays in the catalog as evidence (a dataset some models were already evaluated on):", ""]
    lines += _summary_table(result.pair_summaries)
    lines += ["", "Baseline: \"the same as on its training dataset\" (the base test split). Rejection errors are "
              "compared on a log scale. Spearman is over all (model, held-out configuration) pairs, where part of "
              "the correlation is the difference between the models (the baseline gets that part too); the within-model "
              "column ranks the configurations for each model alone (the baseline, constant per model, has none).", "",
              "Each estimate with its configuration left out:", "",
              "| held-out configuration | model | metric | measured | estimated | interval | baseline |",
              "|---|---|---|---|---|---|---|"]
    for r in result.rows:
        interval = f"[{_fmt(r.metric, r.low)}, {_fmt(r.metric, r.high)}]" if r.low is not None else "—"
        lines.append(f"| `{r.config_id}` | {r.model_version_uid.split(':', 1)[1]} | {r.metric} | "
                     f"{_fmt(r.metric, r.measured)} | {_fmt(r.metric, r.estimated)} | {interval} | "
                     f"{_fmt(r.metric, r.baseline)} |")
    lines += ["", "## What changed, and why", "",
              "- Numeric, signed axes. Each configuration records its knobs as numbers in "
              "`conditions.parameters` (docs/catalog-format.md): the jet pT window centre, the Gaussian "
              "smearing's sigma(pT)/pT and sigma(eta) = sigma(phi) (`detector_*`), Pythia's `PartonLevel:MPI` "
              "(1/0) and `StringZ:aLund` (only under Monash, whose value is known), beside `sqrt_s_tev` and "
              "`pileup_mean`, which were numbers already. Two smearings are now 0.5 and 2 units from none "
              "instead of both 1, and aLund = 0.3 is a move along an axis rather than \"a tune setting changed\".",
              "- A response with a sign. Physics moves taggers in opposite directions along one axis: as the jet "
              "pT rises, the W's decay products (opening angle about 2 m_W / pT) merge and the mass peak stands "
              "out against QCD, so the substructure MLP and the mass window gain, while the particle-level "
              "network, fed pT fractions and angles whose scale shrinks with pT, leaves what it was trained on "
              "and loses. An unsigned drift can only predict a loss; the fitted response carries each "
              "evaluation along the axis with the model's own sign (shrunk towards the other taggers' when a "
              "model has few points there), and a cost of moving away from the training point in either "
              "direction lets a model be best where it was trained.",
              "- Neighbours on each axis. The sample adds jet pT 200-300 and 600-700 GeV, sqrt(s) = 10 and 14 TeV, "
              "aLund = 0.5, a medium smearing (0.1, 0.02) and a pile-up-like overlay of soft QCD events "
              "(Poisson mean 10 and 20, no mitigation) made from the base test jets, so a held-out "
              "configuration is interpolated or extrapolated from its own axis instead of from unrelated "
              "shifts. Shifted configurations have 4000 jets (were 2400) and the base 8000 (test split 2400, "
              "was 1800), with the same seeds, so the old jets are the first of the new ones; the shipped "
              "sample grew from 4.4 to 12 MB.",
              "- A third tagger, a soft jet-mass window with a tau21 term (four parameters), so the pooled part "
              "is not just \"the other model\"; it reacts to shifts only through the mass and tau21, which "
              "pile-up moves most.",
              "- The description embedding weighs evidence but no longer gets a slope: it restates the "
              "conditions in words, and a slope fitted on it charged the A14 tune with the pile-up "
              "configurations' losses.",
              "", "## What the estimator cannot know", "",
              "- Along each numeric axis the response is a line plus a cost of distance from the training point "
              "(either way), additive across axes. With evaluations on one side of the training point only, "
              "the two cannot be told apart, and the other side is predicted near the training value: jet pT "
              "200-300 held out, every tagger is estimated close to its base AUC while all three lose "
              "there (at pT 200-300 the W's decay products, about 2 m_W / pT = 0.6 apart, are often not both "
              "inside R = 0.8, so the mass peak degrades; the particle-level network also sees angles wider than "
              "it was trained on), and the interval does not reach the measurement for the particle-level network "
              "and the mass window. Curvature is not modelled: pile-up hurts the mass-based "
              "taggers faster than linearly, so extrapolating from mean 10 to 20 underestimates the loss.",
              "- An axis with one configuration on it (MPI on/off, the tune) has no slope of its own once that "
              "configuration is held out: the estimate is the training value moved only by the other models' "
              "response on that axis (or nothing, when they have none) and the interval by the prior's spread.",
              "- Parameters are compared only when both datasets record them; aLund is not recorded under the "
              "A14 tune (its value there is not in the study's settings), so that tune differs categorically.",
              "- The pooled response carries the other taggers' sensitivities over with shrinkage; three "
              "taggers with different inputs (substructure MLP, particle-level network, mass window) still "
              "make a small peer group.",
              "- The measured values carry a statistical error (see the verdict above) that no estimator can "
              "remove: within-model rankings of configurations whose metrics differ by less than about two "
              "standard errors are partly decided by noise, for the estimator and for any check of it.",
              "- The interval is a heuristic (Z = 1.64 on the spreads and the fit's coefficient variance); the "
              "coverage column measures it. Along a direction no evaluation constrains (the far side of the "
              "training point, an axis seen once) its width comes from the prior, sigma^2 / RIDGE per unit, "
              "which is narrow when the model's other evaluations fit well: it does not cover a large loss "
              "nobody has measured.",
              "- A dataset without the model's inputs by name is asked to the recommender's matcher "
              "(embeddings.compat with the derivation rules of embeddings.derive): when every input can be "
              "fed (pT from px and py, a packed E_0..E_199 run, eta relative to the summed jet axis...), the "
              "estimate goes ahead and says how. On the demo catalog the top-tagging reference (raw E, PX, PY, "
              "PZ) still cannot feed ParticleNet or ParT: the matcher derives no log(pT) or log(E) from a GeV "
              "column, so those pairs stay \"not enough evidence\", with that reason."]
    if plot is not None:
        _plot(result.rows, plot)
        lines += ["", f"![estimated vs measured AUC]({plot.name})"]
    kept = prereg_report.kept_section(path)  # the pre-registered test is not rerun by the study: keep it
    if kept is not None:
        lines += ["", kept]
    lines += ["", "Reproduce: `make study` (generates the sample when `graphcat/study/data` lacks it, which "
              "needs the `study` extra: pythia8mc and fastjet), or `.venv/bin/python -m graphcat.study` "
              "to retrain and re-measure on the shipped sample.", ""]
    path.write_text("\n".join(lines))
    return path


# The held-out configurations of the previous run (the 9-configuration sample), for a comparison
# on the same question: the new sample regenerates them with the same seeds and more jets.
PREVIOUS_CONFIGS = ("sqrts8", "pt400", "pt500", "tune-a14", "mpi-off", "alund03", "smear-small", "smear-large")


def _comparison(result: StudyResult, comparisons: list[tuple[str, list[loco.Row], list[loco.Row]]]) -> list[str]:
    """The same validation with other estimators on this run's catalog, and the previous run as quoted."""
    if not comparisons:
        return []
    header = ["| run | metric | pairs | Spearman (estimator) | Spearman (baseline) | Spearman within each model "
              "| MAE (estimator) | MAE (baseline) | interval coverage | not enough evidence |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    runs = [(_note(label), rows, pairs) for label, rows, pairs in comparisons]
    runs.append(("current estimator", result.rows, result.pair_rows))
    n = len(result.measured)

    def line(label: str, rows: list[loco.Row], only: tuple[str, ...] | None = None) -> str:
        sel = [r for r in rows if only is None or r.config_id in only]
        return f"| {label} " + _summary_table([loco.summarise(sel, "auc")])[-1]

    lines = ["", "### Before and after", "",
             "AUC, leave one configuration out. Each row is one run of the validation; the estimator and the "
             "baseline are side by side. Rows on this sample use the same models and catalog, so the only "
             "difference between them is the estimator. The current estimator adds, to the signed slopes, a "
             "cost of moving away from the training point in either direction and stops fitting a slope on "
             "the description embedding; both changes were made after the signed-only run's held-out results "
             "were seen (it extrapolated a falling pT trend upwards below the training window, and a slope on "
             "the description distance turned the A14 tune into a large loss), so the current row is not an "
             "independent test: the rows before it are the honest before/after.", "", *header,
             f"| previous sample: {PREVIOUS_RUN[0]} {PREVIOUS_RUN[1]}"]
    lines += [line(f"this sample ({len(rows) // len(METRICS)} pairs, {n} taggers), {label}", rows)
              for label, rows, _ in runs]
    lines += ["", f"The same, restricted to the {len(PREVIOUS_CONFIGS)} held-out configurations of the previous "
              "sample (regenerated with the same seeds and more jets; the new configurations stay in the "
              "catalog as evidence, so this isolates what the neighbours on each axis add):", "", *header]
    lines += [line(label, rows, PREVIOUS_CONFIGS) for label, rows, _ in runs]
    lines += ["", "Leaving out one (model, configuration) pair, same runs:", "", *header]
    lines += [line(label, pairs) for label, _, pairs in runs]
    return lines


def _note(label: str) -> str:
    commit = label.rsplit(" ", 1)[-1]
    return f"{label}: {ESTIMATOR_NOTES[commit]}" if commit in ESTIMATOR_NOTES else label


def _summary_table(summaries: list[loco.Summary]) -> list[str]:
    lines = ["", "| metric | pairs | Spearman (estimator) | Spearman (baseline) | Spearman within each model "
             "| MAE (estimator) | MAE (baseline) | interval coverage | not enough evidence |",
             "|---|---|---|---|---|---|---|---|---|"]
    for s in summaries:
        unit = " (log)" if s.metric == REJECTION_METRIC else ""
        lines.append(f"| {s.metric}{unit} | {s.n} | {s.spearman:.2f} | {s.spearman_baseline:.2f} | "
                     f"{s.spearman_within_model:.2f} | {s.mae:.4f} | {s.mae_baseline:.4f} | {s.coverage:.0%} | "
                     f"{s.not_enough_evidence} |")
    return lines


def _verdict(result: StudyResult, manifest: dict[str, object]) -> str:
    auc = next(s for s in result.summaries if s.metric == "auc")
    met = auc.spearman >= 0.7 and auc.spearman > auc.spearman_baseline and auc.mae < auc.mae_baseline
    rows = [r for r in result.rows if r.metric == "auc"]
    jets = [manifest["configs"][r.config_id]["jets"] for r in rows]  # type: ignore[index]
    se = sorted(auc_standard_error(r.measured, j // 2, j // 2) for r, j in zip(rows, jets))
    shifts = sorted(abs(r.measured - r.baseline) for r in rows)
    return (f"**Target of issue 10** (Spearman >= 0.7 and better than the baseline, AUC): "
            f"{'met' if met else 'not met'} — Spearman {auc.spearman:.2f} vs {auc.spearman_baseline:.2f} for the "
            f"baseline, MAE {auc.mae:.4f} vs {auc.mae_baseline:.4f}. For scale: the statistical error of one "
            f"measured AUC on a held-out configuration is about {se[len(se) // 2]:.4f} (Hanley-McNeil, median), "
            f"while the configurations move a model's AUC by {shifts[len(shifts) // 2]:.3f} (median) and at most "
            f"{shifts[-1]:.3f} from its base value, so several shifts are within two or three standard errors "
            f"and their ranking is partly noise.")


def _plot(rows: list[loco.Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5))
    for uid, marker in zip(sorted({r.model_version_uid for r in rows}), "os^"):
        sel = [r for r in rows if r.model_version_uid == uid and r.metric == "auc" and r.estimated is not None]
        x = [r.measured for r in sel]
        y = [r.estimated for r in sel]
        err = [[r.estimated - r.low for r in sel], [r.high - r.estimated for r in sel]]  # type: ignore[operator]
        ax.errorbar(x, y, yerr=err, fmt=marker, capsize=3, label=uid.split(":", 1)[1].split("@")[0])
        ax.scatter(x, [r.baseline for r in sel], marker="x", color="grey")
        for r in sel:
            ax.annotate(r.config_id, (r.measured, r.estimated), fontsize=7, xytext=(3, 3), textcoords="offset points")
    lo = min(min(r.measured, r.estimated or 1) for r in rows if r.metric == "auc") - 0.01
    hi = max(max(r.measured, r.estimated or 0) for r in rows if r.metric == "auc") + 0.01
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
    ax.set_xlabel("measured AUC (held-out configuration)")
    ax.set_ylabel("estimated AUC (x: baseline)")
    ax.set_title("Leave-one-configuration-out transferability")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
