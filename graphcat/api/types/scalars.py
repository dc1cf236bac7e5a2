"""Scalars beyond GraphQL's own: `Long` for counts and sizes that outgrow a 32-bit Int."""

from __future__ import annotations

from typing import Any, NewType

import strawberry

LONG_MAX = 2**63 - 1


def _parse_long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Long cannot represent a non-integer value: {value!r}")
    if not -LONG_MAX - 1 <= value <= LONG_MAX:
        raise ValueError(f"Long cannot represent a value outside the signed 64-bit range: {value}")
    return value


# GraphQL's Int stops at 2^31 - 1: a 190 GB dataset or a run of 3 billion events does not fit.
Long = strawberry.scalar(
    NewType("Long", int),
    name="Long",
    description="A signed 64-bit integer (byte sizes, event counts), sent as a JSON number.",
    serialize=_parse_long,
    parse_value=_parse_long,
)
