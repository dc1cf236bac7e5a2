"""End-to-end: signing in on the page (issue 16) in Debian's Chromium (Playwright), through the real
Keycloak's login form, against the live app on the real Neo4j: "Sign in" goes to Keycloak
(authorization code + PKCE), alice's password brings the page back signed in as alice (writer@cms),
the page's GraphQL requests act as her (viewer.can through the session cookie and its CSRF header),
and "Sign out" ends the session here and at Keycloak (signing in again asks for the password).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from graphcat import keycloak_launcher
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.settings import Settings
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from live_app import ServerThread
from tests.conftest import ROOT
from tests.oidc_support import keycloak_server  # noqa: F401  (fixture)
from tests.test_web_e2e import START_TIMEOUT, browser  # noqa: F401  (the shared Chromium fixture, used by name)
from tests.web_catalog import small_catalog

ARTIFACTS = ROOT / "test-artifacts"
WAIT = 60_000  # ms: Keycloak's pages and the page's GraphQL answers on a shared, loaded 2-core machine
CAN = """async ([action, ns]) => (await import('/static/js/session.js')).allowed(action, ns)"""


@pytest.fixture(scope="module")
def live(session_db: Database, keycloak_server: Settings,  # noqa: F811
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web-signin")
    settings = dataclasses.replace(session_db.settings, index_dir=str(folder / "index"),
                                   oidc_issuer=keycloak_launcher.issuer(keycloak_server),
                                   oidc_web_client_id="graphcat", session_secret="e2e-session-secret-" + "s" * 32)
    clear_catalog(session_db)
    import_documents(session_db, [("small", small_catalog())])
    with ServerThread(create_app(settings), start_timeout=START_TIMEOUT) as server:
        yield server.url
    clear_catalog(session_db)


@pytest.fixture()
def page(browser: Browser, live: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


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
