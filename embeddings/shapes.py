"""Shape axes as users write them: a size, or one of the spellings for "any length".

Per axis graphcat accepts an integer size (>= 1 in the catalog and for the ranker, >= 0 in a user's
data file, where an empty axis can occur), and, all meaning a variable
length: `null`/`None`, `-1` (the numpy / ONNX habit) and a string naming a dynamic axis (`"N"`,
`"batch"`, `"n_particles"`, an ONNX `dim_param`). Matching and ranking see `None` for every
variable spelling; the spelling itself is kept by callers that show the shape back.

Anything else is malformed: a float, a bool, a negative other than -1, a nested list, an empty
or blank string, or a string that spells a number (write sizes as numbers). Imports nothing
from graphcat (embeddings/ stands alone).
"""

from __future__ import annotations

import re
from typing import Any, Sequence

def expected(smallest: int = 1) -> str:
    return (f'a size (an integer >= {smallest}), or for any length: null, -1 or a name for the dynamic axis '
            '("N", "batch", "n_particles")')

_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")

Axis = int | str | None


def axis_problem(value: Any, smallest: int = 1) -> str | None:
    """Why `value` is not a shape axis, or None when it is one."""
    if value is None:
        return None
    if isinstance(value, bool):
        return f"{value!r} is a boolean"
    if isinstance(value, int):
        if value == -1 or value >= smallest:
            return None
        return f"{value} is negative (only -1 means any length)" if value < 0 else f"{value} is not a size"
    if isinstance(value, str):
        if not value.strip():
            return "an empty name" if not value else "a blank name"
        if _NUMBER.fullmatch(value):
            return f"{value!r} is a number written as text (write sizes as numbers)"
        return None
    if isinstance(value, float):
        return f"{value!r} is not an integer"
    if isinstance(value, (list, tuple, dict)):
        return f"{value!r} is a nested {'mapping' if isinstance(value, dict) else 'list'}"
    return f"{value!r} is a {type(value).__name__}"


def shape_problem(value: Any, smallest: int = 1) -> str | None:
    """Why `value` is not a shape (a list of axes), or None. The text names the axis and what is expected."""
    if not isinstance(value, (list, tuple)):
        return f"shape must be a list of axes, got {value!r}; each axis is {expected(smallest)}"
    for axis, size in enumerate(value):
        problem = axis_problem(size, smallest)
        if problem is not None:
            return f"shape axis {axis}: {problem}; expected {expected(smallest)}"
    return None


def normalise_axis(value: Axis) -> int | None:
    """The axis as matching sees it: the size, or None for any variable spelling. Call after axis_problem."""
    if value is None or isinstance(value, str) or value == -1:
        return None
    return int(value)


def normalise_shape(value: Sequence[Axis]) -> tuple[int | None, ...]:
    return tuple(normalise_axis(v) for v in value)


def has_spelling(value: Sequence[Axis]) -> bool:
    """True when the shape says "any length" other than with null (so the spelling must be kept)."""
    return any(isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool) and v == -1) for v in value)


def axis_from_text(text: str | None) -> Axis:
    """An axis given as text (GraphQL `shapeGiven: [String]`): "30" -> 30, "-1" -> -1, "N" -> "N", null -> None."""
    if text is None:
        return None
    stripped = text.strip()
    if re.fullmatch(r"[-+]?\d+", stripped):
        return int(stripped)
    return text


def axis_text(value: Axis) -> str | None:
    """The axis shown back as text: 30 -> "30", -1 -> "-1", "N" -> "N", None -> None."""
    return None if value is None else str(value)
