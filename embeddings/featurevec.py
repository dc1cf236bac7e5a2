"""Feature-vector inputs: one model input that packs many unnamed quantities of one kind of object.

b-taggers read their data as blocks: DeepJet's `global_features (15)`, `cpf_features (25, 16)` (25
charged candidates x 16 features), `npf_features (25, 6)`, `vtx_features (4, 12)`; GN1's
`track_features (40, 21)`; DL1r's `low_level_tagger_outputs` ("IP2D, IP3D, RNNIP, SV1 and JetFitter
output variables"). No column is named like them and their components are not listed
(embeddings.packing needs a list), so the name/shape assignment of embeddings.compat finds nothing
and a model that takes four of them "satisfies 0/4 inputs" on its own training ntuple.

Such an input is fed by a *collection*: the user's columns of the object it holds, stacked as its
feature axis. Which object comes from the input's own words — its name first (`cpf` = charged
candidates, `vtx` = secondary vertices, `global`/`jet` = the jet's own variables), then its
description — and, for the user's columns, from the prefix of the name (`Cpfcan_`, `tracks_loose/`,
`TagVarCSVTrk_`, `JetSVs_`), else any object word in it. Acronyms and proper names the description
names (`CSV`, `IP2D`, `SV1`, `JetFitter`) also claim the columns that carry them in their prefix.

A fit is `FACTOR x object x shape x coverage`:
- FACTOR < 1: the feature order is the model's (recorded with its preprocessing), not the user's;
- object: 1 for the same kind, less for generic particles feeding charged or neutral candidates
  (the user splits them by charge) and for tracks feeding charged candidates;
- shape: per-object inputs need per-object columns (a fixed length equal to the model's, or a
  variable one padded/truncated), per-jet inputs need scalars (or NanoAOD's per-jet lists);
- coverage: columns found over the features the input holds (`min(1, k / F)`).
An array whose own per-event shape is the input's, e.g. DeepJetCore's `x1 (25, 16)`, feeds it whole.

The step is reported as `assemble ...`, which graphcat evaluate does not run: it cannot know the
feature order, and says so instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from embeddings.names import Field, canonical, tokens
from embeddings.packing import packing
from embeddings.schema import Column
from embeddings.share import bookkeeping

FACTOR = 0.7  # the feature order is the model's own, to be taken from its preprocessing
_VECTOR_WORDS = frozenset({"features", "feature", "feats", "vars", "variables", "inputs", "outputs"})
# Object words, longest first for the prefix-suffix test. Local to feature vectors: `vertex` is
# not an object word of embeddings.names (a primary-vertex z is no secondary vertex there).
_CLASSES: dict[str, str] = {
    "cpfcand": "charged", "cpfcan": "charged", "cpf": "charged", "charged": "charged",
    "npfcand": "neutral", "npfcan": "neutral", "npf": "neutral", "neutral": "neutral",
    "tracks": "track", "track": "track", "trk": "track",
    "vertices": "sv", "vertex": "sv", "svs": "sv", "sv": "sv", "vtx": "sv", "secondary": "sv", "flight": "sv",
    "pfcands": "particle", "pfcand": "particle", "cands": "particle", "cand": "particle", "candidates": "particle",
    "particles": "particle", "particle": "particle", "constituents": "particle", "part": "particle", "pf": "particle",
    "jets": "jet", "jet": "jet", "global": "jet", "fatjet": "jet",
}
_SUFFIXES = sorted(_CLASSES, key=len, reverse=True)
# (input's object, column's object) -> how well that column kind can stand for the input's.
_CLOSE = {("charged", "particle"): 0.7, ("neutral", "particle"): 0.7, ("charged", "track"): 0.9,
          ("track", "charged"): 0.9, ("track", "particle"): 0.7, ("particle", "charged"): 0.8}
_COUNT = re.compile(r"^n(?:[A-Z]|_)|^n(?:sv|pv|trk|tracks?|vtx|cands?)$")  # nCpfcand, n_tracks, nsv, npv
_SEP = re.compile(r"[_/.]")
_PROPER = re.compile(r"\b(?:[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*|[A-Za-z]+\d[A-Za-z0-9]*)\b")  # CSV, IP2D, SV1, JetFitter


@dataclass(frozen=True)
class Vector:
    """What a feature-vector input holds."""

    obj: str | None  # charged | neutral | track | sv | particle | jet | None (named prefixes only)
    objects: int | None  # the object axis (25 candidates) or None for a per-jet vector
    per_object: bool
    width: int | None  # features per object (None: unstated)
    names: frozenset[str]  # acronyms the description names (`csv`, `ip2d`, `jetfitter`)
    multiplicities: bool  # the description counts multiplicities among the features


@dataclass(frozen=True)
class Fed:
    score: float
    members: tuple[int, ...]  # indices of the user's fields stacked into the input
    columns: str  # the members as the explanation shows them
    reason: str
    step: str
    complete: bool  # every feature the input holds has a column


def vector(column: Column) -> Vector | None:
    return _vector(column.name, tuple(column.shape), column.description or "")


@lru_cache(maxsize=4096)
def _vector(name: str, shape: tuple[int | None, ...], description: str) -> Vector | None:
    words = tokens(name)
    if not words or words[-1] not in _VECTOR_WORDS or len(shape) not in (1, 2):
        return None
    if packing(Column(name, "float32", shape, None, description)) is not None:
        return None  # its components are listed: embeddings.packing stacks them one by one
    obj = next((_CLASSES[w] for w in words[:-1] if w in _CLASSES), None)
    names = frozenset(m.lower() for m in _PROPER.findall(description) if len(m) >= 3 and not m.isdigit())
    if obj is None:
        # "charged PF candidates: track eta/pT ..." -> its object; a proper name (JetFitter) is no object word.
        lead = _PROPER.sub(" ", description.split(":", 1)[0])
        obj = next((_CLASSES[w] for w in tokens(lead) if w in _CLASSES), None)
    if obj is None and not names:
        return None
    per_object = len(shape) == 2
    return Vector(obj, shape[0] if per_object else None, per_object, shape[-1], names,
                  "multiplicit" in description.lower())


@lru_cache(maxsize=16384)
def column_object(name: str) -> str | None:
    """The kind of object a user column holds: from its prefix (`Cpfcan_`, `tracks_loose/`), else any word."""
    if canonical(name).obj == "genparticle":  # the generator record holds no detector objects
        return "genparticle"
    parts = [p for p in _SEP.split(name) if p]
    head = _head_object(parts[0]) if len(parts) > 1 else None
    inner = next((_CLASSES[w] for p in parts[1:] for w in tokens(p) if w in _CLASSES), None)
    if head == "jet" and inner in ("track", "sv"):  # Jet_DeepCSV_trackSip2dSig: a jet's tracks
        return inner
    if head is not None:
        return head
    return next((_CLASSES[w] for w in tokens(name) if w in _CLASSES), None)


def _head_object(head: str) -> str | None:
    head = re.sub(r"[^a-z0-9]", "", head.lower())
    for test in (head.endswith, head.startswith):  # JetSVs: vertices of a jet, not jets
        for suffix in _SUFFIXES:
            if test(suffix):
                kind = _CLASSES[suffix]
                # ReconstructedChargedParticles: particles of one charge, never the other's
                for charge in ("charged", "neutral"):
                    if kind == "particle" and charge in head:
                        return charge
                return kind
    return None


def _prefix_words(name: str) -> set[str]:
    """The words of every part of the name but the last: `jets/IP2D_pu` -> jets, ip2d."""
    parts = [p for p in _SEP.split(name) if p][:-1]
    return {w for p in parts for w in (p.lower(), *tokens(p))}


def feed(user: Sequence[Field], inputs: Sequence[Column], taken: set[int]) -> list[Fed | None]:
    """The best collection of the user's fields (those not in `taken`) for each feature-vector input,
    in order.

    A collection feeds one input, except generic particles, which feed charged and neutral candidates
    alike (the user splits them by charge)."""
    taken = set(taken)
    out: list[Fed | None] = []
    for col in inputs:
        v = vector(col)
        found = _fed(user, col, v, taken) if v is not None else None
        if found is not None and not (v is not None and v.obj in ("charged", "neutral")
                                      and all(column_object(user[i].column.name) == "particle" for i in found.members)):
            taken.update(found.members)
        out.append(found)
    return out


def bound(user: Sequence[Field], col: Column) -> tuple[float, frozenset[int]]:
    """An upper bound on the score of `col` over every `taken` set, and the fields that may feed it
    (embeddings.bounds): closeness and shape at most 1, coverage at most that of all candidates."""
    v = vector(col)
    if v is None:
        return 0.0, frozenset()
    members = _fed(user, col, v, set(), collection_only=True)
    whole = _whole(user, col, v, set())
    if members is None and whole is None:
        return 0.0, frozenset()
    fields = set(members.members) if members else set()
    for i, f in enumerate(user):  # any array of the input's own shape
        if tuple(f.column.shape) == tuple(col.shape) and not bookkeeping(f.column.name):
            fields.add(i)
    needed = v.width if v.width else 4
    coverage = min(1.0, len(members.members) / needed) if members else 0.0
    return max(FACTOR if whole is not None else 0.0, FACTOR * coverage), frozenset(fields)


def _fed(user: Sequence[Field], col: Column, v: Vector, taken: set[int], *,
         collection_only: bool = False) -> Fed | None:
    whole = None if collection_only else _whole(user, col, v, taken)
    members: list[int] = []
    factors: list[float] = []
    shape_factor = 1.0
    for i, f in enumerate(user):
        c = f.column
        if i in taken or bookkeeping(c.name):
            continue
        obj = column_object(c.name)
        named = bool(v.names & _prefix_words(c.name))
        closeness = 1.0 if (obj == v.obj and obj is not None) or named else _CLOSE.get((v.obj or "", obj or ""), 0.0)
        if v.obj == "jet" and not v.per_object and not named:
            # A jet's own variables: jet-prefixed, or counts of its candidates when the input says so.
            counted = v.multiplicities and not c.shape and (canonical(c.name).qty == "n" or bool(_COUNT.match(c.name)))
            closeness = 1.0 if obj == "jet" or counted else 0.0
        if closeness <= 0.0:
            continue
        fit = _shape(_per_jet(f), v, _jet_prefixed(c.name))
        if fit <= 0.0:
            continue
        members.append(i)
        factors.append(closeness)
        shape_factor = min(shape_factor, fit)
    if v.width and len(members) > v.width:
        # More columns than features: the ones whose quantity the description names, then in order.
        said = _said(col.description or "")
        keep = sorted(range(len(members)), key=lambda k: (canonical(user[members[k]].column.name).qty not in said, k))
        keep = sorted(keep[:v.width])
        members, factors = [members[k] for k in keep], [factors[k] for k in keep]
    best = whole
    if members:
        closeness = sum(factors) / len(factors)
        needed = v.width if v.width else 4
        coverage = min(1.0, len(members) / needed)
        score = FACTOR * closeness * shape_factor * coverage
        # A training file holds most of a block's features; a third of them is a coincidence of names.
        if coverage >= MIN_COVERAGE and (best is None or score > best.score):
            labels = [user[i].label for i in members]
            shown = ", ".join(labels[:4]) + (f", ... ({len(labels)} columns)" if len(labels) > 4 else "")
            want = f"{v.width} features" if v.width else "its features"
            best = Fed(score, tuple(members), shown,
                       f"{len(members)} columns of {_what(v, column_object(user[members[0]].column.name))} for {want} of {_fmt(col.shape)}; feature order from "
                       f"the model's preprocessing", f"assemble {col.name} {_fmt(col.shape)} from {len(members)} "
                                                     f"columns ({shown}) in the model's feature order", coverage >= 1.0)
    return best


def _whole(user: Sequence[Field], col: Column, v: Vector, taken: set[int]) -> Fed | None:
    """An array whose per-event shape is the input's own (DeepJetCore's `x1 (25, 16)`)."""
    for i, f in enumerate(user):
        c = f.column
        if (i in taken or bookkeeping(c.name) or tuple(c.shape) != tuple(col.shape) or None in c.shape
                or len(f.sources) > 1):  # an index run `pxj1..pxj2` is columns, not a block
            continue
        obj = column_object(c.name)
        if obj is None and _size(c.shape) < MIN_BARE:  # two numbers are no evidence of a block
            continue
        if obj is not None and obj != v.obj and _CLOSE.get((v.obj or "", obj), 0.0) == 0.0:
            continue
        closeness = 1.0 if obj == v.obj else 0.75  # a bare `x1` has only its shape to show
        return Fed(FACTOR * closeness, (i,), f.label, f"shape {_fmt(c.shape)} is the input's; feature order from "
                   f"the model's preprocessing", f"assemble {col.name} from {f.label} as it is", True)
    return None


def _per_jet(f: Field) -> tuple[int | None, ...]:
    """The shape per jet: NanoAOD's index run `Jet_DeepCSV_trackSip2dSig_0.._5` of per-event jet
    lists collapses to (6, N); read one jet at a time it is 6 tracks."""
    shape = tuple(f.column.shape)
    if len(f.sources) > 1 and len(shape) == 2 and shape[1] is None and _jet_prefixed(f.sources[0]):
        return shape[:1]
    return shape


def _jet_prefixed(name: str) -> bool:
    parts = [p for p in _SEP.split(name) if p]
    return len(parts) > 1 and _head_object(parts[0]) == "jet"


MIN_COVERAGE = 0.5  # share of a block's features the columns must cover to feed it
MIN_BARE = 8  # values a bare block (`x0`) must hold to be matched by its shape alone


def _size(shape: Sequence[int | None]) -> int:
    n = 1
    for d in shape:
        n *= d or 1
    return n


@lru_cache(maxsize=4096)
def _said(description: str) -> frozenset[str]:
    """The quantities a description names ("jet pT and |eta|" -> pt, eta)."""
    return frozenset(q for q in (canonical(w).qty for w in tokens(description)) if q)


def _shape(shape: Sequence[int | None], v: Vector, jet_list: bool) -> float:
    if not v.per_object:
        if len(shape) == 0:
            return 1.0
        return 0.9 if tuple(shape) == (None,) and jet_list else 0.0  # NanoAOD's Jet_* lists
    if len(shape) != 1:
        return 0.0
    n = shape[0]
    if v.objects is None or n == v.objects:
        return 1.0
    # A variable length is padded/truncated to the model's; another fixed length is data of another
    # kind (60 tracks are no DeepCSV's 6), as embeddings.fits.shape_fit has it for named inputs.
    return 0.9 if n is None else 0.0


def _what(v: Vector, obj: str | None) -> str:
    """What the collection holds: the input's object, or the columns' own when it stands in for it."""
    if v.obj is None or (v.obj == "jet" and not v.per_object and obj != "jet" and v.names):
        return "the named taggers" if v.obj is None else "the jet and the named taggers"
    kind = obj if obj in _WHAT and v.per_object else v.obj
    return _WHAT[kind]


_WHAT = {"charged": "charged candidates", "neutral": "neutral candidates", "track": "tracks",
         "sv": "secondary vertices", "particle": "particles", "jet": "the jet"}


def _fmt(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("N" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
