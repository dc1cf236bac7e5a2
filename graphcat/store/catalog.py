"""Catalog reads and writes: the named queries of cypher/catalog/ and their conversion to domain objects.

Writes take a `Tx` so that a whole import is one transaction; reads take the `Database`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import defaultdict
from typing import Any, Callable, Iterable, Sequence

from graphcat import domain
from graphcat.features import decode_shape, shape_as_given
from graphcat.store.database import Database, Tx
from graphcat.store.index_state import bump_revision, revision_token



def _condition_parameters(stored: str | None) -> tuple[tuple[str, float], ...]:
    """conditions.parameters are stored as one canonical JSON object (graphcat.catalog.plan)."""
    return tuple(sorted((str(k), float(v)) for k, v in json.loads(stored).items())) if stored else ()

def to_domain(props: dict[str, Any]) -> domain.Node:
    """A catalog node's properties as the domain object of its kind."""
    kind = props["kind"]
    base = {"uid": props["uid"], "kind": kind, "id": props["id"], "display": props.get("display") or props["id"]}
    get = props.get
    if kind == "experiment":
        return domain.Experiment(**base, name=props["name"], description=get("description"), url=get("url"))
    if kind == "detector":
        return domain.Detector(**base, name=props["name"], detector_kind=get("detector_kind"), description=get("description"))
    if kind == "task":
        return domain.Task(**base, name=props["name"], description=get("description"))
    if kind == "owner":
        return domain.Owner(**base, name=props["name"], owner_kind=props["owner_kind"], url=get("url"))
    if kind == "publication":
        return domain.Publication(**base, title=props["title"], authors=tuple(get("authors") or ()), year=get("year"),
                                  arxiv=get("arxiv"), doi=get("doi"), url=get("url"))
    if kind == "dataset":
        return domain.Dataset(**base, name=props["name"], description=get("description"), tags=tuple(get("tags") or ()))
    if kind == "model":
        return domain.Model(**base, name=props["name"], description=get("description"), tags=tuple(get("tags") or ()))
    if kind == "dataset_version":
        return domain.DatasetVersion(
            **base, dataset_uid=props["dataset_uid"], version=props["version"], created_at=get("created_at"),
            description=get("description"), format=get("format"), location=get("location"), doi=get("doi"),
            digest=get("digest"), size_bytes=get("size_bytes"), num_events=get("num_events"), data_type=get("data_type"),
            conditions=domain.Conditions(**{k: get(k) for k in ("sqrt_s_tev", "pileup_mean", "run_period", "generator",
                                                                 "tune", "detector_simulation", "kinematic_range")},
                                         parameters=_condition_parameters(get("condition_parameters"))),
            content_hash=props["content_hash"])
    if kind == "model_version":
        return domain.ModelVersion(
            **base, model_uid=props["model_uid"], version=props["version"], created_at=get("created_at"),
            description=get("description"), framework=get("framework"), format=get("format"),
            artifact=domain.Artifact(uri=get("artifact_uri"), sha256=get("artifact_sha256")), license=get("license"),
            tags=tuple(get("tags") or ()), hyperparameters=domain.Hyperparameters(
                learning_rate=get("hp_learning_rate"), batch_size=get("hp_batch_size"), epochs=get("hp_epochs"),
                optimizer=get("hp_optimizer"), extra=json.loads(props["hp_extra"]) if get("hp_extra") else {}),
            reproducibility=domain.Reproducibility(**{k: get(f"repro_{k}") for k in (
                "code_repository", "commit", "environment", "training_config", "seed")}),
            aliases=tuple(get("aliases") or ()), deprecated_reason=get("deprecated_reason"),
            content_hash=props["content_hash"])
    if kind == "feature":
        return domain.Feature(**base, owner_uid=props["owner_uid"], role=props["role"], position=props["position"],
                              name=props["name"], canonical=props["canonical"], dtype=props["dtype"],
                              shape=tuple(decode_shape(props.get("shape"))), shape_given=tuple(shape_as_given(props)),
                              unit=get("unit"), description=get("description"))
    if kind == "evaluation":
        return domain.Evaluation(**base, model_version_uid=props["model_version_uid"],
                                 dataset_version_uid=props["dataset_version_uid"], metric=props["metric"],
                                 value=props["value"], date=get("date"), source_url=get("source_url"), notes=get("notes"))
    raise ValueError(f"unknown catalog kind {kind!r} on node {props.get('uid')!r}")


