"""The GraphQL schema: its root types, which role each mutation needs, and its extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from graphcat.api.auth import Role
from graphcat.api import search as search_api
from graphcat.api.error_policy import ErrorPolicy
from graphcat.api.limits import limit_extensions
from graphcat.api.types import tokens
from graphcat.settings import Settings

# The role each mutation needs; graphcat.api.graphql_app checks it before anything executes
# (mutations missing here need WRITER).
MUTATION_ROLES: dict[str, Role] = {
    "createApiToken": Role.ADMIN,
    "revokeApiToken": Role.ADMIN,
}


@strawberry.type(description="Reads: open to everyone unless GRAPHCAT_READS_REQUIRE_TOKEN is set.")
class Query:
    viewer: tokens.Viewer = strawberry.field(resolver=tokens.viewer, description="Who the bearer token says the caller is.")
    search: search_api.SearchResult = strawberry.field(
        resolver=search_api.search, description="The search box: catalog entities whose text contains `text`, best first, with facet counts."
    )


@strawberry.type(description="Writes: every mutation needs a bearer API token of role writer, or admin where its description says so.")
class Mutation:
    create_api_token: tokens.CreateApiTokenResult = strawberry.mutation(
        resolver=tokens.create_api_token, description="Create an API token (admin). The secret is returned once."
    )
    revoke_api_token: tokens.RevokeApiTokenResult = strawberry.mutation(
        resolver=tokens.revoke_api_token, description="Revoke an API token (admin); it stops working at once."
    )


class GraphcatSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # strawberry logs every error here; graphcat.api.error_policy logs the unexpected ones
        # with the request id and leaves the client's own (validation, typed errors) unlogged.
        return None


def build_schema(settings: Settings) -> GraphcatSchema:
    extensions: list[Any] = [*limit_extensions(settings), ErrorPolicy]
    return GraphcatSchema(query=Query, mutation=Mutation, extensions=extensions)
