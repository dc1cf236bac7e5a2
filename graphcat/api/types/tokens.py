"""API tokens in the schema: who am I, and token management for admins."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from graphcat.api.auth import Principal, Role
from graphcat.api.context import RequestContext
from graphcat.errors import InvalidInput
from graphcat.api.types.errors import InvalidInputError, NotFoundError, as_result
from graphcat.store import tokens


@strawberry.enum(description="What an API token may do: reader < writer < admin.")
class TokenRole(Enum):
    READER = "reader"
    WRITER = "writer"
    ADMIN = "admin"


@strawberry.type(description="An API token (its secret is shown once, at creation, and never stored).")
class ApiToken:
    id: strawberry.ID
    name: str
    role: TokenRole
    created_at: str
    revoked: bool
    revoked_at: str | None
    instance: strawberry.Private[tokens.ApiToken]

    @classmethod
    def from_domain(cls, token: tokens.ApiToken) -> "ApiToken":
        return cls(
            id=strawberry.ID(token.id),
            name=token.name,
            role=TokenRole(token.role),
            created_at=token.created_at,
            revoked=token.revoked,
            revoked_at=token.revoked_at,
            instance=token,
        )


@strawberry.type(description="A new API token and its secret. Store the secret now: it is not kept.")
class CreatedApiToken:
    token: ApiToken
    secret: str


@strawberry.type(description="The caller, as its bearer token (or the page's sign-in session) identifies it.")
class Viewer:
    authenticated: bool
    token_id: strawberry.ID | None
    role: TokenRole | None = strawberry.field(description="The global role (an OIDC user's namespace roles are apart).")
    name: str | None = strawberry.field(default=None, description="The API token's name, or the OIDC user name.")
    subject: str | None = strawberry.field(default=None, description="The OIDC subject (`sub`); null for API tokens.")
    namespace_roles: list[str] = strawberry.field(
        default_factory=list, description="Roles held in one namespace only, as role@namespace (e.g. writer@cms).")
    principal: strawberry.Private[Principal | None] = None

    @strawberry.field(description="Whether the caller may run mutation `action` (e.g. setAlias), in `namespace` "
                                  "(an experiment or owner id) when given, else in some namespace; the page hides what "
                                  "this says no to (the mutation itself still checks).")
    def can(self, info: strawberry.Info[RequestContext, None], action: str, namespace: str | None = None) -> bool:
        from graphcat.api.namespaces import TARGETS
        from graphcat.api.schema import MUTATION_ROLES

        mutation_type = info.schema._schema.mutation_type
        if mutation_type is None or action not in mutation_type.fields:
            raise InvalidInput(f"can(action: {action!r}): not a mutation of this schema "
                               "(e.g. setAlias, deprecate, registerModelVersion)", path="action")
        p = self.principal
        if p is None:
            return False
        needed = MUTATION_ROLES.get(action, Role.WRITER)
        if p.role >= needed:
            return True
        if action not in TARGETS:  # not checked per namespace: the role must be global
            return False
        return p.role_in(namespace) >= needed if namespace else p.highest >= needed


CreateApiTokenResult = Annotated[
    CreatedApiToken | InvalidInputError, strawberry.union("CreateApiTokenResult")
]
RevokeApiTokenResult = Annotated[ApiToken | NotFoundError, strawberry.union("RevokeApiTokenResult")]


def viewer(info: strawberry.Info[RequestContext, None]) -> Viewer:
    principal = info.context.principal
    if principal is None:
        return Viewer(authenticated=False, token_id=None, role=None)
    return Viewer(
        authenticated=True, token_id=strawberry.ID(principal.token_id), role=TokenRole(principal.role.label),
        name=principal.name, subject=principal.subject,
        namespace_roles=[f"{r.label}@{ns}" for ns, r in sorted(principal.namespace_roles.items())],
        principal=principal,
    )


async def create_api_token(
    info: strawberry.Info[RequestContext, None], role: TokenRole, name: str | None = None
) -> CreateApiTokenResult:
    async def work() -> CreatedApiToken:
        token, secret = await run_in_threadpool(lambda: tokens.create(info.context.db, role.value, name,
                                                                       actor=info.context.actor))
        return CreatedApiToken(token=ApiToken.from_domain(token), secret=secret)

    return await as_result(work)


async def revoke_api_token(info: strawberry.Info[RequestContext, None], id: strawberry.ID) -> RevokeApiTokenResult:
    async def work() -> ApiToken:
        return ApiToken.from_domain(await run_in_threadpool(
            lambda: tokens.revoke(info.context.db, str(id), actor=info.context.actor)))

    return await as_result(work)
