"""The /graphql endpoint over HTTP: methods, content negotiation, status codes, error masking."""

from __future__ import annotations

import dataclasses
import logging
from typing import Iterator

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from graphcat.api.auth import Role
from graphcat.api.graphql_app import GraphQLApp
from graphcat.api.schema import GraphcatSchema
from graphcat.errors import DatabaseUnavailable, NotFound
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.conftest import free_port
from tests.graphql_helpers import GRAPHQL_RESPONSE, client_for, gql, token


@pytest.fixture()
def client(neo4j_server: Settings, db: Database) -> Iterator[TestClient]:
    yield from client_for(neo4j_server)


def test_post_query_answers_json(client: TestClient) -> None:
    r = gql(client, "{ viewer { authenticated role } }")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"data": {"viewer": {"authenticated": False, "role": None}}}
    assert len(r.headers["x-request-id"]) == 16
    assert r.headers["x-graphcat-queries"] == "0"


def test_get_runs_queries_but_not_mutations(client: TestClient, db: Database) -> None:
    r = client.get("/graphql", params={"query": "{ viewer { authenticated } }"})
    assert r.status_code == 200 and r.json()["data"]["viewer"]["authenticated"] is False
    admin = token(db, "admin")
    r = client.get(
        "/graphql",
        params={"query": 'mutation { revokeApiToken(id: "x") { __typename } }'},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert r.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_graphiql_for_browsers(client: TestClient) -> None:
    r = client.get("/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "graphiql" in r.text.lower()


def test_graphql_response_json_uses_status_codes_for_request_errors(client: TestClient) -> None:
    ok = gql(client, "{ __typename }", accept=GRAPHQL_RESPONSE)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    parse_error = gql(client, "{", accept=GRAPHQL_RESPONSE)
    assert parse_error.status_code == 400
    assert "data" not in parse_error.json() and parse_error.json()["errors"]
    invalid = gql(client, "{ noSuchField }", accept=GRAPHQL_RESPONSE)
    assert invalid.status_code == 400 and "data" not in invalid.json()
    assert "noSuchField" in invalid.json()["errors"][0]["message"]
    coercion = gql(client, "query Q($id: ID!) { __typename }", {"id": None}, accept=GRAPHQL_RESPONSE)
    assert coercion.status_code == 400 and "data" not in coercion.json()


def test_application_json_keeps_200_for_request_errors(client: TestClient) -> None:
    r = gql(client, "{ noSuchField }", accept="application/json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert "data" not in r.json() and r.json()["errors"]


def test_accept_negotiation(client: TestClient) -> None:
    prefers_new = gql(client, "{ __typename }", accept=f"application/json;q=0.5, {GRAPHQL_RESPONSE}")
    assert prefers_new.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    prefers_old = gql(client, "{ __typename }", accept=f"{GRAPHQL_RESPONSE};q=0.2, application/json")
    assert prefers_old.headers["content-type"].startswith("application/json")
    wildcard = gql(client, "{ __typename }", accept="*/*")
    assert wildcard.headers["content-type"].startswith("application/json")
    refused = gql(client, "{ __typename }", accept="text/plain")
    assert refused.status_code == 406
    assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


@pytest.mark.parametrize("body", [{"query": "{ __typename }", "operationName": 3}, {"query": 7}, {"qeury": "{ __typename }"}])
def test_malformed_requests_are_400(client: TestClient, body: dict[str, object]) -> None:
    r = client.post("/graphql", json=body)
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"]


def test_post_needs_a_json_content_type(client: TestClient) -> None:
    r = client.post("/graphql", content='{"query": "{ __typename }"}', headers={"content-type": "text/plain"})
    assert r.status_code == 400


# -- error masking: a schema with resolvers that fail the ways real ones can ----------------------


@strawberry.type
class FailingQuery:
    @strawberry.field
    def boom(self) -> int:
        raise RuntimeError("password=hunter2 in a stack trace")

    @strawberry.field
    def missing(self) -> int:
        raise NotFound("no model version particlenet@9.9.9", path="id")

    @strawberry.field
    def outage(self) -> int:
        raise DatabaseUnavailable("Neo4j is unavailable: connection refused")


@pytest.fixture()
def failing_client(neo4j_server: Settings) -> Iterator[TestClient]:
    from graphcat.api.error_policy import ErrorPolicy

    schema = GraphcatSchema(query=FailingQuery, extensions=[ErrorPolicy])
    view = GraphQLApp(schema, neo4j_server, {"x": Role.ADMIN})
    app = Starlette(routes=[Route("/graphql", view)])
    app.state.db = Database(neo4j_server)
    with TestClient(app) as client:
        yield client
    app.state.db.close()


def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    failing_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="graphcat.api.errors"):
        r = gql(failing_client, "{ boom }")
    request_id = r.headers["x-request-id"]
    error = r.json()["errors"][0]
    assert error["message"] == f"Internal server error (request id {request_id})"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "hunter2" not in r.text
    logged = [rec for rec in caplog.records if request_id in rec.getMessage()]
    assert logged and "hunter2" in str(logged[0].exc_info[1])


def test_typed_errors_are_not_masked(failing_client: TestClient) -> None:
    r = gql(failing_client, "{ missing }")
    assert r.status_code == 200
    error = r.json()["errors"][0]
    assert error["message"] == "no model version particlenet@9.9.9"
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "id"}


def test_database_unavailable_is_a_retryable_503(failing_client: TestClient) -> None:
    r = gql(failing_client, "{ outage }")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    error = r.json()["errors"][0]
    assert error["extensions"] == {"code": "DATABASE_UNAVAILABLE", "retryable": True}
    assert "connection refused" in error["message"]


def test_a_dead_neo4j_makes_authenticated_requests_503(neo4j_server: Settings) -> None:
    dead = dataclasses.replace(
        neo4j_server, neo4j_uri=f"bolt://127.0.0.1:{free_port()}", neo4j_connect_timeout=1.0
    )
    with TestClient(create_app_for(dead)) as client:
        r = gql(client, "{ viewer { authenticated } }", token="gct_0123456789ab_" + "a" * 43)
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    assert r.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"


def create_app_for(settings: Settings) -> Starlette:
    from graphcat.api.app import create_app

    return create_app(settings)
