"""End-to-end: the History tab of an entity page (issue 16) in Debian's Chromium (Playwright) against
the live app on the real Neo4j: changes made through the API show up in the tab, newest first, with
who made them, the operation and the digests, a page at a time.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.store import tokens
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from live_app import ServerThread
from tests.test_web_e2e import START_TIMEOUT, browser, checked_page  # noqa: F401  (the shared Chromium fixture, used by name)
from tests.web_catalog import small_catalog

VERSION = "model_version:jetclassifier@1.0.0"
PAGE = 20  # graphcat/web/static/js/history.js HISTORY_PAGE
WAIT = 60_000  # ms: the page's GraphQL answers on a shared, loaded 2-core machine
ALIAS = 'mutation($v: ID!, $a: String!) { setAlias(modelVersion: $v, alias: $a) { __typename } }'


@pytest.fixture(scope="module")
def live(session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("web-history")
    settings = dataclasses.replace(session_db.settings, index_dir=str(folder / "index"))
    clear_catalog(session_db)
    import_documents(session_db, [("small", small_catalog())])
    _, secret = tokens.create(session_db, "writer", "history-e2e")
    with ServerThread(create_app(settings), start_timeout=START_TIMEOUT) as server:
        yield server.url, secret
    clear_catalog(session_db)


@pytest.fixture()
def page(browser: Browser, live: tuple[str, str], request: pytest.FixtureRequest) -> Iterator[Page]:
    with checked_page(browser, live[0], request.node.name) as pg:
        yield pg


def _set_aliases(url: str, secret: str, aliases: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {secret}"}) as client:
        for alias in aliases:
            answer = client.post("/graphql", json={"query": ALIAS, "variables": {"v": VERSION, "a": alias}}).json()
            assert answer == {"data": {"setAlias": {"__typename": "ModelVersion"}}}, answer


def _recorded(url: str) -> int:
    """How many changes of VERSION the audit trail holds (append-only: earlier runs' stay)."""
    query = "query($after: String) { history(id: \"%s\", first: 100, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }" % VERSION
    count, after = 0, None
    with httpx.Client(base_url=url, timeout=60) as client:
        while True:
            page = client.post("/graphql", json={"query": query, "variables": {"after": after}}).json()["data"]["history"]
            count += len(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return count
            after = page["pageInfo"]["endCursor"]


def test_history_tab_shows_a_change_made_through_the_api_and_pages_back(page: Page, live: tuple[str, str]) -> None:
    url, secret = live
    before = _recorded(url)  # at least the import's create
    assert before >= 1
    _set_aliases(url, secret, [f"s{uuid.uuid4().hex[:8]}"])
    page.goto("/#/model-version/jetclassifier@1.0.0")
    expect(page.locator('[role="tab"][data-tab="details"]')).to_have_attribute("aria-selected", "true", timeout=WAIT)
    expect(page.locator('[data-tab="history"][role="tabpanel"]')).to_be_hidden()
    page.locator('[role="tab"][data-tab="history"]').click()
    card = page.locator('[data-section="history"][data-ready="true"]')
    expect(card).to_be_visible(timeout=WAIT)
    expect(page.locator('[data-section="inputs"]')).to_be_hidden()
    rows = card.locator("tbody tr")
    expect(rows).to_have_count(min(before + 1, PAGE), timeout=WAIT)
    newest = rows.first  # newest first: the alias just set
    expect(newest).to_have_attribute("data-operation", "alias")
    expect(newest.locator("td.who")).to_contain_text("history-e2e (token ")  # the API token's name and id
    expect(newest.locator("code.hash")).to_have_count(2)  # before and after digests

    # More than a page: the older ones come on request.
    extra = max(0, PAGE + 1 - (before + 1))
    _set_aliases(url, secret, [f"a{uuid.uuid4().hex[:8]}" for _ in range(extra)])
    total = before + 1 + extra
    assert _recorded(url) == total
    page.reload()
    page.locator('[role="tab"][data-tab="history"]').click(timeout=WAIT)
    expect(rows).to_have_count(PAGE, timeout=WAIT)
    older = card.locator("button", has_text="Older changes")
    expect(older).to_be_visible()
    older.click()
    expect(rows).to_have_count(min(total, 2 * PAGE), timeout=WAIT)
    if total <= 2 * PAGE:
        expect(older).to_be_hidden()
        expect(rows.last).to_have_attribute("data-operation", "create")  # the import, oldest
        expect(rows.last.locator("code.hash")).to_have_count(1)  # created: no digest before
