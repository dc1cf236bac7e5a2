"""Derived inputs: model inputs computed from the user's columns by a simple, stated formula.

A model that wants `part_pt, part_etarel, part_deltaR` can run on a file of constituent
four-vectors (E, px, py, pz): pt = hypot(px, py), eta = asinh(pz / pt), the jet axis is the sum of
the constituents' four-vectors, eta relative to it follows. A tracking GNN that wants per-event hit
arrays `r, phi, z` can run on a CSV with one row per hit: r = hypot(x, y), phi = atan2(y, x), and
the rows are grouped by event. This module only says *what* can be derived and how (the formula
as text, shown to the user); embeddings.compat decides whether a derived column is the best feed.

Rules (`RULES`): target quantity ← source quantities, all of ONE object and ONE shape (a per-object
derived quantity keeps the object's shape), a formula, a factor < 1 so that a column the user has
beats one that must be computed. The only quantities taken across objects are the jet axis for
relative quantities (`part_etarel = part_eta - jet_eta`): the user's jet columns when present,
otherwise the sum of the constituents' four-vectors (needs E, px, py, pz of the constituents).
Quantities are the canonical ones of embeddings.names (`pt`, `eta`, `e`, `y` = rapidity, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from embeddings.names import OBJECTS, canonical, tokens
from embeddings.schema import Column

# (quantity, relative to the jet axis?)
Quantity = tuple[str, bool]

DERIVE_FACTOR = 0.9  # a computed input scores below a column that is the input itself
GROUP_FACTOR = 0.9  # rows grouped into per-event arrays: a step the user must do
COPIES = 3  # a computed quantity may feed several inputs (pt feeds part_pt_log and part_logptrel)


@dataclass(frozen=True)
class Rule:
    target: Quantity
    sources: tuple[Quantity, ...]
    formula: str  # placeholders are the source quantities: {px}, {etarel}; {axis_eta} for the jet axis
    axis: tuple[str, ...] = ()  # jet-axis quantities the formula needs
    lengths: bool = False  # sources are positions: refuse columns in energy/momentum units
    compute: Callable[[Mapping[str, Any]], Any] | None = None  # the formula on arrays (keys as in formula)
    constituents: bool = False  # only for lists of jet constituents (as the relative quantities)

    def apply(self, values: Mapping[str, Any]) -> Any:
        """The rule on numbers: `values` maps the formula's placeholders (px, axis_eta) to arrays."""
        assert self.compute is not None
        return self.compute({k: np.asarray(v, dtype=np.float64) for k, v in values.items()})


def _q(text: str) -> Quantity:
    return (text[:-3], True) if text.endswith("rel") and text != "rel" else (text, False)


def _rule(target: str, sources: str, formula: str, compute: Callable[[Mapping[str, Any]], Any], axis: str = "",
          lengths: bool = False, constituents: bool = False) -> Rule:
    return Rule(_q(target), tuple(_q(s) for s in sources.split()), formula, tuple(axis.split()), lengths, compute,
                constituents)


def _wrap(phi: Any) -> Any:
    return (phi + np.pi) % (2 * np.pi) - np.pi


