"""`linkLineage(from, to, type)`: record lineage discovered after both versions were registered."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from graphcat.api.types.catalog import Info
from graphcat.api.types.errors import ConflictError, InvalidInputError, NotFoundError, as_result
from graphcat.service import lineage_links as service


@strawberry.enum(description="Model-version lineage, or DERIVED_FROM between dataset versions.")
class LineageLinkType(Enum):
    FINE_TUNED_FROM = "FINE_TUNED_FROM"
    DISTILLED_FROM = "DISTILLED_FROM"
    QUANTIZED_FROM = "QUANTIZED_FROM"
    CONVERTED_FROM = "CONVERTED_FROM"
    DERIVED_FROM = "DERIVED_FROM"


@strawberry.type(description="A lineage edge `from -[type]-> to`: `from` was made from `to`.")
class LineageLink:
    type: str
    source: strawberry.ID = strawberry.field(name="from")
    target: strawberry.ID = strawberry.field(name="to")
    created: bool = strawberry.field(description="False when the link was there already (linking is idempotent).")


LinkLineageResult = Annotated[
    LineageLink | InvalidInputError | NotFoundError | ConflictError, strawberry.union("LinkLineageResult")
]


async def link_lineage(
    info: Info,
    from_: Annotated[strawberry.ID, strawberry.argument(name="from", description="The version made from `to`.")],
    to: strawberry.ID,
    type: LineageLinkType,
) -> LinkLineageResult:
    async def work() -> LineageLink:
        found = await run_in_threadpool(lambda: service.link_lineage(info.context.db, str(from_), str(to), type.value,
                                                                     actor=info.context.actor))
        return LineageLink(type=found.type, source=strawberry.ID(found.from_uid), target=strawberry.ID(found.to_uid),
                           created=found.created)

    return await as_result(work)  # type: ignore[return-value]
