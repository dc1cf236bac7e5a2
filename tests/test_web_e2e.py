"""End-to-end: Debian's Chromium (headless, driven by Playwright) against the live app on the real
Neo4j, loaded with a small catalog and a 520-model lineage. Screenshots go to test-artifacts/.

A missing Chromium fails these tests (scripts/system-deps installs it for `make test`).
"""

from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from tests.conftest import ROOT, free_port
from tests.web_catalog import small_catalog, wide_lineage

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDE = 520


@pytest.fixture(scope="module")
def live_url(session_db: Database) -> Iterator[str]:
    clear_catalog(session_db)
    import_documents(session_db, [("small", small_catalog()), ("wide", wide_lineage(WIDE))])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(session_db.settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run scripts/system-deps (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Browser, live_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_search_box_finds_a_known_model_grouped_by_kind(page: Page) -> None:
    page.goto("/#/search")
    page.fill("#search-input", "JetClassifier")
    hit = page.locator('a.result[data-uid="model:jetclassifier"]')
    expect(hit).to_be_visible()
    # Search is semantic too, so other jet classifiers may follow; the family's own versions are there.
    for version in ("1.0.0", "1.1.0"):
        expect(page.locator('.result-group[data-kind="model_version"] '
                            f'a.result[data-uid="model_version:jetclassifier@{version}"]')).to_be_visible()
    expect(page.locator('.facet[data-facet="framework"] .facet-value')).to_contain_text(["pytorch"])
    page.keyboard.press("ArrowDown")
    expect(page.locator("a.result.active")).to_have_attribute("data-uid", "model:jetclassifier")
    assert "q=JetClassifier" in page.url


def test_search_facet_filters_results(page: Page) -> None:
    page.goto("/#/search?q=tagg")
    expect(page.locator(".result-count")).not_to_be_empty()
    page.locator('.facet[data-facet="framework"] label', has_text="xgboost").click()
    expect(page.locator('.result-group[data-kind="model_version"] a.result')).to_have_count(1)
    expect(page.locator('.result-group[data-kind="model_version"] a.result')).to_have_attribute(
        "data-uid", "model_version:btagger-bdt@0.9.0")


def _select(page: Page, uid: str) -> None:
    page.evaluate("uid => document.getElementById('lineage-graph').cy.getElementById(uid).emit('tap')", uid)
    expect(page.locator(".graph-panel .mono")).to_have_text(uid)


def test_lineage_renders_the_neighbours_and_expands_one_step(page: Page) -> None:
    page.goto("/#/lineage/model_version:jetclassifier@1.1.0")
    canvas = page.locator('#lineage-graph[data-ready="true"]')
    expect(canvas).to_be_visible()
    ids = set(page.evaluate("() => document.getElementById('lineage-graph').cy.nodes().map(n => n.id())"))
    assert ids == {"model_version:jetclassifier@1.1.0", "model_version:jetclassifier@1.0.0",
                   "dataset_version:jetnet-cms@1.0"}
    expect(page.locator(".graph-status")).to_have_attribute("data-nodes", "3")
    _select(page, "dataset_version:jetnet-cms@1.0")
    page.click('button[data-expand="upstream"]')
    expect(page.locator(".graph-status")).to_have_attribute("data-nodes", "4")
    ids = set(page.evaluate("() => document.getElementById('lineage-graph').cy.nodes().map(n => n.id())"))
    assert "detector:cms-detector" in ids
    # Filtering a relationship type out hides its edges and the nodes only it connected.
    page.locator('input[data-rel="SIMULATED_WITH"]').uncheck()
    expect(page.locator(".graph-status")).to_have_attribute("data-nodes", "3")
    # Double-clicking... no: the panel's link opens the entity page.
    _select(page, "model_version:jetclassifier@1.0.0")
    page.click("#open-entity")
    expect(page.locator("article.entity h1")).to_contain_text("jetclassifier")
    expect(page.locator('section[data-section="evaluations"] td', has_text="auc")).to_be_visible()


def test_lineage_explorer_draws_more_than_500_nodes(page: Page) -> None:
    started = time.perf_counter()
    page.goto("/#/lineage/dataset_version:wide-source@1.0")
    expect(page.locator('#lineage-graph[data-ready="true"]')).to_be_visible(timeout=30_000)
    expect(page.locator(".graph-status")).to_have_attribute("data-nodes", str(WIDE + 1))
    drawn = page.evaluate("""() => {
        const cy = document.getElementById('lineage-graph').cy;
        const box = cy.extent();
        // every node was laid out at a finite position inside the fitted viewport
        return cy.nodes().filter(n => Number.isFinite(n.position('x')) && n.position('x') >= box.x1 - 1
                                      && n.position('x') <= box.x2 + 1).length;
    }""")
    assert drawn == WIDE + 1
    print(f"\n{WIDE + 1} nodes rendered in {time.perf_counter() - started:.2f}s (navigation to ready)")
    # Still interactive: a zoom and a selection answer.
    page.mouse.move(683, 400)
    page.mouse.wheel(0, -300)
    _select(page, "model_version:wide-model@1.0.7")


def test_deprecated_model_version_page_shows_the_banner(page: Page) -> None:
    page.goto("/#/model-version/btagger-bdt@0.9.0")
    expect(page.locator(".banner-deprecated")).to_contain_text("superseded by DL1r")
    expect(page.locator(".lineage-card")).to_contain_text("atlas-btag-open")