RULES: tuple[Rule, ...] = (
    # Four-momentum components ↔ collider coordinates.
    _rule("pt", "px py", "hypot({px}, {py})", lambda v: np.hypot(v["px"], v["py"])),
    _rule("eta", "px py pz", "asinh({pz} / hypot({px}, {py}))",
          lambda v: np.arcsinh(v["pz"] / np.hypot(v["px"], v["py"]))),
    _rule("phi", "px py", "atan2({py}, {px})", lambda v: np.arctan2(v["py"], v["px"])),
    _rule("y", "e pz", "0.5 * log(({e} + {pz}) / ({e} - {pz}))",
          lambda v: 0.5 * np.log((v["e"] + v["pz"]) / (v["e"] - v["pz"]))),
    _rule("px", "pt phi", "{pt} * cos({phi})", lambda v: v["pt"] * np.cos(v["phi"])),
    _rule("py", "pt phi", "{pt} * sin({phi})", lambda v: v["pt"] * np.sin(v["phi"])),
    _rule("pz", "pt eta", "{pt} * sinh({eta})", lambda v: v["pt"] * np.sinh(v["eta"])),
    # NanoAOD PF candidates give (pt, eta, phi, mass), never the energy the taggers read. Only for
    # constituents: a jet's or muon's energy would feed any model with one `energy` input.
    _rule("e", "pt eta m", "sqrt(({pt} * cosh({eta}))**2 + {m}**2)",
          lambda v: np.sqrt((v["pt"] * np.cosh(v["eta"])) ** 2 + v["m"] ** 2), constituents=True),
    # Hit positions → cylindrical coordinates.
    _rule("r", "x y", "hypot({x}, {y})", lambda v: np.hypot(v["x"], v["y"]), lengths=True),
    _rule("phi", "x y", "atan2({y}, {x})", lambda v: np.arctan2(v["y"], v["x"]), lengths=True),
    # Relative to the jet axis.
    _rule("etarel", "eta", "{eta} - {axis_eta}", lambda v: v["eta"] - v["axis_eta"], axis="eta"),
    _rule("phirel", "phi", "wrap({phi} - {axis_phi}) to [-pi, pi)", lambda v: _wrap(v["phi"] - v["axis_phi"]),
          axis="phi"),
    _rule("ptrel", "pt", "{pt} / {axis_pt}", lambda v: v["pt"] / v["axis_pt"], axis="pt"),
    _rule("erel", "e", "{e} / {axis_e}", lambda v: v["e"] / v["axis_e"], axis="e"),
    _rule("yrel", "y", "{y} - {axis_y}", lambda v: v["y"] - v["axis_y"], axis="y"),
    _rule("dr", "etarel phirel", "hypot({etarel}, {phirel})", lambda v: np.hypot(v["etarel"], v["phirel"])),
)


def rule(target: str, *sources: str) -> Rule:
    """The rule computing `target` ("pt", "etarel") from exactly these source quantities."""
    want = (_q(target), tuple(_q(s) for s in sources))
    for r in RULES:
        if (r.target, r.sources) == want:
            return r
    raise KeyError(f"no rule {target} <- {', '.join(sources)}")


def jet_axis(e: Any, px: Any, py: Any, pz: Any) -> dict[str, Any]:
    """The jet axis as the sum of the constituents' four-vectors along the last axis (zero padding
    adds nothing): its eta, phi, pt, e and rapidity y, one value per jet."""
    E, X, Y, Z = (np.asarray(a, dtype=np.float64).sum(axis=-1) for a in (e, px, py, pz))
    pt = np.hypot(X, Y)
    return {"e": E, "pt": pt, "phi": np.arctan2(Y, X), "eta": np.arcsinh(Z / pt), "y": 0.5 * np.log((E + Z) / (E - Z))}

# Objects whose lists can be padded and masked, and whose members have a jet to be relative to.
_CONSTITUENTS = frozenset({"particle", "track", None})
_LIST_OBJECTS = frozenset({"particle", "track", "jet", "subjet", "muon", "electron", "photon", "lepton", "tau", "sv",
                           "hit", "cell", None})
_ENERGY_UNITS = re.compile(r"^(?:[kmgt]?ev|[kmgt]?ev/c)$", re.IGNORECASE)
# How a derived quantity is spelled, so that embeddings.names reads it back as that quantity.
_SPELLING = {"pt": "pt", "eta": "eta", "phi": "phi", "e": "energy", "y": "rapidity", "m": "mass", "px": "px",
             "py": "py", "pz": "pz", "r": "r", "dr": "deltaR", "mask": "mask"}
_REL_SPELLING = {"eta": "etarel", "phi": "phirel", "pt": "ptrel", "e": "erel", "y": "yrel"}


