"""Structural compatibility of a user's columns with a model's inputs, with an explanation.

Each (column, input) pair gets a score from three independent checks — name (after
normalisation and HEP synonyms), shape, dtype — and the columns are assigned to inputs by an
optimal assignment (Hungarian algorithm), so one column never feeds two inputs and a greedy early
choice cannot starve a later input. The result says, per pair, why it matched and which
transformation the user must apply; which inputs stay unsatisfied and why; which columns are unused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from embeddings import featurevec, generated
from embeddings.fits import MIN_NAME_SCORE, Fit, dtype_fit, name_fit, pair_fit, shape_fit, truncation_factor
from embeddings.names import Field, canonical, collapse_indexed
from embeddings.packing import packing
from embeddings.rows import RowSet, Target, model_targets, short_run, user_rows
from embeddings.schema import Column, Shape
from embeddings.share import bookkeeping, counters, n_data as data_count

__all__ = ["Compatibility", "Fit", "MIN_NAME_SCORE", "Pair", "bookkeeping", "compatibility", "dtype_fit",
           "name_fit", "pair_fit", "prepare", "shape_fit", "truncation_factor"]

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
    n_used: int = 0  # user columns consumed (a stacked pair consumes several)
    conflicts: int = 0  # inputs a column of the same quantity misses by a fixed size (30 vs 150 particles)
    n_satisfied: int = 0  # inputs fed whole (a packed input: every component stacked)
    n_partial: int = 0  # packed inputs only some of whose components are fed
    n_other: int = 0  # the user's label/weight/id columns and counters, not counted in n_columns (embeddings.share)
    n_counts: int = 0  # of them, collection counters (`nJet` beside `Jet_pt` lists)
    used_labels: tuple[str, ...] = ()  # the user's fields some input consumes

    def summary(self) -> str:
        """`3/4 model inputs satisfied (1 partly), 5/9 of your columns used`: counts of inputs, never
        of the components a packed input is stacked from."""
        partly = f" ({self.n_partial} partly)" if self.n_partial else ""
        book = self.n_other - self.n_counts
        parts = [f"{book} label/weight/id column{'s' * (book > 1)}"] * (book > 0) + [
            f"{self.n_counts} collection counter{'s' * (self.n_counts > 1)} (the jagged lists' lengths)"] * (self.n_counts > 0)
        other = f" (not counting {' and '.join(parts)})" if parts else ""
        return (f"{self.n_satisfied}/{self.n_inputs} model inputs satisfied{partly}, "
                f"{self.n_used}/{self.n_columns} of your columns used{other}")

    @property
    def transformations(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for pair in self.pairs:
            for t in pair.transforms:
                seen.setdefault(t, None)
        return tuple(seen)

    @property
    def used_fraction(self) -> float:
        return self.n_used / self.n_columns if self.n_columns else 0.0



class Prepared(list):  # type: ignore[type-arg]
    """A schema's fields (a list of `Field`) with the per-schema work of `compatibility` cached.

    Rescoring 100 candidates compares one user schema with 100 models: the user's assignable rows
    and their key index are built once, not 100 times; a model's are built once per process."""

    def __init__(self, fields: Sequence[Field] = ()) -> None:
        super().__init__(fields)
        self._memo: dict[Any, Any] = {}

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]


def prepare(columns: Sequence[Column]) -> Prepared:
    """Collapse index runs once per schema; pass the result to `compatibility` for many models."""
    return Prepared(collapse_indexed(columns))


def _prepared(fields: Sequence[Field]) -> Prepared:
    return fields if isinstance(fields, Prepared) else Prepared(fields)


SAMPLED_INPUTS = frozenset({"noise", "latent", "random_noise", "latent_noise"})


