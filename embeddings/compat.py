"""Structural compatibility of a user's columns with a model's inputs, with an explanation.

Each (column, input) pair gets a score from three independent checks — name (after
normalisation and HEP synonyms), shape, dtype — and the columns are assigned to inputs by an
optimal assignment (Hungarian algorithm), so one column never feeds two inputs and a greedy early
choice cannot starve a later input. The result says, per pair, why it matched and which
transformation the user must apply; which inputs stay unsatisfied and why; which columns are unused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import prod
from typing import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from embeddings.names import Canon, Field, canonical, collapse_indexed
from embeddings.schema import Column, Shape

MIN_NAME_SCORE = 0.5  # below this two names are not the same quantity

_INT_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64}
_FLOAT_BITS = {"float16": 16, "float32": 32, "float64": 64}


@dataclass(frozen=True)
class Fit:
    """One check's verdict: a factor in [0, 1] (0 = incompatible), transformations, a reason."""

    factor: float
    transforms: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Pair:
    column: str  # the user's column (or `E_0..E_199` for a collapsed run)
    input: str  # the model input it feeds
    score: float
    reason: str
    transforms: tuple[str, ...]


@dataclass(frozen=True)
class Compatibility:
    score: float  # mean pair score over the model's inputs: 1.0 = every input fed as-is
    pairs: tuple[Pair, ...]
    unsatisfied: tuple[tuple[str, str], ...]  # (model input, why no column fits)
    unused: tuple[str, ...]  # user columns no input consumes
    n_inputs: int
    n_columns: int

    @property
    def transformations(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for pair in self.pairs:
            for t in pair.transforms:
                seen.setdefault(t, None)
        return tuple(seen)

    @property
    def used_fraction(self) -> float:
        return len(self.pairs) / self.n_columns if self.n_columns else 0.0


def name_fit(user: str, model: str) -> Fit:
    return _name_fit(user, model)


@lru_cache(maxsize=262144)
def _name_fit(user: str, model: str) -> Fit:
    if user.lower() == model.lower():
        return Fit(1.0, (), "same name")
    u, m = canonical(user), canonical(model)
    if u.qty != m.qty:
        overlap = _jaccard(u.tokens, m.tokens)
        if overlap >= 0.5 and (u.obj == m.obj or None in (u.obj, m.obj)):
            return Fit(0.6 * overlap, (), f"similar names ({u.describe()} ~ {m.describe()})")
        return Fit(0.0, (), f"different quantities ({u.describe()} vs {m.describe()})")
    # Same quantity: check the physics object, then the transforms.
    if u.obj == m.obj:
        score, obj_note = 1.0, ""
    elif u.obj is None or m.obj is None:
        score, obj_note = 0.9, ""
    else:
        return Fit(0.0, (), f"same quantity {u.qty} but of another object ({u.obj} vs {m.obj})")
    synonym = "same name after normalisation" if _plain(user) == _plain(model) else f"synonyms for {m.qty}"
    missing = m.transforms - u.transforms
    extra = u.transforms - m.transforms
    steps: list[str] = []
    if "log" in extra:
        steps.append(f"exp({user})")
        score *= 0.9
        extra = extra - {"log"}
    if extra:  # the user's value is relative/normalised and the model wants the raw one
        return Fit(0.45 * score, (), f"{user} is {'/'.join(sorted(extra))}; {model} needs the plain {m.qty}")
    if "rel" in missing:
        ref = "the jet axis" if m.qty in ("eta", "phi") else "the jet"
        op = "-" if m.qty in ("eta", "phi") else "/"
        steps.append(f"{user} {op} {ref} {m.qty} (relative to {ref})")
        score *= 0.85
    if "log" in missing:
        steps.append(f"log({steps.pop() if steps and 'rel' in missing else user})")
        score *= 0.95
    for t in sorted(missing - {"rel", "log"}):
        steps.append(f"{t}({user})")
        score *= 0.95
    return Fit(score, tuple(steps), synonym + obj_note)


def shape_fit(user: Shape, model: Shape) -> Fit:
    return _shape_fit(tuple(user), tuple(model))


@lru_cache(maxsize=65536)
def _shape_fit(user: Shape, model: Shape) -> Fit:
    if user == model:
        return Fit(1.0, (), f"shape {_fmt(model)}")
    if len(user) == len(model) and user:
        factor, steps = 1.0, []
        for axis, (u, m) in enumerate(zip(user, model)):
            if u == m or m is None:
                continue
            if u is None:  # variable length per event → the model's fixed length
                steps.append(f"pad/truncate axis {axis} to {m} (zero-padding)")
                factor *= 0.9
                continue
            return Fit(0.0, (), f"shape {_fmt(user)} cannot feed {_fmt(model)} ({u} vs {m} along axis {axis})")
        return Fit(factor, tuple(steps), f"shape {_fmt(user)} fits {_fmt(model)}")
    # Same number of values in another layout, including scalar ↔ (1,).
    if None not in user and None not in model and prod(user) == prod(model):  # type: ignore[arg-type]
        return Fit(0.9, (f"reshape {_fmt(user)} → {_fmt(model)}",), f"same {prod(user)} values, other layout")  # type: ignore[arg-type]
    return Fit(0.0, (), f"shape {_fmt(user)} cannot feed {_fmt(model)}")


@lru_cache(maxsize=1024)
def dtype_fit(user: str, model: str) -> Fit:
    if user == model:
        return Fit(1.0, (), user)
    if "string" in (user, model):
        return Fit(0.0, (), f"{user} cannot feed {model}")
    if model in _FLOAT_BITS:
        if user in _FLOAT_BITS and _FLOAT_BITS[user] > _FLOAT_BITS[model]:
            return Fit(0.98, (f"cast {user}→{model}",), "narrowing float cast")
        return Fit(1.0, (f"cast {user}→{model}",), "lossless cast")
    if model in _INT_BITS:
        if user in _FLOAT_BITS:
            return Fit(0.8, (f"cast {user}→{model} (values must be integral)",), "float to integer")
        return Fit(0.97, (f"cast {user}→{model}",), "integer cast")
    # model wants bool
    return Fit(0.9, (f"cast {user}→bool",), "to bool")


def unit_fit(user: str | None, model: str | None) -> Fit:
    if not user or not model or user.lower() == model.lower():
        return Fit(1.0, (), "")
    return Fit(0.95, (f"convert {user}→{model}",), f"unit {user} vs {model}")


def pair_fit(user: Column, model: Column) -> tuple[float, tuple[str, ...], str]:
    """Score, transformations and reason for feeding `user` into `model` (score 0 = impossible)."""
    name = name_fit(user.name, model.name)
    if name.factor < MIN_NAME_SCORE:
        return 0.0, (), name.reason
    shape = shape_fit(user.shape, model.shape)
    if shape.factor == 0.0:
        return 0.0, (), f"{name.reason}, but {shape.reason}"
    dtype = dtype_fit(user.dtype, model.dtype)
    if dtype.factor == 0.0:
        return 0.0, (), f"{name.reason}, but dtype {dtype.reason}"
    unit = unit_fit(user.unit, model.unit)
    score = name.factor * shape.factor * dtype.factor * unit.factor
    reason = "; ".join(r for r in (name.reason, shape.reason, dtype.reason, unit.reason) if r)
    return score, name.transforms + shape.transforms + dtype.transforms + unit.transforms, reason


def prepare(columns: Sequence[Column]) -> list[Field]:
    """Collapse index runs once per schema; pass the result to `compatibility` for many models."""
    return collapse_indexed(columns)


SAMPLED_INPUTS = frozenset({"noise", "latent", "random_noise", "latent_noise"})


def compatibility(user: Sequence[Field], model_inputs: Sequence[Field]) -> Compatibility:
    # Generative models draw their noise/latent inputs themselves: not something data must provide.
    model_inputs = [f for f in model_inputs if canonical(f.column.name).qty not in SAMPLED_INPUTS]
    n_u, n_m = len(user), len(model_inputs)
    if n_m == 0:
        return Compatibility(0.0, (), (), tuple(f.label for f in user), 0, n_u)
    scores = np.zeros((n_u, n_m))
    details: dict[tuple[int, int], tuple[tuple[str, ...], str]] = {}
    rejected: dict[int, tuple[float, str]] = {}  # best near-miss per input, for the explanation
    # Only pairs that share a quantity or a token can match; skipping the rest keeps rescoring
    # 100 candidates within a few milliseconds.
    user_keys = [_keys(f.column.name) for f in user]
    for j, mf in enumerate(model_inputs):
        mkeys = _keys(mf.column.name)
        for i, uf in enumerate(user):
            if not (mkeys & user_keys[i]):
                continue
            score, steps, reason = pair_fit(uf.column, mf.column)
            if score > 0.0:
                scores[i, j] = score
                details[(i, j)] = (steps, reason)
            else:
                closeness = name_fit(uf.column.name, mf.column.name).factor
                if closeness < MIN_NAME_SCORE:  # same quantity of another object is still worth saying
                    same_qty = canonical(uf.column.name).qty == canonical(mf.column.name).qty
                    closeness = 0.1 if same_qty else 0.0
                if closeness > 0.0 and closeness > rejected.get(j, (0.0, ""))[0]:
                    rejected[j] = (closeness, f"{uf.label}: {reason}")
    pairs: list[Pair] = []
    fed: set[int] = set()
    used: set[int] = set()
    if n_u:
        rows, cols = linear_sum_assignment(scores, maximize=True)
        for i, j in zip(rows, cols):
            if scores[i, j] <= 0.0:
                continue
            steps, reason = details[(i, j)]
            pairs.append(Pair(user[i].label, model_inputs[j].label, float(scores[i, j]), reason, steps))
            fed.add(j)
            used.add(i)
    position = {f.label: j for j, f in enumerate(model_inputs)}
    pairs.sort(key=lambda p: position[p.input])
    unsatisfied = tuple(
        (mf.label, rejected[j][1] if j in rejected else "no column with this quantity")
        for j, mf in enumerate(model_inputs) if j not in fed
    )
    unused = tuple(uf.label for i, uf in enumerate(user) if i not in used)
    total = float(sum(p.score for p in pairs)) / n_m
    return Compatibility(total, tuple(pairs), unsatisfied, unused, n_m, n_u)


@lru_cache(maxsize=65536)
def _keys(name: str) -> frozenset[str]:
    c = canonical(name)
    return frozenset({"q:" + c.qty, "n:" + name.lower()} | {"t:" + t for t in c.tokens})


def _plain(name: str) -> str:
    c: Canon = canonical(name)
    return f"{c.obj}:{c.qty}:{sorted(c.transforms)}"


def _jaccard(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def _fmt(shape: Shape) -> str:
    return "(" + ", ".join("N" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
