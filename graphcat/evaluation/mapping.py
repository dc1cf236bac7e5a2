"""From the recommender's column mapping to the model's input tensors, batch by batch.

embeddings.compat.compatibility assigns the file's columns to the model's inputs and says, per
pair, which steps feed it (derive `part_pt = hypot(part_px, part_py)`, stack four columns into a
(N, 4) input, take `constituents[..., 1]`, pad/truncate to 30 objects). Here those steps are
turned into an expression per model input and evaluated on arrays:

- a column, or an index run `x_0..x_7` stacked on a new axis;
- a component `col[..., k]` of a packed column;
- a derivation: the formula is matched against embeddings.derive.RULES and computed with the
  rule's own `compute` (the jet axis as the four-vector sum, embeddings.derive.jet_axis);
  `mask` is 1 for each real object;
- components stacked along the last axis of a packed input;
- variable-length lists padded with zeros / truncated to the model's length (its fixed axis, or
  the longest list of the batch when the axis is dynamic). Derived values are zeroed in padding.

Nothing is guessed: a step this module cannot execute is an InputNotFed naming the input and the
step. The mapping's description (input -> expression) is what an Evaluation records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from embeddings.compat import Compatibility, compatibility, prepare
from embeddings.derive import RULES, Rule, derive, jet_axis
from embeddings.schema import Column
from graphcat.deploy.onnx_inspect import OnnxSignature, TensorSpec
from graphcat.deploy.runtime import numpy_dtype
from graphcat.evaluation.errors import InputNotFed

Value = tuple[np.ndarray, "np.ndarray | None"]  # (values, valid mask of a padded list axis or None)
_COMPONENT = re.compile(r"^(?P<base>.+)\[\.\.\., (?P<k>\d+)\]$")
_AXIS_SUM = re.compile(r"^jet (?P<q>\w+) of sum\((?P<e>[^,]+), (?P<px>[^,]+), (?P<py>[^,]+), (?P<pz>[^,)]+)\)$")
_MASK = re.compile(r"^\((?P<src>.+) != 0\), 1 for each real object, 0 for padding$")
# The recommender's steps this module executes; any other step (a unit conversion, one row per
# object, a value made relative to the jet by hand...) is refused, naming the step.
_EXECUTED = ("derive ", "stack ", "split column ", "pad/truncate ", "cast ", "reuse ", "zero-pad the ",
             "keep the leading ", "reshape ", "add a leading axis ")
_UNARY = re.compile(r"^(?P<op>log|exp)\((?P<arg>[^()]+)\)$")


@dataclass(frozen=True)
class Expr:
    kind: str  # column | run | component | derive | mask | axis | stack | log | exp
    name: str = ""
    parts: tuple["Expr", ...] = ()
    index: int = 0
    rule: Rule | None = None
    slots: tuple[str, ...] = ()  # the rule's placeholders, in the order of parts

    def describe(self) -> str:
        if self.kind == "column":
            return self.name
        if self.kind == "run":
            return f"stack({', '.join(p.name for p in self.parts)})"
        if self.kind == "component":
            return f"{self.parts[0].describe()}[..., {self.index}]"
        if self.kind == "mask":
            return f"mask({self.parts[0].describe()})"
        if self.kind == "axis":
            return f"jet_{self.name}(sum of {', '.join(p.describe() for p in self.parts)})"
        if self.kind == "stack":
            return f"stack_last({', '.join(p.describe() for p in self.parts)})"
        if self.kind in ("log", "exp"):
            return f"{self.kind}({self.parts[0].describe()})"
        assert self.rule is not None
        return self.rule.formula.format(**{s: p.describe() for s, p in zip(self.slots, self.parts)})

    def columns(self) -> list[str]:
        if self.kind == "column":
            return [self.name]
        return [c for p in self.parts for c in p.columns()]


@dataclass(frozen=True)
class Feed:
    spec: TensorSpec
    expr: Expr
    steps: tuple[str, ...]  # as the recommender states them


@dataclass(frozen=True)
class Mapping:
    feeds: tuple[Feed, ...]
    compat: Compatibility

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(c for f in self.feeds for c in f.expr.columns()))

    def describe(self) -> dict[str, str]:
        return {f.spec.name: f.expr.describe() for f in self.feeds}

    def tensors(self, batch: Mapping[str, Any]) -> dict[str, np.ndarray]:
        out = {}
        for feed in self.feeds:
            spec = feed.spec
            length = spec.shape[0] if spec.shape else None
            values, _ = _evaluate(feed.expr, batch, length)
            values = _fit_shape(np.asarray(values), spec)
            values = values.astype(numpy_dtype(spec.dtype), copy=False)
            want = [d if d is not None else values.shape[i + 1] for i, d in enumerate(spec.shape)]
            if list(values.shape[1:]) != want:
                raise InputNotFed(f"model input {spec.name!r} needs shape {spec.shape} per event; "
                                  f"{feed.expr.describe()} gives {list(values.shape[1:])}", path=spec.name)
            out[spec.name] = values
        return out


def _fit_shape(values: np.ndarray, spec: TensorSpec) -> np.ndarray:
    """Zero-pad or cut a fixed first axis to the model's length; reshape when only the layout differs."""
    want = list(spec.shape)
    if None in want or list(values.shape[1:]) == want:
        return values
    if values.ndim == len(want) + 1 and values.ndim >= 2 and list(values.shape[2:]) == want[1:]:
        if values.shape[1] > want[0]:
            return values[:, :want[0]]
        pad = [(0, 0)] * values.ndim
        pad[1] = (0, want[0] - values.shape[1])
        return np.pad(values, pad)
    if int(np.prod(values.shape[1:], dtype=np.int64)) == int(np.prod(want, dtype=np.int64)):
        return values.reshape((len(values), *want))
    return values


