"""The page's sign-in routes (graphcat.api.signin) against the real Keycloak: the login redirect (PKCE
S256), callback errors (400 with the reason), the session cookie standing for a token only with its
CSRF header, viewer.can, and the start-up check on GRAPHCAT_SESSION_SECRET.

The browser round trip through Keycloak's login form is tests/test_web_signin_e2e.py.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import time
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import itsdangerous
import pytest
from starlette.testclient import TestClient

from graphcat import keycloak_launcher
from graphcat.api.app import create_app
from graphcat.api.signin import COOKIE, CSRF_HEADER, KEY
from graphcat.errors import InvalidSetting
from graphcat.service import catalog
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.oidc_support import keycloak_server, password_token  # noqa: F401  (fixture)
from tests.test_oidc_roles import ALIAS, _two_experiments

SECRET = "test-session-secret-" + "x" * 32
VIEWER = ('{ viewer { authenticated name namespaceRoles aliasCms: can(action: "setAlias", namespace: "cms") '
          'aliasAtlas: can(action: "setAlias", namespace: "atlas") deprecate: can(action: "deprecate") } }')


@pytest.fixture()
def signin_settings(keycloak_server: Settings, neo4j_server: Settings) -> Settings:  # noqa: F811
    return dataclasses.replace(neo4j_server, oidc_issuer=keycloak_launcher.issuer(keycloak_server),
                               oidc_web_client_id="graphcat", session_secret=SECRET)


@pytest.fixture()
def client(signin_settings: Settings, db: Database) -> Iterator[TestClient]:
    catalog.register(db, _two_experiments())
    with TestClient(create_app(signin_settings), base_url="http://127.0.0.1:8123") as c:
        yield c


def _cookie(session: dict[str, Any]) -> str:
    """A session cookie as starlette's SessionMiddleware signs it (the key the app holds)."""
    data = base64.b64encode(json.dumps(session).encode())
    return itsdangerous.TimestampSigner(SECRET).sign(data).decode()


def _signed_in(client: TestClient, settings: Settings, user: str) -> str:
    csrf = secrets.token_urlsafe(16)
    access = password_token(settings, user)  # a real Keycloak access token (aud graphcat)
    session = {KEY: {"at": access, "rt": None, "exp": int(time.time()) + 240, "csrf": csrf}}
    client.cookies.set(COOKIE, _cookie(session), domain="127.0.0.1")
    return csrf


