"""End-to-end "Try the top 5" (issue 17): Debian's Chromium (headless, Playwright) against the live
app on the real Neo4j with three registered ONNX models that read a jet file's columns. The test
makes a small Parquet file whose label follows the jet mass (with label noise), uploads it on the
models-for-my-data page, chooses the label column, clicks once, and checks the measured AUCs —
against scikit-learn on the same arrays — ranked by the measured value, with the estimate column."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sklearn.metrics import roc_auc_score

import evaluation_factory as factory
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.service import deploy
from graphcat.store import tokens
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from live_app import ServerThread
from tests.conftest import ROOT
from tests.test_web_e2e import CHROMIUM, CHROMIUM_ARGS, START_TIMEOUT

MODELS = ("mass-tagger", "raw-mass", "raw-pt")


@pytest.fixture(scope="module")
def live(session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("web-trytop")
    settings = dataclasses.replace(session_db.settings, index_dir=str(folder / "index"),
                                   artifact_root=str(folder / "artifacts"))
    clear_catalog(session_db)
    import_documents(session_db, [("tasks", {"graphcat_catalog": 1, "tasks": [{"id": "jet-tagging", "name": "Jet tagging"}]})])
    onnx = {"mass-tagger": factory.mass_tagger(folder / "mass.onnx"),
            "raw-mass": factory.identity_model(folder / "raw-mass.onnx", "jet_mass"),
            "raw-pt": factory.identity_model(folder / "raw-pt.onnx", "jet_pt")}
    for model_id, path in onnx.items():
        deploy.register_onnx(session_db, settings, path, model_id=model_id, version="1", task="jet-tagging")
    writer = tokens.create(session_db, "writer", "trytop-e2e")[1]
    with ServerThread(create_app(settings), start_timeout=START_TIMEOUT) as server:
        yield server.url, writer
    clear_catalog(session_db)


@pytest.fixture()
def page(live: tuple[str, str]) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run scripts/system-deps (apt-get install chromium)"
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live[0])
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        pg.screenshot(path=str(ROOT / "test-artifacts" / "try-top.png"), full_page=True)
        browser.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def test_try_the_top_models_on_an_uploaded_file(page: Page, live: tuple[str, str], tmp_path: Path) -> None:
    table = factory.jets(600, seed=31)
    flip = np.random.default_rng(32).random(600) < 0.15  # label noise: the AUC of the mass is below 1
    table["label"] = np.where(flip, 1 - table["label"], table["label"])
    path = factory.write(table, tmp_path / "my_jets.parquet")
    mass_auc = f"{roc_auc_score(table['label'], table['jet_mass']):.3f}"
    pt_auc = f"{roc_auc_score(table['label'], table['jet_pt']):.3f}"
    assert mass_auc != pt_auc

    page.goto("/#/for-my-data")
    page.set_input_files("#data-file", str(path))
    expect(page.locator("#try-top")).to_be_visible(timeout=120_000)
    assert set(page.locator("#label-column option").all_inner_texts()) == {"jet_mass", "jet_pt", "event_weight", "label"}
    page.select_option("#label-column", "label")
    page.fill("#api-token", live[1])
    page.click("#try-top")

    rows = page.locator("#try-results tbody tr")
    expect(rows).to_have_count(len(MODELS), timeout=60_000)
    expect(page.locator("#try-results .job-state.state-done")).to_have_count(len(MODELS), timeout=300_000)
    uids = [rows.nth(i).get_attribute("data-uid") for i in range(len(MODELS))]
    measured = page.locator("#try-results .num.measured").all_inner_texts()
    # Ranked by the measured AUC: the two models of the mass first (equal: both monotone in it), pt last.
    assert set(uids[:2]) == {"model_version:mass-tagger@1", "model_version:raw-mass@1"}
    assert uids[2] == "model_version:raw-pt@1"
    assert measured == [mass_auc, mass_auc, pt_auc]
    # The file is no catalogued dataset version: the estimate column says why there is none.
    expect(rows.nth(0).locator("td").nth(4)).not_to_have_text("—")


def test_about_this_file_goes_with_the_evaluation_and_is_recorded(page: Page, live: tuple[str, str],
                                                                   tmp_path: Path) -> None:
    """With "record" checked, the file becomes a dataset version with the conditions typed in the
    page's "About this file" form (FileAboutInput), read back over GraphQL."""
    path = factory.write(factory.jets(300, seed=41), tmp_path / "about_jets.parquet")
    page.goto("/#/for-my-data")
    page.set_input_files("#data-file", str(path))
    expect(page.locator("#try-top")).to_be_visible(timeout=120_000)
    page.select_option("#label-column", "label")
    page.fill("#api-token", live[1])
    page.click("details.about-file summary")
    page.select_option("#about-data-type", "simulation")
    page.fill("#about-sqrt-s", "13.6")
    page.fill("#about-generator", "Pythia 8.310")
    page.check("#try-record")
    page.click("#try-top")
    expect(page.locator("#try-results .job-state.state-done")).to_have_count(len(MODELS), timeout=300_000)
    query = ('{ datasetVersions(filter: {sqrtSTev: 13.6, dataType: "simulation"}) '
             '{ totalCount edges { node { dataType conditions { sqrtSTev generator } } } } }')
    found = page.evaluate("async (q) => (await (await fetch('/graphql', {method: 'POST', headers: "
                          "{'content-type': 'application/json'}, body: JSON.stringify({query: q})})).json())", query)
    versions = found["data"]["datasetVersions"]
    assert versions["totalCount"] == 1, found
    node = versions["edges"][0]["node"]
    assert node["dataType"] == "simulation" and node["conditions"] == {"sqrtSTev": 13.6, "generator": "Pythia 8.310"}
