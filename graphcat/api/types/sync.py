"""Two sites over GraphQL: the feed a peer pulls (`syncDocument`), the provenance of an entity
(`origin`) and this catalog's peers with their sync cursors (`syncPeers`). Reads only."""

from __future__ import annotations

import json

import strawberry
from starlette.concurrency import run_in_threadpool

from graphcat.api.types.catalog import Info
from graphcat.sync import feed, status


@strawberry.type(description="Catalog entities as this site holds them now, for a peer's `graphcat sync`.")
class SyncDocument:
    document: str = strawberry.field(description="A catalog document (JSON, the format of `graphcat export`) of the "
                                                 "entities asked for and everything they reference.")
    missing: list[strawberry.ID] = strawberry.field(description="The entities asked for that this site no longer holds.")


@strawberry.type(description="Where a catalog entity came from.")
class Origin:
    entity: strawberry.ID
    kind: str
    site: str | None = strawberry.field(description="The peer site (its GraphQL URL) a sync brought it from; null: "
                                                    "registered at this site.")
    synced: bool


@strawberry.type(description="A peer site this catalog syncs from, and how far it got.")
class SyncPeer:
    site: str
    last_change: str | None = strawberry.field(description="The id of the peer's newest change applied here.")
    last_change_at: str | None


async def sync_document(info: Info, entities: list[strawberry.ID]) -> SyncDocument:
    found = await run_in_threadpool(feed.document_for, info.context.db, [str(e) for e in entities])
    return SyncDocument(document=json.dumps(found.document, sort_keys=True, ensure_ascii=False),
                        missing=[strawberry.ID(uid) for uid in found.missing])


async def origin(info: Info, id: strawberry.ID) -> Origin | None:
    found = await run_in_threadpool(status.origin, info.context.db, str(id))
    if found is None:
        return None
    return Origin(entity=strawberry.ID(found.entity), kind=found.kind, site=found.site, synced=found.site is not None)


async def sync_peers(info: Info) -> list[SyncPeer]:
    found = await run_in_threadpool(status.peers, info.context.db)
    return [SyncPeer(site=p.site, last_change=p.last_change, last_change_at=p.last_change_at) for p in found]
