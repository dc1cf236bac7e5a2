"""Hostile and broken OIDC tokens: each a 401 with its reason, never a 500; an unreachable issuer 503.

Tokens of the real Keycloak (tampered, re-headed, for another audience) and tokens forged with
keys made here, signed for FakeIssuer (tests/oidc_support.py), a real HTTP issuer the test controls.
"""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.request
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from starlette.testclient import TestClient

from graphcat import keycloak_launcher
from graphcat.api.oidc import roles_from_groups
from graphcat.errors import Unauthorized
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.graphql_helpers import client_for
from tests.oidc_support import (  # noqa: F401  (fixtures)
    FakeIssuer, b64, fake_issuer, keycloak_server, password_token, split,
)
from tests.reliability_support import Cases, cases, catalog_digest, post  # noqa: F401  (fixture)

ALIAS = 'mutation { setAlias(modelVersion: "model_version:none@1", alias: "x") { __typename } }'


def _refused(client: TestClient, bearer: str, reason: str, status: int = 401) -> None:
    response = post(client, ALIAS, token=bearer)
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert reason in error["message"], error["message"]
    assert error["extensions"]["code"] == ("UNAUTHORIZED" if status == 401 else "IDENTITY_PROVIDER_UNAVAILABLE")
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    else:
        assert int(response.headers["retry-after"]) >= 1


def _keycloak_jwk(settings: Settings, kid: str) -> dict[str, Any]:
    with urllib.request.urlopen(keycloak_launcher.issuer(settings) + "/protocol/openid-connect/certs", timeout=10) as r:
        return next(k for k in json.loads(r.read())["keys"] if k["kid"] == kid)


@pytest.mark.reliability("Auth", "OIDC tokens of the real Keycloak: tampered, alg none, key confusion, wrong audience, oversized")
def test_real_keycloak_tokens_that_must_fail(keycloak_server: Settings, neo4j_server: Settings,  # noqa: F811
                                             db: Database, cases: Cases) -> None:  # noqa: F811
    settings = dataclasses.replace(neo4j_server, oidc_issuer=keycloak_launcher.issuer(keycloak_server))
    good = password_token(keycloak_server, "carol")
    header, payload, signature = split(good)
    before = catalog_digest(db)
    for client in client_for(settings):
        assert post(client, ALIAS, token=good).status_code == 200  # the genuine token passes
        tampered = {**payload, "groups": ["/admins"]}
        attacks = [
            (".".join([b64(json.dumps(header).encode()), b64(json.dumps(tampered).encode()), signature]),
             "signature does not verify"),
            (".".join([b64(json.dumps({"alg": "none", "typ": "JWT", "kid": header["kid"]}).encode()),
                       b64(json.dumps(tampered).encode()), ""]), "algorithm 'none' is not accepted"),
            (good[:-8] + ("AAAAAAAA" if not good.endswith("AAAAAAAA") else "BBBBBBBB"), "signature does not verify"),
            (password_token(keycloak_server, "carol", "other-service", "other-service-secret"), "audience 'other-service'"),
            ("eyJ" + "A" * 9000, "more than GRAPHCAT_OIDC_MAX_TOKEN_BYTES"),
            ("not.a.jwt", "neither an API token nor a JWT"),
        ]
        # Key confusion: HS256 keyed with Keycloak's own public key (what a naive verifier would accept).
        public_pem = jwt.algorithms.RSAAlgorithm.from_jwk(_keycloak_jwk(keycloak_server, header["kid"])).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        confused = _hs256(tampered, public_pem, header["kid"])
        attacks.append((confused, "algorithm 'HS256' is not accepted"))
        for bearer, reason in attacks:
            _refused(client, bearer, reason)
            cases.add()
    assert catalog_digest(db) == before


def _hs256(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    # PyJWT refuses to HMAC with a PEM key (its own key-confusion guard), so sign by hand.
    import hashlib
    import hmac

    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()) + "." + b64(json.dumps(claims).encode())
    return signing_input + "." + b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


