"""The "Pre-registered test (issue 20)" section of docs/transferability.md and its figure.

The section sits between two markers so that `--evaluate` can rewrite it and `report.write` (the
whole study's report, `make study`) keeps it when it regenerates the rest of the file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from graphcat.study.metrics import REJECTION_METRIC
from graphcat.study.preregistration import FOLDER, ROOT

START = "<!-- preregistered-test:start -->"
END = "<!-- preregistered-test:end -->"


def kept_section(path: Path) -> str | None:
    """The section as it stands in the file at `path` (markers included), if there is one."""
    if not path.is_file():
        return None
    text = path.read_text()
    if START not in text or END not in text:
        return None
    return text[text.index(START):text.index(END) + len(END)]


def _commit_of(path: Path) -> str:
    """The commit that first added `path` (the pre-registration commit), or why it is unknown."""
    done = subprocess.run(["git", "-C", str(ROOT), "log", "--diff-filter=A", "--format=%H %cI", "--", str(path)],
                          capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    return lines[-1] if done.returncode == 0 and lines else "(not committed)"


def _fmt(metric: str, v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.1f}" if metric == REJECTION_METRIC else f"{v:.3f}"


def section(predictions: dict[str, Any], result: dict[str, Any], predictions_path: Path,
            manifest: dict[str, Any], figure: str) -> str:
    est = predictions["estimator"]
    lines = [START, "## Pre-registered test (issue 20)", "",
             f"The estimator was frozen at commit `{est['commit']}` (tag `{est['tag']}`), then new configurations "
             f"were written in `{predictions['configs_file']}`, the estimator's predictions for them were made "
             f"and committed in `{_relative(predictions_path)}` (first commit: `{_commit_of(predictions_path)}`, "
             f"made at {predictions['made_at']}) before any of their jets was generated, and only then were the "
             "jets generated and the taggers measured. The predictions use the estimator's code at the frozen "
             "commit (read from git by `graphcat.study.legacy`), the built-in study's catalog as evidence and "
             "the new configurations' conditions and descriptions only; the taggers measured are the ones the "
             "predictions were made for (their ONNX files are committed with the predictions and their sha256 "
             "is checked).", "",
             "| configuration | what is new | jets (signal + background) | generated in |", "|---|---|---|---|"]
    for cfg_id, entry in predictions["configs"].items():
        made = manifest["configs"][cfg_id]
        secs = sum(made.get(p, {}).get("seconds", 0.0) for p in ("signal", "background"))
        n = result["jets"][cfg_id]
        lines.append(f"| `{cfg_id}` | {entry['title']} | {n['signal']} + {n['background']} | "
                     f"{f'{secs:.0f} s' if secs else 'derived from the base test jets'} |")
    lines += ["", "Measured against predicted, per tagger (AUC ± its Hanley-McNeil statistical error):", "",
              "| configuration | tagger | metric | measured | predicted | interval | inside | baseline |",
              "|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        m = r["metric"]
        measured = _fmt(m, r["measured"]) + (f" ± {r['auc_se']:.3f}" if r["auc_se"] is not None else "")
        interval = f"[{_fmt(m, r['low'])}, {_fmt(m, r['high'])}]" if r["low"] is not None else "—"
        lines.append(f"| `{r['config_id']}` | {r['kind']} | {m} | {measured} | {_fmt(m, r['estimated'])} | "
                     f"{interval} | {'yes' if r['inside'] else 'no'} | {_fmt(m, r['baseline'])} |")
    lines += ["", "| metric | pairs | Spearman (frozen estimator) | Spearman (baseline) | Spearman within each tagger "
              "| MAE (frozen estimator) | MAE (baseline) | interval coverage | not enough evidence |",
              "|---|---|---|---|---|---|---|---|---|"]
    for m, s in result["summaries"].items():
        unit = " (log)" if m == REJECTION_METRIC else ""
        lines.append(f"| {m}{unit} | {s['n']} | {s['spearman']:.2f} | {s['spearman_baseline']:.2f} | "
                     f"{s['spearman_within_model']:.2f} | {s['mae']:.4f} | {s['mae_baseline']:.4f} | "
                     f"{s['coverage']:.0%} | {s['not_enough_evidence']} |")
    lines += ["", "AUC mean absolute error per configuration (over the taggers):", "",
              "| configuration | MAE (frozen estimator) | MAE (baseline) |", "|---|---|---|"]
    for cfg_id, v in result["auc_by_config"].items():
        lines.append(f"| `{cfg_id}` | {v['mae']:.4f} | {v['mae_baseline']:.4f} |")
    reading = FOLDER / "reading.md"  # the written reading of the results, kept beside them
    lines += ["", f"![pre-registered: predicted vs measured AUC]({figure})", ""]
    if reading.is_file():
        lines += [reading.read_text().strip(), ""]
    lines += [
              "Reproduce: `python -m graphcat.study --predict --configs graphcat/study/preregistered/configs.yaml "
              "--out graphcat/study/preregistered/predictions.json` (train, register, predict; no jets needed), then "
              "`python -m graphcat.study --evaluate graphcat/study/preregistered/predictions.json --configs "
              "graphcat/study/preregistered/configs.yaml --generate --cache .graphcat/study-raw-prereg --sample "
              ".graphcat/study-prereg-sample --out graphcat/study/preregistered/results.json`. "
              "`make study-prereg` reruns the second step. Anyone can add configurations to a copy of the file "
              "(format and checks: `graphcat/study/config_file.py`) and run both steps again; `python -m "
              "graphcat.study --configs FILE --generate --sample DIR` runs the whole study on a file's "
              "configurations instead of the built-in ones.", END]
    return "\n".join(lines)


def _relative(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in result["rows"] if r["metric"] == "auc" and r["estimated"] is not None]
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    for kind, marker in zip(sorted({r["kind"] for r in rows}), "os^"):
        sel = [r for r in rows if r["kind"] == kind]
        x = [r["measured"] for r in sel]
        y = [r["estimated"] for r in sel]
        ax.errorbar(x, y, xerr=[r["auc_se"] for r in sel],
                    yerr=[[r["estimated"] - r["low"] for r in sel], [r["high"] - r["estimated"] for r in sel]],
                    fmt=marker, capsize=3, label=f"{kind} (frozen estimator)")
        ax.scatter(x, [r["baseline"] for r in sel], marker="x", color="grey")
        for r in sel:
            if r["inside"]:
                continue  # only the misses are named: the rest crowd the diagonal
            ax.annotate(r["config_id"], (r["measured"], r["estimated"]), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
    values = [v for r in rows for v in (r["measured"], r["low"], r["high"], r["baseline"])]
    lo, hi = min(values) - 0.01, max(values) + 0.01
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
    ax.set_xlabel("measured AUC (new configuration, ± statistical error)")
    ax.set_ylabel("predicted AUC before measuring (x: baseline)")
    ax.set_title("Pre-registered test of the frozen estimator (issue 20)\nnamed: measurement outside the interval",
                 fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def update(doc: Path, predictions: dict[str, Any], result: dict[str, Any], predictions_path: Path,
           manifest: dict[str, Any], *, draw: bool = True) -> Path:
    """Write (or rewrite) the section in `doc`, before its closing "Reproduce" paragraph, and the figure beside it.

    draw=False leaves the figure as it is (matplotlib is in the `study` extra, which tests do not need)."""
    figure = doc.with_name(doc.stem + "-preregistered.png")
    if draw:
        plot(result, figure)
    new = section(predictions, result, predictions_path, manifest, figure.name)
    text = doc.read_text()
    old = kept_section(doc)
    if old is not None:
        text = text.replace(old, new)
    else:
        at = text.rfind("\nReproduce: `make study`")
        text = (text[:at] + "\n" + new + "\n" + text[at:]) if at >= 0 else text.rstrip("\n") + "\n\n" + new + "\n"
    doc.write_text(text)
    return doc
