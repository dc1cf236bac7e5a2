"""Hostile input to the page's sign-in (graphcat.api.signin) against the real Keycloak: forged or
missing callback parameters and forged, tampered, expired or stolen-without-header session cookies.
Each is a clear 4xx (or an anonymous answer), never a 500, and the catalog stays as it was."""

from __future__ import annotations

import base64
import json
import time
from typing import Iterator

import pytest
from starlette.testclient import TestClient

from graphcat.api.signin import COOKIE, CSRF_HEADER, KEY
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.oidc_support import keycloak_server, password_token  # noqa: F401  (fixture)
from tests.reliability_support import Cases, catalog_digest, cases  # noqa: F401  (fixture)
from tests.test_oidc_roles import ALIAS
from tests.test_signin import VIEWER, _cookie, _gql, client, signin_settings  # noqa: F401  (fixtures)

CMS = {"v": "model_version:cms-tagger@1"}


@pytest.fixture()
def fresh(client: TestClient) -> Iterator[TestClient]:  # noqa: F811
    client.cookies.clear()
    yield client


@pytest.mark.reliability("Auth", "Web sign-in callback: forged state, no state, no code, refused, unknown code, replayed state")
def test_hostile_callbacks_are_clear_400s(fresh: TestClient, db: Database, cases: Cases) -> None:  # noqa: F811
    before = catalog_digest(db)
    attempts = [
        {"state": "forged-state", "code": "abc"},
        {},
        {"code": "abc"},
        {"error": "access_denied", "error_description": "user said no"},
        {"error": "<script>alert(1)</script>"},
        {"state": "x" * 5000, "code": "y" * 5000},
    ]
    for params in attempts:
        fresh.get("/auth/login", follow_redirects=False)
        response = fresh.get("/auth/callback", params=params)
        assert response.status_code == 400, (params, response.status_code, response.text[:200])
        # the reason is plain text: a browser shows an echoed `<script>` as text, never runs it
        assert response.headers["content-type"].startswith("text/plain"), response.headers
        cases.add()
    started = fresh.get("/auth/login", follow_redirects=False)
    state = started.headers["location"].split("state=", 1)[1].split("&", 1)[0]
    for _ in range(2):  # a bad code, then the same state again: used once, then unknown
        assert fresh.get("/auth/callback", params={"state": state, "code": "not-issued"}).status_code == 400
        cases.add()
    assert catalog_digest(db) == before


@pytest.mark.reliability("Auth", "Web session cookie: unsigned, tampered, other secret, expired token, no CSRF header, wrong CSRF")
def test_hostile_session_cookies_never_act(fresh: TestClient, signin_settings: Settings,  # noqa: F811
                                           db: Database, cases: Cases) -> None:  # noqa: F811
    before = catalog_digest(db)
    access = password_token(signin_settings, "alice")  # a real writer@cms token
    good = {KEY: {"at": access, "rt": None, "exp": int(time.time()) + 240, "csrf": "c" * 22}}
    forged = [
        "not-a-cookie",
        _cookie(good)[:-3] + "AAA",  # tampered signature
        _cookie(good).replace(_cookie(good).split(".")[0], "eyJmb28iOiAiYmFyIn0="),  # another payload, old signature
        _unsigned(good),
        _cookie({KEY: {"at": access[:-4] + "AAAA", "rt": None, "exp": int(time.time()) + 240, "csrf": "c" * 22}}),
        _cookie({KEY: {"at": "x", "rt": None, "exp": 0, "csrf": "c" * 22}}),  # expired, no refresh token
    ]
    for value in forged:
        fresh.cookies.set(COOKIE, value, domain="127.0.0.1")
        viewer = _gql(fresh, VIEWER, headers={CSRF_HEADER: "c" * 22})
        assert viewer.status_code < 500
        if viewer.status_code == 200:
            assert viewer.json()["data"]["viewer"]["authenticated"] is False, value[:40]
        write = _gql(fresh, ALIAS, CMS, {CSRF_HEADER: "c" * 22})
        assert write.status_code in (401, 403) or write.json()["data"] is None or "errors" in write.json(), value[:40]
        assert fresh.get("/auth/session").status_code == 200
        cases.add()
    fresh.cookies.set(COOKIE, _cookie(good), domain="127.0.0.1")
    for headers in ({}, {CSRF_HEADER: "guess"}, {CSRF_HEADER: ""}):  # a real session without its header
        assert _gql(fresh, ALIAS, CMS, headers).status_code == 403
        cases.add()
    assert catalog_digest(db) == before


def _unsigned(session: dict[str, object]) -> str:
    return base64.b64encode(json.dumps(session).encode()).decode()
