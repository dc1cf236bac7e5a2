"""Reading an `Upload` argument safely.

Over a JSON body a client can put a literal (a string) where the schema says Upload; strawberry
passes it through unchanged, so check that a real multipart file arrived before reading it.
"""

from __future__ import annotations

from typing import Any

from graphcat.errors import InvalidInput
from graphcat.settings import Settings


async def read_upload(file: Any, settings: Settings, argument: str = "file") -> bytes:
    """The upload's bytes, at most one byte past the size cap (enough to refuse an oversized file)."""
    if not callable(getattr(file, "read", None)):
        raise InvalidInput(
            f"`{argument}` must be a file sent with the GraphQL multipart request spec, not a {type(file).__name__} literal",
            path=argument,
        )
    data = await file.read(settings.max_upload_bytes + 1)
    if not isinstance(data, bytes):
        raise InvalidInput(f"`{argument}` did not arrive as bytes", path=argument)
    return data
