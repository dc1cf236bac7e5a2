"""A schema's assignable rows and a model's assignable targets, for embeddings.compat's assignment.

A user row is one column as it may feed a model input: a whole field, one component of a packed field
(`constituents[..., 1]`), a member of a short indexed run, or a column the user can compute (grouped
hit rows, derived quantities: embeddings.derive), with the steps that produce it. A target is one
model input, whole or one component of a packed input. `RowSet` indexes rows by name key so a target
only meets the rows that share a quantity or a token with it. embeddings.bounds builds the same rows
to bound a candidate's score before the assignment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

from embeddings.derive import GROUP_FACTOR, derive, groupable, row_grouping, with_jet_axis
from embeddings.names import Field, canonical
from embeddings.packing import MAX_COMPONENTS, component_columns, packing

__all__ = ["ASSUMED_ORDER_FACTOR", "Row", "RowSet", "SPLIT_FACTOR", "Target", "model_targets", "name_keys",
           "short_run", "user_rows"]

SPLIT_FACTOR = 0.95  # taking a component out of an array is a step the user must do
ASSUMED_ORDER_FACTOR = 0.8  # component order inferred from "four-momentum", not stated


@dataclass(frozen=True)
class Row:
    """One assignable user column: a whole field or one component of a packed field."""

    field: Field
    origin: int  # index of the user's field it comes from
    source: str  # that field's label
    label: str  # what the explanation calls it
    note: str  # "" or how it was obtained ("split constituents[..., 1] (px)")
    factor: float
    also: tuple[int, ...] = ()  # further user fields a derived row is computed from
    steps: tuple[str, ...] = ()  # the user's steps to obtain it ("derive part_pt = hypot(...)"); "" → label step

    @property
    def origins(self) -> tuple[int, ...]:
        return (self.origin,) + self.also


@dataclass(frozen=True)
class Target:
    """One assignable model input: a whole input or one component of a packed input."""

    field: Field
    origin: int  # index of the model input it belongs to
    component: int | None  # position on the packed input's last axis, None for a whole input
    label: str
    factor: float


def user_rows(user: Sequence[Field], split: tuple[int, ...], *, derived: bool = True) -> list[Row]:
    rows: list[Row] = []
    for i, f in enumerate(user):
        if i in split and short_run(f):
            # `mj1, mj2` were read as one array `mj` (2,); a model wanting `mj1` alone takes that column.
            rows.extend(Row(Field(replace(f.column, name=name, shape=f.column.shape[1:]), (name,)), i, f.label,
                             name, "", 1.0) for name in f.sources)
            continue
        pack = packing(f.column) if i in split else None
        if pack is None:
            rows.append(Row(f, i, f.label, f.label, "", 1.0))
            continue
        factor = SPLIT_FACTOR * (ASSUMED_ORDER_FACTOR if pack.assumed else 1.0)
        for k, col in enumerate(component_columns(f.column, pack)):
            label = f"{f.label}[..., {k}]"
            note = f"split column {label} ({pack.names[k]}{', order assumed: ' + pack.describe() if pack.assumed else ''})"
            rows.append(Row(Field(col, (label,)), i, f.label, label, note, factor))
    return rows + _grouped_and_derived(user, rows) if derived else rows


def _grouped_and_derived(user: Sequence[Field], rows: list[Row]) -> list[Row]:
    """Rows the user can compute: per-event arrays from one-row-per-hit tables (embeddings.derive
    row grouping), then quantities derived from the given and grouped rows (pt from px, py; the
    jet-relative eta; cylindrical r, phi of hits). Each carries the steps that produce it."""
    extra: list[Row] = []
    grouping = row_grouping([f.column for f in user])
    if grouping is not None:
        step = grouping.describe()
        for r in rows:
            col = r.field.column
            if r.note or not groupable(col, grouping):
                continue
            arr = replace(col, shape=(None,))
            extra.append(Row(Field(arr, (r.label,)), r.origin, r.source, r.label, step, r.factor * GROUP_FACTOR,
                              steps=(step,)))
    base = rows + extra
    for d in derive([r.field.column for r in base], [r.factor for r in base]):
        sources = [base[i] for i in d.sources]
        origins = tuple(dict.fromkeys(o for s in sources for o in s.origins))
        steps = tuple(dict.fromkeys([s.note for s in sources if s.note and not s.steps]
                                    + [t for s in sources for t in s.steps] + [_derive_step(d.formula)]))
        label = d.column.name if len(sources) > 1 or not d.formula.startswith("reuse") else sources[0].label
        extra.append(Row(Field(d.column, (label,)), origins[0], sources[0].source, label,
                          _derive_step(d.formula), d.factor, also=origins[1:], steps=steps))
    return extra


def _derive_step(formula: str) -> str:
    return formula if formula.startswith("reuse ") else f"derive {formula}"


def short_run(f: Field) -> bool:
    """A few indexed columns collapsed into one array (`jet1_pt..jet4_pt`), which may be used apart."""
    return 2 <= len(f.sources) <= MAX_COMPONENTS and f.column.shape[:1] == (len(f.sources),)


def model_targets(model_inputs: Sequence[Field], stacked: tuple[int, ...]) -> list[Target]:
    targets: list[Target] = []
    for j, f in enumerate(model_inputs):
        pack = packing(f.column) if j in stacked else None
        if pack is None:
            targets.append(Target(f, j, None, f.label, 1.0))
            continue
        factor = ASSUMED_ORDER_FACTOR if pack.assumed else 1.0
        for k, col in enumerate(component_columns(f.column, pack)):
            label = f"{f.label}[..., {k}]"
            targets.append(Target(Field(col, (label,)), j, k, label, factor))
    return targets


class RowSet:
    """A user's assignable rows and, per name key, the rows that carry it (the pair pre-filter)."""

    def __init__(self, rows: list[Row], strict: bool = False) -> None:
        self.rows = rows
        self.strict = strict  # only columns that ARE the target: no derivation, relative form, padding
        self.with_axis = with_jet_axis([r.field.column for r in rows])  # rows that can be made jet-relative
        self.by_key: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            for key in name_keys(r.field.column.name):
                self.by_key.setdefault(key, []).append(i)

    def candidates(self, name: str) -> list[int]:
        found: set[int] = set()
        for key in name_keys(name):
            found.update(self.by_key.get(key, ()))
        return sorted(found)


@lru_cache(maxsize=65536)
def name_keys(name: str) -> frozenset[str]:
    c = canonical(name)
    return frozenset({"q:" + c.qty, "n:" + name.lower()} | {"t:" + t for t in c.tokens})
