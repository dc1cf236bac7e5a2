"""Private namespaces: the catalog nodes the current caller may not see (cypher/auth/hidden).

The API computes, once per query request, the uids of every node in a private namespace the
caller is no member of (`hidden_uids`) and runs the request's reads inside `limited_to(...)`.
Every query then receives them as `$hidden` (graphcat.store.database.Tx.run adds the parameter),
and the read queries that list, count, walk or fetch entities leave them out in the Cypher
itself, before sorting and pagination, so page sizes, totals and facet counts stay right. Outside
a request (CLI, imports, tests of the service layer) nothing is hidden.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Iterator, Sequence

if TYPE_CHECKING:
    from graphcat.store.database import Database

_hidden: ContextVar[tuple[str, ...]] = ContextVar("graphcat_hidden_uids", default=())


def hidden_uids(db: "Database", private: Sequence[str]) -> list[str]:
    """The uids of every catalog node in one of the namespaces `private` (sorted); [] for none."""
    if not private:
        return []
    rows = db.read("auth/hidden", private=sorted(set(private)))
    return sorted(set(rows[0]["uids"])) if rows else []


@contextmanager
def limited_to(hidden: Sequence[str]) -> Iterator[None]:
    """Within this block every query gets `$hidden` = these uids."""
    token = _hidden.set(tuple(hidden))
    try:
        yield
    finally:
        _hidden.reset(token)


def current() -> tuple[str, ...]:
    """The uids hidden from the current caller (() outside a limited request)."""
    return _hidden.get()


def add_to(text: str, params: dict[str, object]) -> dict[str, object]:
    """`params` with `hidden` set to the current caller's hidden uids when the query `text` uses
    $hidden and the caller did not pass it ([] outside a limited request)."""
    if "$hidden" in text and "hidden" not in params:
        return {**params, "hidden": list(_hidden.get())}
    return params


def hidden_count(kinds: Sequence[str]) -> int:
    """How many of the current caller's hidden uids are of `kinds`: how many more candidates a
    ranking outside Neo4j (FAISS) must fetch so that leaving them out still fills a page."""
    prefixes = tuple(f"{kind}:" for kind in kinds)
    return sum(1 for uid in _hidden.get() if uid.startswith(prefixes))
