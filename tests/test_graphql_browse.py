"""Browse the catalog over GraphQL, against the real Neo4j and the demo catalog: a connection for
every entity kind (totalCount, keyset cursors walked to the end, filters) and catalogSummary,
each compared with what the demo YAML itself says (counted here from the file, not hard-coded)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from graphcat import domain
from graphcat.catalog.files import read_document
from graphcat.catalog.importer import import_files
from graphcat.deploy.latency import Hardware
from graphcat.settings import Settings
from graphcat.store import deploy as deploy_store
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from tests.graphql_helpers import client_for, gql

DEMO = Path(__file__).resolve().parents[1] / "graphcat" / "demo" / "hep-catalog.yaml"
MACHINES = [Hardware(id=f"cpu-test-{n}c-x86_64", kind="cpu", cpu_model=f"Test CPU {n}", cores=n, logical_cpus=2 * n,
                     usable_cpus=n, arch="x86_64") for n in (2, 4, 8)]
# GraphQL list -> the demo YAML's section of that kind.
SECTIONS = {"experiments": "experiments", "detectors": "detectors", "tasks": "tasks", "owners": "owners",
            "publications": "publications", "models": "models", "datasets": "datasets"}


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    data, problems = read_document(DEMO)
    assert not problems
    return data  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def client(neo4j_server: Settings, session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The demo catalog, imported once for the module (every test here only reads), and three machines."""
    clear_catalog(session_db)
    import_files(session_db, [DEMO])
    for machine in MACHINES:
        session_db.write_transaction(lambda tx, m=machine: deploy_store.record_benchmarks(tx, "unused", m, []))
    yield from client_for(neo4j_server, index_dir=str(tmp_path_factory.mktemp("index")))


def evaluations(demo: dict[str, Any]) -> list[dict[str, Any]]:
    """Every evaluation of the YAML with the version and its uid, as the importer names it."""
    found = []
    for model in demo["models"]:
        for version in model["versions"]:
            mv = f"{model['id']}@{version['version']}"
            for e in version.get("evaluations") or []:
                found.append({**e, "model_version": mv, "uid": domain.uid("evaluation", f"{mv}/{e['dataset']}/{e['metric']}")})
    return found


def expected_ids(demo: dict[str, Any], field: str) -> list[str]:
    if field == "evaluations":
        return sorted(e["uid"] for e in evaluations(demo))
    if field == "hardware":
        return sorted(m.id for m in MACHINES)
    kind = field[:-1] if field.endswith("s") else field
    return sorted(domain.uid(kind, entry["id"]) for entry in demo[SECTIONS[field]])


