"""Croissant import/export (graphcat.interop.croissant*) on the real Neo4j, checked with the real mlcroissant.

The Croissant files are written here: a HEP jet dataset whose FileObject is a real HDF5 file built
in the tmp dir (its sha256 and size are computed, not typed in), with a record set of jet fields
and one array field with a shape; and broken variants of it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import h5py
import mlcroissant as mlc
import numpy as np
import pytest
from mlcroissant._src.core.context import Context, CroissantVersion
from mlcroissant._src.core.rdf import make_context
from starlette.testclient import TestClient

from graphcat.api.app import create_app
from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.cli import main
from graphcat.interop.croissant import GC_NAMESPACE, CroissantSourceError, import_croissant
from graphcat.interop.croissant_export import CONTEXT, croissant_document

FIELDS = [  # (name, Croissant dataType, arrayShape or None, unit)
    ("jet_pt", "cr:Float32", None, "GeV"), ("jet_eta", "cr:Float32", None, None), ("jet_phi", "cr:Float32", None, "rad"),
    ("jet_mass", "cr:Float64", None, "GeV"), ("n_constituents", "cr:Int32", None, None),
    ("is_top", "sc:Boolean", None, None), ("constituents_p4", "cr:Float32", "-1,4", "GeV"), ("jet_image", "cr:UInt8", "32,32", None)]
EXPECTED_FEATURES = [("jet_pt", "float32", []), ("jet_eta", "float32", []), ("jet_phi", "float32", []),
                     ("jet_mass", "float64", []), ("n_constituents", "int32", []), ("is_top", "bool", []),
                     ("constituents_p4", "float32", [-1, 4]), ("jet_image", "uint8", [32, 32])]


def _hdf5(path: Path) -> Path:
    rng = np.random.default_rng(7)
    with h5py.File(path, "w") as f:
        f["jet_pt"] = rng.uniform(200, 800, 64).astype("f4")
        f["jet_eta"] = rng.uniform(-2.5, 2.5, 64).astype("f4")
        f["constituents_p4"] = rng.normal(size=(64, 30, 4)).astype("f4")
    return path


def jet_croissant(tmp_path: Path, **top: Any) -> tuple[Path, dict[str, Any]]:
    data = _hdf5(tmp_path / "jets.h5")
    ctx = make_context(Context(conforms_to=CroissantVersion.V_1_1)) | {"gc": GC_NAMESPACE}
    fields = []
    for name, dtype, shape, unit in FIELDS:
        field: dict[str, Any] = {"@type": "cr:Field", "@id": f"jets/{name}", "name": name, "dataType": dtype,
                                 "description": f"the jet's {name}",
                                 "source": {"fileObject": {"@id": "jets.h5"}, "extract": {"column": name}}}
        if shape:
            field.update({"isArray": True, "arrayShape": shape})
        if unit:
            field["gc:unit"] = unit
        fields.append(field)
    doc = {
        "@context": ctx, "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": "HEP top jets", "description": "Boosted top and QCD jets, Delphes CMS card",
        "license": "https://creativecommons.org/licenses/by/4.0/", "url": "https://zenodo.example/records/42",
        "version": "1.0.0", "datePublished": "2024-03-01", "keywords": ["jets", "top"],
        "creator": {"@type": "sc:Organization", "name": "Top Tagging Group", "url": "https://toptag.example"},
        "citeAs": "@article{kasieczka2019, title = {The {Machine} Learning landscape of top taggers}, "
                  "author = {Kasieczka, G. and Plehn, T.}, year = {2019}, eprint = {1902.09914}}",
        "gc:sqrtSTeV": 13, "gc:pileupMean": 0, "gc:generator": "Pythia 8.3", "gc:dataType": "simulation",
        "gc:numEvents": 64, "gc:parameter": [{"@type": "sc:PropertyValue", "name": "jet_pt_centre_gev", "value": 500}],
        "distribution": [{"@type": "cr:FileObject", "@id": "jets.h5", "name": "jets.h5",
                          "contentUrl": "https://zenodo.example/records/42/files/jets.h5",
                          "encodingFormat": "application/x-hdf5",
                          "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
                          "contentSize": f"{data.stat().st_size} B"}],
        "recordSet": [{"@type": "cr:RecordSet", "@id": "jets", "name": "jets", "field": fields}],
        **top,
    }
    return write(tmp_path / "hep-top-jets.json", doc), doc


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=1))
    return path


def _dataset(db: Any, ident: str) -> dict[str, Any]:
    return next(d for d in export_document(db).get("datasets", []) if d["id"] == ident)


def _fields(croissant: dict[str, Any]) -> list[tuple[str, str, bool, str | None]]:
    return [(f["name"], f["dataType"], bool(f.get("isArray")), f.get("arrayShape"))
            for rs in croissant["recordSet"] for f in rs["field"]]


def _load(path: Path) -> Any:
    """mlcroissant's reading of the file; raises mlc.ValidationError on any error."""
    metadata = mlc.Dataset(jsonld=str(path)).metadata
    assert not metadata.ctx.issues.errors
    return metadata


