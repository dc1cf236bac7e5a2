"""What this catalog knows of its peers: the sites it syncs from (cursors) and where an entity came from."""

from __future__ import annotations

from dataclasses import dataclass

from graphcat.errors import InvalidInput
from graphcat.store import sync as store
from graphcat.store.database import Database


@dataclass(frozen=True)
class Origin:
    entity: str
    kind: str
    site: str | None  # None: registered here


@dataclass(frozen=True)
class PeerCursor:
    site: str
    last_change: str | None
    last_change_at: str | None


def origin(db: Database, entity: str) -> Origin | None:
    """Where catalog entity `entity` (a uid) came from; None when the catalog holds no such entity."""
    if ":" not in entity:
        raise InvalidInput(f"an entity is named by its uid (kind:id, e.g. model_version:x@1), got {entity!r}", path="id")
    row = store.origins(db, [entity]).get(entity)
    return Origin(entity=row["uid"], kind=row["kind"], site=row["site"]) if row else None


def peers(db: Database) -> list[PeerCursor]:
    return [PeerCursor(site=p["site"], last_change=p.get("last_change"), last_change_at=p.get("last_change_at"))
            for p in store.peers(db)]
