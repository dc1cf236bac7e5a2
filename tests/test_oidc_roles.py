"""Sign-in through the real Keycloak: tokens from its token endpoint, roles per namespace (issue 16).

alice is writer@cms, bob writer@atlas, carol a global admin, dave a global reader, and the
graphcat-tests service account writer@hls4ml (graphcat/identity/realm/graphcat-realm.json).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from graphcat import keycloak_launcher
from graphcat.service import catalog
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.catalog_builders import feature
from tests.graphql_helpers import client_for, token
from tests.oidc_support import keycloak_server, password_token, service_token  # noqa: F401  (fixture)
from tests.reliability_support import post

ALIAS = 'mutation($v: ID!) { setAlias(modelVersion: $v, alias: "production") { __typename ... on ModelVersion { aliases } } }'
DEPRECATE = 'mutation($v: ID!) { deprecate(modelVersion: $v, reason: "superseded") { __typename } }'
REGISTER = ("mutation($in: RegisterModelVersionInput!) { registerModelVersion(input: $in) "
            "{ __typename ... on ModelVersion { id } ... on UserError { message } } }")
DETECTOR = ('mutation($e: ID!) { registerDetector(input: {id: "new-detector", name: "New", experiment: $e}) '
            '{ __typename } }')
COUNT = "{ modelVersions(first: 10) { totalCount } }"


def _two_experiments() -> dict[str, Any]:
    def dataset(exp: str) -> dict[str, Any]:
        return {"id": f"{exp}-jets", "name": f"{exp} jets", "versions": [
            {"version": "1", "data_type": "simulation", "simulated_with": [f"{exp}-detector"],
             "features": [feature("pt", [None])]}]}

    def model(ident: str, **extra: Any) -> dict[str, Any]:
        return {"id": ident, "name": ident, "tasks": ["jet-tagging"], **extra,
                "versions": [{"version": "1", "framework": "pytorch", "inputs": [feature("pt", [None])],
                              **({} if "owner" in extra else {"trained_on": [f"{ident.split('-')[0]}-jets@1"]})}]}

    return {
        "graphcat_catalog": 1,
        "experiments": [{"id": "cms", "name": "CMS"}, {"id": "atlas", "name": "ATLAS"}],
        "detectors": [{"id": f"{e}-detector", "name": f"{e} detector", "experiment": e} for e in ("cms", "atlas")],
        "tasks": [{"id": "jet-tagging", "name": "jet tagging"}],
        "owners": [{"id": "hls4ml", "name": "hls4ml collaboration", "kind": "team"}],
        "datasets": [dataset("cms"), dataset("atlas")],
        "models": [model("cms-tagger"), model("atlas-tagger"), model("hls4ml-fpga", owner="hls4ml")],
    }


@pytest.fixture()
def oidc_settings(keycloak_server: Settings, neo4j_server: Settings) -> Settings:  # noqa: F811
    return dataclasses.replace(neo4j_server, oidc_issuer=keycloak_launcher.issuer(keycloak_server))


@pytest.fixture()
def client(oidc_settings: Settings, db: Database) -> Iterator[TestClient]:
    catalog.register(db, _two_experiments())
    yield from client_for(oidc_settings)


@pytest.fixture(scope="module")
def tokens_of(keycloak_server: Settings) -> dict[str, str]:  # noqa: F811
    return {user: password_token(keycloak_server, user) for user in ("alice", "bob", "carol", "dave")}


def _status(response: Any) -> tuple[int, str]:
    body = response.json()
    if body.get("errors"):
        return response.status_code, body["errors"][0]["message"]
    return response.status_code, next(iter(body["data"].values()))["__typename"]


def test_writers_write_in_their_own_namespace_only(client: TestClient, tokens_of: dict[str, str]) -> None:
    alice, bob = tokens_of["alice"], tokens_of["bob"]
    assert _status(post(client, ALIAS, {"v": "model_version:cms-tagger@1"}, token=alice)) == (200, "ModelVersion")
    assert _status(post(client, ALIAS, {"v": "model_version:atlas-tagger@1"}, token=bob)) == (200, "ModelVersion")
    status, message = _status(post(client, ALIAS, {"v": "model_version:atlas-tagger@1"}, token=alice))
    assert status == 403 and "namespace atlas" in message and "alice" in message and "writer@cms" in message
    status, message = _status(post(client, ALIAS, {"v": "model_version:cms-tagger@1"}, token=bob))
    assert status == 403 and "namespace cms" in message
    # The refused alias did not land; the allowed one did.
    answer = post(client, "{ node(id: \"model_version:atlas-tagger@1\") { ... on ModelVersion { aliases } } }").json()
    assert answer["data"]["node"]["aliases"] == ["production"]


def test_registration_is_checked_against_the_family_or_what_it_is_trained_on(
        client: TestClient, tokens_of: dict[str, str]) -> None:
    alice = tokens_of["alice"]
    new_version = {"model": "cms-tagger", "version": "2", "framework": "pytorch"}
    assert _status(post(client, REGISTER, {"in": new_version}, token=alice)) == (200, "ModelVersion")
    on_atlas = {"model": "fresh", "modelName": "Fresh", "version": "1", "trainedOn": ["atlas-jets@1"]}
    status, message = _status(post(client, REGISTER, {"in": on_atlas}, token=alice))
    assert status == 403 and "namespace atlas" in message
    on_cms = {**on_atlas, "trainedOn": ["dataset_version:cms-jets@1"]}
    assert _status(post(client, REGISTER, {"in": on_cms}, token=alice)) == (200, "ModelVersion")
    nowhere = {"model": "orphan", "modelName": "Orphan", "version": "1"}
    status, message = _status(post(client, REGISTER, {"in": nowhere}, token=alice))
    assert status == 403 and "no experiment or owner namespace" in message
    assert _status(post(client, DETECTOR, {"e": "atlas"}, token=alice))[0] == 403
    assert _status(post(client, DETECTOR, {"e": "experiment:cms"}, token=alice)) == (200, "Detector")


def test_admins_readers_and_service_accounts(client: TestClient, tokens_of: dict[str, str],
                                             keycloak_server: Settings) -> None:  # noqa: F811
    status, message = _status(post(client, DEPRECATE, {"v": "model_version:cms-tagger@1"}, token=tokens_of["alice"]))
    assert status == 403 and "role admin" in message  # deprecation stays an admin's (global or of the namespace)
    assert _status(post(client, DEPRECATE, {"v": "model_version:atlas-tagger@1"}, token=tokens_of["carol"])) == (200, "ModelVersion")
    status, message = _status(post(client, ALIAS, {"v": "model_version:cms-tagger@1"}, token=tokens_of["dave"]))
    assert status == 403 and "role writer" in message and "dave" in message
    robot = service_token(keycloak_server)
    assert _status(post(client, ALIAS, {"v": "model_version:hls4ml-fpga@1"}, token=robot)) == (200, "ModelVersion")
    assert _status(post(client, ALIAS, {"v": "model_version:cms-tagger@1"}, token=robot))[0] == 403
    create = 'mutation { createApiToken(role: READER) { __typename } }'
    assert _status(post(client, create, token=tokens_of["alice"]))[0] == 403
    assert _status(post(client, create, token=tokens_of["carol"])) == (200, "CreatedApiToken")


def test_api_tokens_keep_working_beside_oidc(client: TestClient, db: Database, tokens_of: dict[str, str]) -> None:
    writer = token(db, "writer")  # global, as before: scripts and CI
    assert _status(post(client, ALIAS, {"v": "model_version:atlas-tagger@1"}, token=writer)) == (200, "ModelVersion")
    assert _status(post(client, ALIAS, {"v": "model_version:cms-tagger@1"}, token=writer)) == (200, "ModelVersion")
    query = "{ viewer { authenticated role name subject namespaceRoles } }"
    viewer = post(client, query, token=tokens_of["alice"]).json()["data"]["viewer"]
    assert viewer["role"] == "READER" and viewer["name"] == "alice"  # global role; writer@cms is per namespace
    assert viewer["namespaceRoles"] == ["writer@cms"] and viewer["subject"]
    api = post(client, query, token=writer).json()["data"]["viewer"]
    assert api["role"] == "WRITER" and api["subject"] is None and api["namespaceRoles"] == []


def test_reads_open_or_behind_a_token(oidc_settings: Settings, db: Database, tokens_of: dict[str, str]) -> None:
    catalog.register(db, _two_experiments())
    for client in client_for(oidc_settings):
        assert post(client, COUNT).json()["data"]["modelVersions"]["totalCount"] == 3
    for client in client_for(oidc_settings, reads_require_token=True):
        assert post(client, COUNT).status_code == 401
        answer = post(client, COUNT, token=tokens_of["dave"])
        assert answer.status_code == 200 and answer.json()["data"]["modelVersions"]["totalCount"] == 3