def test_croissant_file_lands_as_a_dataset_version(db, tmp_path: Path) -> None:
    path, doc = jet_croissant(tmp_path)
    report = import_croissant(db, path)
    assert report.created["dataset_version"] == 1 and report.created["feature"] == len(FIELDS)
    dataset = _dataset(db, "hep-top-jets")
    assert dataset["name"] == "HEP top jets" and dataset["description"].startswith("Boosted top")
    assert dataset["tags"] == ["jets", "top", "license=https://creativecommons.org/licenses/by/4.0/",
                               "homepage=https://zenodo.example/records/42"]
    assert dataset["owner"] == "top-tagging-group" and dataset["described_in"] == ["arxiv-1902.09914"]
    (version,) = dataset["versions"]
    assert version["version"] == "1.0.0" and version["created_at"] == "2024-03-01"
    assert version["location"] == doc["distribution"][0]["contentUrl"] and version["format"] == "hdf5"
    assert version["digest"] == "sha256:" + hashlib.sha256((tmp_path / "jets.h5").read_bytes()).hexdigest()
    assert version["size_bytes"] == (tmp_path / "jets.h5").stat().st_size
    assert version["num_events"] == 64 and version["data_type"] == "simulation"
    assert version["conditions"] == {"sqrt_s_tev": 13, "pileup_mean": 0, "generator": "Pythia 8.3",
                                     "parameters": {"jet_pt_centre_gev": 500}}
    assert [(f["name"], f["dtype"], f["shape"]) for f in version["features"]] == EXPECTED_FEATURES
    assert {f["name"]: f.get("unit") for f in version["features"]} == {n: u for n, _, _, u in FIELDS}
    assert version["features"][0]["description"] == "the jet's jet_pt"
    catalog = export_document(db)
    assert catalog["owners"] == [{"id": "top-tagging-group", "name": "Top Tagging Group", "kind": "team",
                                  "url": "https://toptag.example"}]
    (publication,) = catalog["publications"]
    assert publication == {"id": "arxiv-1902.09914", "title": "The Machine Learning landscape of top taggers",
                           "authors": ["Kasieczka, G.", "Plehn, T."], "year": 2019, "arxiv": "1902.09914"}


def test_reimport_is_unchanged_and_changed_content_is_a_conflict(db, tmp_path: Path, capsys) -> None:
    path, doc = jet_croissant(tmp_path)
    assert main(["import-croissant", str(path)]) == 0
    assert "dataset_version: 1 created" in capsys.readouterr().out
    assert main(["import-croissant", str(path)]) == 0
    assert "dataset_version: 0 created, 0 updated, 1 unchanged" in capsys.readouterr().out
    again = import_croissant(db, path)
    assert again.unchanged["dataset_version"] == 1 and not again.created
    before = export_document(db)
    changed = copy.deepcopy(doc)
    changed["recordSet"][0]["field"][0]["dataType"] = "cr:Float64"  # same version number, other content
    with pytest.raises(CatalogInvalid) as err:
        import_croissant(db, write(tmp_path / "changed.json", changed))
    message = str(err.value)
    assert "changed.json" in message and "hep-top-jets@1.0.0" in message and "features" in message
    assert export_document(db) == before
    # A new version number is a new dataset version beside the first.
    changed["version"] = "1.1.0"
    assert import_croissant(db, write(tmp_path / "v11.json", changed)).created["dataset_version"] == 1
    assert [v["version"] for v in _dataset(db, "hep-top-jets")["versions"]] == ["1.0.0", "1.1.0"]


