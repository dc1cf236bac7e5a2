"""Numbered columns matched by position: `pandas.read_csv(..., header=None)` gives columns 0..N.

When a file's columns carry no names at all (UCI HIGGS, SUSY and HEPMASS are CSVs without a
header: the label, then the features in the order of the paper), the only things known are the
count, the dtypes and the order. A model whose inputs are all per-event scalars can then be fed in
order when the counts agree: N columns for N inputs, or N + 1 with the first column the label
(the convention of those files). The pairs say so, and score well below a match by name: the
order is an assumption the user must check against the file's documentation.
"""

from __future__ import annotations

from typing import Sequence

from embeddings.compat import Compatibility, Pair, dtype_fit
from embeddings.names import Field
from embeddings.schema import Column

POSITION_FACTOR = 0.6  # only count, dtype and order agree; nothing says the columns mean the inputs


def anonymous(fields: Sequence[Field]) -> list[str] | None:
    """The column names in order when every column is a bare number (`0`, `1`, ...), else None."""
    names = [name for f in fields for name in f.sources]
    if len(names) < 2 or not all(name.strip().isdigit() for name in names):
        return None
    return names


def by_position(fields: Sequence[Field], inputs: Sequence[Column]) -> Compatibility | None:
    """Feed scalar `inputs` (the model's own list, in its order, not index-collapsed) from numbered
    `fields` in order; None when the columns have names."""
    names = anonymous(fields)
    if names is None:
        return None
    dtypes = {name: f.column.dtype for f in fields for name in f.sources}
    n_in = len(inputs)
    if not n_in or any(c.shape != () for c in inputs):
        why = "your columns are only numbered; a model with array inputs cannot be fed by position"
        return Compatibility(0.0, (), tuple((c.name, why) for c in inputs), tuple(names), n_in, len(names))
    if len(names) == n_in:
        fed, label = names, None
    elif len(names) == n_in + 1:
        fed, label = names[1:], names[0]
    else:
        why = f"{len(names)} numbered columns for {n_in} inputs: counts differ, no order can be assumed"
        return Compatibility(0.0, (), tuple((c.name, why) for c in inputs), tuple(names), n_in, len(names))
    pairs = []
    for name, target in zip(fed, inputs):
        dtype = dtype_fit(dtypes[name], target.dtype)
        if dtype.factor == 0.0:
            why = f"column {name} ({dtypes[name]}) cannot feed {target.name}: {dtype.reason}"
            return Compatibility(0.0, (), ((target.name, why),), tuple(names), n_in, len(names))
        note = (f"by position: column {name} is input {len(pairs) + 1} of {n_in}"
                + (f" (column {label} taken as the label)" if label is not None else "")
                + "; only count, dtype and order agree: check the file's column order")
        pairs.append(Pair(name, target.name, POSITION_FACTOR * dtype.factor, note, dtype.transforms))
    score = sum(p.score for p in pairs) / n_in
    n_data = len(fed)
    return Compatibility(score, tuple(pairs), (), (label,) if label is not None else (), n_in, n_data, n_data,
                         0, n_in, 0)