def columns_of(features: Sequence[Any]) -> list[Column]:
    """embeddings Columns of schema or catalog features (name, dtype, shape, unit, description)."""
    return [Column(f.name, f.dtype, tuple(f.shape), f.unit, f.description) for f in features]


def build(user: Sequence[Column], inputs: Sequence[Column], signature: OnnxSignature) -> Mapping:
    """The mapping of the user's columns onto the ONNX signature, via the recommender's matching of
    the catalogued inputs. Raises InputNotFed for the first input it cannot feed."""
    specs = {s.name: s for s in signature.inputs}
    catalogued = {c.name for c in inputs}
    for name in specs:
        if name not in catalogued:
            raise InputNotFed(f"the ONNX artifact's input {name!r} is not among the catalogued inputs "
                              f"({', '.join(sorted(catalogued))}): there is no mapping for it", path=name)
    fields = prepare(user)
    result = compatibility(fields, prepare(inputs))
    tried = ", ".join(c.name for c in user[:12]) + (" ..." if len(user) > 12 else "")
    for name, why in result.unsatisfied:
        raise InputNotFed(f"model input {name!r} cannot be fed from the file: {why} (columns tried: {tried})",
                          path=name)
    runs = {f.label: f.sources for f in fields if len(f.sources) > 1}
    formulas = {d.column.name: d.formula.split(" = ", 1)[1] for d in derive([f.column for f in fields])
                if " = " in d.formula}
    by_input: dict[str, list[Any]] = {}
    for pair in result.pairs:
        by_input.setdefault(_COMPONENT.sub(r"\g<base>", pair.input), []).append(pair)
    feeds = []
    for name, spec in specs.items():
        pairs = by_input.get(name, [])
        if not pairs:
            raise InputNotFed(f"model input {name!r}: no column of the file feeds it (columns tried: {tried})",
                              path=name)
        steps = tuple(dict.fromkeys(t for p in pairs for t in p.transforms))
        unary = [m for m in map(_UNARY.match, steps) if m]
        for step in steps:
            if not step.startswith(_EXECUTED) and not _UNARY.match(step):
                raise InputNotFed(f"model input {name!r} needs the step {step!r}, which graphcat evaluate cannot "
                                  f"run yet", path=name)
        if unary and (len(pairs) > 1 or len(unary) > 1 or unary[0]["arg"] != pairs[0].column):
            raise InputNotFed(f"model input {name!r}: the step {unary[0].group(0)!r} on part of a stacked input "
                              f"cannot be run yet", path=name)
        for t in steps:
            if t.startswith("derive ") and " = " in t:
                label, rhs = t[len("derive "):].split(" = ", 1)
                formulas.setdefault(label, rhs)
        expr = _input_expr(name, pairs, runs, formulas, user)
        if unary:
            expr = Expr(unary[0]["op"], name, (expr,))
        feeds.append(Feed(spec, expr, steps))
    return Mapping(tuple(feeds), result)


