"""A small HEP catalog for the search and page tests (the demo catalog is larger), and a wide
lineage for the 500-node explorer test. Built as catalog documents and loaded by the importer."""

from __future__ import annotations

from typing import Any


def _feature(name: str, unit: str | None = None, shape: list[int | None] | None = None) -> dict[str, Any]:
    return {"name": name, "dtype": "float32", "shape": shape or [], "unit": unit, "description": f"{name} of the jet"}


JET_FEATURES = [_feature("jet_pt", "GeV"), _feature("jet_eta"), _feature("jet_phi"), _feature("jet_mass", "GeV")]


def small_catalog() -> dict[str, Any]:
    return {
        "graphcat_catalog": 1,
        "experiments": [
            {"id": "cms", "name": "CMS", "description": "Compact Muon Solenoid experiment at the CERN LHC"},
            {"id": "atlas", "name": "ATLAS", "description": "A Toroidal LHC ApparatuS"},
        ],
        "detectors": [
            {"id": "cms-detector", "name": "CMS detector", "experiment": "cms", "kind": "general-purpose"},
            {"id": "atlas-detector", "name": "ATLAS detector", "experiment": "atlas", "kind": "general-purpose"},
        ],
        "tasks": [
            {"id": "jet-tagging", "name": "jet tagging"},
            {"id": "b-tagging", "name": "b-tagging", "parent": "jet-tagging"},
        ],
        "datasets": [
            {"id": "jetnet-cms", "name": "JetNet CMS jets", "description": "Simulated CMS jets with kinematics",
             "tasks": ["jet-tagging"], "tags": ["jets"],
             "versions": [{"version": "1.0", "format": "hdf5", "data_type": "simulation", "num_events": 880000,
                           "conditions": {"sqrt_s_tev": 13, "pileup_mean": 0, "generator": "Pythia 8.2",
                                          "kinematic_range": "pT > 200 GeV"},
                           "simulated_with": ["cms-detector"], "features": JET_FEATURES}]},
            {"id": "atlas-btag-open", "name": "ATLAS b-tagging open sample", "tasks": ["b-tagging"],
             "versions": [{"version": "2.0", "format": "root", "data_type": "simulation",
                           "simulated_with": ["atlas-detector"], "features": JET_FEATURES}]},
        ],
        "models": [
            {"id": "jetclassifier", "name": "JetClassifier MLP", "description": "A small dense jet classifier",
             "tasks": ["jet-tagging"], "tags": ["mlp"],
             "versions": [
                 {"version": "1.0.0", "framework": "pytorch", "format": "onnx", "license": "MIT",
                  "inputs": JET_FEATURES, "outputs": [_feature("score", shape=[2])],
                  "trained_on": ["jetnet-cms@1.0"], "aliases": ["production"],
                  "artifact": {"uri": "https://example.org/jetclassifier-1.0.0.onnx", "sha256": "5e" * 32},
                  "hyperparameters": {"learning_rate": 0.001, "batch_size": 256, "epochs": 30, "optimizer": "adam",
                                      "dropout": 0.1},
                  "reproducibility": {"code_repository": "https://example.org/jetclassifier", "commit": "9f2c1ab",
                                      "seed": 7},
                  "evaluations": [{"dataset": "jetnet-cms@1.0", "metric": "auc", "value": 0.912}]},
                 {"version": "1.1.0", "framework": "pytorch", "format": "onnx",
                  "inputs": JET_FEATURES, "outputs": [_feature("score", shape=[2])],
                  "trained_on": ["jetnet-cms@1.0"],
                  "lineage": [{"type": "FINE_TUNED_FROM", "from": "jetclassifier@1.0.0"}]},
             ]},
            {"id": "btagger-bdt", "name": "b-tagger BDT", "description": "Boosted decision trees for b jets",
             "tasks": ["b-tagging"],
             "versions": [{"version": "0.9.0", "framework": "xgboost", "format": "other",
                           "inputs": JET_FEATURES, "outputs": [_feature("b_score")],
                           "trained_on": ["atlas-btag-open@2.0"], "deprecated": {"reason": "superseded by DL1r"}}]},
        ],
    }


def wide_lineage(fan: int) -> dict[str, Any]:
    """One dataset version with `fan` skims derived from it: a lineage of fan + 1 nodes.

    Dataset versions, not model versions: the app encodes every model version for the
    recommender's index at start-up, and 520 of them cost about a minute of CPU per fresh index."""
    return {
        "graphcat_catalog": 1,
        "datasets": [{"id": "wide-source", "name": "Wide source dataset",
                      "versions": [{"version": "1.0", "format": "parquet", "features": JET_FEATURES}]},
                     {"id": "wide-skim", "name": "Wide skim family",
                      "versions": [{"version": f"1.0.{i}", "format": "parquet", "features": JET_FEATURES,
                                    "derived_from": [{"dataset": "wide-source@1.0", "kind": "skim"}]}
                                   for i in range(fan)]}],
    }
