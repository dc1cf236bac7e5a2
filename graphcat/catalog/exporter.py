"""`graphcat export`: the whole catalog as one catalog document, rebuilt from the graph.

Deterministic: entities sorted by id, versions by version, set-like lists sorted, features by
position, null and empty fields left out; so export -> import into an empty catalog -> export
gives the same bytes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from graphcat.content import prune
from graphcat.catalog.plan import REPRODUCIBILITY_KEYS, hyperparameters_from_props
from graphcat.domain import MODEL_LINEAGE_TYPES
from graphcat.features import shape_as_given
from graphcat.store import catalog as store
from graphcat.store.database import Database


def _ident(uid: str) -> str:
    return uid.partition(":")[2]


def export_document(db: Database) -> dict[str, Any]:
    nodes = {props["uid"]: props for props in store.export_nodes(db)}
    out: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    incoming: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for edge in store.export_edges(db):
        # Nodes and relationships are two reads; a write committed in between can add a
        # relationship to a node the first read did not see. Leaving it out gives the catalog as
        # of the first read, instead of a KeyError under concurrent writers.
        if edge["source"] not in nodes or edge["target"] not in nodes:
            continue
        out[edge["source"]].append((edge["type"], edge["target"], edge["props"]))
        incoming[edge["target"]].append((edge["type"], edge["source"], edge["props"]))

    def targets(uid: str, type_: str) -> list[str]:
        return sorted(_ident(t) for ty, t, _ in out[uid] if ty == type_)

    def one(uid: str, type_: str) -> str | None:
        found = targets(uid, type_)
        return found[0] if found else None

    def of_kind(kind: str) -> list[dict[str, Any]]:
        return sorted((p for p in nodes.values() if p["kind"] == kind), key=lambda p: p["id"])

    def features(uid: str, type_: str) -> list[dict[str, Any]]:
        feats = sorted((nodes[t] for ty, t, _ in out[uid] if ty == type_), key=lambda f: f["position"])
        return [{"name": f["name"], "dtype": f["dtype"], "shape": shape_as_given(f),
                 "unit": f.get("unit"), "description": f.get("description")} for f in feats]

    def dataset_version(p: dict[str, Any]) -> dict[str, Any]:
        u = p["uid"]
        entry = {k: p.get(k) for k in ("version", "created_at", "description", "format", "location", "doi", "digest",
                                       "size_bytes", "num_events", "data_type")}
        entry["conditions"] = {k: p.get(k) for k in ("sqrt_s_tev", "pileup_mean", "run_period", "generator", "tune",
                                                     "detector_simulation", "kinematic_range")}
        if p.get("condition_parameters"):
            entry["conditions"]["parameters"] = json.loads(p["condition_parameters"])
        entry["recorded_with"] = targets(u, "RECORDED_WITH")
        entry["simulated_with"] = targets(u, "SIMULATED_WITH")
        entry["derived_from"] = sorted(({"dataset": _ident(t), "kind": props.get("kind")}
                                        for ty, t, props in out[u] if ty == "DERIVED_FROM" and "linked_at" not in props),
                                       key=lambda d: (d["dataset"], str(d["kind"])))
        entry["features"] = features(u, "PROVIDES")
        # Linked after registration (graphcat.service.lineage_links): mutable, outside the content.
        entry["linked_derived_from"] = sorted(({"dataset": _ident(t), "kind": props.get("kind"),
                                                "linked_at": props.get("linked_at")}
                                               for ty, t, props in out[u] if ty == "DERIVED_FROM" and "linked_at" in props),
                                              key=lambda d: d["dataset"])
        return entry

    def evaluations(uid: str) -> list[dict[str, Any]]:
        found = []
        for ty, ev_uid, _ in incoming[uid]:
            if ty != "EVALUATES":
                continue
            ev = nodes[ev_uid]
            found.append({"dataset": one(ev_uid, "EVALUATED_ON"), "metric": ev["metric"], "value": ev["value"],
                          "date": ev.get("date"), "source": one(ev_uid, "DESCRIBED_IN") or ev.get("source_url"),
                          "notes": ev.get("notes")})
        return sorted(found, key=lambda e: (str(e["dataset"]), e["metric"]))

    def model_version(p: dict[str, Any]) -> dict[str, Any]:
        u = p["uid"]
        entry: dict[str, Any] = {k: p.get(k) for k in ("version", "created_at", "description", "framework", "format")}
        entry["tags"] = sorted(p.get("tags") or [])
        entry["artifact"] = {"uri": p.get("artifact_uri"), "sha256": p.get("artifact_sha256")}
        entry["license"] = p.get("license")
        entry["inputs"] = features(u, "HAS_INPUT")
        entry["outputs"] = features(u, "HAS_OUTPUT")
        entry["hyperparameters"] = hyperparameters_from_props(p)
        entry["reproducibility"] = {k: p.get(f"repro_{k}") for k in REPRODUCIBILITY_KEYS}
        entry["trained_on"] = targets(u, "TRAINED_ON")
        entry["lineage"] = sorted(({"type": ty, "from": _ident(t)} for ty, t, props in out[u]
                                   if ty in MODEL_LINEAGE_TYPES and "linked_at" not in props),
                                  key=lambda d: (d["type"], d["from"]))
        entry["linked_lineage"] = sorted(({"type": ty, "from": _ident(t), "linked_at": props.get("linked_at")}
                                          for ty, t, props in out[u] if ty in MODEL_LINEAGE_TYPES and "linked_at" in props),
                                         key=lambda d: (d["type"], d["from"]))
        entry["aliases"] = sorted(p.get("aliases") or [])
        entry["deprecated"] = {"reason": p["deprecated_reason"]} if p.get("deprecated_reason") else None
        entry["evaluations"] = evaluations(u)
        return entry

    def family(p: dict[str, Any], task_rel: str, version_kind: str, version_fn: Any) -> dict[str, Any]:
        u = p["uid"]
        versions = sorted((nodes[t] for ty, t, _ in out[u] if ty == "HAS_VERSION" and nodes[t]["kind"] == version_kind),
                          key=lambda v: v["version"])
        return {"id": p["id"], "name": p["name"], "description": p.get("description"), "tasks": targets(u, task_rel),
                "owner": one(u, "OWNED_BY"), "tags": list(p.get("tags") or []),
                "described_in": targets(u, "DESCRIBED_IN"), "versions": [version_fn(v) for v in versions]}

    document: dict[str, Any] = {"graphcat_catalog": 1}
    document["experiments"] = [{"id": p["id"], "name": p["name"], "description": p.get("description"),
                                "url": p.get("url")} for p in of_kind("experiment")]
    document["detectors"] = [{"id": p["id"], "name": p["name"], "experiment": one(p["uid"], "PART_OF"),
                              "kind": p.get("detector_kind"), "description": p.get("description")}
                             for p in of_kind("detector")]
    document["tasks"] = [{"id": p["id"], "name": p["name"], "parent": one(p["uid"], "SUBTASK_OF"),
                          "description": p.get("description")} for p in of_kind("task")]
    document["owners"] = [{"id": p["id"], "name": p["name"], "kind": p["owner_kind"], "url": p.get("url")}
                          for p in of_kind("owner")]
    document["publications"] = [{k: p.get(k) for k in ("id", "title", "authors", "year", "arxiv", "doi", "url")}
                                for p in of_kind("publication")]
    document["datasets"] = [family(p, "FOR_TASK", "dataset_version", dataset_version) for p in of_kind("dataset")]
    document["models"] = [family(p, "SOLVES", "model_version", model_version) for p in of_kind("model")]
    return _prune_keep_shape(document)


def _prune_keep_shape(document: dict[str, Any]) -> dict[str, Any]:
    """prune() but keep every feature's `shape` (required, and [] means scalar)."""
    pruned = prune(document)
    for section, key in (("datasets", "features"), ("models", "inputs"), ("models", "outputs")):
        for i, fam in enumerate(pruned.get(section, [])):
            for j, version in enumerate(fam.get("versions", [])):
                for k, feat in enumerate(version.get(key, [])):
                    feat.setdefault("shape", [])
    return pruned


def export_json(db: Database) -> str:
    return json.dumps(export_document(db), indent=2, ensure_ascii=False) + "\n"
