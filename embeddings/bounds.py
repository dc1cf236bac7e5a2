"""A cheap upper bound on a candidate's final ranking score, so candidates that cannot enter the
top k skip the optimal assignment (`embeddings.compat.compatibility`) altogether.

The ranker's score of a model is `w.similarity * similarity + w.task * task + structure (+ outputs)
+ deprecated + production` (embeddings.ranker). Everything but the structural part is known before
the assignment. The structural part is bounded from above by relaxing the assignment:

* a model input can score at most the best pair score any of the user's assignable rows (over
  every split of packed columns the assignment may try, derived rows included) gets against it,
  whole or — for a packed input — averaged over its stacked components; one column feeding two
  inputs is allowed here, which can only raise the bound;
* the user's columns a model can use are at most those with some row of positive pair score
  against one of its inputs (or outputs), and the share of the data they make (embeddings.share:
  used over the data columns of the collections read) is at most `share_bound` of them;
* the harmonic means of embeddings.ranker `_structure` / `_joint_structure` grow with both of
  their arguments, so they are bounded by their value at these two bounds; the outputs bonus by
  the outputs' own bound; the conflict penalty is never negative and is left out.

The per-target bests are memoised per query (many models share input columns), and the user rows
are the very `Prepared.memo` entries `compatibility` builds, so the exact assignment that follows
reuses them. tests/test_embeddings_bounds.py checks bound >= score on the evaluation schemas ×
the demo models; if the pair scoring in compat/fits changes, that test says whether this still holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from embeddings import featurevec, generated
from embeddings.compat import MAX_PACK_CHOICES, SAMPLED_INPUTS, Prepared
from embeddings.fits import pair_fit
from embeddings.names import canonical
from embeddings.packing import packing
from embeddings.rows import RowSet, model_targets, short_run, user_rows
from embeddings.schema import Column
from embeddings.share import share_bound

MARGIN = 1e-9  # float slack: skip a candidate only when its bound is below the k-th score by more


@dataclass(frozen=True)
class _Interface:
    """One side of a model (inputs or outputs) as the bound sees it: per required field, its whole
    target and, when packed, its component targets, each as (column, factor)."""

    groups: tuple[tuple[tuple[Column, float], tuple[tuple[Column, float], ...]], ...]
    packs: int  # packed fields (they multiply the assignment's choices)


def interface(fields: Prepared) -> _Interface:
    """Memoised on the model's Prepared fields (built once per process, like compat's targets)."""
    def make() -> _Interface:
        required = [f for f in fields if canonical(f.column.name).qty not in SAMPLED_INPUTS]
        packed = tuple(j for j, f in enumerate(required) if packing(f.column) is not None)
        components: dict[int, list[tuple[Column, float]]] = {}
        for t in model_targets(required, packed):
            if t.component is not None:
                components.setdefault(t.origin, []).append((t.field.column, t.factor))
        groups = tuple(((f.column, 1.0), tuple(components.get(j, ()))) for j, f in enumerate(required))
        return _Interface(groups, len(packed))
    return fields.memo("bound-interface", make)


class ScoreBound:
    """Per query: the user's rows over every split the assignment may try, and per model target
    the best pair score any of them reaches and the user fields that reach a positive one."""

    def __init__(self, user: Prepared) -> None:
        self.user = user
        packs = [i for i, f in enumerate(user) if packing(f.column) is not None or short_run(f)]
        if len(packs) <= MAX_PACK_CHOICES:  # compat then tries every subset of them (or fewer)
            splits = [s for n in range(len(packs) + 1) for s in combinations(packs, n)]
        else:  # compat then tries none or all of them split
            splits = [(), tuple(packs)]
        # The same memo keys as compat.compatibility's `rows`: built once, used by both.
        self.rowsets: list[RowSet] = [
            user.memo(("rows", s, False), lambda s=s: RowSet(user_rows(user, s, derived=True), False)) for s in splits]
        self._best: dict[tuple[Column, float], tuple[float, frozenset[int]]] = {}

    def target(self, column: Column, factor: float) -> tuple[float, frozenset[int]]:
        key = (column, factor)
        found = self._best.get(key)
        if found is None:
            best, fields = 0.0, set()
            for rowset in self.rowsets:
                rows = rowset.rows
                for i in rowset.candidates(column.name):
                    r = rows[i]
                    score = pair_fit(r.field.column, column)[0] * r.factor * factor
                    if score > 0.0:
                        best = max(best, score)
                        fields.update(r.origins)
            found = self._best[key] = (best, frozenset(fields))
        return found

    def side(self, face: _Interface, *, shaped: bool = False) -> tuple[float, int, frozenset[int]]:
        """(bound on the sum of pair scores, number of required fields, user fields that may be used).
        `shaped`: outputs, which may also be matched by geometry (embeddings.generated)."""
        total = 0.0
        used: set[int] = set()
        by_shape: list[float] = [0.0] * len(face.groups)
        if shaped:
            columns = tuple(whole[0] for whole, _ in face.groups)
            by_shape, fields = self.user.memo(("shape-bound", columns),
                                              lambda: generated.bound(self.user, list(columns)))
            used |= fields
        for g, (whole, components) in enumerate(face.groups):
            best, fields = self.target(*whole)
            used |= fields
            if featurevec.vector(whole[0]) is not None:  # fed by a collection, not by one column
                vec, members = self.user.memo(("vector-bound", whole[0]), lambda: featurevec.bound(self.user, whole[0]))
                best = max(best, vec)
                used |= members
            if components:
                got = [self.target(*c) for c in components]
                best = max(best, sum(b for b, _ in got) / len(components))
                for _, f in got:
                    used |= f
            total += max(best, by_shape[g])
        return total, len(face.groups), frozenset(used)

    def structure(self, inputs: _Interface, outputs: _Interface | None, *, compat_w: float, outputs_w: float,
                  vague: bool) -> float:
        """Upper bound on the structural part of the ranker's score (see the module docstring)."""
        a_sum, n_in, f_in = self.side(inputs)
        a = a_sum / n_in if n_in else 0.0
        b = share_bound(self.user, f_in)
        bound = compat_w * _harmonic(a, b)
        if outputs is not None and outputs.groups:
            p_sum, n_out, f_out = self.side(outputs, shaped=True)
            if p_sum > 0.0:  # else no output can be matched, and only `_structure` applies
                n = n_in + n_out
                a_joint = (a_sum + p_sum) / n if n else 0.0
                b_joint = share_bound(self.user, f_in | f_out)
                bonus = outputs_w * (p_sum / n_out) * (0.5 if vague else 1.0)
                bound = max(bound, compat_w * _harmonic(a_joint, b_joint) + bonus)
        return bound


def _harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0