@pytest.mark.parametrize(("break_it", "expected"), [
    (lambda d: d["distribution"][0].pop("sha256"), ["FileObject(jets.h5)", "sha256"]),
    (lambda d: d["recordSet"][0]["field"][0].pop("dataType"), ["Field(jet_pt)", "dataType"]),
    (lambda d: d["recordSet"][0]["field"][1]["source"].update({"fileObject": {"@id": "missing.h5"}}), ["missing.h5"]),
    (lambda d: d.pop("@type"), ["schema.org/Dataset"]),
    (lambda d: d["recordSet"][0]["field"][2].update({"dataType": "sc:ImageObject"}),
     ["recordSet 'jets' field 'jet_phi'", "ImageObject", "no graphcat dtype"]),
    (lambda d: d.pop("version"), ["version", "--version"]),
])
def test_invalid_croissant_is_a_clear_error_and_writes_nothing(db, tmp_path: Path, capsys, break_it,
                                                               expected) -> None:
    _, doc = jet_croissant(tmp_path)
    broken = copy.deepcopy(doc)
    break_it(broken)
    path = write(tmp_path / "broken.json", broken)
    with pytest.raises(CroissantSourceError) as err:
        import_croissant(db, path)
    for text in [str(path), *expected]:
        assert text in str(err.value)
    assert main(["import-croissant", str(path)]) == 2
    assert str(path) in capsys.readouterr().err
    assert not export_document(db).get("datasets")


def test_id_and_version_options_name_what_the_file_does_not(db, tmp_path: Path) -> None:
    _, doc = jet_croissant(tmp_path)
    unversioned = {k: v for k, v in doc.items() if k != "version"}
    path = write(tmp_path / "unversioned.json", unversioned)
    assert main(["import-croissant", str(path), "--id", "top-jets-delphes", "--version", "0.3"]) == 0
    (version,) = _dataset(db, "top-jets-delphes")["versions"]
    assert version["version"] == "0.3" and len(version["features"]) == len(FIELDS)


def test_not_json_and_missing_file_are_clear_errors(db, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CroissantSourceError, match="bad.json"):
        import_croissant(db, bad)
    with pytest.raises(CroissantSourceError, match="no such Croissant file"):
        import_croissant(db, tmp_path / "absent.json")
    assert not export_document(db).get("datasets")


