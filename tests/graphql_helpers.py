"""Helpers for the GraphQL tests: an app client on the real Neo4j, tokens, and one call shape."""

from __future__ import annotations

import dataclasses
import json
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


def post_upload(client: TestClient, query: str, variables: dict[str, Any], path: Any, bearer: str | None) -> httpx.Response:
    """`query` with `variables.file` sent as the file at `path` (the GraphQL multipart request spec)."""
    operations = {"query": query, "variables": {**variables, "file": None}}
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    with path.open("rb") as fh:
        return client.post("/graphql", headers=headers,
                           data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
                           files={"0": (path.name, fh, "application/octet-stream")})


def payload(response: httpx.Response, field: str) -> Any:
    """The `data.<field>` of a 200 answer without top-level errors."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"][field]