@dataclass(frozen=True)
class Derived:
    """A column computed from `sources` (indices into the columns given to `derive`)."""

    column: Column
    sources: tuple[int, ...]
    formula: str  # "part_pt = hypot(part_px, part_py)"
    factor: float  # DERIVE_FACTOR per derivation step times the least of the sources' own factors


def derive(columns: Sequence[Column], factors: Sequence[float] | None = None) -> list[Derived]:
    """Every quantity the rules can compute from `columns` that no column already is, `COPIES` times.

    Columns are grouped by (object, shape); a rule fires inside a group when each source quantity
    is there (given or derived before: `dr` needs `etarel`, which needs `eta`). `factors` are the
    columns' own scores (a split component is already ×0.95), carried into what they feed.
    A given column that a rule reads is also offered again (`COPIES - 1` times, "reuse"): E feeds
    `part_energy` and `part_e_log` both."""
    factors = list(factors) if factors is not None else [1.0] * len(columns)
    groups, prefixes, units, axis_cols = _groups(columns, factors)
    out: list[Derived] = []
    for key, group in groups.items():
        obj, shape = key
        given = set(group)
        axis = _axis(group, axis_cols, obj, shape)
        for _ in range(3):  # derived quantities feed further rules (eta → etarel → dr)
            fired = False
            for rule in RULES:
                if rule.target in group or not all(s in group for s in rule.sources):
                    continue
                if rule.axis and not all(a in axis for a in rule.axis):
                    continue
                if (rule.target[1] or rule.constituents) and (not shape or obj not in _CONSTITUENTS):
                    continue  # relative to the jet axis: only lists of constituents
                if rule.lengths and any(_ENERGY_UNITS.match(units.get(key, {}).get(s) or "") for s in rule.sources):
                    continue
                srcs = [group[s] for s in rule.sources]
                indices = tuple(dict.fromkeys(i for s in srcs for i in s[1]))
                indices += tuple(axis[a][1] for a in rule.axis if axis[a][1] not in indices and axis[a][1] >= 0)
                # One step per derived quantity, from its least certain source (a split column is ×0.95).
                factor = DERIVE_FACTOR * min(s[2] for s in srcs)
                name = prefixes[key] + (_REL_SPELLING[rule.target[0]] if rule.target[1] else _SPELLING[rule.target[0]])
                group[rule.target] = (name, indices, factor, name)
                units.setdefault(key, {})[rule.target] = _unit(rule, units.get(key, {}))
                fired = True
            if not fired:
                break
        mask = _mask(group, obj, shape, prefixes[key])
        if mask is not None:
            group[("mask", False)] = mask
        used = {s for rule in RULES for s in rule.sources if rule.target in group and rule.target not in given}
        for qty, (name, indices, factor, _) in group.items():
            if qty in given:
                if qty in used and len(indices) == 1:
                    column = columns[indices[0]]
                    out.extend(Derived(column, indices, f"reuse {column.name}", factor * 0.99) for _ in range(COPIES - 1))
                continue
            formula = _formula(qty, group, axis, name)
            column = Column(name, "float32", shape, units.get(key, {}).get(qty), f"derived: {formula}")
            out.extend(Derived(column, indices, formula, factor) for _ in range(COPIES))
    return out


_Entry = tuple[str, tuple[int, ...], float, str]  # (name, source column indices, factor, display name)
_Key = tuple[str | None, tuple[int | None, ...]]


