"""Classifier metrics and rank correlation in numpy (no scikit-learn needed at test time)."""

from __future__ import annotations

import numpy as np

REJECTION_EFFICIENCY = 0.5
REJECTION_METRIC = "background_rejection@0.5"


def ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    out = np.empty(len(values))
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or ordered[end] != ordered[start]:
            out[order[start:end]] = 0.5 * (start + end - 1) + 1.0
            start = end
    return out


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties count one half)."""
    labels = np.asarray(labels).astype(bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both classes")
    r = ranks(scores)
    return float((r[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def background_rejection(labels: np.ndarray, scores: np.ndarray, efficiency: float = REJECTION_EFFICIENCY) -> float:
    """1 / background efficiency at the threshold keeping `efficiency` of the signal.

    When no background jet passes, one passing jet is assumed (a lower bound, not infinity)."""
    labels = np.asarray(labels).astype(bool)
    threshold = np.quantile(scores[labels], 1.0 - efficiency)
    passed = int((scores[~labels] >= threshold).sum())
    return float((~labels).sum() / max(passed, 1))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = ranks(np.asarray(a)), ranks(np.asarray(b))
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def mae(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


def auc_standard_error(auc: float, n_pos: int, n_neg: int) -> float:
    """Hanley & McNeil (1982) standard error of an AUC measured on n_pos signal and n_neg background jets."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (n_pos * n_neg)
    return float(var**0.5)