def _input_expr(name: str, pairs: list[Any], runs: dict[str, tuple[str, ...]], formulas: dict[str, str],
                user: Sequence[Column]) -> Expr:
    known = {c.name for c in user}

    def resolve(label: str, depth: int = 0) -> Expr:
        label = label.strip()
        if depth > 8:
            raise InputNotFed(f"model input {name!r}: derivation of {label!r} is too deep", path=name)
        if label in known:
            return Expr("column", label)
        if label in runs:
            return Expr("run", label, tuple(Expr("column", s) for s in runs[label]))
        m = _COMPONENT.match(label)
        if m:
            return Expr("component", label, (resolve(m["base"], depth + 1),), int(m["k"]))
        m = _AXIS_SUM.match(label)
        if m:
            return Expr("axis", m["q"], tuple(resolve(m[k], depth + 1) for k in ("e", "px", "py", "pz")))
        rhs = formulas.get(label)
        if rhs is None:
            raise InputNotFed(f"model input {name!r}: cannot compute {label!r} from the file's columns", path=name)
        m = _MASK.match(rhs)
        if m:
            return Expr("mask", label, (resolve(m["src"], depth + 1),))
        for rule in RULES:
            found = _match(rule, rhs)
            if found is not None:
                slots = tuple(found)
                return Expr("derive", label, tuple(resolve(found[s], depth + 1) for s in slots), rule=rule, slots=slots)
        raise InputNotFed(f"model input {name!r}: no rule computes {label} = {rhs}", path=name)

    if len(pairs) == 1 and not _COMPONENT.match(pairs[0].input):
        pair = pairs[0]
        stack = re.search(r"stack \((?P<cols>.+)\) → " + re.escape(name) + " along the last axis",
                          " ".join(pair.transforms))
        if stack is None:
            return resolve(pair.column)
        components = _components(name, pair.reason)
        return Expr("stack", name, tuple(resolve(c) for c in components))
    parts: dict[int, Expr] = {}
    for pair in pairs:
        m = _COMPONENT.match(pair.input)
        if m is None:
            raise InputNotFed(f"model input {name!r} is fed both whole and by components", path=name)
        parts[int(m["k"])] = resolve(pair.column)
    if sorted(parts) != list(range(len(parts))):
        raise InputNotFed(f"model input {name!r}: only components {sorted(parts)} can be fed from the file", path=name)
    return Expr("stack", name, tuple(parts[k] for k in sorted(parts)))


def _components(name: str, reason: str) -> list[str]:
    """The columns of a stacked input in component order, from the pair's reason
    (`a → x[..., 0] (e), b → x[..., 1] (px)`)."""
    found = {int(m["k"]): m["col"] for m in re.finditer(
        r"(?P<col>[^\s,:]+(?:\[\.\.\., \d+\])?) → " + re.escape(name) + r"\[\.\.\., (?P<k>\d+)\]", reason)}
    if not found or sorted(found) != list(range(len(found))):
        raise InputNotFed(f"model input {name!r}: cannot read which column feeds which component ({reason})", path=name)
    return [found[k] for k in sorted(found)]


def _match(rule: Rule, rhs: str) -> dict[str, str] | None:
    """The placeholder values if `rhs` is the rule's formula filled in, else None."""
    pattern, slots, last = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", rule.formula):
        pattern += re.escape(rule.formula[last:m.start()]) + f"(?P<{m[1]}>.+?)"
        slots.append(m[1])
        last = m.end()
    found = re.fullmatch(pattern + re.escape(rule.formula[last:]), rhs)
    return {s: found[s] for s in slots} if found else None


# -- evaluation ---------------------------------------------------------------------------------


def _evaluate(expr: Expr, batch: Mapping[str, Any], length: int | None) -> Value:
    if expr.kind == "column":
        return _padded(batch[expr.name], length, expr.name)
    parts = [_evaluate(p, batch, length) for p in expr.parts]
    valid = next((v for _, v in parts if v is not None), None)
    if expr.kind == "run":
        return np.stack([v for v, _ in parts], axis=1), valid
    if expr.kind == "component":
        return parts[0][0][..., expr.index], parts[0][1]
    if expr.kind == "stack":
        return np.stack([v for v, _ in parts], axis=-1), valid
    if expr.kind in ("log", "exp"):
        values, mask = parts[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(values) if expr.kind == "log" else np.exp(values)
        return (np.where(mask, out, 0.0) if mask is not None else out), mask
    if expr.kind == "mask":
        values, mask = parts[0]
        return (mask if mask is not None else values != 0).astype(np.float32), mask
    if expr.kind == "axis":
        axis = jet_axis(*(v for v, _ in parts))[expr.name]
        return axis, None
    assert expr.rule is not None
    inputs = {}
    for slot, (values, _) in zip(expr.slots, parts):
        if slot.startswith("axis_") and valid is not None and values.ndim < valid.ndim:
            values = values.reshape(values.shape + (1,) * (valid.ndim - values.ndim))
        inputs[slot] = values
    with np.errstate(divide="ignore", invalid="ignore"):
        out = expr.rule.apply(inputs)
    if valid is not None:
        out = np.where(valid, out, 0.0)
    return out, valid


def _padded(values: Any, length: int | None, name: str) -> Value:
    """A numpy array; a list column is padded with zeros (or truncated) to `length` objects."""
    if isinstance(values, np.ndarray):
        return values, None
    import awkward as ak

    if values.ndim != 2:
        raise InputNotFed(f"column {name!r} has {values.ndim - 1} variable axes; only one can be padded", path=name)
    size = length if length is not None else max(int(ak.max(ak.num(values, axis=1), initial=0)), 1)
    padded = ak.pad_none(values, size, axis=1, clip=True)
    valid = ak.to_numpy(~ak.is_none(padded, axis=1))
    return ak.to_numpy(ak.fill_none(padded, 0)).astype(np.float64), valid
