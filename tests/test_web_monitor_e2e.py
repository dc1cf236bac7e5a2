"""End-to-end in Debian's Chromium (Playwright) against the live app on the real Neo4j: the "Quality
over time" plot of a model version page (one plot per dataset and metric, the points oldest first,
the configured band shaded, the newest value outside it marked and the state shown) and the
leaderboard of a dataset version page (a bar per model version, the latency filter)."""

from __future__ import annotations

import dataclasses
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from graphcat.api.app import create_app
from graphcat.deploy.latency import Hardware, LatencyResult
from graphcat.monitoring import service
from graphcat.service import catalog
from graphcat.store import deploy as deploy_store
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from live_app import ServerThread
from tests.test_monitoring import catalog_doc
from tests.test_web_e2e import START_TIMEOUT, browser, checked_page  # noqa: F401  (the shared Chromium fixture, used by name)

WAIT = 60_000  # ms: the page's GraphQL answers on a shared, loaded 2-core machine


@pytest.fixture(scope="module")
def live(session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web-monitor")
    settings = dataclasses.replace(session_db.settings, index_dir=str(folder / "index"))
    clear_catalog(session_db)
    catalog.register(session_db, catalog_doc())
    service.set_threshold(session_db, alias="tagger@production", metric="auc", low=0.9, high=None)
    fast = LatencyResult(1, 4.0, 5.0, 4.0, 3.0, 50, 5, 1, "CPUExecutionProvider", "1.20", 1)
    session_db.write_transaction(lambda tx: deploy_store.record_benchmarks(
        tx, "model_version:tagger@0.9.0", Hardware("cpu-e2e", "cpu", "E2E CPU", 2, 4, 4, "x86_64"), [fast]))
    with ServerThread(create_app(settings), start_timeout=START_TIMEOUT) as server:
        yield server.url
    clear_catalog(session_db)


@pytest.fixture()
def page(browser: Browser, live: str, request: pytest.FixtureRequest) -> Iterator[Page]:  # noqa: F811
    with checked_page(browser, live, request.node.name, full_page=True) as pg:
        yield pg


def test_model_version_page_plots_the_history_with_its_band_and_state(page: Page) -> None:
    page.goto("/#/model-version/tagger@1.0.0")
    card = page.locator('[data-section="quality over time"][data-ready="true"]')
    expect(card).to_be_visible(timeout=WAIT)
    figures = card.locator("figure.history-plot")
    expect(figures).to_have_count(3)
    run3 = card.locator('figure[data-dataset="dataset:run3-jets"][data-metric="auc"]')
    expect(run3).to_have_attribute("data-state", "alert")
    expect(run3.locator(".state")).to_have_text("alert")
    points = run3.locator("circle.point")
    expect(points).to_have_count(3)
    assert [points.nth(i).get_attribute("data-key") for i in range(3)] == [
        "dataset_version:run3-jets@2022", "dataset_version:run3-jets@2023", "dataset_version:run3-jets@2024"]
    assert [float(points.nth(i).get_attribute("data-value") or "nan") for i in range(3)] == pytest.approx([0.93, 0.92, 0.86])
    expect(run3.locator("circle.point.outside")).to_have_count(1)  # only the newest, 0.86 < 0.9
    expect(run3.locator("circle.point.outside")).to_have_attribute("data-key", "dataset_version:run3-jets@2024")
    expect(run3.locator("rect.band")).to_have_attribute("data-low", "0.9")
    expect(run3.locator(".point-label")).to_have_text(["2022", "2023", "2024"])
    expect(run3.locator(".reason")).to_contain_text("below the expected band")
    # No band for accuracy: unknown, nothing shaded.
    acc = card.locator('figure[data-dataset="dataset:run3-jets"][data-metric="accuracy"]')
    expect(acc).to_have_attribute("data-state", "unknown")
    expect(acc.locator("rect.band")).to_have_count(0)
    expect(card.locator('figure[data-dataset="dataset:mc-jets"]')).to_have_attribute("data-state", "ok")


def test_dataset_version_page_ranks_the_models_and_filters_by_latency(page: Page) -> None:
    page.goto("/#/dataset-version/run3-jets@2024")
    card = page.locator('[data-section="leaderboard"][data-ready="true"]')
    expect(card).to_be_visible(timeout=WAIT)
    # In the Details tab panel, beside the transferability ranking, not inside the tab button.
    expect(page.locator('[role="tabpanel"][data-tab="details"] > [data-section="leaderboard"]')).to_have_count(1)
    expect(page.locator('[role="tabpanel"][data-tab="details"] > [data-section="transferability"]')).to_have_count(1)
    expect(page.locator('[role="tab"] [data-section]')).to_have_count(0)
    rows = card.locator("tbody tr")
    expect(rows).to_have_count(2)
    assert [rows.nth(i).get_attribute("data-uid") for i in range(2)] == [
        "model_version:tagger@1.0.0", "model_version:tagger@0.9.0"]  # 0.86 above 0.50
    expect(rows.first).to_have_attribute("data-kind", "reported")
    expect(card.locator("figure.leaderboard-plot rect.bar")).to_have_count(2)
    card.locator('input[name="maxLatencyMs"]').fill("10")
    card.locator('button[type="submit"]').click()
    expect(rows).to_have_count(1, timeout=WAIT)
    expect(rows.first).to_have_attribute("data-uid", "model_version:tagger@0.9.0")
    expect(rows.first).to_contain_text("5.000 on cpu-e2e")
    card.locator('input[name="framework"]').fill("tensorflow")
    card.locator('button[type="submit"]').click()
    expect(card.locator(".leaderboard-body")).to_contain_text("No model version matches.", timeout=WAIT)
