"""End-to-end: signing in on the page (issue 16) in Debian's Chromium (Playwright), through the real
Keycloak's login form, against the live app on the real Neo4j: "Sign in" goes to Keycloak
(authorization code + PKCE), alice's password brings the page back signed in as alice (writer@cms),
the page's GraphQL requests act as her (viewer.can through the session cookie and its CSRF header),
and "Sign out" ends the session here and at Keycloak (signing in again asks for the password).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from typing import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from graphcat import keycloak_launcher
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.settings import Settings
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from live_app import ServerThread
from tests.oidc_support import keycloak_server  # noqa: F401  (fixture)
from tests.test_web_e2e import START_TIMEOUT, browser, checked_page  # noqa: F401  (the shared Chromium fixture, used by name)
from tests.web_catalog import small_catalog

WAIT = 60_000  # ms: Keycloak's pages and the page's GraphQL answers on a shared, loaded 2-core machine
CAN = """async ([action, ns]) => (await import('/static/js/session.js')).allowed(action, ns)"""


def _settings(db: Database, keycloak: Settings, folder: object, **overrides: object) -> Settings:
    return dataclasses.replace(db.settings, index_dir=str(folder), oidc_issuer=keycloak_launcher.issuer(keycloak),
                               oidc_web_client_id="graphcat", session_secret="e2e-session-secret-" + "s" * 32,
                               **overrides)


@pytest.fixture(scope="module")
def live(session_db: Database, keycloak_server: Settings,  # noqa: F811
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = _settings(session_db, keycloak_server, tmp_path_factory.mktemp("web-signin") / "index")
    clear_catalog(session_db)
    import_documents(session_db, [("small", small_catalog())])
    with ServerThread(create_app(settings), start_timeout=START_TIMEOUT) as server:
        yield server.url
    clear_catalog(session_db)


def _session_cookie(context: BrowserContext) -> tuple[int, dict[str, object]]:
    """(size in bytes, the signed session's content) of the browser's graphcat_session cookie."""
    (cookie,) = [c for c in context.cookies() if c["name"] == "graphcat_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    payload = cookie["value"].split(".")[0]
    return len(cookie["value"]), json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture()
def page(browser: Browser, live: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    with checked_page(browser, live, request.node.name) as pg:
        yield pg


def _keycloak_login(page: Page, user: str) -> None:
    expect(page.locator("#username")).to_be_visible(timeout=WAIT)  # Keycloak's own login form
    assert "/realms/graphcat/" in page.url
    assert "code_challenge_method=S256" in page.url
    page.fill("#username", user)
    page.fill("#password", f"{user}-password")
    page.click("#kc-login")


def test_sign_in_through_keycloak_and_out(page: Page, live: str) -> None:
    page.goto("/#/models")
    sign_in = page.locator("#sign-in")
    expect(sign_in).to_have_text("Sign in", timeout=WAIT)
    assert page.evaluate(CAN, ["setAlias", "cms"]) is False  # signed out: nothing to write
    sign_in.click()
    _keycloak_login(page, "alice")
    page.wait_for_url(re.compile(re.escape(live) + r"/#/models$"), timeout=WAIT)  # back where she was
    expect(page.locator("#signed-in-as")).to_have_text("signed in as alice (writer@cms)", timeout=WAIT)
    expect(page.locator("#sign-in")).to_have_count(0)
    size, content = _session_cookie(page.context)
    assert size < 4096 and content["signin"]["rt"]  # tokens kept, under browsers' 4 KB cookie limit
    # the page's GraphQL requests act as alice: her namespace role, not ATLAS's, not an admin's
    assert page.evaluate(CAN, ["setAlias", "cms"]) is True
    assert page.evaluate(CAN, ["setAlias", "atlas"]) is False
    assert page.evaluate(CAN, ["deprecate", None]) is False
    # a cross-site style request (the cookie without the CSRF header) is not alice
    anonymous = page.evaluate("""async () => (await (await fetch('/graphql', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({query: '{ viewer { authenticated } }'})})).json())""")
    assert anonymous["data"]["viewer"]["authenticated"] is False

    page.locator("#sign-out").click()
    expect(page.locator("#sign-in")).to_have_text("Sign in", timeout=WAIT)
    expect(page.locator("#signed-in-as")).to_have_count(0)
    assert page.evaluate("async () => (await (await fetch('/auth/session')).json()).signedIn") is False
    # Keycloak's session ended too: signing in again shows its login form, not an instant return
    page.locator("#sign-in").click()
    expect(page.locator("#username")).to_be_visible(timeout=WAIT)


def test_the_session_renews_its_access_token_with_the_refresh_token(
        browser: Browser, session_db: Database, keycloak_server: Settings,  # noqa: F811
        tmp_path_factory: pytest.TempPathFactory) -> None:
    # a margin longer than the realm's token lifespan: every use of the session renews it
    settings = _settings(session_db, keycloak_server, tmp_path_factory.mktemp("web-renew") / "index",
                         session_refresh_margin=10_000.0)
    with ServerThread(create_app(settings), start_timeout=START_TIMEOUT) as server:
        context = browser.new_context(base_url=server.url)
        try:
            page = context.new_page()
            page.goto("/auth/login")
            _keycloak_login(page, "bob")
            expect(page.locator("#signed-in-as")).to_have_text("signed in as bob (writer@atlas)", timeout=WAIT)
            before = _session_cookie(context)[1]["signin"]
            assert page.evaluate(CAN, ["setAlias", "atlas"]) is True  # a GraphQL request: renews first
            after = _session_cookie(context)[1]["signin"]
            assert after["at"] != before["at"] and after["csrf"] == before["csrf"]
            assert page.evaluate("async () => (await (await fetch('/auth/session')).json()).label") == "bob (writer@atlas)"
        finally:
            context.close()
