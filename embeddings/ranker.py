"""Recommend models for a user's schema, and search the catalog by free text.

`Recommender.recommend(columns, task=...)`:
 1. encode the schema text and take the `candidates` nearest model versions from the index;
 2. rescore each by structural compatibility (embeddings.compat), the share of the user's
    columns it consumes, the embedding similarity and, when the user names a task, task match;
 3. return the best `k`, each with its explanation.
Two baselines share the same interface for the evaluation: `name_overlap` (lower-cased column
names equal to input names) and `embedding_only` (cosine similarity of the texts).

Index keys are `model:<model>@<version>` for models, `dataset:...`, `task:...` etc. for the other
documents (embeddings.schema.Document), so one index serves recommendation and search.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence

from embeddings.bounds import MARGIN, ScoreBound, interface
from embeddings.compat import SAMPLED_INPUTS, Compatibility, Prepared, compatibility, prepare
from embeddings.encoder import Encoder
from embeddings.eventaxis import split_event_axis
from embeddings.index import VectorIndex
from embeddings.names import Field, canonical
from embeddings.positional import anonymous, by_position
from embeddings.schema import Column, ModelCard
from embeddings.share import share
from embeddings.text import schema_text

MODEL_PREFIX = "model:"


@dataclass(frozen=True)
class Weights:
    compat: float = 0.70  # mean pair score over the model's inputs
    used: float = 0.10  # share of the user's columns the model consumes
    similarity: float = 0.20  # cosine similarity of schema text and model text
    task: float = 0.25  # added only when the user names a task
    outputs: float = 0.30  # columns left over match the model's outputs: it generates/predicts them
    deprecated: float = -0.10  # a deprecated version ranks below its successor
    production: float = 0.02  # the version aliased "production" wins a tie between versions


@dataclass(frozen=True)
class Recommendation:
    model_id: str
    score: float
    compatibility: Compatibility
    similarity: float
    task_match: float | None  # None when no task was asked for
    outputs: Compatibility | None = None  # unused columns against the model's outputs
    deprecated: bool = False
    notes: tuple[str, ...] = ()  # what was read from the columns before matching (the event axis)

    def explanation(self) -> list[str]:
        c = self.compatibility
        lines = [c.summary()] + list(self.notes)
        lines += [f"{p.column} → {p.input}: {p.reason}" for p in c.pairs]
        lines += [f"unsatisfied {name}: {why}" for name, why in c.unsatisfied]
        if c.unused:
            lines.append("unused columns: " + ", ".join(c.unused))
        lines += [f"transformation: {t}" for t in c.transformations]
        if self.outputs is not None and self.outputs.pairs:
            lines += [f"your {p.column} matches model output {p.input} ({p.reason}): the model produces this data"
                      for p in self.outputs.pairs]
        if self.deprecated:
            lines.append("this version is deprecated")
        if self.task_match is not None:
            lines.append(f"task match {self.task_match:.1f}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        c = self.compatibility
        return {
            "model": self.model_id,
            "score": round(self.score, 4),
            "compatibility": round(c.score, 4),
            "similarity": round(self.similarity, 4),
            "task_match": self.task_match,
            "pairs": [{"column": p.column, "input": p.input, "score": round(p.score, 4), "reason": p.reason,
                       "transformations": list(p.transforms)} for p in c.pairs],
            "unsatisfied": [{"input": n, "reason": r} for n, r in c.unsatisfied],
            "unused": list(c.unused),
            "transformations": list(c.transformations),
            "outputs_matched": [{"column": p.column, "output": p.input, "reason": p.reason}
                                for p in (self.outputs.pairs if self.outputs else ())],
            "deprecated": self.deprecated,
        }


@dataclass
class _Prepared:
    card: ModelCard
    inputs: list[Field]
    outputs: list[Field]

    @property
    def required(self) -> list[Column]:
        """The inputs data must provide, in the model's order (a generator draws its noise itself)."""
        return [c for c in self.card.inputs if canonical(c.name).qty not in SAMPLED_INPUTS]


