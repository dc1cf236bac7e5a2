"""Registration, idempotency, immutability and reads of every entity kind, on the real Neo4j."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from graphcat import domain
from graphcat.catalog.files import CatalogInvalid, read_document
from graphcat.errors import InvalidInput, NotFound
from graphcat.service import catalog as service
from graphcat.store.database import Database, count_queries
from tests.catalog_builders import feature

SMALL = Path(__file__).parent / "data" / "catalog_small.yaml"


def small_document() -> dict:
    data, problems = read_document(SMALL)
    assert not problems
    return data


def test_every_entity_kind_registers_and_reads_back(db: Database) -> None:
    report = service.register(db, small_document())
    assert report.created == {"experiment": 2, "detector": 2, "task": 2, "owner": 2, "publication": 1, "dataset": 1,
                              "dataset_version": 2, "model": 1, "model_version": 2, "feature": 8, "evaluation": 2}
    nodes = service.get_many(db, ["experiment:cms", "detector:cms-detector", "task:b-tagging", "owner:jdoe",
                                  "owner:qu-gouskos", "publication:arxiv-1902.08570", "dataset:top-tagging",
                                  "dataset_version:top-tagging@1.0", "model:particlenet-top",
                                  "model_version:particlenet-top@1.0.0", "feature:particlenet-top@1.0.0/input/0",
                                  "evaluation:particlenet-top@1.0.0/top-tagging@1.0/auc"])
    assert len(nodes) == 12
    assert isinstance(nodes["experiment:cms"], domain.Experiment) and nodes["experiment:cms"].url == "https://cms.cern"
    assert nodes["detector:cms-detector"].detector_kind == "general-purpose"
    assert nodes["owner:jdoe"].owner_kind == "person" and nodes["owner:qu-gouskos"].owner_kind == "team"
    assert nodes["publication:arxiv-1902.08570"].authors == ("Huilin Qu", "Loukas Gouskos")
    dsv = nodes["dataset_version:top-tagging@1.0"]
    assert isinstance(dsv, domain.DatasetVersion)
    assert dsv.conditions.sqrt_s_tev == 14 and dsv.conditions.generator == "Pythia 8.2" and dsv.num_events == 2000000
    mv = nodes["model_version:particlenet-top@1.0.0"]
    assert isinstance(mv, domain.ModelVersion)
    # Hyper-parameters arrive normalised whatever the file called them (lr, n_epochs, Adam).
    assert mv.hyperparameters == domain.Hyperparameters(learning_rate=0.0003, batch_size=384, epochs=20,
                                                        optimizer="adam", extra={"k_neighbours": 16})
    assert mv.reproducibility.seed == 42 and mv.aliases == ("production",) and not mv.deprecated
    assert mv.content_hash.startswith("sha256:")
    feat = nodes["feature:particlenet-top@1.0.0/input/0"]
    assert isinstance(feat, domain.Feature) and feat.canonical == "pt" and feat.shape == (100,) and feat.unit == "GeV"
    ev = nodes["evaluation:particlenet-top@1.0.0/top-tagging@1.0/auc"]
    assert isinstance(ev, domain.Evaluation) and ev.value == pytest.approx(0.9858)
    assert service.get_by_uid(db, "model_version:particlenet-top@1.1.0").deprecated_reason == "numerically unstable"


def test_unknown_uid_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="model_version:nope@1"):
        service.get_by_uid(db, "model_version:nope@1")


def test_reimport_of_identical_content_is_a_no_op(db: Database) -> None:
    service.register(db, small_document())
    before = service.get_by_uid(db, "model_version:particlenet-top@1.0.0")
    # Same content spelled differently: other key order, other list order, explicit nulls.
    doc = small_document()
    v = doc["models"][0]["versions"][0]
    v["hyperparameters"] = {"optimizer": "Adam", "n_epochs": 20, "batch_size": 384, "lr": 0.0003, "k_neighbours": 16}
    v["reproducibility"]["commit"] = None
    report = service.register(db, doc)
    assert report.created == {}
    assert report.updated == {}
    assert report.unchanged["model_version"] == 2 and report.unchanged["dataset_version"] == 2
    assert service.get_by_uid(db, before.uid) == before


def test_changed_content_of_a_registered_version_is_refused(db: Database) -> None:
    service.register(db, small_document())
    doc = small_document()
    doc["models"][0]["versions"][0]["license"] = "GPL-3.0"
    doc["models"][0]["versions"][0]["inputs"][1]["dtype"] = "float64"
    doc["models"][0]["description"] = "should not be written either"
    with pytest.raises(CatalogInvalid) as err:
        service.register(db, doc)
    message = str(err.value)
    assert "particlenet-top@1.0.0" in message and "immutable" in message
    assert "license" in message and "inputs" in message
    assert err.value.problems[0].where.path == "models[0].versions[0]"
    assert service.get_by_uid(db, "model:particlenet-top").description is None


def test_mutable_facts_change_without_touching_content(db: Database) -> None:
    service.register(db, small_document())
    v2 = service.set_alias(db, "model_version:particlenet-top@1.1.0", "production")
    assert v2.aliases == ("production",)
    assert service.get_by_uid(db, "model_version:particlenet-top@1.0.0").aliases == ()
    v1 = service.deprecate(db, "model_version:particlenet-top@1.0.0", "superseded by 1.1.0")
    assert v1.deprecated_reason == "superseded by 1.1.0"
    assert service.deprecate(db, v1.uid, None).deprecated_reason is None
    with pytest.raises(InvalidInput, match="reason"):
        service.deprecate(db, v1.uid, "  ")
    ev = service.record_evaluation(db, v1.uid, {"dataset": "top-tagging@1.1", "metric": "background_rejection@0.3",
                                                "value": 1260.0, "source": "arxiv-1902.08570"})
    assert ev.dataset_version_uid == "dataset_version:top-tagging@1.1" and ev.value == 1260.0
    with pytest.raises(CatalogInvalid, match=r"evaluation\.value"):
        service.record_evaluation(db, v1.uid, {"dataset": "top-tagging@1.1", "metric": "auc", "value": "high"})
    with pytest.raises(CatalogInvalid, match="unknown dataset version 'nope@1'"):
        service.record_evaluation(db, v1.uid, {"dataset": "nope@1", "metric": "auc", "value": 0.5})
    # Content hash unchanged: re-importing the original file is still a no-op for the versions.
    report = service.register(db, small_document())
    assert report.unchanged["model_version"] == 2


def test_register_model_version_against_an_existing_model(db: Database) -> None:
    service.register(db, small_document())
    new = {"version": "2.0.0", "framework": "pytorch", "inputs": [feature("part_pt", [None])],
           "trained_on": ["top-tagging@1.0"], "lineage": [{"type": "FINE_TUNED_FROM", "from": "particlenet-top@1.0.0"}]}
    mv = service.register_model_version(db, "particlenet-top", new)
    assert mv.uid == "model_version:particlenet-top@2.0.0" and mv.model_uid == "model:particlenet-top"
    assert service.register_model_version(db, "particlenet-top", copy.deepcopy(new)) == mv  # idempotent
    with pytest.raises(CatalogInvalid, match="framework"):
        service.register_model_version(db, "particlenet-top", {**new, "framework": "jax"})
    with pytest.raises(InvalidInput, match="unknown model 'ghost'"):
        service.register_model_version(db, "ghost", new)
    # Models keep their tasks when a file registers only a new version.
    assert [t.uid for t in service.tasks_of(db, ["model:particlenet-top"])["model:particlenet-top"]] == ["task:b-tagging"]


def test_batch_loaders_answer_many_keys_in_one_query(db: Database) -> None:
    service.register(db, small_document())
    keys = ["model_version:particlenet-top@1.0.0", "model_version:particlenet-top@1.1.0"]
    with count_queries() as n:
        trained = service.datasets_for_versions(db, keys)
    assert n[0] == 1
    assert [d.uid for d in trained[keys[0]]] == ["dataset_version:top-tagging@1.0"]
    assert [d.uid for d in trained[keys[1]]] == ["dataset_version:top-tagging@1.1"]
    inputs = service.inputs_of(db, keys)
    assert [f.name for f in inputs[keys[0]]] == ["Jet_pT", "pseudorapidity"]
    assert [e.metric for e in service.evaluations_of(db, keys)[keys[1]]] == ["accuracy"]
    assert [v.id for v in service.versions_of(db, ["model:particlenet-top"])["model:particlenet-top"]] == [
        "particlenet-top@1.0.0", "particlenet-top@1.1.0"]
    assert [o.id for o in service.owner_of(db, ["dataset:top-tagging"])["dataset:top-tagging"]] == ["jdoe"]
    assert [p.id for p in service.publications_of(db, ["model:particlenet-top"])["model:particlenet-top"]] == [
        "arxiv-1902.08570"]
    assert [f.canonical for f in service.features_of(db, ["dataset_version:top-tagging@1.0"])[
        "dataset_version:top-tagging@1.0"]] == ["pt", "eta", "issignal"]
    with pytest.raises(InvalidInput, match="BOGUS"):
        service.related(db, keys, ["BOGUS"])


def test_list_model_versions_filters_sorts_and_pages(db: Database) -> None:
    service.register(db, small_document())
    everything = service.list_model_versions(db)
    assert everything.total_count == 2
    # b-tagging is a subtask of jet-tagging, so the model answers for jet-tagging too.
    assert service.list_model_versions(db, {"task": "task:jet-tagging"}).total_count == 2
    assert service.list_model_versions(db, {"framework": "onnx"}).items[0].version == "1.1.0"
    assert service.list_model_versions(db, {"include_deprecated": False}).total_count == 1
    assert service.list_model_versions(db, {"alias": "production"}).items[0].version == "1.0.0"
    assert service.list_model_versions(db, {"trained_on": "dataset_version:top-tagging@1.1"}).total_count == 1
    assert service.list_model_versions(db, {"experiment": "experiment:atlas"}).total_count == 1
    assert service.list_model_versions(db, {"owner": "owner:qu-gouskos", "tag": "gnn"}).total_count == 2
    newest = service.list_model_versions(db, sort="created_at", descending=True, first=1)
    assert newest.items[0].version == "1.1.0" and newest.has_next_page and newest.total_count == 2
    rest = service.list_model_versions(db, sort="created_at", descending=True, first=1, after=newest.end_cursor)
    assert rest.items[0].version == "1.0.0" and not rest.has_next_page
    with pytest.raises(InvalidInput, match="sort"):
        service.list_model_versions(db, sort="size")
    with pytest.raises(InvalidInput, match="cursor"):
        service.list_model_versions(db, after="garbage")


def test_feature_queries_match_canonical_names_and_shapes(db: Database) -> None:
    service.register(db, small_document())
    consumers = service.models_consuming_feature(db, "transverse momentum")
    assert [(mv.version, f.name) for mv, f in consumers] == [("1.0.0", "Jet_pT"), ("1.1.0", "PT")]
    # 1.1.0 consumes a variable-length pt: both versions of the dataset provide one (var / [200]).
    providing = service.datasets_providing_inputs(db, "model_version:particlenet-top@1.1.0")
    assert [d.uid for d in providing] == ["dataset_version:top-tagging@1.0", "dataset_version:top-tagging@1.1"]
    # 1.0.0 needs pt and eta as [100]: only 1.0 provides both (as variable-length arrays).
    providing = service.datasets_providing_inputs(db, "model_version:particlenet-top@1.0.0")
    assert [d.uid for d in providing] == ["dataset_version:top-tagging@1.0"]


def test_dataset_versions_are_queryable_by_run_conditions(db: Database) -> None:
    service.register(db, small_document())
    uids = lambda page: [d.uid for d in page.items]  # noqa: E731
    both = ["dataset_version:top-tagging@1.0", "dataset_version:top-tagging@1.1"]
    assert uids(service.list_dataset_versions(db)) == both
    assert uids(service.list_dataset_versions(db, {"sqrt_s_tev": 14})) == both[:1]
    assert uids(service.list_dataset_versions(db, {"sqrt_s_tev": 13})) == []
    assert uids(service.list_dataset_versions(db, {"generator": "pythia"})) == both[:1]
    assert uids(service.list_dataset_versions(db, {"pileup_min": 0, "pileup_max": 10})) == both[:1]
    assert uids(service.list_dataset_versions(db, {"experiment": "experiment:atlas", "data_type": "simulation"})) == both[:1]
    assert uids(service.list_dataset_versions(db, {"detector": "detector:cms-detector"})) == []
    assert uids(service.list_dataset_versions(db, {"task": "task:jet-tagging", "data_type": "simulation"})) == both
    page = service.list_dataset_versions(db, first=1)
    assert page.total_count == 2 and page.has_next_page
    assert uids(service.list_dataset_versions(db, first=1, after=page.end_cursor)) == both[1:]
    with pytest.raises(InvalidInput, match="energy"):
        service.list_dataset_versions(db, {"energy": 13})
    with pytest.raises(InvalidInput, match="data_type"):
        service.list_dataset_versions(db, {"data_type": "real"})


def test_merge_edges_links_once(db: Database) -> None:
    from graphcat.store import catalog as store

    service.register(db, small_document())
    row = {"from": "model:particlenet-top", "type": "DESCRIBED_IN", "to": "publication:arxiv-1902.08570", "props": {}}
    assert db.write_transaction(lambda tx: store.merge_edges(tx, [row, row])) == 2
    pubs = service.publications_of(db, ["model:particlenet-top"])["model:particlenet-top"]
    assert [p.uid for p in pubs] == ["publication:arxiv-1902.08570"]  # merged into the existing one