HEP_CATALOG = {"graphcat_catalog": 1,
               "experiments": [{"id": "cms", "name": "CMS"}],
               "detectors": [{"id": "cms-detector", "name": "CMS detector", "experiment": "cms"}],
               "tasks": [{"id": "jet-tagging", "name": "jet tagging"}],
               "owners": [{"id": "cms-ml", "name": "CMS ML group", "kind": "team"}],
               "publications": [{"id": "arxiv-2202.03772", "title": "Particle Transformer for Jet Tagging",
                                 "authors": ["Huilin Qu", "Congqiao Li", "Sitian Qian"], "year": 2022,
                                 "arxiv": "2202.03772"}],
               "datasets": [{"id": "jetclass", "name": "JetClass", "description": "100M jets, ten classes",
                             "tasks": ["jet-tagging"], "owner": "cms-ml", "tags": ["jets", "license=CC-BY-4.0"],
                             "described_in": ["arxiv-2202.03772"], "versions": [
                                 {"version": "1.0", "created_at": "2022-02-07", "format": "root",
                                  "location": "https://zenodo.example/jetclass/JetClass_Pythia_train.root",
                                  "doi": "10.5281/zenodo.6619768", "digest": "sha256:" + "ab" * 32,
                                  "size_bytes": 1900000000, "num_events": 100000000, "data_type": "simulation",
                                  "simulated_with": ["cms-detector"],
                                  "derived_from": [{"dataset": "jetclass@0.9", "kind": "reprocessing"}],
                                  "conditions": {"sqrt_s_tev": 13, "pileup_mean": 0, "generator": "MadGraph5 + Pythia 8",
                                                 "detector_simulation": "Delphes (CMS card)",
                                                 "kinematic_range": "500 < pT < 1000 GeV",
                                                 "parameters": {"jet_pt_centre_gev": 750}},
                                  "features": [
                                      {"name": "part_px", "dtype": "float32", "shape": [None], "unit": "GeV"},
                                      {"name": "jet_pt", "dtype": "float32", "shape": [], "unit": "GeV"},
                                      {"name": "label", "dtype": "int64", "shape": []},
                                      {"name": "part_features", "dtype": "float32", "shape": [128, 17]}]},
                                 {"version": "0.9", "created_at": "2021-12-01", "description": "no file checksum",
                                  "location": "https://zenodo.example/jetclass-0.9",
                                  "features": [{"name": "jet_pt", "dtype": "float32", "shape": []}]}]}]}


