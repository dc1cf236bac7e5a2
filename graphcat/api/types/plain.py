"""`@plain_input`: build a strawberry input of plain scalar fields straight from graphql-core's value.

Strawberry converts an input value field by field, resolving each field's annotation again for
every value: 0.17 ms of CPU per `ColumnInput`, so 107 ms for the 806 columns of a wide ntuple
before recommendModels even starts (bench/http_latency.py). For fields that are built-in scalars
(String, Int, Float, Boolean), optional or in a flat list, that conversion returns graphql-core's
already coerced value unchanged (lists copied), so the type can be built from the value's fields
directly: that is what this does, through strawberry's `from_input` hook. Types with any other
field (enums, custom scalars, nested inputs) are refused when decorated.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, TypeVar

from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition

T = TypeVar("T", bound=type)

_PLAIN = (str, int, float, bool)


def _is_plain(type_: Any) -> bool:
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if isinstance(type_, StrawberryList):
        type_ = type_.of_type
        if isinstance(type_, StrawberryOptional):
            type_ = type_.of_type
    return type_ in _PLAIN


def plain_input(cls: T) -> T:
    """Decorate a `@strawberry.input` class (below the strawberry decorator) whose fields are plain."""
    definition = get_object_definition(cls, strict=True)
    if not definition.is_input:
        raise TypeError(f"{cls.__name__} is not a strawberry input type")
    for f in definition.fields:
        if not _is_plain(f.resolve_type(type_definition=definition)):
            raise TypeError(f"{cls.__name__}.{f.python_name}: only built-in scalars, optional or in a flat list, "
                            "can be built without strawberry's conversion")
    # As strawberry does: an input field without a default is None until the value sets it.
    implicit = {f.python_name: None for f in definition.fields
                if f.default_value is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    names: list[tuple[str, str]] = []

    def from_input(type_: type, value: Mapping[str, Any], context: Any) -> Any:
        if not names:
            names.extend((context.config.name_converter.from_field(f), f.python_name) for f in definition.fields)
        kwargs = dict(implicit)
        for graphql_name, python_name in names:
            if graphql_name in value:
                given = value[graphql_name]
                # Lists are copied: graphql-core gives every request the same default list.
                kwargs[python_name] = list(given) if isinstance(given, list) else given
        return type_(**kwargs)

    definition.from_input = from_input
    return cls
