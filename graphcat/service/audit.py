"""Reading the audit trail (graphcat.store.audit): an entity's history and the changes since a time,
by an actor, newest first, a keyset page at a time. Bad input is InvalidInput naming the argument."""

from __future__ import annotations

import datetime as dt

from graphcat.domain import Change
from graphcat.errors import InvalidInput
from graphcat.store import audit as store
from graphcat.store.database import Database

MAX_PAGE = 500


def parse_since(since: str | None) -> str | None:
    """An ISO 8601 date or time (no zone: UTC) as the trail's fixed-width UTC timestamp."""
    if since is None:
        return None
    try:
        when = dt.datetime.fromisoformat(since.strip())
    except ValueError as exc:
        raise InvalidInput(f"since must be an ISO 8601 date or time (e.g. 2026-12-07T09:00:00Z), got {since!r}",
                           path="since") from exc
    return store.timestamp(when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc))


def _check(first: int, after: str | None) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}, got {first}", path="first")
    if after is not None and (after.count("~") != 2 or not after[:4].isdigit()):
        raise InvalidInput(f"invalid cursor {after!r}: give the id of a change (an endCursor)", path="after")


def history(db: Database, entity: str, *, first: int = 20, after: str | None = None) -> list[Change]:
    """Up to `first` changes of `entity` (a uid) older than cursor `after`, newest first; one more
    than asked when there are more (the caller's hasNextPage)."""
    if ":" not in entity:
        raise InvalidInput(f"an entity is named by its uid (kind:id, e.g. model_version:x@1), got {entity!r}", path="id")
    _check(first, after)
    return store.history(db, entity, after=after, limit=first + 1)


def changes(db: Database, *, since: str | None = None, actor: str | None = None, entity: str | None = None,
            first: int = 20, after: str | None = None) -> list[Change]:
    """Like `history`, over every entity: filtered by time, actor (subject or token id) and entity."""
    _check(first, after)
    return store.changes(db, since=parse_since(since), actor=actor, entity=entity, after=after, limit=first + 1)
