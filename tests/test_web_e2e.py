"""End-to-end: Debian's Chromium (headless, driven by Playwright) against the live app on the real
Neo4j, loaded with a small catalog, a registered and benchmarked ONNX model and a 520-skim
lineage. Screenshots go to test-artifacts/.

A missing Chromium fails these tests (scripts/system-deps installs it for `make test`).

The live app is built once per module. Its start-up encodes every model version for the
recommender's index (graphcat.service.vector_index), so the catalog here keeps model versions
few and the index lives in the module's own folder (a shared folder would be rebuilt whenever
another test module changed the catalog); the server counts as up when uvicorn says it started
and /healthz answers, however long the encoding took.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

import onnx_factory
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.service import deploy
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from live_app import ServerThread
from tests.conftest import ROOT
from tests.web_catalog import small_catalog, wide_lineage

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDE = 520
# Named far from "jet" so that the search tests' semantic matches stay the two JetClassifier versions.
ONNX_VERSION = "model_version:calo-regressor@1.0.0"
START_TIMEOUT = 300  # seconds; start-up encodes the catalog's model versions on a shared CPU


@pytest.fixture(scope="module")
def live_url(session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web-e2e")
    settings = dataclasses.replace(session_db.settings, index_dir=str(folder / "index"),
                                   artifact_root=str(folder / "artifacts"), bench_runs=20, bench_warmup=2)
    clear_catalog(session_db)
    import_documents(session_db, [("small", small_catalog()), ("wide", wide_lineage(WIDE))])
    deploy.register_onnx(session_db, settings, onnx_factory.mlp_classifier(folder / "regressor.onnx"),
                         model_id="calo-regressor", version="1.0.0", name="Calorimeter energy regressor",
                         benchmark=True)
    with ServerThread(create_app(settings), start_timeout=START_TIMEOUT) as server:
        started = time.monotonic()
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
            assert response.status == 200
        print(f"\nlive app ready (health checked in {time.monotonic() - started:.1f}s)")
        yield server.url
    # Leave no 520-node catalog behind: the next module's app start would encode it all for its index.
    clear_catalog(session_db)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run scripts/system-deps (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def checked_page(browser: Browser, base_url: str, name: str, *, full_page: bool = False) -> Iterator[Page]:
    """A fresh browser context on `base_url`; afterwards a screenshot in test-artifacts/NAME.png and
    a failure if the page raised a JavaScript error. Every e2e file's `page` fixture is this."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base_url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture()
