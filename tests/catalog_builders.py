"""Small catalog documents for tests, built in Python so each test states what it relies on."""

from __future__ import annotations

from typing import Any


def feature(name: str, shape: list[int | None], dtype: str = "float32", **extra: Any) -> dict[str, Any]:
    return {"name": name, "dtype": dtype, "shape": shape, **extra}


def chain_document(length: int = 7, *, shared: bool = True) -> dict[str, Any]:
    """raw@1 <-DERIVED_FROM- skim@1 <-TRAINED_ON- m@1 <-FINE_TUNED_FROM/...- m@2 ... m@<length-1>.

    Downstream of raw@1 the model versions sit at depths 2..length; an evaluation of the last
    model on skim@1 hangs off both ends. shared=False leaves out the experiment, detector and task
    it refers to (for importing next to tests/data/catalog_small.yaml, which defines them).
    """
    kinds = ["FINE_TUNED_FROM", "DISTILLED_FROM", "QUANTIZED_FROM", "CONVERTED_FROM"]
    versions = []
    for i in range(1, length):
        v: dict[str, Any] = {"version": f"{i}.0", "framework": "pytorch", "created_at": f"2024-01-{i:02d}",
                             "inputs": [feature("part_pt", [None])]}
        if i == 1:
            v["trained_on"] = ["skim@1"]
        else:
            v["lineage"] = [{"type": kinds[(i - 2) % len(kinds)], "from": f"m@{i - 1}.0"}]
        versions.append(v)
    versions[-1]["evaluations"] = [{"dataset": "skim@1", "metric": "auc", "value": 0.9, "date": "2024-02-01"}]
    common = {
        "experiments": [{"id": "cms", "name": "CMS"}],
        "detectors": [{"id": "cms-detector", "name": "CMS detector", "experiment": "cms"}],
        "tasks": [{"id": "jet-tagging", "name": "jet tagging"}],
    } if shared else {}
    return {
        "graphcat_catalog": 1,
        **common,
        "datasets": [
            {"id": "raw", "name": "Raw", "versions": [{"version": "1", "data_type": "data",
                                                          "recorded_with": ["cms-detector"],
                                                          "features": [feature("PT", [None])]}]},
            {"id": "skim", "name": "Skim", "versions": [{"version": "1", "data_type": "data",
                                                            "derived_from": [{"dataset": "raw@1", "kind": "skim"}],
                                                            "features": [feature("pT", [None])]}]},
        ],
        "models": [{"id": "m", "name": "Chain model", "tasks": ["jet-tagging"], "versions": versions}],
    }
