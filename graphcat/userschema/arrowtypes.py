"""Parquet and Arrow IPC (Feather v2): the Arrow schema from the footer; no data is read."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from graphcat.errors import InvalidInput
from graphcat.userschema.dtypes import UnsupportedType
from graphcat.userschema.limits import Features
from graphcat.userschema.model import SchemaFeature

# What pyarrow raises on a truncated or foreign file: ArrowInvalid/ArrowIOError (a ValueError and
# an OSError), and OSError for I/O.
_BROKEN = (pa.ArrowException, OSError, ValueError)


def read_parquet(path: Path, out: Features) -> int:
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except _BROKEN as exc:
        raise InvalidInput(f"Parquet: file is truncated or not Parquet ({exc})", path=out.source) from exc
    add_schema(schema, out)
    return meta.num_rows


def read_arrow(path: Path, out: Features) -> int:
    try:
        with pa.memory_map(str(path), "r") as source:
            reader = pa.ipc.open_file(source)
            # Record batches are memory-mapped, not copied: counting rows reads only their headers.
            rows = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
            schema = reader.schema
    except _BROKEN as exc:
        raise InvalidInput(f"Arrow: file is truncated or not an Arrow IPC file ({exc})", path=out.source) from exc
    add_schema(schema, out)
    return rows


def add_schema(schema: pa.Schema, out: Features) -> None:
    out.check_count(len(schema))
    for field in schema:
        _add_field(field, field.name, (), out)


def _add_field(field: pa.Field, name: str, outer: tuple[int | None, ...], out: Features) -> None:
    unit = _meta(field, b"unit")
    description = _meta(field, b"description")
    typ = field.type
    shape: list[int | None] = list(outer)
    # Unwrap lists, fixed-size lists and tensors down to a primitive or a struct.
    while True:
        if isinstance(typ, pa.ExtensionType):
            if isinstance(typ, pa.FixedShapeTensorType):
                shape.extend(typ.shape)
                typ = typ.value_type
                continue
            typ = typ.storage_type
        elif pa.types.is_fixed_size_list(typ):
            shape.append(typ.list_size)
            typ = typ.value_type
        elif pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_list_view(typ) \
                or pa.types.is_large_list_view(typ):
            shape.append(None)
            typ = typ.value_type
        elif pa.types.is_dictionary(typ):
            typ = typ.value_type
        else:
            break
    if pa.types.is_struct(typ):
        for i in range(typ.num_fields):
            child = typ.field(i)
            _add_field(child, f"{name}.{child.name}", tuple(shape), out)
        return
    try:
        dtype = _dtype(typ)
    except UnsupportedType as exc:
        out.skip(name, f"Arrow type {typ} cannot be described ({exc})")
        return
    out.add(SchemaFeature(name=name, dtype=dtype, shape=tuple(shape), unit=unit, description=description, path=name))


def _dtype(typ: pa.DataType) -> str:
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
        return "string"
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ) or pa.types.is_fixed_size_binary(typ):
        return "string"
    if pa.types.is_timestamp(typ) or pa.types.is_duration(typ) or pa.types.is_date64(typ) or pa.types.is_time64(typ):
        return "int64"
    if pa.types.is_date32(typ) or pa.types.is_time32(typ):
        return "int32"
    if pa.types.is_decimal(typ):
        return "float64"
    if pa.types.is_boolean(typ):
        return "bool"
    if pa.types.is_integer(typ):
        return f"{'int' if pa.types.is_signed_integer(typ) else 'uint'}{typ.bit_width}"
    if pa.types.is_floating(typ):
        return f"float{typ.bit_width}"
    raise UnsupportedType(f"no dtype family for {typ}")


def _meta(field: pa.Field, key: bytes) -> str | None:
    if field.metadata and key in field.metadata:
        return field.metadata[key].decode("utf-8", "replace")
    return None
