"""Read-your-writes across API replicas: Neo4j bookmarks carried by the request.

Within one process every session shares one bookmark manager (graphcat.store.database), so a read
after a write in the same replica waits for that write even on a Neo4j cluster whose secondaries
lag. Across replicas the client carries the bookmark: a request that wrote gets the bookmarks of
its writes back (the API puts them in the `graphcat-bookmark` response header), and a request that
sends them (same header, on any replica) runs its reads only once the database has caught up with
them. This module holds the per-request state; the API sets it, the store reads it.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, Sequence

import neo4j

from graphcat.errors import InvalidInput

HEADER = "graphcat-bookmark"
MAX_BOOKMARKS = 16
MAX_LENGTH = 256  # one Neo4j 5 bookmark is ~40 characters

_given: ContextVar[tuple[str, ...]] = ContextVar("graphcat_bookmarks_given", default=())
_written: ContextVar[list[str] | None] = ContextVar("graphcat_bookmarks_written", default=None)


def parse_header(value: str | None) -> tuple[str, ...]:
    """The bookmarks of a `graphcat-bookmark` header (comma-separated); a malformed one is refused."""
    if not value or not value.strip():
        return ()
    marks = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if len(marks) > MAX_BOOKMARKS:
        raise InvalidInput(f"the {HEADER} header holds {len(marks)} bookmarks; at most {MAX_BOOKMARKS}", path=HEADER)
    for mark in marks:
        if len(mark) > MAX_LENGTH or not mark.isascii() or not mark.isprintable() or " " in mark:
            raise InvalidInput(f"the {HEADER} header holds a malformed bookmark {mark[:40]!r}: send back "
                               "the value a graphcat response gave", path=HEADER)
    return marks


def format_header(marks: Sequence[str]) -> str:
    return ",".join(sorted(set(marks)))


@contextmanager
def request_scope(given: Sequence[str]) -> Iterator[list[str]]:
    """For one request: reads wait for `given`; the bookmarks of its writes collect in the yielded list."""
    written: list[str] = []
    t1, t2 = _given.set(tuple(given)), _written.set(written)
    try:
        yield written
    finally:
        _given.reset(t1)
        _written.reset(t2)


def given() -> neo4j.Bookmarks | None:
    """The bookmarks the current request carries, for a session to wait on (None outside a request)."""
    marks = _given.get()
    return neo4j.Bookmarks.from_raw_values(marks) if marks else None


def record_written(bookmarks: neo4j.Bookmarks) -> None:
    """Note the bookmarks a write left, so the response can hand them to the client."""
    collector = _written.get()
    if collector is not None:
        # Every session of the process starts from the shared manager's bookmarks, so the newest write's
        # bookmark already follows every earlier one: keep only it (a bulk import commits many times).
        collector[:] = sorted(bookmarks.raw_values)