def data(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def page(client: TestClient, field: str, *, first: int | None = None, after: str | None = None,
         filter: dict[str, Any] | None = None) -> dict[str, Any]:
    args, decls, variables = [], [], {}
    for name, value, kind in (("first", first, "Int"), ("after", after, "String"), ("filter", filter, None)):
        if value is not None:
            gql_type = kind or {"models": "ModelFilter", "datasets": "FamilyFilter", "tasks": "TaskFilter",
                                "evaluations": "EvaluationFilter"}[field]
            decls.append(f"${name}: {gql_type}")
            args.append(f"{name}: ${name}")
            variables[name] = value
    node = "id" if field != "hardware" else "id cores"
    query = (f"query{'(' + ', '.join(decls) + ')' if decls else ''} {{ {field}{'(' + ', '.join(args) + ')' if args else ''}"
             f" {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {node} }} }} }} }}")
    return data(gql(client, query, variables))[field]  # type: ignore[no-any-return]


def walk(client: TestClient, field: str, size: int, filter: dict[str, Any] | None = None) -> list[str]:
    """Every id of the list, `size` at a time, following endCursor; checks each page's shape."""
    ids: list[str] = []
    after = None
    for _ in range(1000):
        found = page(client, field, first=size, after=after, filter=filter)
        edges = found["edges"]
        assert len(edges) <= size
        ids += [e["node"]["id"] for e in edges]
        if edges:
            assert found["pageInfo"]["endCursor"] == edges[-1]["cursor"]
        if not found["pageInfo"]["hasNextPage"]:
            return ids
        assert len(edges) == size
        after = found["pageInfo"]["endCursor"]
    raise AssertionError(f"{field}: no last page after 1000 pages")


ALL_LISTS = [*SECTIONS, "evaluations", "hardware"]


@pytest.mark.parametrize("field", ALL_LISTS)
def test_total_count_is_what_the_yaml_holds(client: TestClient, demo: dict[str, Any], field: str) -> None:
    found = page(client, field)
    want = expected_ids(demo, field)
    assert want, f"the demo catalog should hold some {field}"
    assert found["totalCount"] == len(want)
    assert [e["node"]["id"] for e in found["edges"]] == want  # the default page holds the whole demo list, by id
    assert found["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("field", ALL_LISTS)
def test_cursors_walk_every_entity_once_in_id_order(client: TestClient, demo: dict[str, Any], field: str) -> None:
    want = expected_ids(demo, field)
    size = max(1, len(want) // 3)  # three or four pages, the last possibly short
    ids = walk(client, field, size)
    assert len(ids) == len(set(ids)), "a page repeated an entity"
    assert ids == want


def task_tree(demo: dict[str, Any], root: str) -> set[str]:
    children: dict[str | None, list[str]] = {}
    for t in demo["tasks"]:
        children.setdefault(t.get("parent"), []).append(t["id"])
    found, todo = set(), [root]
    while todo:
        current = todo.pop()
        found.add(current)
        todo += children.get(current, [])
    return found


def test_models_and_datasets_filter_by_task_with_subtasks_and_by_owner(client: TestClient, demo: dict[str, Any]) -> None:
    root = next(t["id"] for t in demo["tasks"] if t.get("parent") is None and len(task_tree(demo, t["id"])) > 1)
    tree = task_tree(demo, root)
    for field in ("models", "datasets"):
        want = sorted(domain.uid(field[:-1], e["id"]) for e in demo[field] if set(e.get("tasks") or []) & tree)
        assert 0 < len(want) < len(demo[field]), "the filter should narrow the list"
        found = page(client, field, filter={"task": root})
        assert found["totalCount"] == len(want)
        assert walk(client, field, 2, {"task": root}) == want
    owners = Counter(m["owner"] for m in demo["models"] if m.get("owner"))
    owner = owners.most_common(1)[0][0]
    want = sorted(domain.uid("model", m["id"]) for m in demo["models"] if m.get("owner") == owner)
    # an owner id and its global id mean the same
    for given in (owner, domain.uid("owner", owner)):
        assert [e["node"]["id"] for e in page(client, "models", filter={"owner": given})["edges"]] == want


def test_models_and_datasets_filter_by_experiment_and_framework(client: TestClient, demo: dict[str, Any]) -> None:
    detector_experiment = {d["id"]: d["experiment"] for d in demo["detectors"]}

    def experiments_of(version: dict[str, Any]) -> set[str]:
        return {detector_experiment[d] for d in (version.get("recorded_with") or []) + (version.get("simulated_with") or [])}

    by_version = {f"{d['id']}@{v['version']}": experiments_of(v) for d in demo["datasets"] for v in d["versions"]}
    narrowed = 0
    for experiment in (e["id"] for e in demo["experiments"]):
        want_datasets = sorted(domain.uid("dataset", d["id"]) for d in demo["datasets"]
                               if any(experiment in experiments_of(v) for v in d["versions"]))
        want_models = sorted(domain.uid("model", m["id"]) for m in demo["models"]
                             if any(experiment in by_version[t] for v in m["versions"] for t in v.get("trained_on") or []))
        for field, want in (("datasets", want_datasets), ("models", want_models)):
            found = page(client, field, filter={"experiment": experiment})
            assert found["totalCount"] == len(want), (field, experiment)
            assert [e["node"]["id"] for e in found["edges"]] == want, (field, experiment)
            narrowed += 0 < len(want) < len(demo[field])
    assert narrowed >= 2, "the experiment filter should narrow some lists"
    frameworks = Counter(v.get("framework") for m in demo["models"] for v in m["versions"] if v.get("framework"))
    assert len(frameworks) > 1
    for framework in frameworks:
        want = sorted(domain.uid("model", m["id"]) for m in demo["models"]
                      if any(v.get("framework") == framework for v in m["versions"]))
        found = page(client, "models", filter={"framework": framework, "task": None})
        assert found["totalCount"] == len(want) and [e["node"]["id"] for e in found["edges"]] == want, framework
    assert page(client, "models", filter={"framework": "no-such-framework"})["totalCount"] == 0


def test_tasks_roots_only_and_the_tree(client: TestClient, demo: dict[str, Any]) -> None:
    roots = sorted(domain.uid("task", t["id"]) for t in demo["tasks"] if t.get("parent") is None)
    assert 0 < len(roots) < len(demo["tasks"])
    found = page(client, "tasks", filter={"rootsOnly": True})
    assert found["totalCount"] == len(roots)
    assert [e["node"]["id"] for e in found["edges"]] == roots
    tree = data(gql(client, "{ tasks { edges { node { id parent { id } subtasks { id } } } } }"))["tasks"]["edges"]
    for edge in tree:
        ident = domain.split_uid(edge["node"]["id"])[1]
        entry = next(t for t in demo["tasks"] if t["id"] == ident)
        assert (edge["node"]["parent"] or {}).get("id") == (domain.uid("task", entry["parent"]) if entry.get("parent") else None)
        assert sorted(s["id"] for s in edge["node"]["subtasks"]) == sorted(
            domain.uid("task", t["id"]) for t in demo["tasks"] if t.get("parent") == ident)


def test_evaluations_filter_by_model_version_dataset_and_metric(client: TestClient, demo: dict[str, Any]) -> None:
    evals = evaluations(demo)
    mv = Counter(e["model_version"] for e in evals).most_common(1)[0][0]
    dsv = Counter(e["dataset"] for e in evals).most_common(1)[0][0]
    dataset = dsv.split("@")[0]
    metric = Counter(e["metric"] for e in evals).most_common(1)[0][0]
    cases = [
        ({"modelVersion": mv}, [e for e in evals if e["model_version"] == mv]),
        ({"modelVersion": domain.uid("model_version", mv)}, [e for e in evals if e["model_version"] == mv]),
        ({"datasetVersion": dsv}, [e for e in evals if e["dataset"] == dsv]),
        ({"dataset": dataset}, [e for e in evals if e["dataset"].split("@")[0] == dataset]),
        ({"metric": metric}, [e for e in evals if e["metric"] == metric]),
        ({"metric": metric, "dataset": dataset},
         [e for e in evals if e["metric"] == metric and e["dataset"].split("@")[0] == dataset]),
    ]
    for filter, want in cases:
        assert 0 < len(want) < len(evals), filter
        found = page(client, "evaluations", filter=filter)
        assert found["totalCount"] == len(want), filter
        assert walk(client, "evaluations", 2, filter) == sorted(e["uid"] for e in want), filter
    # a metric nothing was measured with: an empty list, not an error
    empty = page(client, "evaluations", filter={"metric": "no-such-metric"})
    assert empty == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}


def errors_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text  # a typed error in the body, never a 500
    errors = response.json().get("errors")
    assert errors, response.json()
    return errors  # type: ignore[no-any-return]


@pytest.mark.parametrize("field", ALL_LISTS)
def test_bad_cursors_and_page_sizes_are_typed_errors(client: TestClient, field: str, neo4j_server: Settings) -> None:
    query = f"query($first: Int, $after: String) {{ {field}(first: $first, after: $after) {{ totalCount edges {{ cursor }} }} }}"
    for after in ("not-a-cursor", "e30=", "WyJtdiIsICJtb2RlbCIsIGZhbHNlLCAiIiwgIiJd"):  # garbage, {}, a modelVersions cursor
        [error] = errors_of(gql(client, query, {"after": after, "first": 2}))
        assert error["extensions"]["code"] == "INVALID_INPUT" and error["extensions"]["field"] == "after", error
    other = "hardware" if field != "hardware" else "tasks"
    cursor = data(gql(client, f"{{ {other}(first: 1) {{ pageInfo {{ endCursor }} }} }}"))[other]["pageInfo"]["endCursor"]
    [error] = errors_of(gql(client, query, {"after": cursor}))
    assert error["extensions"]["field"] == "after" and "start again" in error["message"], error
    limit = neo4j_server.graphql_max_page_size
    for first in (-1, limit + 1, 2**31 - 1):
        [error] = errors_of(gql(client, query, {"first": first}))
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": "first"}, error
        assert str(limit) in error["message"]
    zero = data(gql(client, query, {"first": 0}))[field]
    assert zero["edges"] == [] and zero["totalCount"] > 0


def test_an_unknown_entity_in_a_filter_is_a_typed_error(client: TestClient) -> None:
    for field, filter in (("models", "{task: \"no-such-task\"}"), ("datasets", "{owner: \"nobody\"}"),
                          ("evaluations", "{modelVersion: \"nothing@0\"}")):
        [error] = errors_of(gql(client, f"{{ {field}(filter: {filter}) {{ totalCount }} }}"))
        assert error["extensions"]["code"] == "INVALID_INPUT" and error["extensions"]["field"].startswith("filters."), error


def test_catalog_summary_counts_what_the_yaml_holds(client: TestClient, demo: dict[str, Any]) -> None:
    summary = data(gql(client, """{ catalogSummary {
      kinds { kind count }
      tasks { task { id } parent models datasets modelsInTree modelVersionsInTree }
      experiments { experiment { id } detectors datasetVersions modelVersions }
      frameworks { framework modelVersions } } }"""))["catalogSummary"]
    kinds = {k["kind"]: k["count"] for k in summary["kinds"]}
    versions = [(m, v) for m in demo["models"] for v in m["versions"]]
    dataset_versions = [(d, v) for d in demo["datasets"] for v in d["versions"]]
    want = {kind: len(demo[section]) for kind, section in
            (("experiment", "experiments"), ("detector", "detectors"), ("task", "tasks"), ("owner", "owners"),
             ("publication", "publications"), ("model", "models"), ("dataset", "datasets"))}
    want |= {"model_version": len(versions), "dataset_version": len(dataset_versions),
             "evaluation": len(evaluations(demo)), "hardware": len(MACHINES)}
    assert {k: kinds[k] for k in want} == want
    assert kinds["feature"] > 0

    for row in summary["tasks"]:
        ident = domain.split_uid(row["task"]["id"])[1]
        tree = task_tree(demo, ident)
        in_tree = [m for m in demo["models"] if set(m.get("tasks") or []) & tree]
        entry = next(t for t in demo["tasks"] if t["id"] == ident)
        assert row["parent"] == (domain.uid("task", entry["parent"]) if entry.get("parent") else None)
        assert row["models"] == sum(ident in (m.get("tasks") or []) for m in demo["models"]), ident
        assert row["datasets"] == sum(ident in (d.get("tasks") or []) for d in demo["datasets"]), ident
        assert row["modelsInTree"] == len(in_tree), ident
        assert row["modelVersionsInTree"] == sum(len(m["versions"]) for m in in_tree), ident
    assert len(summary["tasks"]) == len(demo["tasks"])

    detector_experiment = {d["id"]: d["experiment"] for d in demo["detectors"]}
    for row in summary["experiments"]:
        ident = domain.split_uid(row["experiment"]["id"])[1]
        mine = {f"{d['id']}@{v['version']}" for d, v in dataset_versions
                if any(detector_experiment[x] == ident for x in (v.get("recorded_with") or []) + (v.get("simulated_with") or []))}
        assert row["detectors"] == sum(e == ident for e in detector_experiment.values()), ident
        assert row["datasetVersions"] == len(mine), ident
        assert row["modelVersions"] == sum(bool(set(v.get("trained_on") or []) & mine) for _, v in versions), ident
    assert sum(row["datasetVersions"] > 0 for row in summary["experiments"]) > 1

    frameworks = Counter(v.get("framework") for _, v in versions)
    assert {f["framework"]: f["modelVersions"] for f in summary["frameworks"]} == dict(frameworks)
    assert [f["modelVersions"] for f in summary["frameworks"]] == sorted(frameworks.values(), reverse=True)


def test_a_model_lists_its_versions_newest_first_with_aliases(client: TestClient, demo: dict[str, Any]) -> None:
    model = max(demo["models"], key=lambda m: len(m["versions"]))
    assert len(model["versions"]) > 2
    found = data(gql(client, "query($id: ID!) { node(id: $id) { ... on Model { versions { version aliases } } } }",
                     {"id": domain.uid("model", model["id"])}))["node"]["versions"]
    want = sorted(model["versions"], key=lambda v: domain.version_order_key(v["version"], v.get("created_at")), reverse=True)
    assert [v["version"] for v in found] == [v["version"] for v in want]
    assert [sorted(v["aliases"]) for v in found] == [sorted(v.get("aliases") or []) for v in want]
    numbers = [tuple(int(p) for p in v["version"].split(".")) for v in found if v["version"].replace(".", "").isdigit()]
    assert numbers == sorted(numbers, reverse=True)  # numeric parts compared as numbers, newest first


def operators(db: Database, name: str, **params: Any) -> list[str]:
    """The operators of a named query's plan on the real server (EXPLAIN: nothing runs)."""
    from graphcat.store import queries

    def walk(plan: Any) -> list[str]:
        return [plan["operatorType"].split("@")[0], *(op for child in plan.get("children", []) for op in walk(child))]

    with db.driver.session(database=db.database) as session:
        return walk(session.run("EXPLAIN " + queries.get(name), params).consume().plan)


def test_pages_walk_the_uid_index_and_kind_counts_come_from_the_count_store(session_db: Database) -> None:
    """A page costs O(page) (an index range in order, no sort of the kind) and the summary's kind
    counts read the count store, whatever the catalog size."""
    nulls = {k: None for k in ("task", "owner", "framework", "experiment", "roots_only", "model_version", "dataset_version", "dataset", "metric")}
    page_ops = operators(session_db, "browse/page", kind="model", after="model:", upper="model;", limit=5, **nulls)
    assert "NodeUniqueIndexSeekByRange" in page_ops and not any("Sort" in op for op in page_ops), page_ops
    hardware_ops = operators(session_db, "browse/hardware_page", after="", limit=5)
    assert "NodeUniqueIndexSeekByRange" in hardware_ops and not any("Sort" in op for op in hardware_ops), hardware_ops
    kind_ops = operators(session_db, "browse/summary_kinds")
    assert kind_ops.count("NodeCountFromCountStore") == 12, kind_ops
    assert not any("Scan" in op for op in kind_ops), kind_ops
