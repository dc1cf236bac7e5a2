"""API tokens: stored hashed, listed, revoked; 401/403 on mutations; reads behind a token; rate limit."""

from __future__ import annotations

import subprocess
import sys
from typing import Iterator

import pytest
from starlette.testclient import TestClient

from graphcat.api.rate_limit import MutationRateLimiter, RateLimited
from graphcat.errors import InvalidInput, NotFound
from graphcat.settings import Settings
from graphcat.store import tokens
from graphcat.store.database import Database
from tests.graphql_helpers import GRAPHQL_RESPONSE, client_for, gql, token

REVOKE = 'mutation { revokeApiToken(id: "nope") { __typename ... on UserError { message field } } }'
CREATE = "mutation($role: TokenRole!) { createApiToken(role: $role, name: \"made-over-graphql\") { ... on CreatedApiToken { secret token { id role } } } }"


@pytest.fixture()
def client(neo4j_server: Settings, db: Database) -> Iterator[TestClient]:
    yield from client_for(neo4j_server)


def test_tokens_are_stored_hashed_and_listed_without_secrets(db: Database) -> None:
    token_row, secret = tokens.create(db, "writer", "ci")
    assert tokens.looks_like_secret(secret) and token_row.id in secret
    assert db.read("tokens/by_hash", hash=tokens.hash_secret(secret))[0]["id"] == token_row.id
    listed = tokens.list_tokens(db)  # tokens survive catalog clears, so others may be listed
    assert [t for t in listed if t.id == token_row.id] == [token_row]
    assert secret not in repr(listed) and tokens.hash_secret(secret) not in repr(listed)
    assert tokens.find_by_secret(db, secret) == token_row
    assert tokens.find_by_secret(db, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_bad_roles_and_names_are_rejected(db: Database) -> None:
    with pytest.raises(InvalidInput, match="role must be one of") as exc:
        tokens.create(db, "root")
    assert exc.value.path == "role"
    with pytest.raises(InvalidInput) as exc:
        tokens.create(db, "reader", "x" * 200)
    assert exc.value.path == "name"
    with pytest.raises(NotFound):
        tokens.revoke(db, "000000000000")


def test_mutation_without_token_is_401(client: TestClient) -> None:
    r = gql(client, REVOKE, accept=GRAPHQL_RESPONSE)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("header", ["Bearer gct_0123456789ab_" + "x" * 43, "Bearer nonsense", "Basic dXNlcjpwYXNz"])
def test_mutation_with_bad_token_is_401(client: TestClient, header: str) -> None:
    r = client.post("/graphql", json={"query": REVOKE}, headers={"Authorization": header})
    assert r.status_code == 401
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


def test_roles_too_low_are_403(client: TestClient, db: Database) -> None:
    for role in ("reader", "writer"):
        r = gql(client, REVOKE, token=token(db, role))
        assert r.status_code == 403, role
        body = r.json()["errors"][0]
        assert body["extensions"]["code"] == "FORBIDDEN" and "needs role admin" in body["message"]


def test_admin_creates_and_revokes_tokens_over_graphql(client: TestClient, db: Database) -> None:
    admin = token(db, "admin")
    r = gql(client, CREATE, {"role": "WRITER"}, token=admin)
    assert r.status_code == 200, r.text
    created = r.json()["data"]["createApiToken"]
    assert created["token"]["role"] == "WRITER"
    new_secret, new_id = created["secret"], created["token"]["id"]
    me = gql(client, "{ viewer { authenticated tokenId role } }", token=new_secret).json()["data"]["viewer"]
    assert me == {"authenticated": True, "tokenId": new_id, "role": "WRITER"}

    missing = gql(client, REVOKE, token=admin).json()["data"]["revokeApiToken"]
    assert missing == {"__typename": "NotFoundError", "message": "no API token with id 'nope'", "field": "id"}

    revoke = f'mutation {{ revokeApiToken(id: "{new_id}") {{ ... on ApiToken {{ revoked revokedAt }} }} }}'
    revoked = gql(client, revoke, token=admin).json()["data"]["revokeApiToken"]
    assert revoked["revoked"] is True and revoked["revokedAt"]
    after = gql(client, "{ viewer { authenticated } }", token=new_secret)
    assert after.status_code == 401 and "revoked" in after.json()["errors"][0]["message"]


def test_reads_can_require_a_token(neo4j_server: Settings, db: Database) -> None:
    for client in client_for(neo4j_server, reads_require_token=True):
        anonymous = gql(client, "{ viewer { authenticated } }")
        assert anonymous.status_code == 401
        reader = gql(client, "{ viewer { authenticated role } }", token=token(db, "reader"))
        assert reader.status_code == 200
        assert reader.json()["data"]["viewer"] == {"authenticated": True, "role": "READER"}


def test_mutations_are_rate_limited_per_token(neo4j_server: Settings, db: Database) -> None:
    admin, other = token(db, "admin"), token(db, "admin")
    for client in client_for(neo4j_server, mutation_rate_per_minute=2):
        assert gql(client, REVOKE, token=admin).status_code == 200
        assert gql(client, REVOKE, token=admin).status_code == 200
        limited = gql(client, REVOKE, token=admin)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert gql(client, REVOKE, token=other).status_code == 200  # buckets are per token
        # Two mutation fields in one operation cost two permits.
        double = "mutation { a: revokeApiToken(id: \"x\") { __typename } b: revokeApiToken(id: \"y\") { __typename } }"
        assert gql(client, double, token=other).status_code == 429


def test_token_bucket_refills_at_the_rate() -> None:
    now = [1000.0]
    limiter = MutationRateLimiter(rate_per_minute=60, clock=lambda: now[0])
    for _ in range(60):
        limiter.take("t")
    with pytest.raises(RateLimited) as exc:
        limiter.take("t")
    assert exc.value.retry_after == 1
    now[0] += 2.0  # two permits back
    limiter.take("t", cost=2)
    with pytest.raises(RateLimited):
        limiter.take("t")
    with pytest.raises(RateLimited, match="at most 60 per minute"):
        limiter.take("fresh", cost=61)


def test_cli_creates_lists_and_revokes(neo4j_server: Settings, db: Database) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "graphcat.cli", "token", *args], capture_output=True, text=True)

    created = cli("create", "--role", "writer", "--name", "nightly-ci")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    found = tokens.find_by_secret(db, secret)
    assert found is not None and found.role == "writer" and found.name == "nightly-ci"
    listed = cli("list")
    assert found.id in listed.stdout and "nightly-ci" in listed.stdout and secret not in listed.stdout
    assert cli("revoke", found.id).returncode == 0
    assert tokens.find_by_secret(db, secret).revoked  # type: ignore[union-attr]
    missing = cli("revoke", "000000000000")
    assert missing.returncode == 2 and "no API token" in missing.stderr
