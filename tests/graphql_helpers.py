"""Helpers for the GraphQL tests: an app client on the real Neo4j, tokens, and one call shape."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator

import httpx
from starlette.testclient import TestClient

from graphcat.api.app import create_app
from graphcat.settings import Settings
from graphcat.store import tokens
from graphcat.store.database import Database

GRAPHQL_RESPONSE = "application/graphql-response+json"


def client_for(settings: Settings, **overrides: Any) -> Iterator[TestClient]:
    with TestClient(create_app(dataclasses.replace(settings, **overrides))) as client:
        yield client


def token(db: Database, role: str) -> str:
    return tokens.create(db, role, f"test-{role}")[1]


def gql(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    accept: str | None = None,
    operation_name: str | None = None,
) -> httpx.Response:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if accept is not None:
        headers["Accept"] = accept
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    return client.post("/graphql", json=body, headers=headers)
