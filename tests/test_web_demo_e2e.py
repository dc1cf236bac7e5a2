"""End-to-end against the live app loaded with the demo HEP catalog (graphcat/demo/hep-catalog.yaml,
imported through the importer as `graphcat catalog import` does): Debian's Chromium driven by
Playwright types a search, uploads a CSV with the hls4ml jet dataset's real columns, and opens the
lineage explorer and a dataset version's page. Screenshots go to test-artifacts/.

The browser and page fixtures and the upload helper are test_web_e2e's; this module brings its
own `live_url` (the page fixture asks for it by name), with its own index folder, because start-up
encodes every model version of the catalog it finds.
"""

from __future__ import annotations

import dataclasses
import re
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Page, expect

from graphcat.api.app import create_app
from graphcat.catalog.commands import demo_catalog_path
from graphcat.catalog.files import read_document
from graphcat.catalog.importer import import_files
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from live_app import ServerThread
from test_web_e2e import START_TIMEOUT, _upload, browser, page  # noqa: F401  (fixtures used by name)

HLS4ML_MODEL = "hls4ml-jet-tagger"
FINE_TUNED = "model_version:particlenet-top@2.0.0"
PRETRAINED = "model_version:particlenet-jetclass@1.1.0"


def _demo() -> dict[str, Any]:
    doc, problems = read_document(demo_catalog_path())
    assert not problems, problems
    return doc


def _hls4ml_columns() -> list[str]:
    """The hls4ml tagger's input names as the demo catalog records them (the 16 jet features)."""
    model = next(m for m in _demo()["models"] if m["id"] == HLS4ML_MODEL)
    names = [f["name"] for f in model["versions"][0]["inputs"]]
    assert len(names) == 16 and "j_zlogz" in names, names
    return names


