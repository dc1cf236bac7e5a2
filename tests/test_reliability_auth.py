"""Every mutation refused without a token, with a revoked one or with a reader's; secrets never logged."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
from starlette.testclient import TestClient

from graphcat.api.schema import MUTATION_ROLES, build_schema
from graphcat.settings import Settings
from graphcat.store import tokens
from graphcat.store.database import Database
from tests.graphql_helpers import client_for, token
from tests.reliability_support import Cases, catalog_digest, cases, post  # noqa: F401  (fixture)


@pytest.fixture()
def client(neo4j_server: Settings) -> Iterator[TestClient]:
    yield from client_for(neo4j_server, mutation_rate_per_minute=5)


def _mutation_fields(settings: Settings) -> list[str]:
    schema = build_schema(settings)._schema
    assert schema.mutation_type is not None
    return sorted(schema.mutation_type.fields)


@pytest.mark.reliability("Auth", "every mutation without a token, with a revoked, bogus or too-low token")
def test_mutations_are_refused_without_the_right_token(client: TestClient, db: Database, neo4j_server: Settings,
                                                       caplog: pytest.LogCaptureFixture, cases: Cases) -> None:
    caplog.set_level(logging.DEBUG)
    reader = token(db, "reader")
    writer = token(db, "writer")
    revoked = token(db, "admin")
    tokens.revoke(db, _id_of(db, revoked))
    bogus = "gct_000000000000_" + "A" * 43
    before = catalog_digest(db)
    for field in _mutation_fields(neo4j_server):
        document = f"mutation {{ {field} {{ __typename }} }}"
        needed = MUTATION_ROLES.get(field)
        attempts = [(None, 401), (revoked, 401), (bogus, 401), ("not a token", 401), (reader, 403)]
        if needed is not None and needed.name == "ADMIN":
            attempts.append((writer, 403))
        for secret, status in attempts:
            response = post(client, document, token=secret)
            assert response.status_code == status, (field, secret and secret[:8], response.text)
            assert response.json()["errors"][0]["extensions"]["code"] in {"UNAUTHORIZED", "FORBIDDEN"}
            cases.add()
    assert catalog_digest(db) == before, "a refused mutation wrote something"
    for secret in (reader, writer, revoked, bogus):
        assert secret not in caplog.text, "an API token secret reached the logs"


def _id_of(db: Database, secret: str) -> str:
    found = tokens.find_by_secret(db, secret)
    assert found is not None
    return found.id


@pytest.mark.reliability("Auth", "mutation rate limit per token; secrets never in logs or error bodies")
def test_rate_limit_is_per_token_and_secrets_stay_out_of_logs(client: TestClient, db: Database,
                                                              caplog: pytest.LogCaptureFixture, cases: Cases) -> None:
    caplog.set_level(logging.DEBUG)
    first, second = token(db, "writer"), token(db, "writer")
    # A mutation that answers at once (a typed NotFound): the burst stays well inside the refill time.
    document = 'mutation { setAlias(modelVersion: "model_version:none@1", alias: "x") { __typename } }'
    statuses = [post(client, document, token=first).status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}, statuses
    limited = post(client, document, token=first)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert first not in limited.text
    assert post(client, document, token=second).status_code == 200  # another token has its own bucket
    # Errors of every kind (bad input, unknown id, malformed header) never echo the secret.
    for query in ("mutation { registerExperiment(input: {id: \"BAD ID\", name: \"x\"}) { __typename } }",
                  "mutation { broken"):
        response = post(client, query, token=second)
        assert second not in response.text
    response = client.post("/graphql", json={"query": document}, headers={"Authorization": f"Basic {second}"})
    assert response.status_code == 401 and second not in response.text
    cases.add(len(statuses) + 6)
    for secret in (first, second):
        assert secret not in caplog.text, "an API token secret reached the logs"
