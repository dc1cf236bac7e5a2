"""Pairwise fits: can one user column feed one model input, with what steps, and why.

Three independent checks — name (after normalisation and HEP synonyms, embeddings.names), shape,
dtype — and the unit's dimension, each a `Fit` (factor in [0, 1], 0 = incompatible). Shapes also
fit by cutting a longer ordered list of objects to the model's leading N, by flattening a per-event
list of objects into one object per row, and by a leading channel axis of 1. embeddings.compat
assigns columns to inputs from these scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import prod

from embeddings.names import Canon, canonical
from embeddings.packing import EVENT_OBJECTS, MIXED_OBJECTS
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
    elif m.obj == MIXED_OBJECTS and u.obj in EVENT_OBJECTS:  # your jets fill the jet rows of a mixed list
        score, obj_note = 0.8, f"; your {u.obj}s fill their rows of the model's list of event objects"
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
        ref = "the jet axis" if m.qty in ("eta", "phi", "y") else "the jet"
        op = "-" if m.qty in ("eta", "phi", "y") else "/"
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
    # A channels-first single channel: ParticleNet's mask (1, P) is a per-particle list.
    if len(model) == len(user) + 1 and model[0] == 1:
        inner = _shape_fit(user, model[1:])
        if inner.factor > 0.0:
            return Fit(inner.factor, inner.transforms + (f"add a leading axis of 1 → {_fmt(model)}",), inner.reason)
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


@lru_cache(maxsize=262144)
def pair_fit(user: Column, model: Column) -> tuple[float, tuple[str, ...], str]:
    """Score, transformations and reason for feeding `user` into `model` (score 0 = impossible)."""
    name = name_fit(user.name, model.name)
    if name.factor < MIN_NAME_SCORE:
        return 0.0, (), name.reason
    shape = shape_fit(user.shape, model.shape)
    if shape.factor == 0.0:
        shape = _leading_objects_fit(user, model, shape)
    if shape.factor == 0.0:
        shape = _flatten_fit(user, model, shape)
    if shape.factor == 0.0:
        return 0.0, (), f"{name.reason}, but {shape.reason}"
    dtype = dtype_fit(user.dtype, model.dtype)
    if dtype.factor == 0.0:
        return 0.0, (), f"{name.reason}, but dtype {dtype.reason}"
    clash = _dimension_clash(user, model)
    if clash:
        return 0.0, (), f"{name.reason}, but {clash}"
    unit = unit_fit(user.unit, model.unit)
    score = name.factor * shape.factor * dtype.factor * unit.factor
    reason = "; ".join(r for r in (name.reason, shape.reason, dtype.reason, unit.reason) if r)
    return score, name.transforms + shape.transforms + dtype.transforms + unit.transforms, reason


# What a unit measures, and what a quantity must be measured in: a hit's `y` in mm is a position,
# not a rapidity, whatever its name says.
_UNIT_DIMENSIONS = {"mm": "length", "cm": "length", "m": "length", "um": "length", "µm": "length", "nm": "length",
                    "ev": "energy", "kev": "energy", "mev": "energy", "gev": "energy", "tev": "energy"}
_QUANTITY_DIMENSIONS = {"pt": "energy", "e": "energy", "px": "energy", "py": "energy", "pz": "energy",
                        "m": "energy", "eta": "none", "y": "none", "phi": "none", "dr": "none", "r": "length",
                        "d0": "length", "dz": "length"}


def _dimension_clash(user: Column, model: Column) -> str:
    """A user unit of one dimension for a model quantity of another (mm for a rapidity)."""
    have = _UNIT_DIMENSIONS.get((user.unit or "").strip().lower())
    c = canonical(model.name)
    # A ratio to the jet is dimensionless; a log is of the quantity in its usual unit (log of pT in
    # GeV), so the column must still be an energy for `part_pt_log`.
    want = "none" if "rel" in c.transforms else _QUANTITY_DIMENSIONS.get(c.qty)
    if have is None or want is None or have == want:
        return ""
    return f"{user.name} is in {user.unit} ({have}), {model.name} is {'dimensionless' if want == 'none' else 'a ' + want}"


# Objects that come as ordered lists per jet/event: a model reading the leading N of them can be fed
# a longer list cut to its first N (ParticleNet takes 100 of the top-tagging dataset's 200).
LIST_OBJECTS = frozenset({"particle", "track", "jet", "subjet", "muon", "electron", "photon", "lepton", "tau", "sv"})
TRUNCATE_FACTOR = 0.8


def _leading_objects_fit(user: Column, model: Column, failed: Fit) -> Fit:
    """A fixed list of objects of another length feeds a model that names its input a list of
    those objects: a longer one is cut to the model's leading N (ParticleNet takes 100 of the
    top-tagging dataset's 200), a shorter one is zero-padded as the model pads jets with fewer
    constituents (80 ATLAS clusters into 128 slots) — but only when the data fills at least half the
    model's slots: 30 particles padded to 150 are jets unlike the model's training data. Both lose
    what the other side had, so the factor falls with the share kept (`truncation_factor`). Only along the first axis, and only
    when the model's input name says it is a per-object list (`part_energy`, `track_pt`):
    calorimeter voxels or generated clouds never are."""
    u, m = user.shape, model.shape
    if not (len(u) == len(m) >= 1 and u[0] is not None and m[0] is not None and u[0] != m[0]
            and u[1:] == m[1:]):
        return failed
    obj = canonical(model.name).obj
    if obj not in LIST_OBJECTS:
        return failed
    if u[0] < m[0]:
        if 2 * u[0] < m[0]:  # 30 particles into 150 slots: jets unlike the ones the model was trained on
            return failed
        return Fit(truncation_factor(u[0], m[0]),
                   (f"zero-pad the {u[0]} {obj}s of {user.name} to {m[0]} (the model saw up to {m[0]}; "
                    f"objects beyond {u[0]} are not in your file)",), f"shape {_fmt(u)} padded to {_fmt(m)}")
    return Fit(truncation_factor(m[0], u[0]),
               (f"keep the leading {m[0]} of {u[0]} {obj}s of {user.name} (your list must be ordered, e.g. by pT)",),
               f"shape {_fmt(u)} cut to {_fmt(m)}")


FLATTEN_FACTOR = 0.85


def _flatten_fit(user: Column, model: Column, failed: Fit) -> Fit:
    """A per-event list of objects feeds a model that reads one object at a time: NanoAOD's
    `Jet_pt` (a jagged list per event) becomes one row per jet for a per-jet regression's `Jet_pt`.
    Only for the same kind of object on both sides, named as such (`Jet_pt` → `jet_pt`)."""
    if model.shape != () or len(user.shape) != 1:
        return failed
    u, m = canonical(user.name), canonical(model.name)
    if u.obj is None or u.obj != m.obj or u.obj not in LIST_OBJECTS:
        return failed
    return Fit(FLATTEN_FACTOR, (f"one row per {u.obj}: flatten {user.name} (each event's {u.obj}s become rows)",),
               f"per-event list {_fmt(user.shape)} read one {u.obj} at a time")


def truncation_factor(kept: int, given: int) -> float:
    """How much a cut list still says: keeping half or more of it is the usual leading-N cut (×0.8);
    keeping 19 of 200 shows the model a tenth of the data, so the factor falls with the square root
    of the share below one half."""
    share = min(1.0, kept / given / 0.5)
    return TRUNCATE_FACTOR * share ** 0.5



def _plain(name: str) -> str:
    c: Canon = canonical(name)
    return f"{c.obj}:{c.qty}:{sorted(c.transforms)}"


def _jaccard(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def _fmt(shape: Shape) -> str:
    return "(" + ", ".join("N" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
