"""Reading an `Upload` argument safely.

Over a JSON body a client can put a literal (a string) where the schema says Upload; strawberry
passes it through unchanged, so check that a real multipart file arrived before reading it.
"""

from __future__ import annotations

from pathlib import Path
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


CHUNK_BYTES = 1024 * 1024


async def save_upload(file: Any, settings: Settings, target: Path, argument: str = "file") -> int:
    """Copy the upload to `target` in chunks of CHUNK_BYTES (never whole in memory); its size in bytes.

    A file over GRAPHCAT_MAX_UPLOAD_BYTES is refused as soon as the copy passes the limit."""
    if not callable(getattr(file, "read", None)):
        raise InvalidInput(
            f"`{argument}` must be a file sent with the GraphQL multipart request spec, not a {type(file).__name__} literal",
            path=argument,
        )
    size = 0
    with target.open("wb") as out:
        while chunk := await file.read(CHUNK_BYTES):
            if not isinstance(chunk, bytes):
                raise InvalidInput(f"`{argument}` did not arrive as bytes", path=argument)
            size += len(chunk)
            if size > settings.max_upload_bytes:
                raise InvalidInput(f"the file is over {settings.max_upload_bytes} bytes (GRAPHCAT_MAX_UPLOAD_BYTES)",
                                   path=argument)
            out.write(chunk)
    return size