def page(browser: Browser, live_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    with checked_page(browser, live_url, request.node.name) as pg:
        yield pg


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
    # The arrow function must return nothing: `emit` returns the Cytoscape collection, and Playwright
    # serialises an evaluate's result by walking it, here through the whole cy instance, its
    # renderer and the DOM behind it. That walk took 70-90 s per call on a shared 2-core machine
    # (the "lineage test takes 122 s in the suite" report) and grows with the graph.
    page.evaluate("uid => { document.getElementById('lineage-graph').cy.getElementById(uid).emit('tap'); }", uid)
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
    _select(page, "dataset_version:wide-skim@1.0.7")


def test_deprecated_model_version_page_shows_the_banner(page: Page) -> None:
    page.goto("/#/model-version/btagger-bdt@0.9.0")
    expect(page.locator(".banner-deprecated")).to_contain_text("superseded by DL1r")
    expect(page.locator(".lineage-card")).to_contain_text("atlas-btag-open")


def test_model_version_page_shows_inputs_outputs_hyperparameters_reproducibility_and_artifact(page: Page) -> None:
    page.goto("/#/model-version/jetclassifier@1.0.0")
    inputs = page.locator('section[data-section="inputs"] table.data tbody tr')
    expect(inputs).to_have_count(4)
    expect(inputs.first.locator("td").nth(1)).to_have_text("jet_pt")
    expect(inputs.first).to_contain_text("GeV")
    expect(inputs.first).to_contain_text("scalar")
    outputs = page.locator('section[data-section="outputs"] table.data tbody tr')
    expect(outputs).to_have_count(1)
    expect(outputs.first).to_contain_text("[2]")
    hyper = page.locator('section[data-section="hyperparameters"]')
    expect(hyper).to_contain_text("256")
    expect(hyper).to_contain_text("dropout")  # an extra key, shown as recorded
    repro = page.locator('section[data-section="reproducibility"]')
    expect(repro.locator('a[href="https://example.org/jetclassifier"]')).to_be_visible()
    expect(repro).to_contain_text("9f2c1ab")
    artifact = page.locator('section[data-section="artifact"]')
    expect(artifact).to_contain_text("jetclassifier-1.0.0.onnx")
    expect(artifact).to_contain_text("5e5e5e")
    expect(page.locator('section[data-section="deployment"]')).to_contain_text("Not benchmarked.")


def test_model_version_page_shows_the_latency_table(page: Page) -> None:
    page.goto("/#/model-version/calo-regressor@1.0.0")
    latency = page.locator('section[data-section="deployment"] table.data tbody tr')
    expect(latency).to_have_count(2)  # batch 1 and batch 64
    batches = sorted(int(t) for t in latency.locator("td:first-child").all_inner_texts())
    assert batches == [1, 64]
    # The same p99 values as bars (plain SVG), each as long as its value relative to the largest.
    bars = page.locator('section[data-section="deployment"] .latency-plot rect.bar').evaluate_all(
        "els => els.map(e => [Number(e.dataset.value), e.getBBox().width])")
    assert len(bars) == 2 and all(v > 0 for v, _ in bars), bars
    top = max(v for v, _ in bars)
    assert all(abs(w - v / top * max(w for _, w in bars)) < 1.0 for v, w in bars), bars
    expect(page.locator('section[data-section="deployment"] [data-smoke="ok"]')).to_be_visible()
    # The inputs table comes from the ONNX file's own signature.
    expect(page.locator('section[data-section="inputs"] tbody tr').first.locator("td").nth(1)).to_have_text("features")
    expect(page.locator('section[data-section="artifact"]')).to_contain_text("KiB")


def test_dataset_version_page_shows_conditions_and_features(page: Page) -> None:
    page.goto("/#/dataset-version/jetnet-cms@1.0")
    conditions = page.locator('section[data-section="conditions"]')
    expect(conditions).to_contain_text("Pythia 8.2")
    expect(conditions).to_contain_text("pT > 200 GeV")
    expect(conditions.locator("dd").first).to_have_text("13")
    features = page.locator('section[data-section="features"] tbody tr')
    expect(features).to_have_count(4)
    expect(features.last.locator("td").nth(1)).to_have_text("jet_mass")
    expect(page.locator('section[data-section="overview"]')).to_contain_text("simulation")
    expect(page.locator('section[data-section="trained models"] a')).to_have_count(2)
    expect(page.locator('section[data-section="evaluations"] td', has_text="auc")).to_be_visible()
    # It links its Croissant JSON-LD, which the server answers at that URL.
    croissant = page.locator('section[data-section="overview"] a.croissant-link')
    expect(croissant).to_have_attribute("href", "/datasets/jetnet-cms/1.0/croissant.json")
    served = page.request.get(croissant.get_attribute("href") or "")
    assert served.ok and served.json()["name"] == "JetNet CMS jets"
    assert [f["name"] for f in served.json()["recordSet"][0]["field"]][-1] == "jet_mass"
    # Its detector's page links the experiment and the dataset versions recorded or simulated with it.
    page.locator('section[data-section="overview"] a', has_text="CMS detector").click()
    detector = page.locator('article.entity[data-kind="detector"] section[data-section="overview"]')
    expect(detector.locator('a[href="#/experiment/cms"]')).to_be_visible()
    expect(detector.locator('a[href="#/dataset-version/jetnet-cms%401.0"]')).to_be_visible()
    detector.locator('a[href="#/experiment/cms"]').click()
    expect(page.locator('article.entity[data-kind="experiment"] a[href="#/detector/cms-detector"]')).to_be_visible()


def _upload(page: Page, path: Path) -> None:
    page.goto("/#/for-my-data")
    page.set_input_files("#data-file", str(path))


def test_models_for_my_csv_file_are_ranked_with_a_mapping(page: Page, tmp_path: Path) -> None:
    csv = tmp_path / "my-jets.csv"
    csv.write_text("jet_pt,jet_eta,jet_phi,jet_mass,label\n350.2,0.4,1.2,80.1,1\n420.0,-1.1,2.9,172.5,0\n")
    _upload(page, csv)
    expect(page.locator(".columns-read")).to_have_attribute("data-columns", "5")
    recs = page.locator("ol.recommendations > li.rec")
    expect(recs.first).to_be_visible()
    # The jet-kinematics models rank above the ONNX regressor, whose one input (features[8]) no column feeds.
    assert recs.first.get_attribute("data-uid") in {"model_version:jetclassifier@1.0.0",
                                                   "model_version:jetclassifier@1.1.0",
                                                   "model_version:btagger-bdt@0.9.0"}
    mapping = recs.first.locator("details.mapping tbody tr")
    expect(mapping).to_have_count(4)
    expect(mapping.first.locator("td").nth(0)).to_have_text("jet_pt")
    expect(mapping.first.locator("td").nth(1)).to_have_text("jet_pt")
    expect(recs.first.locator(".score")).to_have_text(re.compile(r"^[01]\.\d\d$"))
    expect(recs.first).to_contain_text("label")  # the unused column is named


def test_models_for_my_parquet_file_are_ranked(page: Page, tmp_path: Path) -> None:
    path = tmp_path / "jets.parquet"
    pq.write_table(pa.table({"jet_pt": pa.array([300.0, 410.0], pa.float32()),
                             "jet_eta": pa.array([0.1, -0.5], pa.float32()),
                             "jet_phi": pa.array([1.0, 2.0], pa.float32()),
                             "jet_mass": pa.array([90.0, 170.0], pa.float32())}), path)
    _upload(page, path)
    expect(page.locator(".columns-read")).to_contain_text("from jets.parquet")
    recs = page.locator("ol.recommendations > li.rec")
    expect(recs.first.locator("details.mapping tbody tr").first.locator("td").first).to_have_text("jet_pt")
    uids = [recs.nth(i).get_attribute("data-uid") for i in range(recs.count())]
    assert ONNX_VERSION not in uids[:3], uids


def test_an_unreadable_file_shows_a_clear_error(page: Page, tmp_path: Path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"this is not parquet at all")
    _upload(page, broken)
    error = page.locator("#recommendations .notice-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("broken.parquet")
    expect(page.locator("ol.recommendations")).to_have_count(0)