def compatibility(user: Sequence[Field], model_inputs: Sequence[Field], *, strict: bool = False) -> Compatibility:
    """Best assignment of the user's columns to the model's inputs, packed columns considered.

    A packed user column (embeddings.packing) may be used whole or split into its components; a
    packed model input may be fed whole or stacked from several columns. Each choice is scored
    and the best one kept (on a tie, the one with fewer splits/stacks), so a (N, 4) column still
    feeds a (N, 4) input as-is when the model has one.
    """
    users = _prepared(user)
    # Generative models draw their noise/latent inputs themselves: not something data must provide.
    required: Prepared = _prepared(model_inputs).memo("required", lambda: Prepared(
        [f for f in model_inputs if canonical(f.column.name).qty not in SAMPLED_INPUTS]))
    model_inputs = required
    vectors = required.memo("vectors", lambda: tuple(j for j, f in enumerate(required)
                                                      if featurevec.vector(f.column) is not None))
    if vectors and not strict:
        return _with_vectors(users, required, vectors)
    user_packs = users.memo("packs", lambda: [i for i, f in enumerate(users)
                                               if packing(f.column) is not None or short_run(f)])
    model_packs = required.memo("packs", lambda: [j for j, f in enumerate(required) if packing(f.column) is not None])

    def rows(split: tuple[int, ...]) -> RowSet:
        return users.memo(("rows", split, strict), lambda: RowSet(user_rows(users, split, derived=not strict), strict))

    def targets(stacked: tuple[int, ...]) -> list[Target]:
        return required.memo(("targets", stacked), lambda: model_targets(required, stacked))

    n_data = data_count(users)
    n_other = len(users) - n_data
    n_counts = len(users.memo("counters", lambda: counters(users))) if n_other else 0
    if not user_packs and not model_packs:  # the common case pays nothing for packing
        plain = _assign(rows(()), targets(()), n_data, required)
        if strict:
            plain = _with_shapes(plain, users, required)
        return replace(plain, n_other=n_other, n_counts=n_counts)
    packs = [("u", i) for i in user_packs] + [("m", j) for j in model_packs]
    if len(packs) <= MAX_PACK_CHOICES:
        choices = [tuple(p for bit, p in enumerate(packs) if mask >> bit & 1) for mask in range(1 << len(packs))]
    else:  # many packed columns: all whole or all unpacked, not every combination
        choices = [(), tuple(packs)]
    best: Compatibility | None = None
    for chosen in sorted(choices, key=len):
        split = tuple(i for side, i in chosen if side == "u")
        stacked = tuple(j for side, j in chosen if side == "m")
        result = _assign(rows(split), targets(stacked), n_data, required)
        # On equal scores keep the reading that reveals more conflicts (a split 30-particle array
        # against a 150-particle output), else the one with fewer splits (tried first).
        if best is None or result.score > best.score + 1e-9 or (
                abs(result.score - best.score) <= 1e-9 and result.conflicts > best.conflicts):
            best = result
    assert best is not None
    if strict:
        best = _with_shapes(best, users, required)
    return replace(best, n_other=n_other, n_counts=n_counts)


def _with_shapes(base: Compatibility, users: Prepared, outputs: Prepared) -> Compatibility:
    """The outputs no named column fed, by the geometry of the user's arrays left (embeddings.generated)."""
    index = users.memo("label-index", lambda: {f.label: i for i, f in enumerate(users)})
    used = {index[label] for label in base.used_labels if label in index}
    fed = {j for j, f in enumerate(outputs) if any(p.input == f.label or p.input.startswith(f.label + "[")
                                                  for p in base.pairs)}
    found = generated.by_shape(users, outputs, fed, set(range(len(users))) - used)
    if not found:
        return base
    names = {outputs[m.output].label for m in found}
    new = [i for m in found for i in m.members]
    return replace(base, score=base.score + sum(m.score for m in found) / max(base.n_inputs, 1),
                   pairs=base.pairs + tuple(Pair(m.columns, outputs[m.output].label, m.score, m.reason, (m.step,))
                                            for m in found),
                   unsatisfied=tuple(u for u in base.unsatisfied if u[0] not in names),
                   unused=tuple(label for label in base.unused if index.get(label) not in set(new)),
                   n_used=base.n_used + len(new), n_satisfied=base.n_satisfied + len(found),
                   used_labels=base.used_labels + tuple(users[i].label for i in new))


