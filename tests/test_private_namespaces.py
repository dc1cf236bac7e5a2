"""Private namespaces (issue 16): with GRAPHCAT_PRIVATE_NAMESPACES=cms and reads behind a token, the
CMS model stays out of every read surface for bob (writer@atlas), shows for alice (writer@cms), and
an anonymous read is refused. Tokens come from the real Keycloak, the catalog lives in the real Neo4j,
recommendations and search use the real embedding model.

The catalog: cms-tagger@1 is trained on cms-jets@1 (CMS detector), so it is in namespace cms; it
was fine-tuned from the public hls4ml-fpga@1 and evaluated on the public atlas-jets@1 beside
atlas-tagger@1.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from graphcat import keycloak_launcher
from graphcat.errors import InvalidSetting
from graphcat.service import catalog
from graphcat.settings import Settings
from graphcat.store import namespaces as store_namespaces
from graphcat.store import visibility
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database
from tests.catalog_builders import feature
from tests.graphql_helpers import client_for
from tests.oidc_support import keycloak_server, password_token  # noqa: F401  (fixture)
from tests.reliability_support import post

CMS_MV = "model_version:cms-tagger@1"


def _catalog() -> dict[str, Any]:
    def dataset(exp: str) -> dict[str, Any]:
        return {"id": f"{exp}-jets", "name": f"{exp} jets", "tasks": ["jet-tagging"], "versions": [
            {"version": "1", "data_type": "simulation", "simulated_with": [f"{exp}-detector"],
             "features": [feature("pt", [None]), feature("eta", [None])]}]}

    def model(ident: str, description: str, **version: Any) -> dict[str, Any]:
        return {"id": ident, "name": ident, "description": description, "tasks": ["jet-tagging"],
                **({"owner": "hls4ml"} if ident.startswith("hls4ml") else {}),
                "versions": [{"version": "1", "framework": "pytorch",
                              "inputs": [feature("pt", [None]), feature("eta", [None])], **version}]}

    return {
        "graphcat_catalog": 1,
        "experiments": [{"id": "cms", "name": "CMS"}, {"id": "atlas", "name": "ATLAS"}],
        "detectors": [{"id": f"{e}-detector", "name": f"{e} detector", "experiment": e} for e in ("cms", "atlas")],
        "tasks": [{"id": "jet-tagging", "name": "jet tagging"}],
        "owners": [{"id": "hls4ml", "name": "hls4ml collaboration", "kind": "team"}],
        "datasets": [dataset("cms"), dataset("atlas")],
        "models": [
            model("hls4ml-fpga", "jet tagger for FPGAs"),
            model("cms-tagger", "jet tagger of the secret analysis", trained_on=["cms-jets@1"], aliases=["production"],
                  lineage=[{"type": "FINE_TUNED_FROM", "from": "hls4ml-fpga@1"}],
                  evaluations=[{"dataset": "atlas-jets@1", "metric": "auc", "value": 0.93, "date": "2024-02-01"}]),
            model("atlas-tagger", "jet tagger of ATLAS", trained_on=["atlas-jets@1"],
                  evaluations=[{"dataset": "atlas-jets@1", "metric": "auc", "value": 0.81, "date": "2024-02-01"}]),
        ],
    }


@pytest.fixture(scope="module")
def tokens_of(keycloak_server: Settings) -> dict[str, str]:  # noqa: F811
    return {user: password_token(keycloak_server, user) for user in ("alice", "bob", "carol", "dave")}


@pytest.fixture(scope="module")
def client(keycloak_server: Settings, session_db: Database,  # noqa: F811
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = dataclasses.replace(session_db.settings, oidc_issuer=keycloak_launcher.issuer(keycloak_server),
                                   index_dir=str(tmp_path_factory.mktemp("index")))
    db = Database(settings)
    clear_catalog(db)
    catalog.register(db, _catalog())
    yield from client_for(settings, reads_require_token=True, private_namespaces="cms")
    db.close()


def ask(client: TestClient, query: str, who: str | None, tokens_of: dict[str, str],
        variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = post(client, query, variables, token=tokens_of[who] if who else None)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]  # type: ignore[no-any-return]


def test_anonymous_reads_are_refused(client: TestClient) -> None:
    for query in ("{ modelVersions { totalCount } }", "{ catalogSummary { kinds { kind count } } }",
                  '{ node(id: "model_version:atlas-tagger@1") { id } }'):
        response = post(client, query)
        assert response.status_code == 401 and "reading the catalog" in response.json()["errors"][0]["message"]


def test_lists_and_totals(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = ("{ modelVersions(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage } } "
             "models { totalCount edges { node { id } } } datasetVersions { totalCount edges { node { id } } } "
             "experiments { totalCount edges { node { id } } } }")
    bob, alice = ask(client, query, "bob", tokens_of), ask(client, query, "alice", tokens_of)
    assert bob["modelVersions"]["totalCount"] == 2 and alice["modelVersions"]["totalCount"] == 3
    # a full page of visible versions: the filter runs before LIMIT, not after
    assert [e["node"]["id"] for e in bob["modelVersions"]["edges"]] == ["model_version:atlas-tagger@1",
                                                                         "model_version:hls4ml-fpga@1"]
    assert not bob["modelVersions"]["pageInfo"]["hasNextPage"] and alice["modelVersions"]["pageInfo"]["hasNextPage"]
    assert [e["node"]["id"] for e in alice["modelVersions"]["edges"]][0] == "model_version:atlas-tagger@1"
    ids = lambda conn: [e["node"]["id"] for e in conn["edges"]]  # noqa: E731
    assert ids(bob["models"]) == ["model:atlas-tagger", "model:hls4ml-fpga"] and bob["models"]["totalCount"] == 2
    assert "model:cms-tagger" in ids(alice["models"]) and alice["models"]["totalCount"] == 3
    assert ids(bob["datasetVersions"]) == ["dataset_version:atlas-jets@1"] and bob["datasetVersions"]["totalCount"] == 1
    assert alice["datasetVersions"]["totalCount"] == 2
    assert ids(bob["experiments"]) == ["experiment:atlas"] and ids(alice["experiments"]) == ["experiment:atlas", "experiment:cms"]


def test_node_by_id_and_neighbours(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = ('{ node(id: "model_version:cms-tagger@1") { id } '
             'task: node(id: "task:jet-tagging") { ... on Task { models { id } } } '
             'fpga: node(id: "model_version:hls4ml-fpga@1") { ... on ModelVersion { lineageTo { modelVersion { id } } } } }')
    bob, alice = ask(client, query, "bob", tokens_of), ask(client, query, "alice", tokens_of)
    assert bob["node"] is None and alice["node"] == {"id": CMS_MV}  # hidden: as if it did not exist
    assert ask(client, '{ node(id: "model_version:no-such@1") { id } }', "bob", tokens_of)["node"] is None
    assert {m["id"] for m in bob["task"]["models"]} == {"model:atlas-tagger", "model:hls4ml-fpga"}
    assert "model:cms-tagger" in {m["id"] for m in alice["task"]["models"]}
    assert bob["fpga"]["lineageTo"] == [] and alice["fpga"]["lineageTo"] == [{"modelVersion": {"id": CMS_MV}}]


def test_counts_facets_and_summary(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = ("{ catalogSummary { kinds { kind count } experiments { experiment { id } modelVersions } "
             "frameworks { framework modelVersions } aliases { alias modelVersions } tasks { task { id } models } } "
             "modelFacets { totalCount facets { name values { value count } } } }")
    for who, versions, models in (("bob", 2, 2), ("alice", 3, 3)):
        data = ask(client, query, who, tokens_of)
        summary = data["catalogSummary"]
        kinds = {k["kind"]: k["count"] for k in summary["kinds"]}
        assert kinds["model_version"] == versions and kinds["model"] == models
        assert kinds["experiment"] == (1 if who == "bob" else 2) and kinds["evaluation"] == (1 if who == "bob" else 2)
        assert summary["frameworks"] == [{"framework": "pytorch", "modelVersions": versions}]
        assert summary["aliases"] == ([] if who == "bob" else [{"alias": "production", "modelVersions": 1}])
        assert [t["models"] for t in summary["tasks"]] == [models]
        assert {e["experiment"]["id"] for e in summary["experiments"]} == (
            {"experiment:atlas"} if who == "bob" else {"experiment:atlas", "experiment:cms"})
        facets = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in data["modelFacets"]["facets"]}
        assert data["modelFacets"]["totalCount"] == models
        assert ("experiment:cms" in facets["experiment"]) == (who == "alice")


def test_search(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = '{ search(text: "secret analysis jet tagger", first: 10) { total hits { uid } } }'
    bob, alice = ask(client, query, "bob", tokens_of)["search"], ask(client, query, "alice", tokens_of)["search"]
    assert "model:cms-tagger" in {h["uid"] for h in alice["hits"]}
    assert not {h["uid"] for h in bob["hits"]} & {"model:cms-tagger", CMS_MV, "dataset:cms-jets", "experiment:cms"}
    assert bob["total"] == len(bob["hits"]) and bob["total"] < alice["total"]
    browse = '{ search(text: "", first: 50) { total hits { uid } } }'
    assert CMS_MV not in {h["uid"] for h in ask(client, browse, "bob", tokens_of)["search"]["hits"]}
    assert CMS_MV in {h["uid"] for h in ask(client, browse, "alice", tokens_of)["search"]["hits"]}


def test_recommend(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = ('{ recommendModels(columns: [{name: "pt", dtype: "float32"}, {name: "eta", dtype: "float32"}], first: 2) '
             '{ __typename ... on Recommendations { items { modelVersion { id } } } ... on UserError { message } } }')
    bob = [i["modelVersion"]["id"] for i in ask(client, query, "bob", tokens_of)["recommendModels"]["items"]]
    alice = [i["modelVersion"]["id"] for i in ask(client, query, "alice", tokens_of)["recommendModels"]["items"]]
    assert CMS_MV not in bob and len(bob) == 2  # still a full page
    everyone = ask(client, query.replace("first: 2", "first: 3"), "alice", tokens_of)["recommendModels"]["items"]
    assert CMS_MV in {i["modelVersion"]["id"] for i in everyone} and len(alice) == 2


def test_lineage_and_impact_cut_hidden_nodes_without_naming_them(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = ('{ lineage(id: "model_version:hls4ml-fpga@1", direction: DOWNSTREAM) { nodes { id } edges { from to } '
             'hiddenCut totalCount } impact(id: "model_version:hls4ml-fpga@1") { modelVersions { id } evaluations { id } '
             'graph { hiddenCut } } up: lineage(id: "model_version:atlas-tagger@1") { hiddenCut } '
             'path(from: "model_version:hls4ml-fpga@1", to: "dataset_version:atlas-jets@1") { nodes { id } } }')
    bob, alice = ask(client, query, "bob", tokens_of), ask(client, query, "alice", tokens_of)
    assert bob["lineage"] == {"nodes": [{"id": "model_version:hls4ml-fpga@1"}], "edges": [], "hiddenCut": True,
                              "totalCount": 1}
    assert "cms" not in str(bob)
    assert CMS_MV in {n["id"] for n in alice["lineage"]["nodes"]} and alice["lineage"]["hiddenCut"] is False
    assert bob["impact"]["modelVersions"] == [] and bob["impact"]["evaluations"] == [] and bob["impact"]["graph"]["hiddenCut"]
    assert alice["impact"]["modelVersions"] == [{"id": CMS_MV}] and len(alice["impact"]["evaluations"]) == 1
    assert bob["up"]["hiddenCut"] is False  # nothing hidden upstream of a public version
    assert bob["path"]["nodes"] == [] and len(alice["path"]["nodes"]) == 4  # only through the hidden version
    for who in ("bob", "alice"):
        refused = post(client, '{ lineage(id: "model_version:cms-tagger@1") { hiddenCut } }', token=tokens_of[who]).json()
        unknown = post(client, '{ lineage(id: "model_version:no-such@1") { hiddenCut } }', token=tokens_of[who]).json()
        if who == "bob":  # the same NOT_FOUND as an id nobody registered: existence does not leak
            assert refused["errors"][0]["extensions"]["code"] == unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
            assert refused["errors"][0]["message"].replace("cms-tagger", "no-such") == unknown["errors"][0]["message"]
        else:
            assert not refused.get("errors")


def test_leaderboard(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = '{ leaderboard(dataset: "dataset_version:atlas-jets@1") { totalCount edges { node { modelVersion } } } }'
    bob, alice = ask(client, query, "bob", tokens_of)["leaderboard"], ask(client, query, "alice", tokens_of)["leaderboard"]
    assert [e["node"]["modelVersion"] for e in bob["edges"]] == ["model_version:atlas-tagger@1"] and bob["totalCount"] == 1
    assert [e["node"]["modelVersion"] for e in alice["edges"]][0] == CMS_MV and alice["totalCount"] == 2
    hidden = post(client, '{ leaderboard(dataset: "dataset_version:cms-jets@1") { totalCount } }', token=tokens_of["bob"])
    assert hidden.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_history_and_changes(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = ('{ history(id: "model_version:cms-tagger@1") { edges { node { entity operation } } } '
             'changes(first: 100) { edges { node { entity } } } }')
    bob, alice = ask(client, query, "bob", tokens_of), ask(client, query, "alice", tokens_of)
    assert bob["history"]["edges"] == [] and alice["history"]["edges"], alice
    assert CMS_MV not in {e["node"]["entity"] for e in bob["changes"]["edges"]}
    assert CMS_MV in {e["node"]["entity"] for e in alice["changes"]["edges"]}


def test_global_admin_sees_all_and_global_reader_only_public(client: TestClient, tokens_of: dict[str, str]) -> None:
    query = '{ modelVersions { totalCount } node(id: "model_version:cms-tagger@1") { id } }'
    assert ask(client, query, "carol", tokens_of) == {"modelVersions": {"totalCount": 3}, "node": {"id": CMS_MV}}
    assert ask(client, query, "dave", tokens_of) == {"modelVersions": {"totalCount": 2}, "node": None}


def test_hidden_set_agrees_with_namespace_membership(client: TestClient, session_db: Database) -> None:
    """cypher/auth/hidden walks back from a namespace what cypher/auth/namespaces says per node."""
    everything = [row["props"]["uid"] for row in session_db.read("catalog/export_nodes") if "uid" in row["props"]]
    spaces = store_namespaces.of(session_db, everything)
    hidden = set(visibility.hidden_uids(session_db, ["cms"]))
    evaluations = {u for u in everything if u.startswith("evaluation:")}
    expected = {u for u, ns in spaces.items() if ns and "cms" in ns and u not in evaluations}
    assert hidden - evaluations == expected and CMS_MV in hidden
    assert {u for u in evaluations if u in hidden} == {u for u in evaluations if "cms-tagger" in u}
    assert visibility.hidden_uids(session_db, []) == []


def test_private_namespaces_need_reads_behind_a_token(tmp_path: Path) -> None:
    with pytest.raises(InvalidSetting, match="GRAPHCAT_READS_REQUIRE_TOKEN"):
        Settings.from_env({"GRAPHCAT_PRIVATE_NAMESPACES": "cms"}, env_file=tmp_path / "none")
    both = Settings.from_env({"GRAPHCAT_PRIVATE_NAMESPACES": " cms, lhcb ,", "GRAPHCAT_READS_REQUIRE_TOKEN": "true"},
                             env_file=tmp_path / "none")
    assert both.private_namespace_list == ["cms", "lhcb"]


def test_croissant_of_a_hidden_dataset_version_is_a_404_like_an_unknown_one(client: TestClient,
                                                                              tokens_of: dict[str, str]) -> None:
    def get(path: str, who: str) -> Any:
        return client.get(path, headers={"Authorization": f"Bearer {tokens_of[who]}"})

    hidden, unknown = get("/datasets/cms-jets/1/croissant.json", "bob"), get("/datasets/no-such/1/croissant.json", "bob")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"]["code"] == unknown.json()["error"]["code"]
    assert get("/datasets/cms-jets/1/croissant.json", "alice").status_code == 200
    assert get("/datasets/atlas-jets/1/croissant.json", "bob").status_code == 200
