"""Packed columns: one array whose last axis holds several quantities, e.g. four-momenta (N, 4).

A user's `constituents` of shape (200, 4) described as "(E, px, py, pz)" can feed four per-object
model inputs `part_energy, part_px, part_py, part_pz` (split: `constituents[..., 1] → part_px`),
and separate `px, py, pz, E` columns can feed a model's packed (N, 4) input (stack). The
components come from the column's own words, never from a guess about the dataset:
- a parenthesised list in the description or name with exactly as many items as the last axis
  ("(pt [GeV], rapidity y, azimuth phi, PDG id)"; when several lists fit, the one whose items
  read most as physical quantities wins — "19 objects (MET, 4 e, 4 mu, 10 jets) x (pT, eta, phi,
  class)" takes the second);
- otherwise, a last axis of 4 whose name or description says four-momentum / four-vector / p4 /
  Lorentz vector: components (E, px, py, pz), flagged as an assumed order the user must check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from embeddings.names import OBJECTS, QUANTITIES, canonical, tokens
from embeddings.schema import Column

_LIST = re.compile(r"\(([^()]*,[^()]*)\)")
_BRACKETS = re.compile(r"\[([^\]]*)\]")
_FOUR_MOMENTUM = re.compile(
    r"four[\s_-]?(?:momentum|momenta|vectors?)|\b4[\s_-]?(?:momentum|momenta|vectors?)\b|\bp4s?\b|lorentz|"
    r"four[\s_-]?vec|\bfourvec", re.IGNORECASE)
_KNOWN = frozenset(QUANTITIES.values()) | {"mask", "y", "class"}
ASSUMED_FOUR_MOMENTUM = ("E", "px", "py", "pz")
_RELATIVE = re.compile(r"relative to the jet", re.IGNORECASE)
MAX_COMPONENTS = 8  # a wider last axis is a feature vector, not a handful of named quantities


@dataclass(frozen=True)
class Packing:
    """The components of a packed column's last axis, in order."""

    names: tuple[str, ...]
    units: tuple[str | None, ...]
    assumed: bool  # True: order taken from the four-momentum convention, not stated by the column
    axis: int = -1  # the packed axis: last (N, 4), or first for channels-first exports (2, P)

    def describe(self) -> str:
        return "(" + ", ".join(self.names) + ")" + (" (order assumed)" if self.assumed else "")

    def axis_name(self) -> str:
        return "the last axis" if self.axis == -1 else f"axis {self.axis} (channels first)"


def packing(column: Column) -> Packing | None:
    """How `column`'s last axis unpacks into named quantities, or None when it does not say."""
    return _packing(column.name, column.shape, column.description or "", column.unit)


@lru_cache(maxsize=16384)
def _packing(name: str, shape: tuple[int | None, ...], description: str, unit: str | None) -> Packing | None:
    last = _packing_along(name, shape, description, unit, -1)
    if last is not None or len(shape) < 2:
        return last
    # Channels first, as ParticleNet's ONNX export has them: points (2, P) = (part_etarel, part_phirel).
    return _packing_along(name, shape, description, unit, 0, stated_only=True)


def _packing_along(name: str, shape: tuple[int | None, ...], description: str, unit: str | None, axis: int,
                   stated_only: bool = False) -> Packing | None:
    if not shape or shape[axis] is None or not 2 <= shape[axis] <= MAX_COMPONENTS:  # type: ignore[operator]
        return None
    width = shape[axis]
    best: tuple[int, int, list[str]] | None = None
    for pos, text in enumerate((name, description)):
        for match in _LIST.finditer(text):
            items = [i.strip() for i in match.group(1).split(",")]
            if len(items) != width or not all(items) or any(len(i.split()) > 4 for i in items):
                continue
            known = sum(1 for i in items if _component_name(i) and canonical(_component_name(i)).qty in _KNOWN)
            rank = (known, pos * 1000 + match.start())  # more quantities first, then the later list
            if known and (best is None or rank > best[:2]):
                best = (rank[0], rank[1], items)
    if best is not None:
        items = best[2]
        units = tuple((_BRACKETS.search(i).group(1).strip() or None) if _BRACKETS.search(i) else None
                      for i in items)
        return Packing(tuple(_component_name(i) for i in items), units, False, axis)
    if stated_only:
        return None
    words = " ".join(tokens(name))  # `jet_p4`, `fourMomentum` → "jet p4", "four momentum"
    if width == 4 and any(_FOUR_MOMENTUM.search(t) for t in (name, words, description)):
        return Packing(ASSUMED_FOUR_MOMENTUM, (unit,) * 4, True, axis)
    return None


