"""A UserSchema as a readable table (the `graphcat schema` command)."""

from __future__ import annotations

from graphcat.userschema.model import UserSchema


def shape_text(shape: tuple[int | None, ...]) -> str:
    if not shape:
        return "()"
    inner = ", ".join("*" if n is None else str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def render_table(schema: UserSchema) -> str:
    events = "unknown number of" if schema.num_events is None else f"{schema.num_events:,}"
    lines = [f"{schema.source} ({schema.format}): {events} events, {len(schema.features)} features"]
    header = ("#", "name", "dtype", "shape", "kind", "unit", "path")
    rows = [
        (str(i), f.name, f.dtype, shape_text(f.shape), f.kind, f.unit or "", f.path or "")
        for i, f in enumerate(schema.features)
    ]
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if schema.skipped:
        lines.append(f"skipped ({len(schema.skipped)}):")
        lines.extend(f"  {s}" for s in schema.skipped)
    lines.append("* = variable length")
    return "\n".join(lines)
