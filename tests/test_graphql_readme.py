"""The README's GraphQL examples, exactly as written, against the demo catalog."""

from __future__ import annotations

import json
import re

from graphcat.catalog.commands import demo_catalog_path
from graphcat.catalog.importer import import_files
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.conftest import ROOT
from tests.graphql_helpers import client_for, gql, token


def readme_blocks() -> tuple[list[str], list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## GraphQL\n"):]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```graphql\n(.*?)```", section, re.S), re.findall(r"```json\n(.*?)```", section, re.S)


def test_readme_queries_work_on_the_demo_catalog(neo4j_server: Settings, db: Database) -> None:
    import_files(db, [demo_catalog_path()])
    (models_for_task, lineage, recommend, register, *_browse), (variables,) = readme_blocks()
    writer = token(db, "writer")
    for client in client_for(neo4j_server):
        r = gql(client, models_for_task)
        assert r.status_code == 200 and "errors" not in r.json(), r.text
        page = r.json()["data"]["modelVersions"]
        assert page["totalCount"] >= 3 and page["edges"]
        assert all(e["node"]["datasets"] for e in page["edges"])

        r = gql(client, lineage)
        assert "errors" not in r.json(), r.text
        graph = r.json()["data"]["lineage"]
        assert {"type": "FINE_TUNED_FROM", "from": "model_version:particlenet-top@2.0.0",
                "to": "model_version:particlenet-jetclass@1.1.0"} in graph["edges"]
        assert any(e["type"] == "TRAINED_ON" for e in graph["edges"])

        r = gql(client, recommend)
        assert "errors" not in r.json(), r.text
        found = r.json()["data"]["recommendModels"]
        assert any("event axis" in note and "100000" in note for note in found["notes"]), found["notes"]
        shapes = {c["name"]: (c["shape"], c["shapeGiven"]) for c in found["columns"]}
        assert shapes["showers"] == ([100000, 368], ["100000", "368"]), shapes  # as read (notes: the event axis), as given
        assert found["items"], found
        top = found["items"][0]["modelVersion"]["id"]
        assert "calo" in top, top  # a calorimeter-shower model reads (incident energy, 368 cells)

        assert gql(client, register, json.loads(variables)).status_code == 401  # no token
        r = gql(client, register, json.loads(variables), token=writer)
        assert r.status_code == 200, r.text
        created = r.json()["data"]["registerModelVersion"]
        assert created == {"__typename": "ModelVersion", "id": "model_version:particlenet-top@2.1.0",
                           "version": "2.1.0", "model": {"name": "ParticleNet top tagger"},
                           "datasets": [{"id": "dataset_version:top-tagging-reference@1.0"}]}


def test_readme_browse_queries_work_on_the_demo_catalog(neo4j_server: Settings, db: Database) -> None:
    """The browsing examples (every block after the registration mutation): each list answers with
    its page and total, catalogSummary agrees with the lists."""
    import_files(db, [demo_catalog_path()])
    browse = readme_blocks()[0][4:]
    fields = ("catalogSummary", "models", "datasets", "experiments", "detectors", "tasks", "owners", "publications",
              "hardware", "evaluations", "inUse", "production", "modelFacets")
    for client in client_for(neo4j_server):
        answers: dict[str, dict[str, object]] = {}
        for block in browse:
            r = gql(client, block)
            assert r.status_code == 200 and "errors" not in r.json(), r.text
            answers.update(r.json()["data"])
        assert sorted(answers) == sorted(fields), "one README example per list"
        kinds = {k["kind"]: k["count"] for k in answers["catalogSummary"]["kinds"]}  # type: ignore[index]
        for field in fields[1:-1]:
            page = answers[field]
            edges = page["edges"]  # type: ignore[index]
            assert page["totalCount"] >= len(edges), field  # type: ignore[index,operator]
            if field == "hardware":
                assert page["totalCount"] == kinds["hardware"] == 0 and edges == []  # the YAML has no benchmarks
            else:
                assert edges, field
        for field, kind in (("experiments", "experiment"), ("owners", "owner"), ("publications", "publication"),
                            ("detectors", "detector")):
            assert answers[field]["totalCount"] == kinds[kind], field  # type: ignore[index]
        models = answers["models"]["edges"]  # type: ignore[index]
        assert all(e["node"]["versions"] for e in models)
        assert any("production" in v["aliases"] for e in models for v in e["node"]["versions"])
        in_use = answers["inUse"]["edges"]  # type: ignore[index]
        assert all(any(v["aliases"] for v in e["node"]["versions"]) for e in in_use)
        assert 0 < answers["production"]["totalCount"] <= answers["inUse"]["totalCount"]  # type: ignore[index,operator]
        facets = {f["name"]: f["values"] for f in answers["modelFacets"]["facets"]}  # type: ignore[index]
        assert answers["modelFacets"]["totalCount"] > 0 and facets["experiment"] and len(facets["maxP99Ms"]) == 2  # type: ignore[index]
        evals = answers["evaluations"]["edges"]  # type: ignore[index]
        assert evals and all(e["node"]["metric"] == "auc" and e["node"]["id"].startswith("evaluation:particlenet-top@1.0.0/")
                             for e in evals)
        roots = answers["tasks"]["edges"]  # type: ignore[index]
        assert roots and any(e["node"]["subtasks"] for e in roots)
