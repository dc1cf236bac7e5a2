"""The fitted response of the transferability estimator (graphcat.service.transferability, step 2).

A model's metric relative to its training data as a ridge regression on the offsets of a dataset
version from the training data: signed slopes on numeric axes, losses per unit moved away either
way, penalties per unit of categorical distance, with the covariance of the fit. Split out of
graphcat/service/transferability.py unchanged (the module docstring there describes the model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

RIDGE = 1.0
MIN_OWN = 3  # evaluations away from the training data before a model's own residual spread is trusted

# "num:<axis>" -> signed offset, "abs:<axis>" -> its size, "cat:<axis>" -> categorical distance
Offsets = dict[str, float]


def difference(a: Offsets, b: Offsets) -> Offsets:
    """a - b (offsets of the target and of an evidence, both from the training data)."""
    return {k: a.get(k, 0.0) - b.get(k, 0.0) for k in set(a) | set(b) if a.get(k, 0.0) != b.get(k, 0.0)}


@dataclass(frozen=True)
class Response:
    """A model's metric relative to its training data: signed slopes on numeric axes ("num:<axis>"),
    penalties per unit on categorical ones ("cat:<axis>"), with the fit's covariance."""

    coefficients: dict[str, float]  # num: change per unit; cat: loss per unit
    penalty: float  # the common categorical penalty per unit, for categorical axes never observed
    sigma: float | None  # residual spread of the fit
    covariance: np.ndarray | None  # of the coefficients, in the order of `axes`
    axes: tuple[str, ...]
    source: str

    def coefficient(self, axis: str) -> float:
        if axis in self.coefficients:
            return self.coefficients[axis]
        return self.penalty if axis.startswith("cat:") else 0.0

    def change(self, z: Offsets) -> float:
        """Predicted metric change for offsets z (numeric: signed; mismatch and categorical: a loss)."""
        return float(sum(self.coefficient(a) * _sign(a) * v for a, v in z.items()))

    def variance(self, z: Offsets) -> float:
        """Variance of change(z) from the coefficients' uncertainty; an axis outside the fit gets
        the prior's spread (sigma^2 / RIDGE per unit squared)."""
        sigma2 = (self.sigma or 0.0) ** 2
        index = {a: i for i, a in enumerate(self.axes)}
        inside = np.zeros(len(self.axes))
        outside = 0.0
        for a, v in z.items():
            if a in index:
                inside[index[a]] = _sign(a) * v
            else:
                outside += v * v
        var = float(inside @ self.covariance @ inside) if self.covariance is not None and len(self.axes) else 0.0
        return var + outside * sigma2 / RIDGE

    def by_axis(self) -> tuple[tuple[str, float], ...]:
        """Metric lost per unit, per axis (numeric: per unit of increase; "<axis> (either way)": per
        unit moved away from the training data in either direction)."""
        def name(a: str) -> str:
            kind, axis = a.split(":", 1)
            return f"{axis} (either way)" if kind == "abs" else axis

        return tuple(sorted((name(a), round(-_sign(a) * v, 6)) for a, v in self.coefficients.items()))


def _sign(axis: str) -> float:
    """+1 for a signed slope (num:), -1 for a loss per unit (abs:, cat:)."""
    return 1.0 if axis.startswith("num:") else -1.0


def common_penalty(data: Sequence[tuple[Offsets, float]]) -> float:
    """Least-squares loss per unit of total categorical distance, through the origin, never negative
    (after the numeric axes' linear part is taken out by a plain least-squares fit)."""
    cat = np.array([sum(v for a, v in z.items() if a.startswith("cat:")) for z, _ in data])
    y = np.array([-change for _, change in data])
    if len(cat) == 0 or float(cat @ cat) == 0.0:
        return 0.0
    num_axes = sorted({a for z, _ in data for a in z if not a.startswith("cat:")})
    if num_axes:
        x = np.array([[z.get(a, 0.0) for a in num_axes] for z, _ in data])
        beta = np.linalg.lstsq(np.column_stack([x, cat]), y, rcond=None)[0]
        return max(float(beta[-1]), 0.0)
    return max(float(cat @ y / (cat @ cat)), 0.0)


def fit_response(data: Sequence[tuple[Offsets, float]], prior: dict[str, float], penalty: float, source: str,
                 *, fallback_sigma: float | None = None) -> Response:
    """Ridge regression of metric changes on offsets, shrunk towards `prior` per axis (numeric slopes
    and mismatch losses towards 0, categorical losses towards `penalty` when the prior lacks them).
    With evaluations on one side of the training data only, a slope and a mismatch loss cannot be
    told apart; the equal shrinkage splits the change between them, so the other side is predicted
    near the training value (with the wide variance of that unidentified direction), not mirrored.

    data: (offsets, v - v0) per evaluation away from the training data. sigma is the residual
    spread, or fallback_sigma (the peers') when there are fewer than MIN_OWN points."""
    axes = tuple(sorted({a for z, _ in data for a in z} | set(prior)))
    if not data or not axes:
        return Response(dict(prior), penalty, fallback_sigma, None, (), source)
    sign = np.array([_sign(a) for a in axes])
    x = np.array([[z.get(a, 0.0) for a in axes] for z, _ in data]) * sign
    y = np.array([change for _, change in data])
    beta0 = np.array([prior.get(a, penalty if a.startswith("cat:") else 0.0) for a in axes])
    a_matrix = x.T @ x + RIDGE * np.eye(len(axes))
    beta = np.linalg.solve(a_matrix, x.T @ y + RIDGE * beta0)
    resid = y - x @ beta
    sigma = float(np.sqrt((resid**2).sum() / max(len(data) - 1, 1))) if len(data) >= 2 else None
    if len(data) < MIN_OWN and fallback_sigma is not None:
        sigma = fallback_sigma
    cov = (sigma or 0.0) ** 2 * np.linalg.inv(a_matrix)
    return Response(dict(zip(axes, (float(b) for b in beta))), penalty, sigma, cov, axes, source)