# How papers and READMEs spell a component in prose (EnergyFlow's PFN: "(z = pT fraction,
# rapidity - jet rapidity, phi - jet phi, encoded PDG id)"): a definition `symbol = meaning` is its
# meaning; a difference with the jet's own value and a fraction of the jet's are jet-relative; an
# "encoded" id is the id.
_DEFINITION = re.compile(r"^\s*[A-Za-z][\w^]{0,3}\s*=\s*(?P<meaning>.+)$")
_JET_DIFFERENCE = re.compile(r"^(?P<q>[\w ]+?)\s+-\s+jet\s+(?P=q)\s*$", re.IGNORECASE)
_FRACTION = re.compile(r"^(?P<q>pt|p_?t|momentum|energy|e)\s+fraction(?:\s+of\s+the\s+jet)?$", re.IGNORECASE)
_ENCODED = re.compile(r"^(?:encoded|remapped|mapped)\s+", re.IGNORECASE)


def _prose(item: str) -> str:
    item = item.strip()
    definition = _DEFINITION.match(item)
    if definition:
        item = definition.group("meaning").strip()
    difference = _JET_DIFFERENCE.match(item)
    if difference:
        return f"{difference.group('q')} rel"
    fraction = _FRACTION.match(item)
    if fraction:
        return f"{'e' if fraction.group('q').lower() in ('energy', 'e') else 'pt'} rel"
    return _ENCODED.sub("", item)


def _component_name(item: str) -> str:
    """`pt [GeV]` → `pt`; `rapidity y` → `rapidity y` (synonyms read as one quantity by names);
    `z = pT fraction` → `pt_rel`, `rapidity - jet rapidity` → `y_rel` (`_prose`)."""
    text = _prose(_BRACKETS.sub(" ", item))
    words = [t for t in tokens(text) if t]
    # Repeated synonyms (`azimuth phi`) name one quantity; keep the words once, in order.
    seen: dict[str, None] = {}
    for w in words:
        seen.setdefault(QUANTITIES.get(w, w), None)
    return "_".join(seen) if seen else ""


def component_columns(column: Column, pack: Packing) -> list[Column]:
    """One column per component: the packed shape without its last axis, the packed dtype.

    The packed column's name says which objects it holds (`Particles`, `jet_features`,
    `constituents`): its components are quantities of that object, so `Jet_pt` cannot be stacked
    into `Particles` and `constituents[..., 1]` reads as a particle px."""
    obj = MIXED_OBJECTS if _mixed_objects(column.description or "") else (
        _object_of(column.name) or _described_object(column.description or ""))
    relative = bool(_RELATIVE.search(column.description or ""))
    out = []
    for name, unit in zip(pack.names, pack.units):
        # "(rapidity, azimuth) relative to the jet axis": the angles are jet-relative even though
        # the list names them plainly; only a list with a jet axis can feed them.
        c = canonical(name)
        if relative and c.qty in ("eta", "y", "phi") and "rel" not in c.transforms:
            name = f"{name}_rel"
        if obj and canonical(name).obj is None:
            name = f"{obj}_{name}"
        rest = column.shape[:-1] if pack.axis == -1 else column.shape[:pack.axis] + column.shape[pack.axis + 1:]
        out.append(Column(name, column.dtype, tuple(rest), unit, column.description))
    return out


@lru_cache(maxsize=4096)
def _described_object(description: str) -> str | None:
    """A bare name (PFN's `X`) takes its object from the words before its list: "per constituent (...)"."""
    words = [w for w in tokens(description.split("(", 1)[0]) if w in OBJECTS]
    return OBJECTS[words[0]] if len(set(OBJECTS[w] for w in words)) == 1 else None


# "MET, 4 e, 4 mu, 10 jets x (pT, eta, phi)": the rows are an event's physics objects of several
# kinds, not one kind of object (a jet's constituents cannot fill them).
MIXED_OBJECTS = "object"
_OBJECT_WORDS = {**OBJECTS, "e": "electron", "electron": "electron"}


@lru_cache(maxsize=4096)
def _mixed_objects(description: str) -> bool:
    """A comma-separated list naming two or more kinds of event-level object: "MET, 4 e, 4 mu, 10 jets"."""
    kinds = set()
    for item in re.split(r"[,()]", description):
        words = [w for w in tokens(item) if not w.isdigit()]
        if len(words) == 1 and _OBJECT_WORDS.get(words[0]) in EVENT_OBJECTS:
            kinds.add(_OBJECT_WORDS[words[0]])
    return len(kinds) >= 2


EVENT_OBJECTS = frozenset({"met", "electron", "muon", "photon", "lepton", "tau", "jet", "bjet"})


@lru_cache(maxsize=16384)
def _object_of(name: str) -> str | None:
    canon = canonical(name)
    if canon.obj:
        return canon.obj
    words = tokens(name)
    return OBJECTS.get(words[0]) if words else None