@pytest.mark.reliability("Auth", "OIDC tokens forged with test keys: expired, not yet valid, wrong issuer, unknown kid, missing claims")
def test_forged_tokens_fail_with_their_reason(fake_issuer: FakeIssuer, neo4j_server: Settings,  # noqa: F811
                                              db: Database, cases: Cases) -> None:  # noqa: F811
    settings = dataclasses.replace(neo4j_server, oidc_issuer=fake_issuer.url, oidc_leeway_seconds=5.0)
    now = int(time.time())
    for client in client_for(settings):
        assert post(client, ALIAS, token=fake_issuer.sign(fake_issuer.claims())).status_code == 200
        # Within the leeway: expired 2 s ago, valid from 2 s on, still accepted.
        assert post(client, ALIAS, token=fake_issuer.sign(fake_issuer.claims(exp=now - 2))).status_code == 200
        assert post(client, ALIAS, token=fake_issuer.sign(fake_issuer.claims(nbf=now + 2))).status_code == 200
        stranger = fake_issuer.add_key("not-published")
        del fake_issuer.keys["not-published"]
        attacks = [
            (fake_issuer.sign(fake_issuer.claims(exp=now - 60)), "expired at"),
            (fake_issuer.sign(fake_issuer.claims(nbf=now + 600)), "not valid yet"),
            (fake_issuer.sign(fake_issuer.claims(iat=now + 600)), "not valid yet"),
            (fake_issuer.sign(fake_issuer.claims(iss="http://evil.example")), "issued by 'http://evil.example'"),
            (fake_issuer.sign(fake_issuer.claims(aud=None)), "lacks the 'aud' claim"),
            (fake_issuer.sign(fake_issuer.claims(sub=None)), "lacks the 'sub' claim"),
            (fake_issuer.sign(fake_issuer.claims(exp=None)), "lacks the 'exp' claim"),
            (fake_issuer.sign(fake_issuer.claims(), kid="not-published", key=stranger), "kid) 'not-published'"),
            (fake_issuer.sign(fake_issuer.claims(), kid="key-1", key=stranger), "signature does not verify"),
            (fake_issuer.sign(fake_issuer.claims(groups="/admins")), "'groups' claim must be a list"),
            (jwt.encode(fake_issuer.claims(), fake_issuer.keys["key-1"], algorithm="RS256"), "no key id"),
        ]
        for bearer, reason in attacks:
            _refused(client, bearer, reason)
            cases.add()


@pytest.mark.reliability("Auth", "OIDC key rotation and an issuer whose JWKS or discovery is down (503, not 401)")
def test_rotation_and_an_unreachable_issuer(fake_issuer: FakeIssuer, neo4j_server: Settings,  # noqa: F811
                                            db: Database, cases: Cases) -> None:  # noqa: F811
    settings = dataclasses.replace(neo4j_server, oidc_issuer=fake_issuer.url)
    for client in client_for(settings):
        assert post(client, ALIAS, token=fake_issuer.sign(fake_issuer.claims())).status_code == 200
        fetches = fake_issuer.jwks_fetches
        for _ in range(3):  # cached: no refetch per request
            assert post(client, ALIAS, token=fake_issuer.sign(fake_issuer.claims())).status_code == 200
        assert fake_issuer.jwks_fetches == fetches
        fake_issuer.add_key("key-2")  # the issuer rotates: a token signed with the new key passes at once
        assert post(client, ALIAS, token=fake_issuer.sign(fake_issuer.claims(), kid="key-2")).status_code == 200
        assert fake_issuer.jwks_fetches == fetches + 1
        # Unknown kids do not make graphcat refetch on every request (at most once per 10 s).
        for i in range(5):
            _refused(client, fake_issuer.sign(fake_issuer.claims(), kid=f"forged-{i}",
                                              key=fake_issuer.keys["key-1"]), f"'forged-{i}'")
        assert fake_issuer.jwks_fetches <= fetches + 2
        cases.add(7)
    # JWKS endpoint failing (discovery answers): 503 with the reason, for a fresh verifier.
    fake_issuer.jwks_status = 500
    for client in client_for(settings, oidc_jwks_cache_seconds=1, oidc_http_timeout=2.0):
        _refused(client, fake_issuer.sign(fake_issuer.claims()), "signing keys could not be fetched", status=503)
        cases.add()
    # Issuer gone entirely: 503 naming the discovery document.
    url = fake_issuer.url
    fake_issuer.close()
    for client in client_for(settings, oidc_http_timeout=1.5, oidc_leeway_seconds=1.0):
        bearer = fake_issuer.sign(fake_issuer.claims())
        _refused(client, bearer, f"discovery document {url}/.well-known/openid-configuration could not be read", 503)
        # reads that carry no token are not affected
        assert post(client, "{ viewer { authenticated } }").status_code == 200
        cases.add()


def test_groups_map_to_global_and_namespace_roles() -> None:
    assert roles_from_groups(["/cms/writers", "/atlas/readers", "/cms/readers"], "groups") == (
        "reader", {"cms": "writer", "atlas": "reader"})
    assert roles_from_groups(["/admins", "/hls4ml/admins", "/unrelated", "/a/b/c"], "groups") == (
        "admin", {"hls4ml": "admin"})
    assert roles_from_groups(None, "groups") == ("reader", {})
    with pytest.raises(Unauthorized, match="list of group names"):
        roles_from_groups([1, 2], "groups")
