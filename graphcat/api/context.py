"""What every resolver of one GraphQL request can reach: settings, store, caller, loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from graphcat.api.auth import Principal
from graphcat.domain import Actor
from graphcat.settings import Settings
from graphcat.store.database import Database


@dataclass
class RequestContext:
    request: Request
    response: Response
    request_id: str
    settings: Settings
    db: Database
    media_type: str
    principal: Principal | None = None
    # Box shared with graphcat.store.database.count_queries: Neo4j round trips of this request.
    queries: list[int] = field(default_factory=lambda: [0])
    # Per-request DataLoaders (graphcat.api.loaders.Loaders), made in GraphQLApp.get_context.
    loaders: Any = None

    @property
    def actor(self) -> Actor:
        """Who this request writes as, for the audit trail: the token's subject and id, and the
        client's address (as the ASGI server gives it; behind a proxy, run uvicorn --proxy-headers)."""
        address = self.request.client.host if self.request.client is not None else "unknown"
        if self.principal is None:
            return Actor(subject="anonymous", token_id=None, address=address)
        subject = getattr(self.principal, "subject", None) or self.principal.name
        return Actor(subject=subject, token_id=self.principal.token_id, address=address)
