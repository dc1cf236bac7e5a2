"""`graphcat import`: validate every file, then write everything in one transaction.

Order of work:
1. read + JSON Schema validation of every file (all problems collected, each `file: path: problem`);
2. plan: rows for nodes and edges, duplicate ids, cycles, alias clashes (graphcat.catalog.plan);
3. against the catalog: unresolved references, and immutable versions whose content changed
   (the problem names the version and the differing fields);
4. if any problem: CatalogInvalid, nothing written. Otherwise one write transaction with batched
   UNWIND queries and a progress bar. Identical versions already in the catalog are left as they
   are (counted `unchanged`); only their mutable facts (aliases, deprecation) and evaluations apply.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from tqdm import tqdm

from graphcat.content import differing_fields
from graphcat.catalog.files import CatalogInvalid, read_document, schema_problems
from graphcat.catalog.plan import KIND_WORDS, Plan, Problem, build_plan, check_task_cycles
from graphcat.domain import Actor, ImportReport
from graphcat.errors import GraphcatError
from graphcat.store import audit
from graphcat.store import catalog as store
from graphcat.store.database import Database, Tx
from graphcat.store.index_state import bump_revision

BATCH = 500
# Properties of a version that may change after registration.
MUTABLE_VERSION_PROPS = ("deprecated_reason",)


def import_files(db: Database, paths: Sequence[Path | str], *, replace: bool = False,
                 progress: bool = False, actor: Actor | None = None) -> ImportReport:
    documents: list[tuple[str, dict[str, Any]]] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        data, read_problems = read_document(path)
        problems.extend(read_problems)
        if read_problems:
            continue
        found = schema_problems(str(path), data)
        problems.extend(found)
        if not found:
            documents.append((str(path), data))
    if problems:
        raise CatalogInvalid(problems)
    return _import_valid(db, documents, replace=replace, progress=progress, actor=actor)


def import_documents(db: Database, documents: list[tuple[str, dict[str, Any]]], *, replace: bool = False,
                     progress: bool = False, also: Callable[[Tx], None] | None = None,
                     actor: Actor | None = None) -> ImportReport:
    """Import already-parsed documents given as (name used in errors, document).

    `also`, when given, runs after the documents are written, in the same transaction: facts that
    belong with the entities (an ONNX file's signature and measurements) commit with them or not
    at all."""
    problems: list[Problem] = []
    for name, doc in documents:
        problems.extend(schema_problems(name, doc))
    if problems:
        raise CatalogInvalid(problems)
    return _import_valid(db, documents, replace=replace, progress=progress, also=also, actor=actor)


def _lookups(plan: Plan) -> set[str]:
    # Features exist exactly when their version does, so they are never looked up (most rows).
    return {uid for uid in plan.defined if not uid.startswith("feature:")} | {ref.target for ref in plan.references}


def _import_valid(db: Database, documents: list[tuple[str, dict[str, Any]]], *, replace: bool,
                  progress: bool, also: Callable[[Tx], None] | None = None, actor: Actor | None = None) -> ImportReport:
    plan = build_plan(documents)
    files = tuple(name for name, _ in documents)

    if plan.problems:  # found without the catalog: no need to open a transaction
        _check_against_catalog(plan, store.existing(db, _lookups(plan)))
        raise CatalogInvalid(plan.problems)

    return apply_plan(db, plan, files, replace=replace, progress=progress, also=also, actor=actor)


def apply_plan(db: Database, plan: Plan, files: tuple[str, ...], *, replace: bool = False,
               progress: bool = False, also: Callable[[Tx], None] | None = None,
               actor: Actor | None = None) -> ImportReport:
    """Check a plan against the catalog and write it, all in one write transaction, with its
    audit changes (graphcat.store.audit; `actor` None: the local command's)."""
    return db.write_transaction(lambda tx: apply_plan_in(tx, plan, files, replace=replace, progress=progress,
                                                         also=also, actor=actor))


def apply_plan_in(tx: Tx, plan: Plan, files: tuple[str, ...], *, replace: bool = False, progress: bool = False,
                  also: Callable[[Tx], None] | None = None, actor: Actor | None = None) -> ImportReport:
    """`apply_plan` inside the caller's write transaction `tx` (graphcat.sync writes a batch and its
    cursor together)."""
    prior: dict[str, dict[str, Any]] = {}
    if replace:
        prior = audit.catalog_states(tx)
        _clear(tx)
    # Checked inside the write transaction, so what is checked is what is written against.
    found = store.existing(tx, _lookups(plan))
    _check_against_catalog(plan, found)
    check_task_cycles(plan, store.task_parents(tx))
    if plan.problems:
        raise CatalogInvalid(plan.problems)
    changes: dict[str, audit.Pending] = {}
    report = _write(tx, plan, found, files, progress, changes)
    if also is not None:
        also(tx)
    _record(tx, actor, changes, found, prior, files)
    return report


def _clear(tx: Tx) -> None:
    while tx.run("admin/clear_catalog", batch=10_000)[0]["deleted"]:
        pass


def _check_against_catalog(plan: Plan, found: dict[str, dict[str, Any]]) -> None:
    seen: set[tuple[str, str]] = set()
    for ref in plan.references:
        if ref.target in plan.defined or ref.target in found:
            continue
        kind, _, ident = ref.target.partition(":")
        key = (str(ref.where), ref.target)
        if key not in seen:
            seen.add(key)
            plan.problems.append(Problem(ref.where, f"unknown {KIND_WORDS.get(kind, kind)} {ident!r} "
                                                    "(not defined in these files nor in the catalog)"))
    for uid, version in plan.versions.items():
        old = found.get(uid)
        if old is None or old["props"].get("content_hash") == version.hash:
            continue
        fields = differing_fields(json.loads(old["props"].get("content_json") or "{}"), version.content)
        plan.problems.append(Problem(version.where, f"{KIND_WORDS[uid.partition(':')[0]]} {uid.partition(':')[2]!r} "
                                                    f"is already registered with different content (immutable); "
                                                    f"differing fields: {', '.join(fields) or 'unknown'}"))
    plan.problems[:] = [p for i, p in enumerate(plan.problems) if p not in plan.problems[:i]]


def _links(old: dict[str, Any], types: set[str]) -> set[tuple[str, str]]:
    return {(t, target) for t, target in old.get("links") or [] if t in types}


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _facts_as_stored(node_rows: list[dict[str, Any]], alias_rows: list[dict[str, Any]],
                     found: dict[str, dict[str, Any]]) -> bool:
    """True when every row left to write (after counting) restates what the catalog holds."""
    for row in node_rows:
        old = found.get(row["uid"])
        if old is None or any(old["props"].get(k) != v for k, v in row["props"].items() if k not in ("uid", "kind")):
            return False
    return all(a["version"] in found and sorted(found[a["version"]]["props"].get("aliases") or []) == a["aliases"]
               for a in alias_rows)


def _note(changes: dict[str, audit.Pending], uid: str, kind: str, operation: str, before: str | None) -> None:
    """One change per entity per write: a second operation on it makes it an update (a create stays)."""
    if kind == "feature":
        return  # part of its version's content
    seen = changes.get(uid)
    if seen is None:
        changes[uid] = audit.Pending(uid, kind, operation, before)
    elif seen.operation not in ("create", operation):
        seen.operation = "update"


def _record(tx: Tx, actor: Actor | None, changes: dict[str, audit.Pending], found: dict[str, dict[str, Any]],
            prior: dict[str, dict[str, Any]], files: tuple[str, ...]) -> None:
    """The import's changes, with the entities' states after it (read back in this transaction)."""
    after = audit.state_rows(tx, changes)
    for uid, change in changes.items():
        row = after.get(uid)
        change.after = audit.row_digest(row) if row is not None else None
        if uid in prior:  # replaced: compared with what the catalog held before it was cleared
            change.before = audit.row_digest(prior[uid])
            change.operation = "update" if change.operation == "create" else change.operation
        elif change.aliases_before is not None and row is not None:  # lost an alias, otherwise untouched
            change.before = audit.state_digest({**row["props"], "aliases": change.aliases_before}, row["links"])
    for uid, row in prior.items():
        if uid not in changes:
            changes[uid] = audit.Pending(uid, row["props"]["kind"], "delete", audit.row_digest(row), None)
    audit.record(tx, actor, list(changes.values()), source=", ".join(files))


def _write(tx: Tx, plan: Plan, found: dict[str, dict[str, Any]], files: tuple[str, ...], progress: bool,
           changes: dict[str, audit.Pending]) -> ImportReport:
    unchanged_versions = {uid for uid in plan.versions if uid in found}
    restated: dict[str, set[tuple[str, str]]] = {}
    for edge in plan.edges:
        if edge.type in plan.replace.get(edge.source, ()):
            restated.setdefault(edge.source, set()).add((edge.type, edge.target))
    node_rows: list[dict[str, Any]] = []
    created: Counter[str] = Counter()
    updated: Counter[str] = Counter()
    unchanged: Counter[str] = Counter()
    for node in plan.nodes:
        if node.version in unchanged_versions:
            if node.uid == node.version:
                unchanged[node.kind] += 1
                mutable = {k: v for k, v in node.props.items() if k in MUTABLE_VERSION_PROPS}
                if mutable:
                    node_rows.append({**node.row(), "props": mutable})
                    old_reason = found[node.uid]["props"].get("deprecated_reason")
                    if mutable.get("deprecated_reason", old_reason) != old_reason:
                        _note(changes, node.uid, node.kind, "undeprecate" if mutable.get("deprecated_reason") is None
                              else "deprecate", audit.row_digest(found[node.uid]))
            continue
        old = found.get(node.uid)
        if old is None:
            created[node.kind] += 1
            _note(changes, node.uid, node.kind, "create", None)
        elif all(old["props"].get(k) == v for k, v in node.props.items()) and \
                _links(old, plan.replace.get(node.uid, set())) == restated.get(node.uid, set()):
            unchanged[node.kind] += 1
        else:
            updated[node.kind] += 1
            _note(changes, node.uid, node.kind, "update", audit.row_digest(old))
        node_rows.append(node.row())
    replace_rows = [{"uid": uid, "types": sorted(types)} for uid, types in sorted(plan.replace.items())]
    edge_rows = [e.row() for e in plan.edges if e.version not in unchanged_versions]
    alias_rows = [{k: a[k] for k in ("model", "version", "aliases")} for a in plan.aliases]
    linked_rows = [e.row() for e in plan.linked]  # may exist already: MERGE

    if not created and not updated and not linked_rows and _facts_as_stored(node_rows, alias_rows, found):
        # Everything is in the catalog as stated: write nothing, so the revision (and with it the
        # recommender's index) stays as it is. Re-running an import (import-mlflow) relies on it.
        return ImportReport(files, {}, dict(unchanged), {})
    total = len(node_rows) + len(replace_rows) + len(edge_rows) + len(alias_rows) + len(linked_rows)
    with tqdm(total=total, desc="import", unit="row", disable=not progress) as bar:
        for batch in _batches(node_rows):
            store.upsert_nodes(tx, batch)
            bar.update(len(batch))
        for batch in _batches(replace_rows):
            store.delete_owned_edges(tx, batch)
            bar.update(len(batch))
        for batch in _batches(edge_rows):
            linked = store.create_edges(tx, batch)
            if linked != len(batch):
                # Every endpoint was checked above; a mismatch means the catalog changed under us.
                raise GraphcatError(f"linked {linked} of {len(batch)} relationships; the import was rolled back")
            bar.update(len(batch))
        for batch in _batches(linked_rows):
            present = store.existing_edges(tx, [{k: r[k] for k in ("from", "type", "to")} for r in batch])
            for r in batch:
                if (r["from"], r["type"], r["to"]) not in present:
                    old = found.get(r["from"])
                    _note(changes, r["from"], r["from"].partition(":")[0], "link", audit.row_digest(old) if old else None)
            store.merge_edges(tx, batch)
            bar.update(len(batch))
        for batch in _batches(alias_rows):
            for uid, before in store.set_aliases(tx, batch).items():
                if uid in found:
                    _note(changes, uid, "model_version", "alias", audit.row_digest(found[uid]))
                elif uid not in changes:
                    changes[uid] = audit.Pending(uid, "model_version", "alias", None, aliases_before=before)
            bar.update(len(batch))
    bump_revision(tx)  # in this transaction: the recommender's index sees the change with it
    return ImportReport(files, dict(created), dict(unchanged), dict(updated))