def _gql(client: TestClient, query: str, variables: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> Any:
    return client.post("/graphql", json={"query": query, "variables": variables or {}},
                       headers={"Accept": "application/graphql-response+json", **(headers or {})})


def test_login_redirects_to_keycloak_with_pkce_s256(client: TestClient, signin_settings: Settings) -> None:
    response = client.get("/auth/login", params={"next": "/#/models"}, follow_redirects=False)
    assert response.status_code == 302
    target = urlsplit(response.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}".startswith(signin_settings.oidc_issuer)
    assert query["client_id"] == "graphcat" and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert query["redirect_uri"] == "http://127.0.0.1:8123/auth/callback"
    assert query["state"] and query["nonce"]


def test_callback_state_mismatch_is_a_clear_400(client: TestClient) -> None:
    client.get("/auth/login", follow_redirects=False)  # a sign-in started, with its own state
    response = client.get("/auth/callback", params={"state": "forged-state", "code": "abc"})
    assert response.status_code == 400
    assert "does not match a sign-in this browser started" in response.text


def test_callback_without_code_is_a_clear_400(client: TestClient) -> None:
    started = client.get("/auth/login", follow_redirects=False)
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    response = client.get("/auth/callback", params={"state": state})
    assert response.status_code == 400 and "no authorization `code`" in response.text
    assert client.get("/auth/callback").status_code == 400  # neither state nor code


def test_callback_with_a_refusal_or_a_bad_code_is_a_clear_400(client: TestClient) -> None:
    refused = client.get("/auth/callback", params={"error": "access_denied", "error_description": "user said no"})
    assert refused.status_code == 400 and "access_denied: user said no" in refused.text
    started = client.get("/auth/login", follow_redirects=False)
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    bad = client.get("/auth/callback", params={"state": state, "code": "not-a-code-keycloak-issued"})
    assert bad.status_code == 400 and "could not be exchanged" in bad.text


def test_session_is_anonymous_without_sign_in(client: TestClient) -> None:
    assert client.get("/auth/session").json() == {"enabled": True, "signedIn": False}


def test_session_cookie_acts_only_with_its_csrf_header(client: TestClient, signin_settings: Settings) -> None:
    csrf = _signed_in(client, signin_settings, "alice")
    who = client.get("/auth/session").json()
    assert who["signedIn"] and who["label"] == "alice (writer@cms)" and who["namespaceRoles"] == {"cms": "writer"}
    assert who["csrfToken"] == csrf
    # without the header a query is anonymous and a mutation refused (a cross-site form cannot add it)
    assert _gql(client, VIEWER).json()["data"]["viewer"]["authenticated"] is False
    refused = _gql(client, ALIAS, {"v": "model_version:cms-tagger@1"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["errors"][0]["message"]
    wrong = _gql(client, ALIAS, {"v": "model_version:cms-tagger@1"}, {CSRF_HEADER: "guess"})
    assert wrong.status_code == 403
    viewer = _gql(client, VIEWER, headers={CSRF_HEADER: csrf}).json()["data"]["viewer"]
    assert viewer == {"authenticated": True, "name": "alice", "namespaceRoles": ["writer@cms"],
                      "aliasCms": True, "aliasAtlas": False, "deprecate": False}
    ok = _gql(client, ALIAS, {"v": "model_version:cms-tagger@1"}, {CSRF_HEADER: csrf})
    assert ok.status_code == 200 and ok.json()["data"]["setAlias"]["aliases"] == ["production"]
    atlas = _gql(client, ALIAS, {"v": "model_version:atlas-tagger@1"}, {CSRF_HEADER: csrf})
    assert atlas.status_code == 403  # alice's session carries her roles: not ATLAS's


def test_can_names_an_unknown_action(client: TestClient) -> None:
    body = _gql(client, '{ viewer { can(action: "dropEverything") } }').json()
    assert "not a mutation of this schema" in body["errors"][0]["message"]


def test_logout_needs_the_csrf_token_and_clears_the_session(client: TestClient, signin_settings: Settings) -> None:
    csrf = _signed_in(client, signin_settings, "dave")
    assert client.get("/auth/session").json()["label"] == "dave (reader)"
    assert client.post("/auth/logout", data={"csrf": "guess"}, follow_redirects=False).status_code == 403
    out = client.post("/auth/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert client.get("/auth/session").json()["signedIn"] is False


def test_expired_session_without_refresh_token_signs_out(client: TestClient, signin_settings: Settings) -> None:
    csrf = secrets.token_urlsafe(16)
    session = {KEY: {"at": "not.a.jwt", "rt": None, "exp": 0, "csrf": csrf}}
    client.cookies.set(COOKIE, _cookie(session), domain="127.0.0.1")
    ended = _gql(client, ALIAS, {"v": "model_version:cms-tagger@1"}, {CSRF_HEADER: csrf})
    assert ended.status_code == 401 and "sign-in session ended" in ended.json()["errors"][0]["message"]


def test_short_or_missing_session_secret_is_refused_at_start_up(signin_settings: Settings) -> None:
    for secret in ("", "too-short"):
        with pytest.raises(InvalidSetting, match="GRAPHCAT_SESSION_SECRET is .* at least 32 bytes"):
            create_app(dataclasses.replace(signin_settings, session_secret=secret))
    with pytest.raises(InvalidSetting, match="needs GRAPHCAT_OIDC_ISSUER"):
        Settings.from_env({"GRAPHCAT_OIDC_WEB_CLIENT_ID": "graphcat", "GRAPHCAT_SESSION_SECRET": SECRET},
                          env_file="/nonexistent")


def test_without_sign_in_configured_the_routes_say_so(neo4j_server: Settings, db: Database) -> None:
    with TestClient(create_app(neo4j_server)) as c:
        assert c.get("/auth/session").json() == {"enabled": False, "signedIn": False}
        login = c.get("/auth/login", follow_redirects=False)
        assert login.status_code == 404 and "GRAPHCAT_OIDC_WEB_CLIENT_ID" in login.text
