"""Turn validated catalog documents into the rows the store writes: nodes, edges, references.

Pure Python, no database: it also collects every problem it can see without the catalog
(duplicate ids, references to nothing in these files, lineage cycles, alias clashes), each with
the file and the path inside it. References not defined in the files are checked against the
catalog later by graphcat.catalog.importer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from graphcat.content import canonical_json, canonical_version, content_hash, normalise_hyperparameters
from graphcat.domain import MODEL_LINEAGE_TYPES, uid
from graphcat.features import canonical_name, encode_shape, encode_shape_given

# The fields of a model version's reproducibility record; stored as repro_<key> properties.
REPRODUCIBILITY_KEYS = ("code_repository", "commit", "entry_point", "environment", "training_config", "seed")

KIND_WORDS = {
    "experiment": "experiment",
    "detector": "detector",
    "task": "task",
    "owner": "owner",
    "publication": "publication",
    "dataset": "dataset",
    "dataset_version": "dataset version",
    "model": "model",
    "model_version": "model version",
    "evaluation": "evaluation",
}


@dataclass(frozen=True)
class Where:
    file: str
    path: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}"


@dataclass(frozen=True)
class Problem:
    where: Where
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class NodeRow:
    uid: str
    kind: str
    labels: list[str]
    props: dict[str, Any]
    where: Where
    version: str | None = None  # the immutable version this node belongs to (itself, or its owner)
    remove_labels: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return {"uid": self.uid, "labels": ["Catalog", *self.labels], "remove": self.remove_labels,
                "props": {**self.props, "uid": self.uid, "kind": self.kind}}


@dataclass
class EdgeRow:
    source: str
    type: str
    target: str
    props: dict[str, Any]
    where: Where
    version: str | None = None

    def row(self) -> dict[str, Any]:
        return {"from": self.source, "type": self.type, "to": self.target, "props": self.props}


@dataclass
class Reference:
    target: str
    where: Where


@dataclass
class VersionContent:
    uid: str
    content: dict[str, Any]
    hash: str
    where: Where


@dataclass
class Plan:
    nodes: list[NodeRow] = field(default_factory=list)
    edges: list[EdgeRow] = field(default_factory=list)
    replace: dict[str, set[str]] = field(default_factory=dict)  # uid -> edge types it owns anew
    references: list[Reference] = field(default_factory=list)
    versions: dict[str, VersionContent] = field(default_factory=dict)
    aliases: list[dict[str, Any]] = field(default_factory=list)  # {model, version, aliases}
    linked: list[EdgeRow] = field(default_factory=list)  # lineage linked after registration: MERGEd
    problems: list[Problem] = field(default_factory=list)
    defined: dict[str, Where] = field(default_factory=dict)

    # -- building ------------------------------------------------------------------------------

    def node(self, row: NodeRow) -> None:
        first = self.defined.get(row.uid)
        if first is not None:
            kind, _, ident = row.uid.partition(":")
            self.problems.append(Problem(row.where, f"duplicate {KIND_WORDS.get(kind, kind)} {ident!r} (first defined at {first})"))
            return
        self.defined[row.uid] = row.where
        self.nodes.append(row)

    def edge(self, source: str, type_: str, target: str, where: Where, *, version: str | None = None,
             props: dict[str, Any] | None = None, check: bool = True) -> None:
        self.edges.append(EdgeRow(source, type_, target, props or {}, where, version))
        if check:
            self.references.append(Reference(target, where))

    def owns(self, node_uid: str, *types: str) -> None:
        self.replace.setdefault(node_uid, set()).update(types)


def _props(entry: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """Node properties for the keys present in the entry (absent keys leave the node untouched)."""
    return {prop: entry.get(key) for key, prop in mapping.items() if key in entry}


def build_plan(documents: list[tuple[str, dict[str, Any]]]) -> Plan:
    plan = Plan()
    for file, doc in documents:
        _Builder(plan, file).document(doc)
    _check_cycles(plan)
    _check_aliases(plan)
    return plan


class _Builder:
    def __init__(self, plan: Plan, file: str) -> None:
        self.plan = plan
        self.file = file

    def at(self, path: str) -> Where:
        return Where(self.file, path)

    def document(self, doc: dict[str, Any]) -> None:
        for i, e in enumerate(doc.get("experiments") or []):
            w = self.at(f"experiments[{i}]")
            self.plan.node(NodeRow(uid("experiment", e["id"]), "experiment", ["Experiment"],
                                   {"id": e["id"], "display": e["name"], **_props(e, {"name": "name", "description": "description", "url": "url"})}, w))
        for i, d in enumerate(doc.get("detectors") or []):
            w = self.at(f"detectors[{i}]")
            u = uid("detector", d["id"])
            self.plan.node(NodeRow(u, "detector", ["Detector"],
                                   {"id": d["id"], "display": d["name"], **_props(d, {"name": "name", "kind": "detector_kind", "description": "description"})}, w))
            if "experiment" in d:
                self.plan.owns(u, "PART_OF")
                if d["experiment"]:
                    self.plan.edge(u, "PART_OF", uid("experiment", d["experiment"]), self.at(f"detectors[{i}].experiment"))
        for i, t in enumerate(doc.get("tasks") or []):
            w = self.at(f"tasks[{i}]")
            u = uid("task", t["id"])
            self.plan.node(NodeRow(u, "task", ["Task"], {"id": t["id"], "display": t["name"], **_props(t, {"name": "name", "description": "description"})}, w))
            if "parent" in t:
                self.plan.owns(u, "SUBTASK_OF")
                if t["parent"]:
                    self.plan.edge(u, "SUBTASK_OF", uid("task", t["parent"]), self.at(f"tasks[{i}].parent"))
        for i, o in enumerate(doc.get("owners") or []):
            label = "Person" if o["kind"] == "person" else "Team"
            other = "Team" if label == "Person" else "Person"
            self.plan.node(NodeRow(uid("owner", o["id"]), "owner", ["Owner", label],
                                   {"id": o["id"], "display": o["name"], "owner_kind": o["kind"], **_props(o, {"name": "name", "url": "url"})},
                                   self.at(f"owners[{i}]"), remove_labels=[other]))
        for i, p in enumerate(doc.get("publications") or []):
            self.plan.node(NodeRow(uid("publication", p["id"]), "publication", ["Publication"],
                                   {"id": p["id"], "display": p["title"], **_props(p, {k: k for k in ("title", "authors", "year", "arxiv", "doi", "url")})},
                                   self.at(f"publications[{i}]")))
        for i, d in enumerate(doc.get("datasets") or []):
            self.family(d, f"datasets[{i}]", "dataset", "Dataset", "FOR_TASK")
            for j, v in enumerate(d.get("versions") or []):
                self.dataset_version(d["id"], v, f"datasets[{i}].versions[{j}]")
        for i, m in enumerate(doc.get("models") or []):
            self.family(m, f"models[{i}]", "model", "Model", "SOLVES")
            for j, v in enumerate(m.get("versions") or []):
                self.model_version(m["id"], v, f"models[{i}].versions[{j}]")

    def family(self, entry: dict[str, Any], path: str, kind: str, label: str, task_rel: str) -> None:
        u = uid(kind, entry["id"])
        self.plan.node(NodeRow(u, kind, [label], {"id": entry["id"], "display": entry["name"],
                                                   **_props(entry, {"name": "name", "description": "description", "tags": "tags"})}, self.at(path)))
        if "tasks" in entry:
            self.plan.owns(u, task_rel)
            for k, t in enumerate(entry["tasks"]):
                self.plan.edge(u, task_rel, uid("task", t), self.at(f"{path}.tasks[{k}]"))
        if "owner" in entry:
            self.plan.owns(u, "OWNED_BY")
            if entry["owner"]:
                self.plan.edge(u, "OWNED_BY", uid("owner", entry["owner"]), self.at(f"{path}.owner"))
        if "described_in" in entry:
            self.plan.owns(u, "DESCRIBED_IN")
            for k, p in enumerate(entry["described_in"]):
                self.plan.edge(u, "DESCRIBED_IN", uid("publication", p), self.at(f"{path}.described_in[{k}]"))

    def features(self, owner_uid: str, owner_ident: str, items: list[dict[str, Any]], role: str, rel: str, path: str) -> None:
        for pos, f in enumerate(items):
            fu = uid("feature", f"{owner_ident}/{role}/{pos}")
            props = {"id": f"{owner_ident}/{role}/{pos}", "display": f["name"], "name": f["name"],
                     "canonical": canonical_name(f["name"]), "dtype": f["dtype"], "shape": encode_shape(f["shape"]),
                     "shape_given": encode_shape_given(f["shape"]),
                     "unit": f.get("unit"), "description": f.get("description"), "position": pos, "role": role,
                     "owner_uid": owner_uid}
            w = self.at(f"{path}[{pos}]")
            self.plan.node(NodeRow(fu, "feature", ["Feature"], props, w, version=owner_uid))
            self.plan.edge(owner_uid, rel, fu, w, version=owner_uid, props={"position": pos}, check=False)

    def version_node(self, kind: str, family_kind: str, family_id: str, entry: dict[str, Any], path: str,
                     props: dict[str, Any], label: str) -> tuple[str, str, NodeRow]:
        ident = f"{family_id}@{entry['version']}"
        u = uid(kind, ident)
        content = canonical_version(entry)
        digest = content_hash(content)
        w = self.at(path)
        props = {"id": ident, "display": ident, "version": entry["version"], "created_at": entry.get("created_at"),
                 "description": entry.get("description"), "content_hash": digest, "content_json": canonical_json(content),
                 **props}
        row = NodeRow(u, kind, [label], props, w, version=u)
        self.plan.node(row)
        self.plan.versions[u] = VersionContent(u, content, digest, w)
        family = uid(family_kind, family_id)
        self.plan.edge(family, "HAS_VERSION", u, w, version=u, check=False)
        return u, ident, row

    def dataset_version(self, dataset_id: str, v: dict[str, Any], path: str) -> None:
        cond = v.get("conditions") or {}
        props = {k: v.get(k) for k in ("format", "location", "doi", "digest", "size_bytes", "num_events", "data_type")}
        props.update({k: cond.get(k) for k in ("sqrt_s_tev", "pileup_mean", "run_period", "generator", "tune",
                                               "detector_simulation", "kinematic_range")})
        # Numeric knobs (name -> number) as one canonical JSON string: Neo4j has no map properties.
        props["condition_parameters"] = canonical_json(cond["parameters"]) if cond.get("parameters") else None
        props["dataset_uid"] = uid("dataset", dataset_id)
        u, ident, _ = self.version_node("dataset_version", "dataset", dataset_id, v, path, props, "DatasetVersion")
        for rel, key in (("RECORDED_WITH", "recorded_with"), ("SIMULATED_WITH", "simulated_with")):
            for k, d in enumerate(v.get(key) or []):
                self.plan.edge(u, rel, uid("detector", d), self.at(f"{path}.{key}[{k}]"), version=u)
        for k, d in enumerate(v.get("derived_from") or []):
            self.plan.edge(u, "DERIVED_FROM", uid("dataset_version", d["dataset"]), self.at(f"{path}.derived_from[{k}].dataset"),
                           version=u, props={"kind": d["kind"]})
        self.features(u, ident, v.get("features") or [], "provides", "PROVIDES", f"{path}.features")
        for k, d in enumerate(v.get("linked_derived_from") or []):
            props = {"linked_at": d.get("linked_at")} | ({"kind": d["kind"]} if d.get("kind") else {})
            self.linked(u, "DERIVED_FROM", uid("dataset_version", d["dataset"]), props,
                        self.at(f"{path}.linked_derived_from[{k}].dataset"))

    def model_version(self, model_id: str, v: dict[str, Any], path: str) -> None:
        hp, problems = normalise_hyperparameters(v.get("hyperparameters") or {})
        for key, problem in problems:
            self.plan.problems.append(Problem(self.at(f"{path}.hyperparameters.{key}"), problem))
        if hp or "hyperparameters" in v:
            v = {**v, "hyperparameters": hp}
        artifact = v.get("artifact") or {}
        repro = v.get("reproducibility") or {}
        props: dict[str, Any] = {k: v.get(k) for k in ("framework", "format", "license")}
        props["tags"] = sorted(v["tags"]) if v.get("tags") else None
        props.update({"artifact_uri": artifact.get("uri"), "artifact_sha256": artifact.get("sha256"),
                      "model_uid": uid("model", model_id)})
        props.update({f"hp_{k}": hp.get(k) for k in ("learning_rate", "batch_size", "epochs", "optimizer")})
        props["hp_extra"] = canonical_json(hp["extra"]) if hp.get("extra") else None
        props.update({f"repro_{k}": repro.get(k) for k in REPRODUCIBILITY_KEYS})
        u, ident, row = self.version_node("model_version", "model", model_id, v, path, props, "ModelVersion")
        self.features(u, ident, v.get("inputs") or [], "input", "HAS_INPUT", f"{path}.inputs")
        self.features(u, ident, v.get("outputs") or [], "output", "HAS_OUTPUT", f"{path}.outputs")
        for k, d in enumerate(v.get("trained_on") or []):
            self.plan.edge(u, "TRAINED_ON", uid("dataset_version", d), self.at(f"{path}.trained_on[{k}]"), version=u)
        for k, link in enumerate(v.get("lineage") or []):
            self.plan.edge(u, link["type"], uid("model_version", link["from"]), self.at(f"{path}.lineage[{k}].from"), version=u)
        for k, link in enumerate(v.get("linked_lineage") or []):
            self.linked(u, link["type"], uid("model_version", link["from"]), {"linked_at": link.get("linked_at")},
                        self.at(f"{path}.linked_lineage[{k}].from"))
        # Mutable facts: aliases and deprecation, applied even when the version already exists.
        if "aliases" in v:
            self.plan.aliases.append({"model": uid("model", model_id), "version": u, "aliases": sorted(v["aliases"]),
                                      "where": self.at(f"{path}.aliases")})
        if "deprecated" in v:
            row.props["deprecated_reason"] = (v["deprecated"] or {}).get("reason")
        for k, ev in enumerate(v.get("evaluations") or []):
            self.evaluation(u, ident, ev, f"{path}.evaluations[{k}]")

    def linked(self, source: str, type_: str, target: str, props: dict[str, Any], where: Where) -> None:
        self.plan.linked.append(EdgeRow(source, type_, target, props, where))
        self.plan.references.append(Reference(target, where))

    def evaluation(self, mv_uid: str, mv_ident: str, ev: dict[str, Any], path: str) -> None:
        ident = f"{mv_ident}/{ev['dataset']}/{ev['metric']}"
        eu = uid("evaluation", ident)
        source = ev.get("source")
        is_url = source is not None and "://" in source
        props = {"id": ident, "display": f"{ev['metric']} = {ev['value']}", "metric": ev["metric"], "value": ev["value"],
                 "date": ev.get("date"), "notes": ev.get("notes"), "source_url": source if is_url else None,
                 "model_version_uid": mv_uid, "dataset_version_uid": uid("dataset_version", ev["dataset"])}
        w = self.at(path)
        self.plan.node(NodeRow(eu, "evaluation", ["Evaluation"], props, w))
        self.plan.owns(eu, "DESCRIBED_IN", "EVALUATED_ON", "EVALUATES")
        self.plan.edge(eu, "EVALUATES", mv_uid, w, check=False)
        self.plan.edge(eu, "EVALUATED_ON", uid("dataset_version", ev["dataset"]), self.at(f"{path}.dataset"))
        if source is not None and not is_url:
            self.plan.edge(eu, "DESCRIBED_IN", uid("publication", source), self.at(f"{path}.source"))


def plan_evaluation(plan: Plan, file: str, mv_uid: str, mv_ident: str, evaluation: dict[str, Any], path: str) -> None:
    """Add one evaluation of an existing model version to a plan (graphcat.service.catalog.record_evaluation)."""
    _Builder(plan, file).evaluation(mv_uid, mv_ident, evaluation, path)


_ACYCLIC = {"SUBTASK_OF", "DERIVED_FROM", *MODEL_LINEAGE_TYPES}


def _check_cycles(plan: Plan, catalog_edges: list[EdgeRow] | None = None) -> None:
    """Cycles among the plan's acyclic relationships, plus `catalog_edges` already in the graph
    (problems are only reported on the plan's own edges: the file is what must change)."""
    graph: dict[str, list[EdgeRow]] = {}
    for e in [*plan.edges, *plan.linked, *(catalog_edges or [])]:
        if e.type in _ACYCLIC:
            graph.setdefault(e.source, []).append(e)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    on_stack: list[str] = []
    via: list[EdgeRow] = []  # via[i] is the edge from on_stack[i] to on_stack[i + 1]

    def visit(node: str) -> None:
        state[node] = 1
        on_stack.append(node)
        for e in graph.get(node, []):
            if state.get(e.target) == 1:
                edges = via[on_stack.index(e.target):] + [e]
                own = [x for x in edges if x.where.file != CATALOG]
                if own:  # report at the file's first edge of the cycle, starting the cycle there
                    k = edges.index(own[0])
                    ring = edges[k:] + edges[:k]
                    names = [ring[0].source] + [x.target for x in ring]
                    plan.problems.append(Problem(own[0].where, f"{own[0].type} makes a cycle: "
                                                               f"{' -> '.join(c.partition(':')[2] for c in names)}"))
            elif e.target not in state:
                via.append(e)
                visit(e.target)
                via.pop()
        on_stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


CATALOG = "<catalog>"  # the file name of relationships read back from the graph


def check_task_cycles(plan: Plan, parents: list[tuple[str, str]]) -> None:
    """SUBTASK_OF cycles through tasks already in the catalog (a file may re-parent a stored task).

    `parents` are the stored (task, parent) pairs; those of tasks whose parent the plan restates
    are replaced by the plan's.
    """
    restated = {uid for uid, types in plan.replace.items() if "SUBTASK_OF" in types}
    stored = [EdgeRow(t, "SUBTASK_OF", p, {}, Where(CATALOG, t)) for t, p in parents if t not in restated]
    plan_edges = [e for e in plan.edges if e.type == "SUBTASK_OF"]
    if not plan_edges or not stored:
        return
    only_tasks = Plan(edges=plan_edges)
    _check_cycles(only_tasks, stored)
    for problem in only_tasks.problems:
        if problem not in plan.problems:
            plan.problems.append(problem)


def _check_aliases(plan: Plan) -> None:
    seen: dict[tuple[str, str], str] = {}
    for entry in plan.aliases:
        for alias in entry["aliases"]:
            first = seen.setdefault((entry["model"], alias), entry["version"])
            if first != entry["version"]:
                plan.problems.append(Problem(entry["where"], f"alias {alias!r} already names {first.partition(':')[2]}; an alias names one version of a model"))


def hyperparameters_from_props(props: dict[str, Any]) -> dict[str, Any]:
    hp = {k: props.get(f"hp_{k}") for k in ("learning_rate", "batch_size", "epochs", "optimizer")}
    if props.get("hp_extra"):
        hp["extra"] = json.loads(props["hp_extra"])
    return hp