@dataclass
class Recommender:
    encoder: Encoder
    index: VectorIndex  # must hold a vector for "model:<id>" of every card
    cards: dict[str, ModelCard]
    task_parents: Mapping[str, str] = field(default_factory=dict)
    candidates: int = 100
    weights: Weights = field(default_factory=Weights)
    prune: bool = True  # skip candidates whose score bound cannot reach the top k (embeddings.bounds)

    def __post_init__(self) -> None:
        self._prepared: dict[str, _Prepared] = {}

    def update_card(self, card: ModelCard) -> None:
        """Tell the ranker a card changed (its vector is upserted in the index by the caller)."""
        self.cards[card.id] = card
        self._prepared.pop(card.id, None)

    def remove_card(self, model_id: str) -> None:
        self.cards.pop(model_id, None)
        self._prepared.pop(model_id, None)

    def recommend(self, columns: Sequence[Column], *, task: str | None = None, k: int = 10,
                  description: str | None = None, events: int | None = None) -> list[Recommendation]:
        """`events`: the number of rows when the shapes are whole-file ones (h5py's `(250000, 50, 4)`);
        without it such an axis is recognised when every column starts with the same large length."""
        columns, axis = split_event_axis(columns, events)
        query = self.encoder.encode_one(schema_text(columns, task, description))
        found = self.recommend_vector(query, columns, task=task, k=k)
        if axis is None:
            return found
        return [replace(r, notes=(axis.describe(),) + r.notes) for r in found]

    def recommend_vector(self, query: Any, columns: Sequence[Column], *, task: str | None = None,
                         k: int = 10) -> list[Recommendation]:
        """`recommend` with per-event columns and the schema text already encoded (benchmarks time
        the two apart)."""
        user = prepare(columns)
        hits = self.index.search(query, self.candidates, prefix=MODEL_PREFIX)
        wanted = _slug(task) if task else None
        w = self.weights
        # The columns a model leaves unused, prepared once per distinct set: most candidates leave
        # the same ones, and a Prepared schema keeps its assignable rows for every later model.
        leftovers: dict[frozenset[str], Prepared] = {}
        found = []
        for key, similarity in hits:
            model_id = key[len(MODEL_PREFIX):]
            prepared = self._prepare(model_id)
            if prepared is None:  # vector of a model the ranker no longer knows: skip, never guess
                continue
            task_match = task_score(wanted, prepared.card.tasks, self.task_parents) if wanted else None
            found.append((model_id, prepared, similarity, task_match))
        if not self.prune or len(found) <= k or anonymous(user) is not None:
            results = [self._score(m, p, s, t, user, leftovers) for m, p, s, t in found]
            results.sort(key=lambda r: (-r.score, r.model_id))
            return results[:k]
        # Best bound first; once a bound is below the k-th best exact score, no later candidate can
        # enter the top k (embeddings.bounds): their assignments are never computed.
        bound = ScoreBound(user)
        ordered = sorted(((self._fixed(p, s, t) + bound.structure(
            interface(p.inputs), interface(p.outputs) if p.outputs else None, compat_w=w.compat + w.used,
            outputs_w=w.outputs, vague=any(None in f.column.shape for f in p.outputs)), m, p, s, t)
            for m, p, s, t in found), key=lambda e: -e[0])
        results, top = [], []  # top: min-heap of the k best exact scores so far
        for upper, model_id, prepared, similarity, task_match in ordered:
            if len(top) == k and upper + MARGIN < top[0]:
                break
            r = self._score(model_id, prepared, similarity, task_match, user, leftovers)
            results.append(r)
            if len(top) < k:
                heapq.heappush(top, r.score)
            elif r.score > top[0]:
                heapq.heapreplace(top, r.score)
        results.sort(key=lambda r: (-r.score, r.model_id))
        return results[:k]

    def _fixed(self, prepared: _Prepared, similarity: float, task_match: float | None) -> float:
        """The score terms known before the assignment: similarity, task, deprecation, production."""
        w = self.weights
        score = w.similarity * similarity
        if task_match is not None:
            score += w.task * task_match
        if prepared.card.deprecated:
            score += w.deprecated
        if "production" in prepared.card.aliases:
            score += w.production
        return score

    def _score(self, model_id: str, prepared: _Prepared, similarity: float, task_match: float | None,
               user: Prepared, leftovers: dict[frozenset[str], Prepared]) -> Recommendation:
        """One candidate's exact score: its assignment, the outputs check, every term of `Weights`."""
        compat = by_position(user, prepared.required) or compatibility(user, prepared.inputs)
        w = self.weights
        score = w.similarity * similarity
        if task_match is not None:
            score += w.task * task_match
        produced = None
        if prepared.outputs and compat.unused:
            unused = frozenset(compat.unused)
            left = leftovers.get(unused)
            if left is None:
                left = leftovers[unused] = Prepared([f for f in user if f.label in unused])
            # Your data holds what the model produces only when a column IS that output: a
            # jagged pT list from which a generator's fixed ptrel could be computed is not it.
            produced = compatibility(left, prepared.outputs, strict=True)
        if produced is not None and produced.pairs:
            score += _joint_structure(compat, produced, w, _share(user, compat, produced))
            # An output of unspecified length ("voxels": (N,)) says less than an exact one.
            vague = any(None in f.column.shape for f in prepared.outputs)
            score += w.outputs * produced.score * (0.5 if vague else 1.0)
        else:
            score += _structure(compat, w, _share(user, compat))
        # Your data names what the model generates but in another shape (30 particles, the
        # model makes 150): the model produces something else than your data.
        if produced is not None and produced.n_inputs:
            score -= w.outputs * produced.conflicts / produced.n_inputs
        if prepared.card.deprecated:
            score += w.deprecated
        if "production" in prepared.card.aliases:
            score += w.production
        return Recommendation(model_id, score, compat, similarity, task_match, produced, prepared.card.deprecated)

    def search(self, text: str, *, k: int = 10, kind: str | None = None) -> list[tuple[str, float]]:
        """Free-text search over every indexed document (`kind` = "model", "dataset", ... filters)."""
        return self.index.search(self.encoder.encode_one(text), k, prefix=f"{kind}:" if kind else None)

    def _prepare(self, model_id: str) -> _Prepared | None:
        prepared = self._prepared.get(model_id)
        if prepared is None:
            card = self.cards.get(model_id)
            if card is None:
                return None
            prepared = _Prepared(card, prepare(card.inputs), prepare(card.outputs))
            self._prepared[model_id] = prepared
        return prepared


