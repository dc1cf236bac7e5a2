"""A generator's outputs recognised by their shape, when the user's arrays are named otherwise.

A calorimeter generator makes showers of a fixed geometry: CaloDiffusion's `showers (368)` for
CaloChallenge photons, CaloGAN's `layer_0 (3, 96)`, `layer_1 (12, 12)`, `layer_2 (12, 6)`. Users store
that data under their own keys (`x`, `l0`, `l1`, `l2`) or per layer (`layer_0 (8)` ... `layer_14 (10)`,
which add up to the 533 voxels of the pions' geometry). Names then say nothing; the geometry does.

`by_shape` feeds each output no named column fed (embeddings.compat's strict assignment, which
runs first) from the user's columns left:
- one array of the output's exact per-event shape (`SHAPE_FACTOR`), or of its size in another
  layout (x 0.9);
- a family of arrays named alike but for an index (`layer_0 .. layer_14`) whose sizes add up to the
  output's size, to be concatenated in index order (`SPLIT_FACTOR`).
Only energy-like arrays take part (no kinematic quantity in the name), of at least `MIN_VALUES`
values: a geometry of eight cells or fewer is no evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import prod
from typing import Sequence

from embeddings.featurevec import vector
from embeddings.names import Field, canonical
from embeddings.schema import Column
from embeddings.share import bookkeeping

SHAPE_FACTOR = 0.8
SPLIT_FACTOR = 0.7
MIN_VALUES = 9
_KINEMATIC = frozenset({"pt", "eta", "phi", "px", "py", "pz", "m", "pid", "charge", "d0", "dz", "dr", "y", "btag"})
_INDEX = re.compile(r"\d+")


@dataclass(frozen=True)
class ShapeFed:
    output: int  # index among the outputs
    members: tuple[int, ...]  # user field indices, in concatenation order
    score: float
    columns: str
    reason: str
    step: str


def _size(shape: Sequence[int | None]) -> int | None:
    return None if not shape or None in shape else prod(shape)  # type: ignore[arg-type]


def _energy_like(column: Column) -> bool:
    return canonical(column.name).qty not in _KINEMATIC


def _candidates(user: Sequence[Field], free: set[int], *, least: int = MIN_VALUES) -> list[int]:
    return [i for i in sorted(free) if (_size(user[i].column.shape) or 0) >= least
            and not bookkeeping(user[i].column.name) and _energy_like(user[i].column)]


def _eligible(output: Column) -> bool:
    """A generated array of a fixed geometry; a block of unnamed features (embeddings.featurevec) is none."""
    return (_size(output.shape) or 0) >= MIN_VALUES and _energy_like(output) and vector(output) is None


def by_shape(user: Sequence[Field], outputs: Sequence[Field], fed: set[int], free: set[int]) -> list[ShapeFed]:
    """Outputs (indices not in `fed`) matched by shape from the user's fields in `free`."""
    free = set(free)
    found: list[ShapeFed] = []
    for j, out in enumerate(outputs):
        col = out.column
        if j in fed or not _eligible(col):
            continue
        match = _exact(user, col, j, free) or _split(user, col, j, free)
        if match is not None:
            found.append(match)
            free -= set(match.members)
    return found


def _exact(user: Sequence[Field], col: Column, j: int, free: set[int]) -> ShapeFed | None:
    size = _size(col.shape)
    best: ShapeFed | None = None
    for i in _candidates(user, free):
        shape = tuple(user[i].column.shape)
        if len(user[i].sources) > 1:  # an index run is several columns: the split case
            continue
        if shape == tuple(col.shape):
            score, how = SHAPE_FACTOR, f"shape {_fmt(shape)} is the output's"
        elif _size(shape) == size:
            score, how = SHAPE_FACTOR * 0.9, f"{size} values as the output's {_fmt(col.shape)}, another layout"
        else:
            continue
        if best is None or score > best.score:
            label = user[i].label
            best = ShapeFed(j, (i,), score, label, f"{how}: the geometry of {col.name}, under another name",
                            f"read {label} as {col.name} {_fmt(col.shape)}")
    return best


def _split(user: Sequence[Field], col: Column, j: int, free: set[int]) -> ShapeFed | None:
    size = _size(col.shape)
    families: dict[str, list[tuple[int, int]]] = {}
    for i in _candidates(user, free, least=1):  # a layer of 5 cells is part of a geometry
        for name in user[i].sources:
            digits = _INDEX.findall(name)
            if digits:
                families.setdefault(_INDEX.sub("#", name), []).append((int(digits[-1]), i))
                break
    for stem, members in families.items():
        fields = sorted(dict.fromkeys(i for _, i in sorted(members)))
        if len(fields) < 2 or sum(_size(user[i].column.shape) or 0 for i in fields) != size:
            continue
        labels = [user[i].label for i in fields]
        shown = ", ".join(labels[:3]) + (f", ... ({len(labels)} arrays)" if len(labels) > 3 else "")
        return ShapeFed(j, tuple(fields), SPLIT_FACTOR, shown,
                        f"{len(fields)} arrays {stem} add up to the {size} values of {col.name}",
                        f"concatenate {shown} in index order → {col.name} {_fmt(col.shape)}")
    return None


def bound(user: Sequence[Field], outputs: Sequence[Column]) -> tuple[list[float], frozenset[int]]:
    """Per output, the most `by_shape` can give it whatever is fed or free (SHAPE_FACTOR when some
    candidate has its size or some index family exists), and every field it may use (all candidates)."""
    every = _candidates(user, set(range(len(user))), least=1)
    family = sum(1 for i in every if any(_INDEX.search(n) for n in user[i].sources)) >= 2
    scores = []
    for col in outputs:
        size = _size(col.shape)
        possible = _eligible(col) and (family or any(_size(user[i].column.shape) == size for i in every))
        scores.append(SHAPE_FACTOR if possible else 0.0)
    return scores, frozenset(every)


def _fmt(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("N" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
