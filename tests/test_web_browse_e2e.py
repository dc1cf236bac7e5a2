"""Browsing the demo catalog without typing, in Debian's Chromium driven by Playwright: the home
page (counts, task tree, experiments and detectors, the versions in use grouped by alias, recent
versions), the model list's facets (counts narrowed by the other filters; the URL keeps them; back
restores them), a model's versions and the diff of two,
the way on to lineage, keyboard use and the layout at 1,280 px and at a phone width.

Every expectation is worked out from graphcat/demo/hep-catalog.yaml. Screenshots: the page
fixture writes test-artifacts/<test>.png (git-ignored); the width tests add
test-artifacts/browse-<view>-<width>.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from test_web_demo_e2e import _demo, live_url  # noqa: F401  (fixture used by name)
from test_web_e2e import ARTIFACTS, browser, page  # noqa: F401  (fixtures used by name)

MODEL = "particlenet-top"


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return _demo()


def task_subtree(demo: dict[str, Any], root: str) -> set[str]:
    found, todo = set(), [root]
    while todo:
        current = todo.pop()
        found.add(current)
        todo += [t["id"] for t in demo["tasks"] if t.get("parent") == current]
    return found


def models_for(demo: dict[str, Any], *, task: str | None = None, framework: str | None = None,
               data_type: str | None = None) -> list[str]:
    types = {f"{d['id']}@{v['version']}": v.get("data_type") for d in demo["datasets"] for v in d["versions"]}
    tree = task_subtree(demo, task) if task else None
    return sorted(m["id"] for m in demo["models"]
                  if (tree is None or set(m.get("tasks") or []) & tree)
                  and (framework is None or any(v.get("framework") == framework for v in m["versions"]))
                  and (data_type is None or any(types.get(t) == data_type for v in m["versions"] for t in v.get("trained_on") or [])))


def listed(page: Page, total: int) -> list[str]:
    expect(page.locator('.models-page[data-ready="true"]')).to_be_visible(timeout=30_000)
    expect(page.locator(".result-count")).to_have_text(f"{total} model{'' if total == 1 else 's'}")
    while page.locator(".more button").count():  # every page of the list
        before = page.locator("li.model-item").count()
        page.locator(".more button").click()
        expect(page.locator("li.model-item")).not_to_have_count(before)
    return sorted(uid.split(":", 1)[1] for uid in page.locator("li.model-item").evaluate_all("els => els.map(e => e.dataset.uid)"))


def test_home_shows_what_the_catalog_holds_each_a_link(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    # The first page of the module waits for the server's first GraphQL answers (cold under CI load).
    expect(page.locator('.home-body[data-ready="true"]')).to_be_visible(timeout=30_000)
    for kind, section in (("model", "models"), ("dataset", "datasets"), ("experiment", "experiments"),
                          ("detector", "detectors"), ("task", "tasks")):
        expect(page.locator(f'.kind-count[data-kind="{kind}"] .count-value')).to_have_text(str(len(demo[section])))
    versions = sum(len(m["versions"]) for m in demo["models"])
    expect(page.locator('.kind-count[data-kind="model_version"] .count-value')).to_have_text(str(versions))
    # The task tree: every task once, a subtask inside its parent's list, each linking to the filtered list.
    tree = page.locator('[data-section="tasks"]')
    for task in demo["tasks"]:
        link = tree.locator(f'a[data-task="task:{task["id"]}"]')
        expect(link).to_have_attribute("href", f"#/models?task={task['id']}")
        if task.get("parent"):
            expect(tree.locator(f'li:has(> a[data-task="task:{task["parent"]}"]) a[data-task="task:{task["id"]}"]')).to_have_count(1)
    # Experiments with their detectors.
    for detector in demo["detectors"]:
        expect(page.locator(f'[data-experiment="experiment:{detector["experiment"]}"] '
                            f'a[href="#/detector/{detector["id"]}"]')).to_be_visible()
    # The versions in use: one group per alias (production, staging...), each heading a link to its models.
    aliases = sorted({a for m in demo["models"] for v in m["versions"] for a in v.get("aliases") or []})
    assert len(aliases) > 1
    groups = page.locator('[data-section="in-use"] .alias-group')
    assert sorted(groups.evaluate_all("els => els.map(e => e.dataset.alias)")) == aliases
    for alias in aliases:
        carrying = sorted(f"model_version:{m['id']}@{v['version']}" for m in demo["models"] for v in m["versions"]
                          if alias in (v.get("aliases") or []))
        group = page.locator(f'[data-section="in-use"] [data-alias="{alias}"]')
        assert sorted(group.locator("li").evaluate_all("els => els.map(e => e.dataset.uid)")) == carrying, alias
        expect(group.locator("h3 a")).to_have_attribute("href", f"#/models?alias={alias}")
    production = sorted(f"model_version:{m['id']}@{v['version']}" for m in demo["models"] for v in m["versions"]
                        if "production" in (v.get("aliases") or []))
    dated = [f"model_version:{m['id']}@{v['version']}" for m in demo["models"] for v in m["versions"] if v.get("created_at")]
    recent = page.locator('[data-section="recent"] li').evaluate_all("els => els.map(e => e.dataset.uid)")
    assert recent and set(recent) <= set(dated), recent
    # Follow one: the production version's page, then its model's page.
    first = production[0].split(":", 1)[1]
    page.locator(f'[data-alias="production"] li[data-uid="{production[0]}"] a[href^="#/model-version/"]').click()
    expect(page.locator("article.entity")).to_have_attribute("data-uid", production[0])
    page.locator('section[data-section="overview"] a[href^="#/model/"]').click()
    expect(page.locator("article.model-page")).to_have_attribute("data-uid", f"model:{first.split('@')[0]}")
    # The production heading lists the models with a production version.
    page.goto("/")
    page.locator('[data-alias="production"] h3 a').click()
    assert listed(page, len({p.split(":", 1)[1].split("@")[0] for p in production})) == sorted(
        {p.split(":", 1)[1].split("@")[0] for p in production})
    expect(page.locator('fieldset[data-facet="alias"] input[value="production"]')).to_be_checked()
    # The search box is still there and opens the search page.
    page.goto("/")
    page.fill("#home-search", "ParticleNet")
    page.press("#home-search", "Enter")
    expect(page.locator('a.result[data-uid="model:particlenet-top"]')).to_be_visible()


def test_facets_narrow_the_list_the_url_keeps_them_and_back_restores(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/#/models")
    assert listed(page, len(demo["models"])) == sorted(m["id"] for m in demo["models"])
    page.locator('fieldset[data-facet="task"] label', has_text="jet tagging").first.click()
    expect(page).to_have_url(re.compile(r"#/models\?task=jet-tagging$"))
    want = models_for(demo, task="jet-tagging")
    assert 0 < len(want) < len(demo["models"])
    assert listed(page, len(want)) == want
    # The counts beside the other facets are narrowed to jet tagging (as on the Hugging Face Hub).
    narrowed = len(models_for(demo, task="jet-tagging", framework="pytorch"))
    assert narrowed < len(models_for(demo, framework="pytorch"))
    expect(page.locator('fieldset[data-facet="framework"] label:has(input[value="pytorch"]) .count')).to_have_text(str(narrowed))
    page.locator('fieldset[data-facet="framework"] label', has_text="pytorch").click()
    both = models_for(demo, task="jet-tagging", framework="pytorch")
    assert 0 < len(both) < len(want)
    assert listed(page, len(both)) == both
    assert "task=jet-tagging" in page.url and "framework=pytorch" in page.url
    shared = page.url
    page.go_back()  # one filter undone
    assert listed(page, len(want)) == want
    expect(page.locator('fieldset[data-facet="framework"] input[value=""]')).to_be_checked()
    expect(page.locator('fieldset[data-facet="task"] input[value="jet-tagging"]')).to_be_checked()
    page.goto(shared)  # a shared link opens with both filters
    assert listed(page, len(both)) == both
    expect(page.locator('fieldset[data-facet="framework"] input[value="pytorch"]')).to_be_checked()
    # Training data type, and the chip that removes a filter.
    page.goto("/#/models?dataType=data")
    real = models_for(demo, data_type="data")
    assert real and listed(page, len(real)) == real
    page.locator(".active-filters a.chip").click()
    assert listed(page, len(demo["models"]))
    # The demo YAML records no benchmark: a latency budget lists nothing, and says so.
    page.locator('fieldset[data-facet="maxP99Ms"] label', has_text="≤ 10 ms").click()
    assert listed(page, 0) == []
    expect(page.locator(".model-list .empty")).to_have_text("No model matches these filters.")
    # On to a model.
    page.goto("/#/models?task=top-tagging")
    page.locator(f'li.model-item[data-uid="model:{MODEL}"] a').click()
    expect(page.locator("article.model-page")).to_have_attribute("data-uid", f"model:{MODEL}")


@pytest.mark.parametrize("query,named", [("dataType=montecarlo", "data_type must be data or simulation"),
                                         ("task=no-such-task", "no-such-task")])
def test_a_bad_facet_value_in_the_url_says_what_is_wrong(page: Page, query: str, named: str) -> None:
    page.goto(f"/#/models?{query}")
    expect(page.locator(".model-list .notice-error")).to_contain_text(named)


def test_model_page_lists_every_version_and_compares_two(page: Page, demo: dict[str, Any]) -> None:
    model = next(m for m in demo["models"] if m["id"] == MODEL)
    page.goto(f"/#/model/{MODEL}")
    rows = page.locator("table.versions tbody tr")
    newest_first = sorted((v["version"] for v in model["versions"]), key=lambda s: tuple(map(int, s.split("."))), reverse=True)
    expect(rows).to_have_count(len(newest_first), timeout=30_000)  # drawn after the model's GraphQL answer
    assert rows.evaluate_all("els => els.map(e => e.dataset.version)") == newest_first
    for v in model["versions"]:
        row = page.locator(f'table.versions tr[data-version="{v["version"]}"]')
        for alias in v.get("aliases") or []:
            expect(row.locator(".alias")).to_contain_text([alias])
        for e in v.get("evaluations") or []:
            expect(row.locator("td.metrics")).to_contain_text(e["metric"])
    # Compare the oldest with the newest: the URL keeps the pair.
    a, b = (next(v for v in model["versions"] if v["version"] == s) for s in (newest_first[-1], newest_first[0]))
    page.select_option("#compare-a", a["version"])
    page.select_option("#compare-b", b["version"])
    page.get_by_role("button", name="Compare").click()
    diff = page.locator(f'section[data-section="compare"][data-a="{a["version"]}"][data-b="{b["version"]}"]')
    expect(diff).to_be_visible()
    assert f"a={a['version']}&b={b['version']}" in page.url

    def hyper(v: dict[str, Any]) -> dict[str, str]:
        hp = v.get("hyperparameters") or {}
        named = {"learning rate": hp.get("learning_rate"), "batch size": hp.get("batch_size"), "epochs": hp.get("epochs"),
                 "optimizer": hp.get("optimizer"), **(hp.get("extra") or {})}
        return {k: str(x) for k, x in named.items() if x is not None}

    ha, hb = hyper(a), hyper(b)
    changes = dict(diff.locator('[data-diff="hyperparameters"] tbody tr').evaluate_all(
        "els => els.map(e => [e.dataset.key, e.dataset.change])"))
    assert changes == {k: "same" if ha.get(k) == hb.get(k) else "removed" if k not in hb else "added" if k not in ha else "changed"
                       for k in ha.keys() | hb.keys()}
    assert any(c != "same" for c in changes.values())
    metrics = {(e["metric"], e["dataset"]): e["value"] for e in a.get("evaluations") or []}
    for e in b.get("evaluations") or []:
        row = diff.locator(f'[data-diff="metrics"] tr[data-key="{e["metric"]} on {e["dataset"]}"]')
        before = metrics.get((e["metric"], e["dataset"]))
        expect(row).to_have_attribute("data-change", "added" if before is None else "same" if before == e["value"] else "changed")
    data = diff.locator('[data-diff="training-data"] tbody tr').evaluate_all("els => els.map(e => e.dataset.key)")
    assert sorted(data) == sorted({f"dataset_version:{t}" for v in (a, b) for t in v.get("trained_on") or []})
    # The metrics plot: a bar per evaluation of the model, bars of one metric in proportion to the values.
    evals = [(v["version"], e) for v in model["versions"] for e in v.get("evaluations") or []]
    bars = page.locator('section[data-section="metrics-plot"] rect.bar')
    expect(bars).to_have_count(len(evals))
    auc = page.locator('figure[data-metric="auc"] rect.bar').evaluate_all(
        "els => els.map(e => [Number(e.dataset.value), e.getBBox().width])")
    assert len(auc) == sum(e["metric"] == "auc" for _, e in evals) >= 2
    assert all(abs(w / v - auc[0][1] / auc[0][0]) < 0.01 * auc[0][1] / auc[0][0] for v, w in auc), auc
    # Back goes to the previous pair; the page then shows a deprecation where the YAML has one.
    page.go_back()
    expect(page.locator('section[data-section="compare"]')).not_to_have_attribute("data-a", a["version"])
    deprecated = next((m["id"], v) for m in demo["models"] for v in m["versions"] if v.get("deprecated"))
    page.goto(f"/#/model/{deprecated[0]}")
    expect(page.locator(f'table.versions tr[data-version="{deprecated[1]["version"]}"]')).to_contain_text("deprecated")


def test_from_a_version_row_to_its_lineage(page: Page) -> None:
    page.goto(f"/#/model/{MODEL}")
    page.get_by_role("link", name="Lineage of 2.0.0").click()
    expect(page.locator('#lineage-graph[data-ready="true"]')).to_be_visible(timeout=30_000)
    edges = set(page.evaluate("() => document.getElementById('lineage-graph').cy.edges().map(e => e.id())"))
    assert f"model_version:{MODEL}@2.0.0|FINE_TUNED_FROM|model_version:particlenet-jetclass@1.1.0" in edges, edges


def test_keyboard_skip_link_labels_and_facets_without_a_mouse(page: Page) -> None:
    page.goto("/#/models")
    expect(page.locator('.models-page[data-ready="true"]')).to_be_visible(timeout=30_000)
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#view")).to_be_focused()
    # Every form control has a name a screen reader reads.
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input, select, button')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map(e => e.outerHTML)""")
    assert unnamed == []
    # Arrow keys move through a facet's radios: the list follows and the focus stays on the facet.
    page.locator('fieldset[data-facet="dataType"] input[value=""]').focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator(".active-filters")).to_contain_text("Training data: simulation")
    expect(page.locator('fieldset[data-facet="dataType"] input[value="simulation"]')).to_be_focused()
    assert "dataType=simulation" in page.url


@pytest.mark.parametrize("width", [1280, 390])
def test_layout_fits_a_laptop_and_a_phone(browser: Browser, live_url: str, width: int) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    ARTIFACTS.mkdir(exist_ok=True)
    for name, url, ready in (("home", "/", '.home-body[data-ready="true"]'),
                             ("models", "/#/models?task=jet-tagging", '.models-page[data-ready="true"]'),
                             ("model", f"/#/model/{MODEL}?a=1.0.0&b=2.0.0", 'section[data-section="compare"]')):
        pg.goto(url)
        expect(pg.locator(ready)).to_be_visible()
        assert pg.evaluate("document.documentElement.scrollWidth") <= width, f"{name} is wider than {width} px"
        pg.screenshot(path=str(ARTIFACTS / f"browse-{name}-{width}.png"), full_page=True)
        if name == "models":  # facets beside the list on a laptop, above it on a phone
            facets = pg.locator(".model-facets").bounding_box()
            results = pg.locator(".model-results").bounding_box()
            assert facets and results
            beside = facets["x"] + facets["width"] <= results["x"]
            assert beside == (width >= 1000), (facets, results)
    context.close()
    assert not errors, errors
