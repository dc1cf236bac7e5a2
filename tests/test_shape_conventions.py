"""Shapes as users write them: -1, null, "N", "batch" and ONNX's named axes all mean any length.

Each spelling imports, matches and ranks as null does, is shown back as given (GraphQL `shapeGiven`,
`graphcat export`), and survives an export -> import round trip byte for byte; a malformed shape is
refused naming the file, the field path and the column, with nothing written.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from starlette.testclient import TestClient

from embeddings.errors import InvalidSchema
from embeddings.schema import Column
from graphcat.api.app import create_app
from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import CatalogInvalid, write_document
from graphcat.catalog.importer import import_documents, import_files
from graphcat.cli import main
from graphcat.deploy import onnx_inspect
from graphcat.errors import InvalidInput
from graphcat.store import catalog as store
from graphcat.store.database import Database
from graphcat.userschema.jsonlist import feature_from_json
from tests import onnx_factory
from tests.graphql_helpers import gql, token

# One model input per spelling of a variable axis, plus a fixed one and a scalar.
SPELLINGS: dict[str, list[Any]] = {
    "part_pt": [None],
    "part_eta": [-1],
    "part_phi": ["N"],
    "part_energy": ["batch"],
    "part_p4": ["n_particles", 4],
    "jet_image": [-1, 16, "pixels"],
    "jet_mass": [],
    "tower_e": [30],
}


def feature(name: str, shape: list[Any]) -> dict[str, Any]:
    return {"name": name, "dtype": "float32", "shape": shape}


def catalog(inputs: dict[str, list[Any]], *, provides: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    provided = provides if provides is not None else {n: [None] for n in ("part_pt", "part_eta", "part_phi")}
    return {
        "graphcat_catalog": 1,
        "tasks": [{"id": "top-tagging", "name": "top tagging"}],
        "datasets": [{"id": "jets", "name": "Jets", "tasks": ["top-tagging"],
                      "versions": [{"version": "1", "features": [feature(n, s) for n, s in provided.items()]}]}],
        "models": [{"id": "tagger", "name": "Constituent tagger", "tasks": ["top-tagging"],
                    "versions": [{"version": "1.0", "framework": "pytorch", "trained_on": ["jets@1"],
                                  "inputs": [feature(n, s) for n, s in inputs.items()]}]}],
    }


def write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def stored_inputs(db: Database) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in store.export_nodes(db) if n.get("kind") == "feature" and n.get("role") == "input"}


def catalog_size(db: Database) -> tuple[int, int]:
    return len(store.export_nodes(db)), len(store.export_edges(db))


# -- catalog files ----------------------------------------------------------------------------------

def test_every_spelling_imports_and_matches_as_a_variable_axis(db: Database, tmp_path: Path) -> None:
    import_files(db, [write(tmp_path, "spellings.yaml", catalog(SPELLINGS))])
    props = stored_inputs(db)
    assert set(props) == set(SPELLINGS)
    # Matching reads `shape` (-1 = any length, Cypher's compatibility predicate relies on it).
    assert props["part_pt"]["shape"] == [-1] and props["part_eta"]["shape"] == [-1]
    assert props["part_phi"]["shape"] == [-1] and props["part_energy"]["shape"] == [-1]
    assert props["part_p4"]["shape"] == [-1, 4] and props["jet_image"]["shape"] == [-1, 16, -1]
    assert props["tower_e"]["shape"] == [30] and props["jet_mass"]["shape"] == []
    # The spelling is kept only where null and sizes would not say it.
    assert {n for n, p in props.items() if p.get("shape_given")} == {"part_eta", "part_phi", "part_energy",
                                                                       "part_p4", "jet_image"}
    # The domain object: `shape` as matching sees it, `shape_given` as written.
    phi, p4 = store.nodes_by_uid(db, ["feature:tagger@1.0/input/2", "feature:tagger@1.0/input/4"]).values()
    assert (phi.name, phi.shape, phi.shape_given) == ("part_phi", (None,), ("N",))
    assert (p4.name, p4.shape, p4.shape_given) == ("part_p4", (None, 4), ("n_particles", 4))


def test_export_shows_the_spellings_back_and_round_trips_byte_identical(db: Database, tmp_path: Path) -> None:
    import_files(db, [write(tmp_path, "spellings.yaml", catalog(SPELLINGS))])
    exported = export_document(db)
    inputs = {f["name"]: f["shape"] for f in exported["models"][0]["versions"][0]["inputs"]}
    assert inputs == SPELLINGS
    first = write_document(exported, tmp_path / "first.yaml")
    assert "- N\n" in first and "- -1\n" in first and "- n_particles\n" in first
    import_files(db, [tmp_path / "first.yaml"], replace=True)
    assert write_document(export_document(db), None) == first
    # JSON too, through the CLI.
    assert main(["export", "--output", str(tmp_path / "out.json")]) == 0
    import_files(db, [tmp_path / "out.json"], replace=True)
    assert write_document(export_document(db), None) == first


def test_reimporting_the_same_spellings_writes_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "spellings.yaml", catalog(SPELLINGS))
    import_files(db, [path])
    again = import_files(db, [path])
    assert not again.created and not again.updated


def test_changing_only_the_spelling_of_a_registered_version_is_the_same_content(db: Database) -> None:
    import_documents(db, [("nulls", catalog({"part_pt": [None]}))])
    assert stored_inputs(db)["part_pt"].get("shape_given") is None
    # The spelling is presentation: the same version written with -1 or "N" (as MLflow or Croissant
    # write it back) is the same content; nothing is written and the first spelling stays.
    for spelling in (["N"], [-1]):
        report = import_documents(db, [("respelled", catalog({"part_pt": spelling}))])
        assert not report.created and not report.updated, report
    assert stored_inputs(db)["part_pt"].get("shape_given") is None
    # A real change of shape is still a conflict: a registered version is immutable.
    with pytest.raises(CatalogInvalid, match="'tagger@1.0' is already registered with different content .*inputs"):
        import_documents(db, [("resized", catalog({"part_pt": [30]}))])


MALFORMED = [
    (1.5, "1.5 is not an integer"),
    (-2, "-2 is negative (only -1 means any length)"),
    ([4], "[4] is a nested list"),
    ("", "an empty name"),
    ("  ", "a blank name"),
    ("30", "'30' is a number written as text (write sizes as numbers)"),
    (True, "True is a boolean"),
    (0, "0 is not a size"),
]


@pytest.mark.parametrize(("axis", "why"), MALFORMED, ids=[repr(a) for a, _ in MALFORMED])
def test_a_malformed_axis_names_file_path_and_column_and_writes_nothing(db: Database, tmp_path: Path,
                                                                         axis: Any, why: str) -> None:
    import_documents(db, [("first", catalog({"part_pt": [None]}))])
    before = catalog_size(db)
    doc = catalog({"part_pt": [None], "part_eta": ["N", axis]})
    doc["models"][0]["versions"][0]["version"] = "2.0"
    path = write(tmp_path, "bad.yaml", doc)
    with pytest.raises(CatalogInvalid) as err:
        import_files(db, [path])
    assert catalog_size(db) == before, "a rejected import wrote something"
    assert [str(p) for p in err.value.problems] == [
        f"{path}: models[0].versions[0].inputs[1].shape[1]: column 'part_eta': shape axis 1: {why}; expected a size "
        '(an integer >= 1), or for any length: null, -1 or a name for the dynamic axis ("N", "batch", "n_particles")'
    ]


def test_a_shape_that_is_not_a_list_is_named_too(db: Database, tmp_path: Path) -> None:
    doc = catalog({"part_pt": [None]}, provides={"pt": "N"})  # type: ignore[dict-item]
    path = write(tmp_path, "bad.yaml", doc)
    with pytest.raises(CatalogInvalid) as err:
        import_files(db, [path])
    assert catalog_size(db) == (0, 0)
    [problem] = [str(p) for p in err.value.problems]
    assert problem.startswith(f"{path}: datasets[0].versions[0].features[0].shape: column 'pt': shape must be a list")
    # The CLI says so and exits non-zero.
    assert main(["import", str(path)]) != 0


# -- embeddings and user schemas --------------------------------------------------------------------

def test_embeddings_column_reads_every_spelling_as_none() -> None:
    spelled = [Column.from_dict({"name": "pt", "shape": s}).shape for s in ([None], [-1], ["N"], ["batch"])]
    assert spelled == [(None,)] * 4
    assert Column.from_dict({"name": "p4", "shape": ["n_particles", 4]}).shape == (None, 4)
    with pytest.raises(InvalidSchema) as err:
        Column.from_dict({"name": "pt", "shape": [2.5]}, path="columns[3]")
    assert err.value.path == "columns[3].shape" and "column 'pt'" in err.value.message
    assert "2.5 is not an integer" in err.value.message


def test_json_column_lists_read_every_spelling_and_name_bad_ones() -> None:
    for given in ([None], [-1], ["N"], ["batch"]):
        assert feature_from_json({"name": "pt", "shape": given}, where="cols[0]").shape == (None,)
    assert feature_from_json({"name": "img", "shape": [0, 4]}, where="cols[0]").shape == (0, 4)  # a data file may
    with pytest.raises(InvalidInput) as err:
        feature_from_json({"name": "pt", "shape": [-3]}, where="cols[2]")
    assert err.value.path == "cols[2].shape"
    assert "column 'pt'" in err.value.message and "-3 is negative" in err.value.message


def test_onnx_named_axes_are_kept_and_the_batch_axis_is_still_dropped(tmp_path: Path) -> None:
    sig = onnx_inspect.inspect(onnx_factory.per_object_model(tmp_path / "per_object.onnx"))
    constituents = sig.inputs[0]
    assert constituents.onnx_shape == ["batch", "n_constituents", 4]
    assert constituents.dynamic_batch and constituents.fixed_batch is None  # the leading axis: as before
    assert constituents.shape == [None, 4]
    assert sig.input_features()[0]["shape"] == ["n_constituents", 4]


# -- GraphQL ----------------------------------------------------------------------------------------

FEATURES = """query ($id: ID!) { node(id: $id) { ... on ModelVersion { inputs { name shape shapeGiven kind } } } }"""

REGISTER = """mutation ($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) {
    __typename ... on ModelVersion { id inputs { name shape shapeGiven } } ... on UserError { code field message } }
}"""

RECOMMEND = """query ($columns: [ColumnInput!], $task: String) {
  recommendModels(columns: $columns, task: $task, first: 5) {
    __typename
    ... on Recommendations { items { score explanation modelVersion { id } mapping { modelInput userColumn score } } }
    ... on UserError { code field message }
  }
}"""


@pytest.fixture()
def isolated(db: Database, tmp_path: Path) -> Iterator[Database]:
    """The session database with an index folder of its own (the index registry is keyed by it)."""
    local = Database(dataclasses.replace(db.settings, index_dir=str(tmp_path / "index")))
    yield local
    local.close()


@pytest.fixture()
def client(isolated: Database) -> Iterator[TestClient]:
    with TestClient(create_app(isolated.settings)) as c:
        yield c


def test_graphql_shows_the_spellings_back(isolated: Database, client: TestClient) -> None:
    import_documents(isolated, [("spellings", catalog(SPELLINGS))])
    body = gql(client, FEATURES, {"id": "model_version:tagger@1.0"}).json()
    assert "errors" not in body, body
    inputs = {f["name"]: f for f in body["data"]["node"]["inputs"]}
    assert inputs["part_phi"] == {"name": "part_phi", "shape": [None], "shapeGiven": ["N"], "kind": "sequence"}
    assert inputs["part_eta"]["shape"] == [None] and inputs["part_eta"]["shapeGiven"] == ["-1"]
    assert inputs["part_pt"]["shapeGiven"] == [None]
    assert inputs["part_p4"]["shape"] == [None, 4] and inputs["part_p4"]["shapeGiven"] == ["n_particles", "4"]
    assert inputs["tower_e"]["shapeGiven"] == ["30"] and inputs["jet_mass"]["shapeGiven"] == []


def test_the_page_asks_for_the_spelling_and_shows_it(isolated: Database, client: TestClient) -> None:
    """The page's own entity query (graphcat/web/static/js/queries.js) gets `shapeGiven`, and the
    feature table renders it in preference to `shape`."""
    js = Path(__file__).resolve().parents[1] / "graphcat" / "web" / "static" / "js"
    queries = (js / "queries.js").read_text()
    fields = re.search(r"const FEATURE = '([^']+)'", queries).group(1)  # type: ignore[union-attr]
    entity = re.search(r"const ENTITY = `(.*?)`;", queries, re.S).group(1).replace("${FEATURE}", fields)  # type: ignore[union-attr]
    assert "shapeText(f.shapeGiven ?? f.shape)" in (js / "entity.js").read_text()
    import_documents(isolated, [("spellings", catalog(SPELLINGS))])
    body = gql(client, entity, {"id": "model_version:tagger@1.0"}).json()
    assert "errors" not in body, body
    given = {f["name"]: f["shapeGiven"] for f in body["data"]["entity"]["inputs"]}
    assert given["jet_image"] == ["-1", "16", "pixels"] and given["part_energy"] == ["batch"]


def test_register_model_version_takes_shape_given_and_minus_one(isolated: Database, client: TestClient) -> None:
    import_documents(isolated, [("base", catalog({"part_pt": [None]}))])
    writer = token(isolated, "writer")
    body = gql(client, REGISTER, {"input": {
        "model": "tagger", "version": "2.0", "framework": "onnx",
        "inputs": [{"name": "part_pt", "dtype": "float32", "shapeGiven": ["N"]},
                   {"name": "part_eta", "dtype": "float32", "shape": [-1]},
                   {"name": "part_p4", "dtype": "float32", "shapeGiven": ["batch", "4"]}],
    }}, token=writer).json()
    result = body["data"]["registerModelVersion"]
    assert result["__typename"] == "ModelVersion", result
    assert [(f["name"], f["shape"], f["shapeGiven"]) for f in result["inputs"]] == [
        ("part_pt", [None], ["N"]), ("part_eta", [None], ["-1"]), ("part_p4", [None, 4], ["batch", "4"])]
    exported = {f["name"]: f["shape"] for f in export_document(isolated)["models"][0]["versions"][1]["inputs"]}
    assert exported == {"part_pt": ["N"], "part_eta": [-1], "part_p4": ["batch", 4]}


def test_register_model_version_refuses_a_malformed_or_contradicting_shape(isolated: Database,
                                                                            client: TestClient) -> None:
    import_documents(isolated, [("base", catalog({"part_pt": [None]}))])
    writer = token(isolated, "writer")
    before = catalog_size(isolated)
    for inputs, field, text in [
        ([{"name": "part_pt", "dtype": "float32", "shapeGiven": [""]}], "input.inputs[0].shape[0]",
         "column 'part_pt': shape axis 0: an empty name"),
        ([{"name": "part_pt", "dtype": "float32", "shape": [-4]}], "input.inputs[0].shape[0]",
         "column 'part_pt': shape axis 0: -4 is negative"),
        ([{"name": "part_pt", "dtype": "float32", "shape": [30], "shapeGiven": ["N"]}], "input.inputs[0].shapeGiven",
         "column 'part_pt': shape [30] and shapeGiven ['N'] disagree"),
    ]:
        body = gql(client, REGISTER, {"input": {"model": "tagger", "version": "3.0", "framework": "onnx",
                                                "inputs": inputs}}, token=writer).json()
        result = body["data"]["registerModelVersion"]
        assert result["__typename"] == "InvalidInputError", result
        assert result["field"] == field and text in result["message"], result
    assert catalog_size(isolated) == before


def ranking(client: TestClient, shape: dict[str, Any]) -> list[tuple[str, float, list[tuple[str, str | None]]]]:
    columns = [{"name": n, "dtype": "float32", **shape} for n in ("part_pt", "part_eta", "part_phi", "part_energy")]
    body = gql(client, RECOMMEND, {"columns": columns, "task": "top-tagging"}).json()
    assert "errors" not in body, body
    result = body["data"]["recommendModels"]
    assert result["__typename"] == "Recommendations", result
    return [(i["modelVersion"]["id"], i["score"], sorted((m["modelInput"], m["userColumn"]) for m in i["mapping"]))
            for i in result["items"]]


def test_recommend_ranks_minus_one_and_named_axes_as_null(isolated: Database, client: TestClient) -> None:
    doc = catalog({n: [None] for n in ("part_pt", "part_eta", "part_phi", "part_energy")})
    doc["models"].append({"id": "tower-net", "name": "Tower network", "tasks": ["top-tagging"],
                          "versions": [{"version": "1.0", "framework": "pytorch",
                                        "inputs": [feature(n, [30]) for n in ("part_pt", "part_eta", "part_phi")]}]})
    import_documents(isolated, [("rank", doc)])
    with_null = ranking(client, {"shape": [None]})
    assert [item[0] for item in with_null][:2] == ["model_version:tagger@1.0", "model_version:tower-net@1.0"]
    assert with_null[0][1] > with_null[1][1]
    assert ranking(client, {"shape": [-1]}) == with_null
    assert ranking(client, {"shapeGiven": ["N"]}) == with_null
    assert ranking(client, {"shapeGiven": ["-1"]}) == with_null
    # A fixed length is ranked differently: the shapes are really compared.
    assert ranking(client, {"shape": [30]}) != with_null


def test_recommend_refuses_a_malformed_column_shape(isolated: Database, client: TestClient) -> None:
    import_documents(isolated, [("base", catalog({"part_pt": [None]}))])
    for column, field, text in [
        ({"name": "pt", "shapeGiven": ["1.5"]}, "columns[0].shapeGiven", "column 'pt': shape axis 0: '1.5' is a number"),
        ({"name": "pt", "shape": [-7]}, "columns[0].shape", "column 'pt': shape axis 0: -7 is negative"),
        ({"name": "pt", "shape": [3], "shapeGiven": ["N"]}, "columns[0].shapeGiven", "not both"),
    ]:
        body = gql(client, RECOMMEND, {"columns": [column]}).json()
        result = body["data"]["recommendModels"]
        assert result["__typename"] == "InvalidInputError", result
        assert result["field"] == field and text in result["message"], result


ECHO = """query ($columns: [ColumnInput!]) { recommendModels(columns: $columns, first: 5) {
  __typename ... on Recommendations { columns { name shape shapeGiven }
    items { modelVersion { id } mapping { modelInput userColumn columnShape columnShapeGiven } } }
  ... on UserError { message } } }"""


def test_recommend_echoes_each_column_shape_as_given_beside_the_normalised_one(isolated: Database,
                                                                               client: TestClient) -> None:
    import_documents(isolated, [("echo", catalog({n: [None] for n in ("part_pt", "part_eta", "part_phi", "part_energy")}
                                                 | {"part_p4": [None, 4]}))])
    given: dict[str, dict[str, Any]] = {"part_pt": {"shape": [None]}, "part_eta": {"shape": [-1]},
                                        "part_phi": {"shapeGiven": ["N"]}, "part_energy": {"shapeGiven": ["batch"]},
                                        "part_p4": {"shapeGiven": ["n_particles", "4"]}}
    columns = [{"name": n, "dtype": "float32", **s} for n, s in given.items()]
    body = gql(client, ECHO, {"columns": columns}).json()
    result = body["data"]["recommendModels"]
    assert result["__typename"] == "Recommendations", result
    as_text = {n: s.get("shapeGiven") or [None if a is None else str(a) for a in s["shape"]] for n, s in given.items()}
    normalised = {"part_pt": [None], "part_eta": [None], "part_phi": [None], "part_energy": [None], "part_p4": [None, 4]}
    assert {c["name"]: (c["shape"], c["shapeGiven"]) for c in result["columns"]} == {
        n: (normalised[n], as_text[n]) for n in given}
    [item] = [i for i in result["items"] if i["modelVersion"]["id"] == "model_version:tagger@1.0"]
    fed = {m["userColumn"]: m for m in item["mapping"] if m["userColumn"]}
    assert set(fed) == set(given)  # every column feeds the input of its name
    for name, m in fed.items():
        assert (m["columnShape"], m["columnShapeGiven"]) == (normalised[name], as_text[name]), m
    assert as_text["part_eta"] == ["-1"] and as_text["part_pt"] == [None]
