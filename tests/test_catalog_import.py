"""Catalog files: invalid files rejected with file + path + problem and nothing written; all-or-nothing
imports into a non-empty catalog; export round-trips; the CLI commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from graphcat.catalog.exporter import export_document
from graphcat.catalog.files import CatalogInvalid, read_document, write_document
from graphcat.catalog.importer import import_files
from graphcat.cli import main
from graphcat.store import catalog as store
from graphcat.store.database import Database
from tests.catalog_builders import chain_document, feature

SMALL = Path(__file__).parent / "data" / "catalog_small.yaml"


def write(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if name.endswith(".json") else yaml.safe_dump(doc, sort_keys=False))
    return path


def small() -> dict[str, Any]:
    data, problems = read_document(SMALL)
    assert not problems
    return data


def catalog_size(db: Database) -> tuple[int, int]:
    return len(store.export_nodes(db)), len(store.export_edges(db))


def rejected(db: Database, *paths: Path) -> list[str]:
    before = catalog_size(db)
    with pytest.raises(CatalogInvalid) as err:
        import_files(db, list(paths))
    assert catalog_size(db) == before, "a rejected import wrote something"
    return [str(p) for p in err.value.problems]


def test_wrong_dtype_names_file_and_path(db: Database, tmp_path: Path) -> None:
    doc = small()
    doc["models"][0]["versions"][0]["inputs"][1]["dtype"] = "float99"
    path = write(tmp_path, "bad.yaml", doc)
    problems = rejected(db, path)
    assert problems == [f"{path}: models[0].versions[0].inputs[1].dtype: 'float99' is not one of "
                        "['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', "
                        "'float16', 'float32', 'float64', 'string']"]


def test_every_schema_problem_is_reported_at_once(db: Database, tmp_path: Path) -> None:
    doc = small()
    doc["models"][0]["versions"][1]["inputs"][0]["shape"] = [0]
    doc["datasets"][0]["versions"][0]["conditions"]["sqrt_s_tev"] = "thirteen"
    doc["owners"][0]["kind"] = "robot"
    doc["experiments"][0]["colour"] = "blue"
    doc["models"][0]["versions"][0]["version"] = 1.0
    problems = rejected(db, write(tmp_path, "bad.json", doc))
    paths = sorted(p.split(": ")[1] for p in problems)
    assert paths == ["datasets[0].versions[0].conditions.sqrt_s_tev", "experiments[0]", "models[0].versions[0].version",
                     "models[0].versions[1].inputs[0].shape[0]", "owners[0].kind"]
    assert any("unknown field(s) ('colour' was unexpected)" in p for p in problems)


def test_unknown_references_name_what_is_missing(db: Database, tmp_path: Path) -> None:
    doc = small()
    doc["models"][0]["versions"][0]["trained_on"] = ["top-tagging@9.9"]
    doc["models"][0]["tasks"] = ["telepathy"]
    doc["datasets"][0]["versions"][1]["derived_from"][0]["dataset"] = "nowhere@1"
    doc["models"][0]["versions"][1]["evaluations"][0]["source"] = "arxiv-0000.00000"
    path = write(tmp_path, "refs.yaml", doc)
    problems = rejected(db, path)
    assert f"{path}: models[0].versions[0].trained_on[0]: unknown dataset version 'top-tagging@9.9' " \
           "(not defined in these files nor in the catalog)" in problems
    assert any("models[0].tasks[0]: unknown task 'telepathy'" in p for p in problems)
    assert any("datasets[0].versions[1].derived_from[0].dataset: unknown dataset version 'nowhere@1'" in p for p in problems)
    assert any("models[0].versions[1].evaluations[0].source: unknown publication 'arxiv-0000.00000'" in p for p in problems)


def test_references_may_point_into_the_catalog_or_another_file(db: Database, tmp_path: Path) -> None:
    doc = small()
    base = {k: doc[k] for k in ("graphcat_catalog", "experiments", "detectors", "tasks", "owners", "publications", "datasets")}
    models = {"graphcat_catalog": 1, "models": doc["models"]}
    # Two files of one invocation: the models file refers to the other file's entities.
    import_files(db, [write(tmp_path, "models.yaml", models), write(tmp_path, "base.yaml", base)])
    extra = {"graphcat_catalog": 1, "models": [{"id": "other", "name": "Other", "tasks": ["jet-tagging"], "versions": [
        {"version": "1", "trained_on": ["top-tagging@1.0"], "inputs": [feature("pt", [])]}]}]}
    # A later import refers to entities already in the catalog.
    report = import_files(db, [write(tmp_path, "extra.yaml", extra)])
    assert report.created["model_version"] == 1


def test_duplicate_ids_within_and_across_files(db: Database, tmp_path: Path) -> None:
    doc = small()
    doc["tasks"].append({"id": "b-tagging", "name": "again"})
    doc["models"][0]["versions"][1]["version"] = "1.0.0"
    first = write(tmp_path, "a.yaml", doc)
    second = write(tmp_path, "b.yaml", {"graphcat_catalog": 1, "experiments": [{"id": "cms", "name": "CMS twice"}]})
    problems = rejected(db, first, second)
    assert f"{first}: tasks[2]: duplicate task 'b-tagging' (first defined at {first}: tasks[1])" in problems
    assert f"{first}: models[0].versions[1]: duplicate model version 'particlenet-top@1.0.0' " \
           f"(first defined at {first}: models[0].versions[0])" in problems
    assert f"{second}: experiments[0]: duplicate experiment 'cms' (first defined at {first}: experiments[0])" in problems


def test_lineage_cycles_are_rejected(db: Database, tmp_path: Path) -> None:
    doc = chain_document(4)
    doc["datasets"][0]["versions"][0]["derived_from"] = [{"dataset": "skim@1", "kind": "reprocessing"}]
    doc["models"][0]["versions"][0]["lineage"] = [{"type": "DISTILLED_FROM", "from": "m@3.0"}]
    doc["tasks"] = [{"id": "a", "name": "A", "parent": "b"}, {"id": "b", "name": "B", "parent": "a"},
                    {"id": "jet-tagging", "name": "jet tagging"}]
    path = write(tmp_path, "cycle.yaml", doc)
    problems = rejected(db, path)
    assert any("DERIVED_FROM makes a cycle: raw@1 -> skim@1 -> raw@1" in p for p in problems)
    assert any("makes a cycle: m@1.0 -> m@3.0 -> m@2.0 -> m@1.0" in p for p in problems)
    assert any("SUBTASK_OF makes a cycle: a -> b -> a" in p for p in problems)


def test_alias_may_name_only_one_version(db: Database, tmp_path: Path) -> None:
    doc = small()
    doc["models"][0]["versions"][1]["aliases"] = ["production"]
    problems = rejected(db, write(tmp_path, "alias.yaml", doc))
    assert any("models[0].versions[1].aliases: alias 'production' already names particlenet-top@1.0.0" in p
               for p in problems)


def test_unreadable_and_unparsable_files(db: Database, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("graphcat_catalog: 1\nmodels: [\n")
    missing = tmp_path / "missing.yaml"
    not_json = tmp_path / "x.json"
    not_json.write_text("{nope")
    problems = rejected(db, broken, missing, not_json)
    assert any(p.startswith(f"{broken}: line ") and "invalid YAML" in p for p in problems)
    assert any(p.startswith(f"{missing}: $: cannot read") for p in problems)
    assert any(p.startswith(f"{not_json}: line 1 column 2: invalid JSON") for p in problems)
    assert rejected(db, write(tmp_path, "v.yaml", {"models": []})) == [
        f"{tmp_path / 'v.yaml'}: $: 'graphcat_catalog' is a required property"]


def test_import_into_a_non_empty_catalog_is_all_or_nothing(db: Database, tmp_path: Path) -> None:
    import_files(db, [SMALL])
    good = write(tmp_path, "good.yaml", chain_document(7, shared=False))
    changed = small()
    changed["datasets"][0]["versions"][0]["num_events"] = 1  # immutable content changed
    bad = write(tmp_path, "changed.yaml", changed)
    problems = rejected(db, good, bad)
    assert problems == [f"{bad}: datasets[0].versions[0]: dataset version 'top-tagging@1.0' is already registered "
                        "with different content (immutable); differing fields: num_events"]
    assert store.nodes_by_uid(db, ["model_version:m@1.0"]) == {}
    report = import_files(db, [good, SMALL])
    assert report.created["model_version"] == 6 and report.unchanged["model_version"] == 2


def test_reimport_creates_no_duplicate_relationships(db: Database, tmp_path: Path) -> None:
    import_files(db, [SMALL])
    before = catalog_size(db)
    import_files(db, [SMALL])
    doc = small()
    doc["models"][0]["tasks"] = ["jet-tagging", "b-tagging"]
    import_files(db, [write(tmp_path, "more.yaml", doc)])
    assert catalog_size(db) == (before[0], before[1] + 1)


def test_mutable_entities_update_in_place(db: Database, tmp_path: Path) -> None:
    import_files(db, [SMALL])
    doc = small()
    doc["models"][0]["description"] = "now described"
    doc["models"][0]["tasks"] = ["jet-tagging"]
    doc["owners"][1]["kind"] = "team"  # jdoe, a person until now
    report = import_files(db, [write(tmp_path, "upd.yaml", doc)])
    assert report.updated == {"model": 1, "owner": 1}
    exported = export_document(db)
    assert exported["models"][0]["description"] == "now described" and exported["models"][0]["tasks"] == ["jet-tagging"]
    assert exported["owners"][0] == {"id": "jdoe", "name": "Jane Doe", "kind": "team", "url": "https://example.org/jdoe"}


def test_export_round_trips(db: Database, tmp_path: Path) -> None:
    import_files(db, [SMALL, write(tmp_path, "chain.yaml", chain_document(7, shared=False))])
    first = write_document(export_document(db), tmp_path / "first.yaml")
    as_json = write_document(export_document(db), tmp_path / "first.json")
    assert json.loads(as_json) == yaml.safe_load(first)
    report = import_files(db, [tmp_path / "first.yaml"], replace=True)
    assert report.created["model_version"] == 8 and "evaluation" in report.created
    assert write_document(export_document(db), None) == first
    # JSON export imports just the same.
    import_files(db, [tmp_path / "first.json"], replace=True)
    assert write_document(export_document(db), None) == first


def test_replace_that_fails_keeps_the_old_catalog(db: Database, tmp_path: Path) -> None:
    import_files(db, [SMALL])
    before = catalog_size(db)
    orphan = {"graphcat_catalog": 1, "models": [{"id": "x", "name": "X", "versions": [
        {"version": "1", "trained_on": ["top-tagging@1.0"]}]}]}
    # Valid against the current catalog, but --replace empties it first: the reference dangles.
    with pytest.raises(CatalogInvalid, match="unknown dataset version 'top-tagging@1.0'"):
        import_files(db, [write(tmp_path, "orphan.yaml", orphan)], replace=True)
    assert catalog_size(db) == before


def test_cli_import_export_and_errors(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(SMALL)]) == 0
    assert "model_version: 2 created" in capsys.readouterr().out
    out = tmp_path / "catalog.yaml"
    assert main(["export", "-o", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["models"][0]["id"] == "particlenet-top"
    doc = small()
    doc["models"][0]["versions"][0]["inputs"][1]["dtype"] = "float99"
    bad = write(tmp_path, "bad.yaml", doc)
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "nothing written" in err and f"{bad}: models[0].versions[0].inputs[1].dtype" in err
    assert main(["export"]) == 0
    assert capsys.readouterr().out == out.read_text()


def test_reparenting_a_stored_task_into_a_cycle_is_rejected(db: Database, tmp_path: Path) -> None:
    import_files(db, [write(tmp_path, "tasks.yaml", {"graphcat_catalog": 1, "tasks": [
        {"id": "jet-tagging", "name": "jet tagging"},
        {"id": "b-tagging", "name": "b-tagging", "parent": "jet-tagging"},
        {"id": "c-tagging", "name": "c-tagging", "parent": "b-tagging"}]})])
    path = write(tmp_path, "loop.yaml", {"graphcat_catalog": 1, "tasks": [
        {"id": "jet-tagging", "name": "jet tagging", "parent": "c-tagging"}]})
    problems = rejected(db, path)
    assert problems == [f"{path}: tasks[0].parent: SUBTASK_OF makes a cycle: "
                        "jet-tagging -> c-tagging -> b-tagging -> jet-tagging"]
    # Re-parenting that also restates the stored child's parent is fine.
    ok = write(tmp_path, "ok.yaml", {"graphcat_catalog": 1, "tasks": [
        {"id": "jet-tagging", "name": "jet tagging", "parent": "c-tagging"},
        {"id": "b-tagging", "name": "b-tagging", "parent": None}]})
    assert import_files(db, [ok]).updated == {"task": 2}
    assert export_document(db)["tasks"][2] == {"id": "jet-tagging", "name": "jet tagging", "parent": "c-tagging"}


def test_lineage_linked_after_registration_round_trips(db: Database, tmp_path: Path) -> None:
    from graphcat.service.lineage_links import link_lineage

    import_files(db, [SMALL])
    extra = {"graphcat_catalog": 1, "models": [{"id": "student", "name": "Student", "versions": [
        {"version": "1", "inputs": [feature("pt", [None])]}]}]}
    import_files(db, [write(tmp_path, "student.yaml", extra)])
    link_lineage(db, "model_version:student@1", "model_version:particlenet-top@1.0.0", "DISTILLED_FROM")
    link_lineage(db, "dataset_version:top-tagging@1.1", "dataset_version:top-tagging@1.0", "DERIVED_FROM")
    exported = export_document(db)
    student = exported["models"][1]["versions"][0]
    assert "lineage" not in student and student["linked_lineage"][0]["from"] == "particlenet-top@1.0.0"
    first = write_document(exported, tmp_path / "first.yaml")
    # Re-importing the export into the same catalog is a no-op: links are not version content,
    # and the links it restates are merged, not doubled.
    before = catalog_size(db)
    report = import_files(db, [tmp_path / "first.yaml"])
    assert report.created == {} and report.unchanged["model_version"] == 3
    assert catalog_size(db) == before
    import_files(db, [tmp_path / "first.yaml"], replace=True)
    assert write_document(export_document(db), None) == first
    assert catalog_size(db) == before