def task_score(wanted: str, tasks: Iterable[str], parents: Mapping[str, str]) -> float:
    """1 for the task itself, 0.7 for a subtask or parent task of it, 0 otherwise."""
    slugs = {_slug(t) for t in tasks}
    if wanted in slugs:
        return 1.0
    for t in slugs:
        if wanted in _ancestors(t, parents) or t in _ancestors(wanted, parents):
            return 0.7
    return 0.0


def _ancestors(task: str, parents: Mapping[str, str]) -> set[str]:
    seen: set[str] = set()
    while task in parents and parents[task] not in seen:
        task = parents[task]
        seen.add(task)
    return seen


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# Baselines for the evaluation ------------------------------------------------------------------

def name_overlap_scores(columns: Sequence[Column], cards: Iterable[ModelCard]) -> list[tuple[str, float]]:
    """Share of a model's input names found verbatim (case-insensitive) among the user's columns."""
    names = {c.name.lower() for c in columns}
    out = []
    for card in cards:
        inputs = {c.name.lower() for c in card.inputs}
        out.append((card.id, len(inputs & names) / len(inputs) if inputs else 0.0))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


def embedding_scores(encoder: Encoder, index: VectorIndex, columns: Sequence[Column], *,
                     task: str | None = None, k: int = 100) -> list[tuple[str, float]]:
    hits = index.search(encoder.encode_one(schema_text(columns, task)), k, prefix=MODEL_PREFIX)
    return [(key[len(MODEL_PREFIX):], s) for key, s in hits]



def _share(user: Prepared, compat: Compatibility, produced: Compatibility | None = None) -> float:
    """The share of the user's data the model uses (embeddings.share: over the collections it reads).
    A by-position match (numbered columns, embeddings.positional) names no columns: its own share."""
    if not compat.used_labels and compat.n_used:
        return compat.used_fraction
    index = user.memo("label-index", lambda: {f.label: i for i, f in enumerate(user)})
    used = {index[label] for label in compat.used_labels if label in index}
    if produced is not None:
        used |= {index[label] for label in produced.used_labels if label in index}
    return share(user, used)


def _joint_structure(compat: Compatibility, produced: Compatibility, w: Weights, b: float) -> float:
    """`_structure` of a model whose outputs your data also holds (a generator: incident energy in,
    showers out; an MPGAN: noise in, particles out): its interface is inputs and outputs together,
    and the columns it produces are data it uses — a generator's showers are not "unused"."""
    n = compat.n_inputs + produced.n_inputs
    a = (compat.score * compat.n_inputs + produced.score * produced.n_inputs) / n if n else 0.0
    return (w.compat + w.used) * (2 * a * b / (a + b) if a + b else 0.0)


def _structure(compat: Compatibility, w: Weights, b: float) -> float:
    """Harmonic mean of "the model's inputs are satisfied" and "the user's data is used" (`b`,
    `_share`).

    A model with two inputs that takes 2 of the user's 11 columns fits only a corner of the data;
    one that takes 6 of them (and half its inputs) explains more of it. The harmonic mean needs both;
    a plain weighted sum let small models win on the first alone."""
    a = compat.score
    return (w.compat + w.used) * (2 * a * b / (a + b) if a + b else 0.0)