@pytest.fixture(scope="module")
def live_url(session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web-demo-e2e")
    settings = dataclasses.replace(session_db.settings, index_dir=str(folder / "index"),
                                   artifact_root=str(folder / "artifacts"))
    clear_catalog(session_db)
    report = import_files(session_db, [demo_catalog_path()])
    assert report.created.get("model_version", 0) > 20, report.created
    with ServerThread(create_app(settings), start_timeout=START_TIMEOUT) as server:
        started = time.monotonic()
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
            assert response.status == 200
        print(f"\ndemo app ready (health checked in {time.monotonic() - started:.1f}s)")
        yield server.url
    # The next module's app start would otherwise encode the whole demo catalog for its index.
    clear_catalog(session_db)


def test_demo_search_box_finds_particlenet_by_typing(page: Page) -> None:
    page.goto("/#/search")
    page.locator("#search-input").press_sequentially("ParticleNet", delay=30)
    expect(page.locator('a.result[data-uid="model:particlenet-top"]')).to_be_visible()
    expect(page.locator('.result-group[data-kind="model_version"] '
                        f'a.result[data-uid="{FINE_TUNED}"]')).to_be_visible()
    assert "q=ParticleNet" in page.url


def test_demo_hls4ml_columns_rank_an_hls4ml_version_first_with_a_mapping(page: Page, tmp_path: Path) -> None:
    columns = _hls4ml_columns()
    csv = tmp_path / "hls4ml-jets.csv"
    rows = [",".join(f"{0.1 * (i + 1) + r:.3f}" for i in range(len(columns))) for r in range(3)]
    csv.write_text(",".join(columns) + "\n" + "\n".join(rows) + "\n")
    _upload(page, csv)
    expect(page.locator(".columns-read")).to_have_attribute("data-columns", str(len(columns)))
    recs = page.locator("ol.recommendations > li.rec")
    expect(recs.first).to_be_visible()
    top = recs.first.get_attribute("data-uid") or ""
    assert top.startswith(f"model_version:{HLS4ML_MODEL}@"), top
    # The recommender packs numbered families into one row ("j_c1_b0_mmdt..j_c1_b2_mmdt", shape (3,)):
    # every row maps a column run onto the same-named inputs, and the runs cover all 16 columns.
    mapping = recs.first.locator("details.mapping tbody tr")
    expect(mapping.first).to_be_visible()
    covered: list[str] = []
    for row in mapping.all():
        user, model_input = row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text()
        assert user == model_input, (user, model_input)
        first, _, last = user.partition("..")
        covered += columns[columns.index(first):columns.index(last or first) + 1]
    assert sorted(covered) == sorted(columns), covered
    expect(recs.first).to_contain_text(re.compile(r"(\d+)/\1 model inputs satisfied, (\d+)/\2 of your columns used"))
    expect(recs.first.locator(".score")).to_have_text(re.compile(r"^[01]\.\d\d$"))


def test_demo_lineage_of_the_fine_tuned_particlenet_shows_its_pretrained_parent(page: Page) -> None:
    page.goto(f"/#/lineage/{FINE_TUNED}")
    expect(page.locator('#lineage-graph[data-ready="true"]')).to_be_visible()
    ids = set(page.evaluate("() => document.getElementById('lineage-graph').cy.nodes().map(n => n.id())"))
    assert {FINE_TUNED, PRETRAINED} <= ids, ids
    edges = set(page.evaluate("() => document.getElementById('lineage-graph').cy.edges().map(e => e.id())"))
    # Upstream: the fine-tuned version points at the version it was fine-tuned from.
    assert f"{FINE_TUNED}|FINE_TUNED_FROM|{PRETRAINED}" in edges, edges
    # The entity page's lineage card lists it under "Depends on".
    page.goto("/#/model-version/particlenet-top@2.0.0")
    card = page.locator(".lineage-card")
    expect(card.locator("ul.lineage-links").first).to_contain_text("fine tuned from")
    expect(card.locator(f'a[href="#/model-version/{PRETRAINED.split(":", 1)[1].replace("@", "%40")}"]')).to_be_visible()


def _transfer_rows(page: Page, dataset_version: str) -> list[tuple[str, str, str]]:
    """(model version uid, status, measured cell) per row of the dataset version page's ranking
    panel, after checking each row shows an estimate with its interval or why there is none."""
    page.goto(f"/#/dataset-version/{dataset_version}")
    panel = page.locator('section[data-section="transferability"]')
    expect(panel.locator("h2")).to_have_text("Models ranked by estimated performance")
    expect(panel).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(panel.locator(".notice-error")).to_have_count(0)
    rows = panel.locator("table.transfer tbody tr")
    expect(rows.first).to_be_visible()
    found = []
    for row in rows.all():
        status = row.get_attribute("data-status") or ""
        cells = row.locator("td")
        assert re.fullmatch(r"\d+ evaluations?", cells.nth(3).inner_text()), cells.nth(3).inner_text()
        assert status in {"measured", "estimated", "not_enough_evidence"}, status
        if cells.nth(2).locator(".estimate").count():
            assert status != "not_enough_evidence"
            assert re.fullmatch(r"[01]\.\d+ \([01]\.\d+ – [01]\.\d+\)", cells.nth(2).inner_text()), cells.nth(2).inner_text()
            assert cells.nth(3).inner_text() != "0 evaluations"  # an estimate rests on evidence
        else:  # no estimate: the reason is shown (a measured pair may have no other evaluation to estimate from)
            assert status != "estimated"
            expect(cells.nth(2).locator(".tag")).to_have_text("not enough evidence")
            expect(cells.nth(2).locator(".reason")).not_to_be_empty()
        if status == "measured":
            assert re.fullmatch(r"[01]\.\d+", cells.nth(1).inner_text()), cells.nth(1).inner_text()
        found.append((row.get_attribute("data-uid") or "", status, cells.nth(1).inner_text()))
    panel.scroll_into_view_if_needed()  # the screenshot in test-artifacts/ shows the panel
    print(f"\n{dataset_version}: {found}")
    return found


def test_demo_dataset_version_page_shows_measured_values_and_why_there_is_no_estimate(page: Page) -> None:
    rows = _transfer_rows(page, "top-tagging-reference@1.0")
    # The demo records ParticleNet-f.t.'s AUC on this dataset version: the panel shows it, as the page rounds it.
    model = next(m for m in _demo()["models"] if m["id"] == "particlenet-top")
    auc = next(e["value"] for v in model["versions"] if v["version"] == "2.0.0" for e in v["evaluations"]
               if e["dataset"] == "top-tagging-reference@1.0" and e["metric"] == "auc")
    assert (FINE_TUNED, f"{auc:.4g}") in {(uid, measured) for uid, _, measured in rows}, rows
    assert any(status == "not_enough_evidence" for _, status, _ in rows), rows


def test_demo_dataset_version_page_shows_an_estimate_with_its_interval(page: Page) -> None:
    # A simulation no model version was evaluated on: the ranking is estimated from evaluations elsewhere.
    rows = _transfer_rows(page, "cms-ttbar-qcd-simulation@2016")
    assert any(status == "estimated" for _, status, _ in rows), rows
    assert page.locator('section[data-section="transferability"] .estimate').count() >= 1