def _with_vectors(users: Prepared, required: Prepared, vectors: tuple[int, ...]) -> Compatibility:
    """The named inputs by the assignment, then each feature-vector input (embeddings.featurevec)
    from a collection of the columns left: a named match is the stronger evidence."""
    named: Prepared = required.memo("named", lambda: Prepared([f for j, f in enumerate(required) if j not in vectors]))
    base = compatibility(users, named)
    index = users.memo("label-index", lambda: {f.label: i for i, f in enumerate(users)})
    used = {index[label] for label in base.used_labels if label in index}
    pairs, unsatisfied = list(base.pairs), list(base.unsatisfied)
    satisfied, partial, total = base.n_satisfied, base.n_partial, base.score * base.n_inputs
    new: list[int] = []
    for j, fed in zip(vectors, featurevec.feed(users, [required[j].column for j in vectors], used)):
        name = required[j].label
        if fed is None:
            unsatisfied.append((name, "no collection of columns of the objects it holds"))
            continue
        pairs.append(Pair(fed.columns, name, fed.score, fed.reason, (fed.step,)))
        total += fed.score
        satisfied, partial = satisfied + fed.complete, partial + (not fed.complete)
        new += [i for i in fed.members if i not in used and i not in new]
    used |= set(new)
    labels = [users[i].label for i in new]
    return replace(base, score=total / len(required), pairs=tuple(pairs), unsatisfied=tuple(unsatisfied),
                   unused=tuple(label for label in base.unused if index.get(label) not in used),
                   n_inputs=len(required), n_used=base.n_used + len(new), n_satisfied=satisfied, n_partial=partial,
                   used_labels=base.used_labels + tuple(labels))


MAX_PACK_CHOICES = 4  # 2**4 assignments at most per model; real schemas have one or two packed columns