def test_export_is_croissant_that_mlcroissant_validates(db, tmp_path: Path) -> None:
    import_documents(db, [("hep", HEP_CATALOG)])
    # graphcat's @context is the Croissant 1.1 one mlcroissant writes, plus the graphcat namespace.
    assert CONTEXT == make_context(Context(conforms_to=CroissantVersion.V_1_1)) | {"gc": GC_NAMESPACE}
    out = tmp_path / "jetclass.json"
    assert main(["export-croissant", "jetclass@1.0", "-o", str(out)]) == 0
    written = json.loads(out.read_text())
    metadata = _load(out)
    assert metadata.ctx.conforms_to == CroissantVersion.V_1_1
    assert metadata.name == "JetClass" and metadata.version == "1.0" and metadata.license == ["CC-BY-4.0"]
    assert metadata.cite_as.startswith("@misc{arxiv-2202.03772") and "eprint = {2202.03772}" in metadata.cite_as
    assert [c.name for c in metadata.creators] == ["CMS ML group"]
    (file,) = metadata.distribution
    assert file.sha256 == "ab" * 32 and file.content_url.endswith("JetClass_Pythia_train.root")
    assert file.encoding_formats == ["application/x-root"]
    fields = metadata.record_sets[0].fields
    assert [(f.name, f.is_array, f.array_shape) for f in fields] == [
        ("part_px", True, "-1"), ("jet_pt", None, None), ("label", None, None), ("part_features", True, "128,17")]
    assert [str(f.data_types[0]).rpartition("/")[2] for f in fields] == ["Float32", "Float32", "Int64", "Float32"]
    # No homepage and no server URL given: the DOI is the url. Run conditions and catalog links in gc:.
    assert written["url"] == "https://doi.org/10.5281/zenodo.6619768" and "sameAs" not in written
    extra = {key.removeprefix(GC_NAMESPACE): value for key, value in metadata.extra_properties.items()}
    assert extra["sqrtSTeV"] == 13 and extra["generator"] == "MadGraph5 + Pythia 8"
    assert extra["detectorSimulation"] == "Delphes (CMS card)" and extra["numEvents"] == 100000000
    assert written["gc:simulatedWith"] == ["cms-detector"] and written["gc:experiment"] == ["cms"]
    assert written["gc:task"] == ["jet-tagging"] and written["gc:dataType"] == "simulation"
    assert written["gc:parameter"] == [{"@type": "sc:PropertyValue", "name": "jet_pt_centre_gev", "value": 750}]
    # Without a checksum there is no FileObject (Croissant requires one): the fields read a FileSet, the
    # location is the url; and that too imports back as the same version.
    old = tmp_path / "old.json"
    assert main(["export-croissant", "jetclass@0.9", "-o", str(old)]) == 0
    old_doc = json.loads(old.read_text())
    assert [d["@type"] for d in old_doc["distribution"]] == ["cr:FileSet"]
    assert old_doc["url"] == "https://zenodo.example/jetclass-0.9"
    assert old_doc["recordSet"][0]["field"][0]["source"]["fileSet"] == {"@id": "jetclass-files"}
    _load(old)
    assert import_croissant(db, old).unchanged["dataset_version"] == 1
    # The catalog's null (part_px) went out as arrayShape -1 and came back the same content: the
    # spelling is not content, and the stored one (null) stays.
    assert written["recordSet"][0]["field"][0]["arrayShape"] == "-1"  # part_px, [null] in the catalog
    assert import_croissant(db, out).unchanged["dataset_version"] == 1
    v10 = next(v for v in _dataset(db, "jetclass")["versions"] if v["version"] == "1.0")
    assert next(f for f in v10["features"] if f["name"] == "part_px")["shape"] == [None]
    # So does the served 1.0 document, whose url is the page: the location then goes in gc:location.
    assert main(["export-croissant", "jetclass@1.0", "--base-url", "http://graphcat.example", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["url"] == "http://graphcat.example/#/dataset-version/jetclass@1.0"
    assert import_croissant(db, out).unchanged["dataset_version"] == 1
    # No version given: the newest (by creation date, then version).
    newest = tmp_path / "newest.json"
    assert main(["export-croissant", "jetclass", "-o", str(newest)]) == 0
    assert json.loads(newest.read_text())["version"] == "1.0"


def test_round_trip_croissant_graphcat_croissant_keeps_the_fields(db, tmp_path: Path) -> None:
    path, doc = jet_croissant(tmp_path)
    import_croissant(db, path)
    exported = croissant_document(db, "hep-top-jets", "1.0.0")
    out = write(tmp_path / "exported.json", exported)
    _load(out)
    assert _fields(exported) == _fields(doc)
    assert [f.get("gc:unit") for f in exported["recordSet"][0]["field"]] == [u for *_, u in FIELDS]
    for key in ("name", "description", "version", "url", "datePublished"):
        assert exported[key] == doc[key], key
    assert exported["creator"] == doc["creator"] | {"identifier": "top-tagging-group"}  # the owner's graphcat id
    assert exported["license"] == [doc["license"]] and exported["keywords"] == doc["keywords"]
    (file,), (source,) = exported["distribution"], doc["distribution"]
    assert {k: file[k] for k in ("contentUrl", "sha256", "encodingFormat", "contentSize")} == \
           {k: source[k] for k in ("contentUrl", "sha256", "encodingFormat", "contentSize")}
    for key in ("gc:sqrtSTeV", "gc:generator", "gc:numEvents", "gc:dataType"):
        assert exported[key] == doc[key], key
    # What graphcat writes imports back as the very same dataset version (no conflict, nothing new).
    report = import_croissant(db, out)
    assert report.unchanged["dataset_version"] == 1 and not report.created
    # arrayShape's -1 was kept as written: the export shows it back, not a null turned into -1.
    assert next(f for f in _dataset(db, "hep-top-jets")["versions"][0]["features"]
                if f["name"] == "constituents_p4")["shape"] == [-1, 4]


@pytest.fixture()
def client(db, tmp_path: Path):
    app = create_app(dataclasses.replace(db.settings, index_dir=str(tmp_path / "index")))
    with TestClient(app) as test_client:
        yield test_client


def test_stable_url_serves_croissant_and_404s_clearly(db, client: TestClient, tmp_path: Path) -> None:
    import_documents(db, [("hep", HEP_CATALOG)])
    response = client.get("/datasets/jetclass/1.0/croissant.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    served = response.json()
    assert served == croissant_document(db, "jetclass", "1.0", base_url="http://testserver/")
    assert served["url"] == "http://testserver/#/dataset-version/jetclass@1.0"
    assert served["isBasedOn"] == [{"@type": "sc:Dataset", "name": "jetclass@0.9", "gc:derivation": "reprocessing",
                                    "url": "http://testserver/datasets/jetclass/0.9/croissant.json"}]
    assert client.get("/datasets/jetclass/0.9/croissant.json").json()["version"] == "0.9"
    _load(write(tmp_path / "served.json", served))
    missing = client.get("/datasets/nope/1.0/croissant.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "NOT_FOUND", "message": "no dataset 'nope' in the catalog"}}
    unknown = client.get("/datasets/jetclass/7.0/croissant.json")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "dataset 'jetclass' has no version '7.0' (versions: 0.9, 1.0)"
    assert main(["export-croissant", "jetclass@7.0"]) == 2



def test_archive_fileset_split_nested_fields_and_schema_org_types(db, tmp_path: Path) -> None:
    ctx = make_context(Context(conforms_to=CroissantVersion.V_1_1)) | {"gc": GC_NAMESPACE}

    def field(ident: str, dtype: str, column: str, **more: Any) -> dict[str, Any]:
        return {"@type": "cr:Field", "@id": ident, "name": ident.rpartition("/")[2], "dataType": dtype,
                "source": {"fileSet": {"@id": "parquets"}, "extract": {"column": column}}, **more}

    doc = {"@context": ctx, "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.1",
           "name": "Calo showers", "description": "Calorimeter showers", "version": "2.0", "license": "CC0-1.0",
           "url": "https://doi.org/10.5281/zenodo.1234",
           "distribution": [
               {"@type": "cr:FileObject", "@id": "readme", "name": "README.md", "contentUrl": "https://x.example/README.md",
                "encodingFormat": "text/markdown", "sha256": "1" * 64},
               {"@type": "cr:FileObject", "@id": "archive", "name": "showers.zip", "contentUrl": "https://x.example/s.zip",
                "encodingFormat": "application/zip", "sha256": "2" * 64, "contentSize": "1.5 GB"},
               {"@type": "cr:FileSet", "@id": "parquets", "name": "parquets", "containedIn": {"@id": "archive"},
                "encodingFormat": "application/x-parquet", "includes": "*.parquet"}],
           "recordSet": [
               {"@type": "cr:RecordSet", "@id": "splits", "name": "splits", "dataType": "cr:Split",
                "key": {"@id": "splits/name"},
                "field": [{"@type": "cr:Field", "@id": "splits/name", "name": "name", "dataType": "sc:Text"}],
                "data": [{"splits/name": "train"}, {"splits/name": "test"}]},
               {"@type": "cr:RecordSet", "@id": "showers", "name": "showers", "field": [
                   field("showers/energy", "sc:Float", "energy", **{"sc:unitText": "GeV"}),
                   field("showers/n_hits", "sc:Integer", "n_hits"),
                   {"@type": "cr:Field", "@id": "showers/hit", "name": "hit", "subField": [
                       field("showers/hit/x", "cr:Float32", "hit_x", isArray=True)]}]},
               {"@type": "cr:RecordSet", "@id": "meta", "name": "meta", "field": [field("meta/energy", "cr:Float64", "e")]}]}
    import_croissant(db, write(tmp_path / "calo.json", doc))
    dataset = _dataset(db, "calo-showers")
    (version,) = dataset["versions"]
    # The record sets read a FileSet of parquet files inside the zip: the zip is the file, parquet the format.
    assert version["location"] == "https://x.example/s.zip" and version["digest"] == "sha256:" + "2" * 64
    assert version["format"] == "parquet" and version["size_bytes"] == 1_500_000_000
    assert version["doi"] == "10.5281/zenodo.1234"
    assert dataset["description"] == "Calorimeter showers" and dataset["tags"] == ["license=CC0-1.0"]  # url: the DOI
    assert version["description"] == "Croissant distribution, other files: README.md (https://x.example/README.md)"
    # The split enumeration is no feature; nested fields are flat; a name in two record sets is qualified.
    assert [(f["name"], f["dtype"], f["shape"], f.get("unit")) for f in version["features"]] == [
        ("showers.energy", "float64", [], "GeV"), ("n_hits", "int64", [], None), ("hit.x", "float32", [None], None),
        ("meta.energy", "float64", [], None)]


def test_stable_url_needs_a_token_when_reads_do(db, tmp_path: Path) -> None:
    from graphcat.store import tokens

    import_documents(db, [("hep", HEP_CATALOG)])
    settings = dataclasses.replace(db.settings, index_dir=str(tmp_path / "index"), reads_require_token=True)
    url = "/datasets/jetclass/1.0/croissant.json"
    with TestClient(create_app(settings)) as client:
        anonymous = client.get(url)
        assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.json()["error"]["code"] == "UNAUTHORIZED"
        assert client.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
        secret = tokens.create(db, "reader", "croissant-test")[1]
        served = client.get(url, headers={"Authorization": f"Bearer {secret}"})
        assert served.status_code == 200 and served.json()["name"] == "JetClass"


def test_page_entity_query_gives_what_the_croissant_link_needs(db, client: TestClient) -> None:
    """The page's own entity query (graphcat/web/static/js/queries.js) answers the dataset slug and
    version the page's Croissant link is built from, and that link is served. (The browser test in
    tests/test_web_e2e.py clicks through the same link.)"""
    import re
    from urllib.parse import quote

    js = (Path(__file__).resolve().parents[1] / "graphcat" / "web" / "static" / "js")
    queries = (js / "queries.js").read_text()
    feature = re.search(r"const FEATURE = '([^']+)'", queries).group(1)  # type: ignore[union-attr]
    entity = re.search(r"const ENTITY = `(.*?)`;", queries, re.S).group(1).replace("${FEATURE}", feature)  # type: ignore[union-attr]
    assert "croissantUrl(ds.slug, dv.version)" in (js / "entity.js").read_text()
    import_documents(db, [("hep", HEP_CATALOG)])
    answer = client.post("/graphql", json={"query": entity, "variables": {"id": "dataset_version:jetclass@1.0"}})
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    dv = answer.json()["data"]["entity"]
    link = f"/datasets/{quote(dv['dataset']['slug'], safe='')}/{quote(dv['version'], safe='')}/croissant.json"
    assert link == "/datasets/jetclass/1.0/croissant.json"
    assert client.get(link).json()["version"] == "1.0"


def test_links_to_entities_this_catalog_lacks_are_refused_by_name(db, tmp_path: Path) -> None:
    from graphcat.store.admin import clear_catalog

    import_documents(db, [("hep", HEP_CATALOG)])
    path = write(tmp_path / "jetclass.json", croissant_document(db, "jetclass", "1.0"))
    clear_catalog(db)
    with pytest.raises(CatalogInvalid) as err:
        import_croissant(db, path)
    assert "cms-detector" in str(err.value) and "jetclass@0.9" in str(err.value) and "jetclass.json" in str(err.value)
    assert not export_document(db).get("datasets")


def test_every_demo_dataset_version_exports_valid_croissant_that_imports_back_unchanged(db, tmp_path: Path) -> None:
    from graphcat.catalog.commands import demo_catalog_path
    from graphcat.catalog.importer import import_files

    import_files(db, [demo_catalog_path()])
    versions = [(d["id"], v["version"]) for d in export_document(db)["datasets"] for v in d["versions"]]
    assert len(versions) >= 10
    for ident, version in versions:
        path = write(tmp_path / f"{ident}@{version}.json", croissant_document(db, ident, version))
        metadata = _load(path)
        assert metadata.version == version
        report = import_croissant(db, path, dataset_id=ident)
        assert report.unchanged["dataset_version"] == 1 and not report.created and not report.updated, \
            (ident, version, report)


def test_stable_url_is_503_when_neo4j_is_away(settings, tmp_path: Path) -> None:
    from tests.conftest import free_port

    away = dataclasses.replace(settings, neo4j_uri=f"bolt://127.0.0.1:{free_port()}", index_dir=str(tmp_path / "index"))
    with TestClient(create_app(away)) as client:
        response = client.get("/datasets/jetclass/1.0/croissant.json")
    assert response.status_code == 503 and response.json()["error"]["code"] == "DATABASE_UNAVAILABLE"
