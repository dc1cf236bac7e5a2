"""The recommender inside graphcat, on the real Neo4j: the index follows the catalog (missing, stale,
corrupt, written through graphcat or behind its back), recommendModels over HTTP with a column
list and with an uploaded file, and `graphcat recommend` / `graphcat index`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from starlette.testclient import TestClient

from graphcat import cli
from graphcat.api.app import create_app
from graphcat.catalog.importer import import_documents
from graphcat.service import catalog, recommend, vector_index
from graphcat.store import catalog as store
from graphcat.store.database import Database
from graphcat.userschema import SchemaFeature
from tests.graphql_helpers import gql, token


def feature(name: str, shape: list[int | None] | None = None, unit: str | None = None) -> dict[str, Any]:
    return {"name": name, "dtype": "float32", "shape": shape or [], "unit": unit}


PARTICLES = [feature(n, [None]) for n in ("part_pt", "part_eta", "part_phi", "part_energy")]
CALO = [feature("voxels", [368]), feature("incident_energy", [], "GeV")]
DIJET = [feature(n, [], "GeV") for n in ("mjj", "ht", "met")]


def base_catalog() -> dict[str, Any]:
    return {
        "graphcat_catalog": 1,
        "tasks": [{"id": "jet-tagging", "name": "jet tagging"},
                  {"id": "top-tagging", "name": "top tagging", "parent": "jet-tagging"},
                  {"id": "fast-simulation", "name": "fast calorimeter simulation"}],
        "datasets": [{"id": "top-jets", "name": "Top quark jets", "tasks": ["top-tagging"],
                      "versions": [{"version": "1.0", "features": PARTICLES}]}],
        "models": [
            {"id": "deepsets-top", "name": "Deep sets top tagger", "tasks": ["top-tagging"],
             "description": "A permutation-invariant network on jet constituents.",
             "versions": [{"version": "1.0.0", "framework": "pytorch", "trained_on": ["top-jets@1.0"],
                           "inputs": PARTICLES}]},
            {"id": "calo-flow", "name": "Calorimeter flow", "tasks": ["fast-simulation"],
             "description": "A normalising flow that generates calorimeter showers.",
             "versions": [{"version": "1.0.0", "framework": "pytorch", "inputs": CALO}]},
        ],
    }


def dijet_model() -> dict[str, Any]:
    return {"name": "Dijet resonance classifier", "tasks": ["jet-tagging"],
            "description": "A dense network on dijet invariant mass and jet momenta."}


def dijet_version(version: str = "1.0.0") -> dict[str, Any]:
    return {"version": version, "framework": "onnx", "format": "onnx", "inputs": DIJET}


DIJET_COLUMNS = [{"name": "mjj", "unit": "GeV"}, {"name": "ht", "unit": "GeV"}, {"name": "met", "unit": "GeV"}]


@pytest.fixture()
def isolated(db: Database, tmp_path: Path) -> Iterator[Database]:
    """The session database with an index folder of its own (the index registry is keyed by it)."""
    local = Database(dataclasses.replace(db.settings, index_dir=str(tmp_path / "index")))
    import_documents(local, [("base", base_catalog())])
    yield local
    local.close()


def ids(result: recommend.RecommendResult) -> list[str]:
    return [r.model_version.id for r in result.recommendations]


# -- the index follows the catalog -----------------------------------------------------------------

def test_index_is_built_when_missing_and_loaded_when_fresh(isolated: Database) -> None:
    first = vector_index.CatalogIndex(isolated.settings)
    assert first.ensure(isolated) == "built:missing"
    assert first.path.is_file()
    assert first.status(isolated).state == "fresh"
    # Another process (a restart) finds it fresh and loads it without encoding anything.
    assert vector_index.CatalogIndex(isolated.settings).ensure(isolated) == "loaded"


def test_stale_index_is_brought_up_to_date_at_start_up_never_served(isolated: Database) -> None:
    vector_index.CatalogIndex(isolated.settings).ensure(isolated)
    # A write the index did not see (import_documents directly, no service hook).
    import_documents(isolated, [("dijet", {"graphcat_catalog": 1,
                                           "models": [{"id": "dijet", **dijet_model(), "versions": [dijet_version()]}]})])
    restarted = vector_index.CatalogIndex(isolated.settings)
    assert restarted.status(isolated).state == "stale"
    assert restarted.ensure(isolated) == "updated:stale"  # only the changed documents re-encoded
    assert restarted.contains("model_version:dijet@1.0.0")
    assert restarted.status(isolated).state == "fresh"

    # Without the per-document digests (sidecar) a stale index is rebuilt from scratch.
    store.set_deprecation(isolated, "model_version:dijet@1.0.0", "superseded")  # no service hook
    restarted.sidecar.unlink()
    again = vector_index.CatalogIndex(isolated.settings)
    assert again.ensure(isolated) == "built:stale"
    assert again.contains("model_version:dijet@1.0.0")  # deprecated versions stay, ranked lower


def test_deprecation_through_the_service_ranks_the_version_lower(isolated: Database) -> None:
    columns = [SchemaFeature(n, "float32", (None,)) for n in ("part_pt", "part_eta", "part_phi")]
    before = recommend.recommend(isolated, columns, first=1).recommendations[0]
    assert before.model_version.id == "deepsets-top@1.0.0"
    index = vector_index.shared(isolated.settings)
    state = index.fingerprint_value
    catalog.deprecate(isolated, "model_version:deepsets-top@1.0.0", "a bug in the constituent ordering")
    assert index.fingerprint_value != state  # followed at once, though no embedded text changed
    after = recommend.recommend(isolated, columns, first=1).recommendations[0]
    assert after.model_version.deprecated
    assert after.score < before.score
    assert "this version is deprecated" in after.explanation


def test_corrupt_index_is_rebuilt(isolated: Database) -> None:
    index = vector_index.CatalogIndex(isolated.settings)
    index.ensure(isolated)
    data = bytearray(index.path.read_bytes())
    data[-10] ^= 0xFF
    index.path.write_bytes(bytes(data))
    assert index.status(isolated).state == "corrupt"
    assert vector_index.CatalogIndex(isolated.settings).ensure(isolated) == "built:corrupt"
    assert index.status(isolated).state == "fresh"


def test_write_behind_the_index_back_is_seen_before_the_next_recommendation(isolated: Database) -> None:
    columns = [SchemaFeature(c["name"], "float32", (), unit=c["unit"]) for c in DIJET_COLUMNS]
    before = recommend.recommend(isolated, columns, first=5)
    assert "dijet@1.0.0" not in ids(before)
    # Another process writes (the importer bumps the revision token; no hook runs in this process).
    import_documents(isolated, [("dijet", {"graphcat_catalog": 1,
                                           "models": [{"id": "dijet", **dijet_model(), "versions": [dijet_version()]}]})])
    after = recommend.recommend(isolated, columns, first=5)
    assert ids(after)[0] == "dijet@1.0.0"
    assert after.index_fingerprint != before.index_fingerprint


def test_recommendation_explains_the_mapping(isolated: Database) -> None:
    columns = [SchemaFeature(n, "float32", (None,)) for n in ("part_pt", "part_eta", "part_phi", "part_energy", "weight")]
    result = recommend.recommend(isolated, columns, task="task:top-tagging", first=2)
    best = result.recommendations[0]
    assert best.model_version.id == "deepsets-top@1.0.0"
    assert best.task_match == 1.0
    fed = {m.model_input: m.column for m in best.mapping if m.column is not None}
    assert fed == {"part_pt": "part_pt", "part_eta": "part_eta", "part_phi": "part_phi", "part_energy": "part_energy"}
    assert best.unused_columns == ("weight",)
    assert any("unused columns: weight" in line for line in best.explanation)
    calo = next(r for r in result.recommendations if r.model_version.id == "calo-flow@1.0.0")
    assert "incident_energy" in {m.model_input for m in calo.unsatisfied}
    assert calo.score < best.score


def test_bad_arguments_are_clear_errors(isolated: Database) -> None:
    from graphcat.errors import InvalidInput

    with pytest.raises(InvalidInput, match="at least one column"):
        recommend.recommend(isolated, [], first=3)
    with pytest.raises(InvalidInput) as exc:
        recommend.recommend(isolated, [SchemaFeature("x", "float32")], first=0)
    assert exc.value.path == "first"


# -- GraphQL ------------------------------------------------------------------------------------------

RECOMMEND = """query ($columns: [ColumnInput!], $file: Upload, $task: String, $first: Int) {
  recommendModels(columns: $columns, file: $file, task: $task, first: $first) {
    __typename
    ... on Recommendations {
      source indexFingerprint columns { name dtype shape }
      items { score explanation modelVersion { id deprecated }
              mapping { modelInput userColumn score note transformations }
              unsatisfiedInputs { modelInput note } unusedColumns transformations }
    }
    ... on UserError { code field message }
  }
}"""

REGISTER = """mutation ($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) { __typename ... on ModelVersion { id } ... on UserError { message } }
}"""


@pytest.fixture()
def client(isolated: Database) -> Iterator[TestClient]:
    with TestClient(create_app(isolated.settings)) as c:
        yield c


def recommend_http(client: TestClient, **variables: Any) -> dict[str, Any]:
    body = gql(client, RECOMMEND, variables).json()
    assert "errors" not in body, body
    return body["data"]["recommendModels"]


def test_start_up_builds_the_index(isolated: Database) -> None:
    path = vector_index.index_path(isolated.settings)
    assert not path.exists()
    with TestClient(create_app(isolated.settings)):
        assert path.is_file()
        assert vector_index.CatalogIndex(isolated.settings).status(isolated).state == "fresh"


def test_registered_version_is_recommendable_without_restart(client: TestClient, isolated: Database) -> None:
    before = recommend_http(client, columns=DIJET_COLUMNS, first=3)
    assert before["__typename"] == "Recommendations"
    assert "model_version:dijet@1.0.0" not in [i["modelVersion"]["id"] for i in before["items"]]
    writer = token(isolated, "writer")
    registered = gql(client, REGISTER, {"input": {
        "model": "dijet", "modelName": "Dijet resonance classifier", "tasks": ["jet-tagging"], "version": "1.0.0",
        "framework": "onnx", "inputs": [{"name": n, "dtype": "float32", "unit": "GeV"} for n in ("mjj", "ht", "met")],
    }}, token=writer).json()
    assert registered["data"]["registerModelVersion"]["__typename"] == "ModelVersion", registered
    # The service hook already updated the index: the revision probe finds nothing left to do.
    index = vector_index.shared(isolated.settings)
    assert index.contains("model_version:dijet@1.0.0")
    after = recommend_http(client, columns=DIJET_COLUMNS, first=3)
    best = after["items"][0]
    assert best["modelVersion"]["id"] == "model_version:dijet@1.0.0"
    assert {(m["userColumn"], m["modelInput"]) for m in best["mapping"]} == {("mjj", "mjj"), ("ht", "ht"), ("met", "met")}
    assert best["explanation"].startswith("3/3 model inputs satisfied")
    assert after["indexFingerprint"] != before["indexFingerprint"]


def multipart(client: TestClient, path: Path, **variables: Any) -> dict[str, Any]:
    operations = {"query": RECOMMEND, "variables": {**variables, "file": None}}
    with path.open("rb") as fh:
        response = client.post("/graphql", data={"operations": json.dumps(operations),
                                                 "map": json.dumps({"0": ["variables.file"]})},
                               files={"0": (path.name, fh, "application/octet-stream")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["recommendModels"]


def test_uploaded_parquet_file(client: TestClient, tmp_path: Path) -> None:
    table = pa.table({
        "part_pt": pa.array([[1.0, 2.0], [3.0]], type=pa.list_(pa.float32())),
        "part_eta": pa.array([[0.1, 0.2], [0.3]], type=pa.list_(pa.float32())),
        "part_phi": pa.array([[0.5, 0.6], [0.7]], type=pa.list_(pa.float32())),
        "label": pa.array([1, 0], type=pa.int32()),
    })
    path = tmp_path / "jets.parquet"
    pq.write_table(table, path)
    result = multipart(client, path, task="top-tagging", first=2)
    assert result["source"] == "jets.parquet"
    assert {c["name"]: c["shape"] for c in result["columns"]}["part_pt"] == [None]
    best = result["items"][0]
    assert best["modelVersion"]["id"] == "model_version:deepsets-top@1.0.0"
    assert [m["modelInput"] for m in best["unsatisfiedInputs"]] == ["part_energy"]
    assert "label" in best["unusedColumns"]


def test_uploaded_csv_file_and_unreadable_file(client: TestClient, tmp_path: Path) -> None:
    csv = tmp_path / "dijets.csv"
    csv.write_text("mjj,ht,met\n1000.0,800.5,38.2\n1500.0,1400.1,65.0\n")
    result = multipart(client, csv, first=3)
    assert [c["name"] for c in result["columns"]] == ["mjj", "ht", "met"]
    assert result["items"], result

    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"this is not parquet at all")
    error = multipart(client, broken)
    assert error["__typename"] == "InvalidInputError"
    assert error["field"] == "file"
    assert "broken.parquet" in error["message"]


def test_column_errors_and_argument_errors_are_typed(client: TestClient) -> None:
    bad = recommend_http(client, columns=[{"name": "x"}, {"name": "y", "dtype": "float128"}])
    assert bad["__typename"] == "InvalidInputError"
    assert bad["field"] == "columns[1].dtype"
    neither = recommend_http(client)
    assert neither["__typename"] == "InvalidInputError"
    assert "either `columns` or `file`" in neither["message"]


WHOLE_FILE = """query ($columns: [ColumnInput!], $events: Int) {
  recommendModels(columns: $columns, events: $events, first: 2) {
    __typename
    ... on Recommendations { notes items { explanation modelVersion { id } mapping { modelInput userColumn } } }
    ... on UserError { code field message }
  }
}"""


def test_whole_file_shapes_are_read_per_event_and_the_answer_says_so(client: TestClient) -> None:
    # h5py prints the event axis first: (250000, 368) voxels per file are 368 voxels per event.
    columns = [{"name": "voxels", "shape": [250000, 368]}, {"name": "incident_energy", "shape": [250000], "unit": "GeV"}]
    body = gql(client, WHOLE_FILE, {"columns": columns}).json()["data"]["recommendModels"]
    assert body["__typename"] == "Recommendations", body
    assert len(body["notes"]) == 1 and "the leading 250000" in body["notes"][0]
    best = body["items"][0]
    assert best["modelVersion"]["id"] == "model_version:calo-flow@1.0.0"
    assert best["explanation"].startswith("2/2 model inputs satisfied")
    per_event = gql(client, WHOLE_FILE, {"columns": [{"name": "voxels", "shape": [368]},
                                                    {"name": "incident_energy", "unit": "GeV"}]}).json()
    assert per_event["data"]["recommendModels"]["notes"] == []
    given = gql(client, WHOLE_FILE, {"columns": [{"name": "voxels", "shape": [500, 368]},
                                                {"name": "incident_energy", "shape": [500]}], "events": 500}).json()
    assert given["data"]["recommendModels"]["items"][0]["modelVersion"]["id"] == "model_version:calo-flow@1.0.0"
    wrong = gql(client, WHOLE_FILE, {"columns": columns, "events": 499}).json()["data"]["recommendModels"]
    assert wrong["__typename"] == "InvalidInputError" and wrong["field"] == "events" and "499" in wrong["message"]


# -- CLI ----------------------------------------------------------------------------------------------

def test_cli_recommend_and_index(isolated: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRAPHCAT_INDEX_DIR", isolated.settings.index_dir)
    assert cli.main(["index", "status"]) == 3  # missing
    assert "state: missing" in capsys.readouterr().out
    assert cli.main(["index", "rebuild"]) == 0
    assert "rebuilt" in capsys.readouterr().out
    assert cli.main(["index", "status"]) == 0
    assert "state: fresh" in capsys.readouterr().out

    csv = tmp_path / "constituents.csv"
    csv.write_text("incident_energy,voxels\n10.0,1.0\n")
    assert cli.main(["recommend", str(csv), "--first", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2 columns from constituents.csv"
    header, first_row = out.splitlines()[1:3]
    assert header.split() == ["#", "model", "version", "score", "compat", "inputs", "fed"]
    assert first_row.split()[1] == "calo-flow@1.0.0"
    assert "incident_energy → incident_energy" in out

    assert cli.main(["recommend", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