def _assign(rowset: RowSet, targets: list[Target], n_user: int, model_inputs: Sequence[Field]) -> Compatibility:
    rows = rowset.rows
    n_r, n_t, n_m = len(rows), len(targets), len(model_inputs)
    if n_m == 0:
        return Compatibility(0.0, (), (), tuple(dict.fromkeys(r.source for r in rows)), 0, n_user)
    scores = np.zeros((n_r, n_t))
    details: dict[tuple[int, int], tuple[tuple[str, ...], str]] = {}
    rejected: dict[int, tuple[float, str]] = {}  # best near-miss per target, for the explanation
    clashes: set[int] = set()  # targets a column of the same quantity misses by a fixed size (30 vs 150)
    # Only pairs that share a quantity or a token can match; skipping the rest keeps rescoring
    # 100 candidates within a few milliseconds.
    for j, t in enumerate(targets):
        mcol = t.field.column
        for i in rowset.candidates(mcol.name):
            r = rows[i]
            ucol = r.field.column
            score, steps, reason = pair_fit(ucol, mcol)
            if score > 0.0 and rowset.strict and (name_fit(ucol.name, mcol.name).transforms or any(
                    not t.startswith("reshape") for t in shape_fit(ucol.shape, mcol.shape).transforms)):
                score, reason = 0.0, f"{r.label} would have to be transformed to be {mcol.name}"
            need = _needs_axis(ucol.name, mcol.name)
            if score > 0.0 and need is not None and need not in rowset.with_axis.get(i, frozenset()):
                score, reason = 0.0, f"{mcol.name} is relative to the jet axis, and nothing gives a jet axis for {r.label}"
            if score > 0.0:
                scores[i, j] = score * r.factor * t.factor
                details[(i, j)] = (steps, reason)
            else:
                closeness = name_fit(ucol.name, mcol.name).factor
                if closeness < MIN_NAME_SCORE:  # same quantity of another object is still worth saying
                    same_qty = canonical(ucol.name).qty == canonical(mcol.name).qty
                    closeness = 0.1 if same_qty else 0.0
                if closeness > 0.0 and closeness > rejected.get(j, (0.0, ""))[0]:
                    rejected[j] = (closeness, f"{r.label}: {reason}")
                if closeness >= MIN_NAME_SCORE and _fixed_clash(ucol.shape, mcol.shape):
                    clashes.add(j)
    fed: dict[int, tuple[int, float, str, tuple[str, ...]]] = {}  # target -> (row, score, reason, steps)
    if n_r:
        assigned_rows, assigned_cols = linear_sum_assignment(scores, maximize=True)
        for i, j in zip(assigned_rows, assigned_cols):
            if scores[i, j] <= 0.0:
                continue
            steps, reason = details[(i, j)]
            r = rows[i]
            if r.steps:
                steps = r.steps + steps
                reason = f"{r.note}; {reason}"
            elif r.note:
                steps = (f"{r.label} → {targets[j].label}",) + steps
                reason = f"{r.note}; {reason}"
            fed[int(j)] = (int(i), float(scores[i, j]), reason, steps)
    pairs: list[Pair] = []
    unsatisfied: list[tuple[str, str]] = []
    used: set[int] = set()
    satisfied = partial = 0
    by_input: dict[int, list[int]] = {}
    for j, t in enumerate(targets):
        by_input.setdefault(t.origin, []).append(j)
    for m, members in sorted(by_input.items()):
        whole = model_inputs[m].label
        if targets[members[0]].component is None:  # an input fed as it is (or not at all)
            j = members[0]
            if j in fed:
                i, score, reason, steps = fed[j]
                pairs.append(Pair(rows[i].label, whole, score, reason, steps))
                used.update(rows[i].origins)
                satisfied += 1
            else:
                unsatisfied.append((whole, rejected[j][1] if j in rejected else "no column with this quantity"))
            continue
        # A packed input stacked from several columns: satisfied in proportion to its components.
        got = [j for j in members if j in fed]
        for j in members:
            if j not in fed:
                why = rejected[j][1] if j in rejected else "no column with this quantity"
                unsatisfied.append((f"{targets[j].label} ({targets[j].field.column.name})", why))
        if not got:
            continue
        if len(got) == len(members):
            satisfied += 1
        else:
            partial += 1
        sources = [rows[fed[j][0]].label for j in got]
        used.update(o for j in got for o in rows[fed[j][0]].origins)
        parts = ", ".join(f"{rows[fed[j][0]].label} → {targets[j].label} ({targets[j].field.column.name})" for j in got)
        pack = packing(model_inputs[m].column)
        steps = (f"stack ({', '.join(sources)}) → {whole} along {pack.axis_name() if pack else 'the last axis'}",)
        steps += tuple(s for j in got for s in fed[j][3])
        score = sum(fed[j][1] for j in got) / len(members)
        pairs.append(Pair(" + ".join(sources), whole, score, f"stack {len(got)}/{len(members)} components: {parts}",
                          tuple(dict.fromkeys(steps))))
    unused_labels = tuple(dict.fromkeys(r.source for r in rows if r.origin not in used))
    total = float(sum(p.score for p in pairs)) / n_m
    # A column of the right quantity that cannot feed its input (150 vs 30 particles) is evidence
    # against the model, which "no column with this quantity" is not.
    conflicts = len({targets[j].origin for j in clashes if j not in fed})
    used_labels = tuple(dict.fromkeys(r.source for r in rows if r.origin in used))
    return Compatibility(total, tuple(pairs), tuple(unsatisfied), unused_labels, n_m, n_user, len(used), conflicts,
                         satisfied, partial, used_labels=used_labels)



@lru_cache(maxsize=65536)
def _needs_axis(user: str, model: str) -> str | None:
    """The jet-axis quantity feeding `user` into `model` needs ("eta" for an etarel input), or None."""
    m = canonical(model)
    return m.qty if "rel" in m.transforms - canonical(user).transforms else None


def _fixed_clash(user: Shape, model: Shape) -> bool:
    """Both sizes fixed and different along an axis: the data is of another kind, not just shorter."""
    return (len(user) == len(model) > 0 and None not in user and None not in model and user != model)