def _groups(columns: Sequence[Column], factors: Sequence[float]) -> tuple[
        dict[_Key, dict[Quantity, _Entry]], dict[_Key, str], dict[_Key, dict[Quantity, str | None]],
        dict[str, tuple[str, int, float]]]:
    """Columns by (object, shape) and quantity, and the user's scalar jet columns (a jet axis)."""
    groups: dict[tuple[str | None, tuple[int | None, ...]], dict[Quantity, tuple[str, tuple[int, ...], float, str]]] = {}
    prefixes: dict[tuple[str | None, tuple[int | None, ...]], str] = {}
    units: dict[tuple[str | None, tuple[int | None, ...]], dict[Quantity, str | None]] = {}
    axis_cols: dict[str, tuple[str, int, float]] = {}
    for i, col in enumerate(columns):
        c = canonical(col.name)
        if c.transforms - {"rel"} or col.dtype == "string":
            continue
        qty: Quantity = (c.qty, "rel" in c.transforms)
        if c.obj == "jet" and col.shape == () and not qty[1] and c.qty in ("eta", "phi", "pt", "e", "y"):
            axis_cols.setdefault(c.qty, (col.name, i, factors[i]))
        key = (c.obj, tuple(col.shape))
        group = groups.setdefault(key, {})
        if qty not in group or factors[i] > group[qty][2]:
            group[qty] = (col.name, (i,), factors[i], col.name)
            units.setdefault(key, {})[qty] = col.unit
        prefixes.setdefault(key, _prefix(col.name, c.qty))
    return groups, prefixes, units, axis_cols


def with_jet_axis(columns: Sequence[Column]) -> dict[int, frozenset[str]]:
    """For the columns that are per-constituent lists, the jet-axis quantities they can be made
    relative to (the user's jet columns, or the constituents' own kinematics). Without a jet eta,
    "eta relative to the jet" cannot be computed, whatever the column's name."""
    groups, _, _, axis_cols = _groups(columns, [1.0] * len(columns))
    out: dict[int, frozenset[str]] = {}
    for (obj, shape), group in groups.items():
        axis = frozenset(_axis(group, axis_cols, obj, shape))
        if axis:
            out.update({i: axis for i, col in enumerate(columns)
                        if (canonical(col.name).obj, tuple(col.shape)) == (obj, shape)})
    return out


def _slot(q: Quantity) -> str:
    return q[0] + ("rel" if q[1] else "")


def _axis(group: dict[Quantity, tuple[str, tuple[int, ...], float, str]], axis_cols: dict[str, tuple[str, int, float]],
          obj: str | None, shape: tuple[int | None, ...]) -> dict[str, tuple[str, int]]:
    """The jet axis a constituent list can be relative to: the user's jet columns, else the
    constituents' four-vector sum (index -1: no extra column, the sources already carry it)."""
    if not shape or obj not in _CONSTITUENTS:
        return {}
    axis = {q: (name, i) for q, (name, i, _) in axis_cols.items()}
    if all((q, False) in group for q in ("e", "px", "py", "pz")):
        comps = ", ".join(group[(q, False)][3] for q in ("e", "px", "py", "pz"))
        for q in ("eta", "phi", "pt", "e", "y"):
            axis.setdefault(q, (f"jet {q} of sum({comps})", -1))
    elif ("pt", False) in group and ("phi", False) in group and (("eta", False) in group or ("y", False) in group):
        # Massless constituents given as (pt, eta or y, phi): the pt-weighted centroid is the axis.
        ang = "eta" if ("eta", False) in group else "y"
        comps = ", ".join(group[(q, False)][3] for q in ("pt", ang, "phi"))
        for q in (ang, "phi"):
            axis.setdefault(q, (f"jet {q} (pt-weighted centroid of {comps})", -1))
        axis.setdefault("pt", (f"jet pt (vector sum of {comps})", -1))
    return axis


def _mask(group: dict[Quantity, tuple[str, tuple[int, ...], float, str]], obj: str | None,
          shape: tuple[int | None, ...], prefix: str) -> tuple[str, tuple[int, ...], float, str] | None:
    """A padding mask for a list of objects: 1 for a real object, 0 for padding."""
    if ("mask", False) in group or not shape or obj not in _LIST_OBJECTS:
        return None
    # A list of objects has kinematics; a calorimeter's voxel energies alone are no object list.
    if sum(1 for q in ("e", "pt", "px", "eta", "phi", "y") if (q, False) in group) < 2:
        return None
    for q in ("e", "pt", "px"):
        if (q, False) in group and len(group[(q, False)][1]) == 1:
            name, indices, factor, _ = group[(q, False)]
            return (prefix + "mask", indices, DERIVE_FACTOR * factor, name)
    return None