# -- writes (inside one transaction) ---------------------------------------------------------------

# Relationships that an import may restate on entities that already exist (mutable facts).
RESTATED_TYPES = ("PART_OF", "SUBTASK_OF", "SOLVES", "FOR_TASK", "OWNED_BY", "DESCRIBED_IN", "EVALUATES", "EVALUATED_ON")
# The relationships that are part of an entity's state for the audit trail (graphcat.store.audit):
# the restated ones and lineage linked after registration (the rest is in a version's content hash).
STATE_TYPES = (*RESTATED_TYPES, *domain.MODEL_LINEAGE_TYPES, "DERIVED_FROM")


def existing(db_or_tx: Database | Tx, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """uid -> {uid, props, links: [[type, target uid]] of STATE_TYPES} for the uids in the catalog.

    Inside a write transaction it first takes the catalog's write lock (like SELECT ... FOR UPDATE):
    what it returns cannot change before that transaction ends. Without it, N clients registering
    the same version at once all saw it absent and all wrote it: one node, but its relationships
    created N times (tests/test_reliability_concurrency.py).
    """
    params = {"uids": sorted(set(uids)), "types": list(STATE_TYPES)}
    if isinstance(db_or_tx, Tx):
        db_or_tx.run("catalog/lock_writes")
        rows = db_or_tx.run("catalog/existing_nodes", **params)
    else:
        rows = db_or_tx.read("catalog/existing_nodes", **params)
    return {row["uid"]: row for row in rows}


def task_parents(tx: Tx) -> list[tuple[str, str]]:
    """Every stored (task, parent task) pair: the taxonomy is small, and cycles need all of it."""
    return [(row["task"], row["parent"]) for row in tx.run("catalog/task_parents")]


def upsert_nodes(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return tx.run("catalog/upsert_nodes", rows=rows)[0]["written"] if rows else 0


def delete_owned_edges(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return tx.run("catalog/delete_owned_edges", rows=rows)[0]["deleted"] if rows else 0


def create_edges(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """Create the relationships anew (the importer's path: it deletes what it restates first)."""
    return tx.run("catalog/create_edges", rows=rows)[0]["linked"] if rows else 0


def merge_edges(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """Merge the relationships: for writers that may send one that already exists."""
    return tx.run("catalog/merge_edges", rows=rows)[0]["linked"] if rows else 0


def set_aliases(tx: Tx, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Apply alias rows; returns uid -> aliases before, for the versions whose aliases changed."""
    return {r["uid"]: r["before"] for r in tx.run("catalog/set_aliases", rows=rows)} if rows else {}


def existing_edges(tx: Tx, rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """Which of these {from, type, to} relationships exist already."""
    return {tuple(r["edge"]) for r in tx.run("catalog/existing_edges", rows=rows)} if rows else set()  # type: ignore[misc]


def set_deprecation(db: Database, uid: str, reason: str | None, actor: domain.Actor | None = None,
                    ) -> dict[str, Any] | None:
    from graphcat.store import audit

    def work(tx: Tx) -> list[dict[str, Any]]:
        before = audit.states(tx, [uid]).get(uid)
        found = tx.run("catalog/set_deprecation", uid=uid, reason=reason)
        if found:
            bump_revision(tx)
            operation = "deprecate" if reason is not None else "undeprecate"
            audit.record(tx, actor, [audit.Pending(uid, "model_version", operation, before,
                                                   audit.states(tx, [uid]).get(uid))])
        return found

    rows = db.write_transaction(work)
    return rows[0]["props"] if rows else None


# -- reads -------------------------------------------------------------------------------------------

def nodes_by_uid(db: Database, uids: Iterable[str]) -> dict[str, domain.Node]:
    rows = db.read("catalog/nodes_by_uid", uids=sorted(set(uids)))
    return {row["props"]["uid"]: to_domain(row["props"]) for row in rows}


def nodes_at_revision(db: Database, uids: Iterable[str]) -> tuple[str | None, dict[str, domain.Node]]:
    """The catalog's revision token (graphcat.store.index_state) and the nodes with these uids, in one read."""
    row = db.read("catalog/nodes_by_uid_at_revision", uids=sorted(set(uids)))[0]
    return revision_token(row["state"]), {props["uid"]: to_domain(props) for props in row["nodes"]}


def partial_domain(keys: Sequence[str], values: Sequence[Any]) -> domain.Node:
    """A node built from some of its properties, None for the rest: only for reading those fields
    (graphcat/api/types/selection.py); never to be cached or written back as the node.

    When every key given a value is a plain field of the kind's class (an id-only list: uid, kind,
    id, display, model_uid...), the object is filled in directly, without the frozen dataclass's
    __init__ or the nested objects to_domain builds: a hub dataset version's ~900 consumers spent
    a quarter of their request there (bench/peers_profile.py). Anything else goes through to_domain."""
    if "kind" not in keys or "uid" not in keys or "id" not in keys:
        raise ValueError(f"a partial node needs uid, kind and id; asked for {list(keys)}")
    props = dict(zip(keys, values))
    template = _PLAIN.get(props["kind"])
    if template is None or any(v is not None and k not in template[2] for k, v in props.items()):
        return to_domain(defaultdict(lambda: None, props))
    cls, defaults, _ = template
    node = object.__new__(cls)
    node.__dict__.update(defaults)
    node.__dict__.update((k, tuple(v) if isinstance(v, list) else v) for k, v in props.items()
                         if v is not None and k in defaults)
    node.__dict__["display"] = props.get("display") or props["id"]
    return node


_SIMPLE = {"str", "str | None", "int", "int | None", "float", "float | None", "tuple[str, ...]"}


def _template(cls: type[domain.Node]) -> tuple[type[domain.Node], dict[str, Any], frozenset[str]]:
    """A class, what to_domain gives each field when its keys are absent (plain fields None or
    (), nested objects their default, frozen and shared), and the names of the plain fields (stored
    under their own name)."""
    defaults: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.type in _SIMPLE:  # what to_domain makes of an absent key
            defaults[f.name] = () if f.type.startswith("tuple") else None
        else:
            factory = f.default_factory
            defaults[f.name] = factory() if factory is not dataclasses.MISSING else f.default
    return cls, defaults, frozenset(f.name for f in dataclasses.fields(cls) if f.type in _SIMPLE)


# kind -> _template, for partial_domain's direct path (composite fields keep their defaults there).
_PLAIN = {kind: _template(cls) for kind, cls in (
    ("model_version", domain.ModelVersion), ("dataset_version", domain.DatasetVersion), ("model", domain.Model),
    ("dataset", domain.Dataset), ("task", domain.Task), ("detector", domain.Detector),
    ("experiment", domain.Experiment), ("evaluation", domain.Evaluation))}


_NEIGHBOUR_QUERIES = {(True, False): "catalog/outgoing", (False, False): "catalog/incoming",
                      (True, True): "catalog/outgoing_keys", (False, True): "catalog/incoming_keys"}


def neighbours(db: Database, uids: Iterable[str], types: Iterable[str], *, outgoing: bool = True,
               keys: Sequence[str] | None = None) -> dict[str, list[tuple[str, dict[str, Any], domain.Node]]]:
    """uid -> [(relationship type, relationship properties, neighbour)] for a batch of uids, one query.
    With `keys`, each neighbour is partial_domain of those stored keys only."""
    sources = sorted(set(uids))
    found: dict[str, list[tuple[str, dict[str, Any], domain.Node]]] = {source: [] for source in sources}
    params: dict[str, Any] = {"uids": sources, "types": sorted(set(types))}
    node: Callable[[Any], domain.Node] = to_domain
    if keys is not None:
        params["keys"] = list(keys)
        node = functools.partial(partial_domain, params["keys"])
    for row in db.read(_NEIGHBOUR_QUERIES[(outgoing, keys is not None)], **params):
        found[row["source"]] = [(type_, rel, node(props)) for type_, rel, props in row["links"]]
    return found


def export_nodes(db: Database) -> list[dict[str, Any]]:
    return [row["props"] for row in db.read("catalog/export_nodes")]


def export_edges(db: Database) -> list[dict[str, Any]]:
    return db.read("catalog/export_edges")


MODEL_VERSION_FILTERS = ("task", "framework", "owner", "tag", "trained_on", "experiment", "alias", "has_alias", "detector",
                         "format")
# One keyset query per sort and direction: ORDER BY cannot take a parameter, and a literal order
# is what lets Neo4j walk the (key, uid) index instead of sorting every match.
_PAGE_QUERIES = {
    ("model", False): "catalog/model_versions_by_model", ("model", True): "catalog/model_versions_by_model_desc",
    ("version", False): "catalog/model_versions_by_version", ("version", True): "catalog/model_versions_by_version_desc",
    ("created_at", False): "catalog/model_versions_by_created_at",
    ("created_at", True): "catalog/model_versions_by_created_at_desc",
}
# Above every real key and uid: the bound of a descending walk's first page.
KEY_MAX = "\U0010ffff"


def _filter_params(filters: dict[str, Any]) -> dict[str, Any]:
    params = {key: filters.get(key) for key in MODEL_VERSION_FILTERS}
    params["text"] = " ".join(filters["text"].lower().split()) if filters.get("text") else None
    params["include_deprecated"] = bool(filters.get("include_deprecated", True))
    return params


def model_versions_page(db: Database, *, filters: dict[str, Any], sort: str, descending: bool,
                        after: tuple[str, str] | None, limit: int, keys: Sequence[str] | None = None,
                        ) -> list[tuple[domain.ModelVersion, str]]:
    """The `limit` versions after the (sort key, uid) cursor `after`, each with its sort key; with
    `keys`, partial_domain versions of those stored keys only (a selection's)."""
    key, uid = after if after is not None else ((KEY_MAX, KEY_MAX) if descending else ("", ""))
    wanted = list(keys) if keys is not None else None
    rows = db.read(_PAGE_QUERIES[(sort, descending)], **_filter_params(filters), key=key, uid=uid, limit=limit,
                   keys=wanted)
    if wanted is None:
        return [(to_domain(r["item"]), r["key"]) for r in rows]  # type: ignore[misc]
    return [(partial_domain(wanted, r["values"]), r["key"]) for r in rows]  # type: ignore[misc]


def count_model_versions(db: Database, *, filters: dict[str, Any]) -> int:
    params = _filter_params(filters)
    if params["include_deprecated"] and all(params[k] is None for k in (*MODEL_VERSION_FILTERS, "text")):
        return int(db.read("catalog/count_all_model_versions")[0]["total_count"])
    return int(db.read("catalog/count_model_versions", **params)[0]["total_count"])


DATASET_FILTERS = ("data_type", "sqrt_s_tev", "generator", "run_period", "pileup_min", "pileup_max", "experiment",
                   "detector", "task")


def list_dataset_versions(db: Database, *, filters: dict[str, Any], skip: int, limit: int,
                          ) -> tuple[list[domain.DatasetVersion], int]:
    rows = db.read("catalog/list_dataset_versions", **{key: filters.get(key) for key in DATASET_FILTERS},
                   skip=skip, limit=limit)
    row = rows[0]
    return [to_domain(p) for p in row["items"]], row["total_count"]  # type: ignore[misc]


def models_consuming_feature(db: Database, canonical: str) -> list[tuple[domain.ModelVersion, domain.Feature]]:
    rows = db.read("catalog/models_consuming_feature", canonical=canonical)
    return [(to_domain(r["model_version"]), to_domain(r["feature"])) for r in rows]  # type: ignore[misc]


def datasets_providing_inputs(db: Database, model_version_uid: str) -> list[domain.DatasetVersion]:
    rows = db.read("catalog/datasets_providing_inputs", uid=model_version_uid)
    return [to_domain(r["props"]) for r in rows]  # type: ignore[misc]
