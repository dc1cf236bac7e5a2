"""The audit trail over GraphQL: `history(id:)` of any entity and `changes(since:, actor:, first:, after:)`,
Relay connections newest first, keyset cursors (a change's id). Reads only: no mutation touches it."""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool

from graphcat import domain
from graphcat.api.types.catalog import Info
from graphcat.api.types.reads import PageInfo, page_size
from graphcat.service import audit


@strawberry.type(description="Who made a change: subject, API token id, client address (cli for local commands).")
class ChangeActor:
    subject: str
    token_id: str | None
    address: str


@strawberry.type(description="One recorded change of one entity (append-only).")
class Change:
    id: strawberry.ID
    at: str = strawberry.field(description="When (ISO 8601 UTC).")
    entity: strawberry.ID
    entity_kind: str
    operation: str
    before: str | None = strawberry.field(description="sha256 of the entity's state before (null: it was created).")
    after: str | None = strawberry.field(description="sha256 of the entity's state after (null: it was deleted).")
    actor: ChangeActor
    source: str | None
    write: str = strawberry.field(description="The write (one transaction) the change belongs to.")

    @classmethod
    def from_domain(cls, c: domain.Change) -> "Change":
        return cls(id=strawberry.ID(c.id), at=c.at, entity=strawberry.ID(c.entity), entity_kind=c.entity_kind,
                   operation=c.operation, before=c.before, after=c.after, source=c.source, write=c.write,
                   actor=ChangeActor(subject=c.actor.subject, token_id=c.actor.token_id, address=c.actor.address))


@strawberry.type
class ChangeEdge:
    cursor: str
    node: Change


@strawberry.type(description="A page of changes, newest first (Relay cursor connection).")
class ChangeConnection:
    edges: list[ChangeEdge]
    page_info: PageInfo


def _connection(found: list[domain.Change], size: int) -> ChangeConnection:
    page = found[:size]
    return ChangeConnection(edges=[ChangeEdge(cursor=c.id, node=Change.from_domain(c)) for c in page],
                            page_info=PageInfo(has_next_page=len(found) > size, end_cursor=page[-1].id if page else None))


async def history(info: Info, id: strawberry.ID, first: int | None = None, after: str | None = None) -> ChangeConnection:
    size = page_size(info, first)
    found = await run_in_threadpool(lambda: audit.history(info.context.db, str(id), first=size, after=after))
    return _connection(found, size)


async def changes(info: Info, since: str | None = None, actor: str | None = None, entity: strawberry.ID | None = None,
                  first: int | None = None, after: str | None = None) -> ChangeConnection:
    size = page_size(info, first)
    found = await run_in_threadpool(lambda: audit.changes(info.context.db, since=since, actor=actor,
                                                          entity=str(entity) if entity else None, first=size, after=after))
    return _connection(found, size)