def _formula(qty: Quantity, group: dict[Quantity, tuple[str, tuple[int, ...], float, str]],
             axis: dict[str, tuple[str, int]], name: str) -> str:
    if qty == ("mask", False):
        source = group[qty][3]
        return f"{name} = ({source} != 0), 1 for each real object, 0 for padding"
    for rule in RULES:
        if rule.target == qty and all(s in group for s in rule.sources) and all(a in axis for a in rule.axis):
            values = {_slot(s): group[s][0] for s in rule.sources}
            values.update({f"axis_{a}": axis[a][0] for a in rule.axis})
            return f"{name} = {rule.formula.format(**values)}"
    return name


def _unit(rule: Rule, units: dict[Quantity, str | None]) -> str | None:
    if rule.target[0] in ("pt", "e", "px", "py", "pz", "r") and not rule.target[1]:
        return units.get(rule.sources[0])
    return "rad" if rule.target[0] == "phi" and not rule.target[1] else None


def _prefix(name: str, qty: str) -> str:
    """`part_px` → `part_`, `Jet_pt` → `Jet_`, `x` → ``: what the derived column's name starts with."""
    parts = re.split(r"([_.])", name)
    if len(parts) >= 3 and canonical(parts[-1]).qty == qty:
        return "".join(parts[:-1])
    return ""


# Row grouping -----------------------------------------------------------------------------------

_EVENT_WORDS = (("event", "id"), ("event",), ("evt",), ("event", "number"), ("eventnumber",), ("event", "no"),
                ("evt", "id"), ("eventid",))


@dataclass(frozen=True)
class Grouping:
    """The user's rows are objects (hits, tracks), not events: per-event arrays come from grouping."""

    object_id: str  # the column that identifies an object (hit_id)
    event: str | None  # the column to group by, None when a file holds one event

    def describe(self) -> str:
        if self.event:
            return f"group rows by {self.event} → per-event arrays"
        return f"one event per file: the rows ({self.object_id}) of a file → per-event arrays"


def row_grouping(columns: Sequence[Column]) -> Grouping | None:
    """A grouping when every column is a scalar and one column is the id of a sub-event object
    (hit_id, track_id, particle_id): one row per object. An event column alone (a row per event,
    like the Higgs ML `EventId`) is not a grouping."""
    if not columns or any(col.shape != () for col in columns):
        return None
    object_id = event = None
    for col in columns:
        words = tuple(tokens(col.name))
        if event is None and words in _EVENT_WORDS:
            event = col.name
        elif (object_id is None and len(words) == 2 and words[1] == "id" and words[0] in OBJECTS
              and OBJECTS[words[0]] not in ("event", "jet")):
            object_id = col.name
    if object_id is None:
        return None
    return Grouping(object_id, event)


def groupable(column: Column, grouping: Grouping) -> bool:
    """Whether a scalar column becomes a per-event array under `grouping` (ids and the key do not)."""
    if column.name in (grouping.object_id, grouping.event) or column.dtype == "string":
        return False
    return tuple(tokens(column.name))[-1:] != ("id",)


def group_rows(table: Mapping[str, Any], grouping: Grouping) -> dict[Any, dict[str, Any]]:
    """Rows → per-event arrays: {event: {column: array of that event's rows}} in row order.
    Without an event column the whole table is one event (key None)."""
    arrays = {k: np.asarray(v) for k, v in table.items()}
    if grouping.event is None:
        return {None: {k: v for k, v in arrays.items() if k != grouping.event}}
    keys = arrays[grouping.event]
    out: dict[Any, dict[str, Any]] = {}
    for key in dict.fromkeys(keys.tolist()):
        rows = keys == key
        out[key] = {k: v[rows] for k, v in arrays.items() if k != grouping.event}
    return out
