"""Pass 1 of `graphcat bulk-import` (graphcat.catalog.bulk): validate every file with one file's plan in
memory at a time, and spill the rows to write to temporary files.

What crosses files is kept small: the uids each file defines (not features or evaluations), the
references it leaves open, the lineage edges (for cycles), the aliases. The rows to write are
decided here and spilled to two temporary files (nodes, relationships), in pickled batches: each
file is read and planned once. Any problem is collected; nothing is written by this module.
"""

from __future__ import annotations

import gc
import json
import pickle
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

import jsonschema_rs
from tqdm import tqdm

from graphcat.content import differing_fields
from graphcat.catalog.files import catalog_schema, read_document, schema_problems
from graphcat.catalog.plan import KIND_WORDS, EdgeRow, Plan, Problem, Where, _check_cycles, build_plan
from graphcat.domain import MODEL_LINEAGE_TYPES
from graphcat.store import audit
from graphcat.store import catalog as store
from graphcat.store.database import Database

BATCH = 5_000  # rows per UNWIND query (measured at 100k: 5k/10k beat 10k/20k, see docs/scaling.md)
LOOKUP = 10_000  # uids per existing-nodes lookup
# Kinds whose uid a catalog file can reference; features and evaluations belong to their version.
_REFERENCEABLE = {"experiment", "detector", "task", "owner", "publication", "dataset", "dataset_version",
                  "model", "model_version"}
_ACYCLIC = {"SUBTASK_OF", "DERIVED_FROM", *MODEL_LINEAGE_TYPES}


class _Spill:
    """Rows kept in a temporary file, in pickled batches, and read back in order.

    pickle, not JSON: it is several times faster both ways, and the file is private to this
    process (a temporary file it wrote itself), so nothing untrusted is ever unpickled.
    """

    def __init__(self, prefix: str, batch: int) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix=prefix)
        self.batch = batch
        self.pending: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: dict[str, Any]) -> None:
        self.pending.append(row)
        self.count += 1
        if len(self.pending) >= self.batch:
            self._dump()

    def _dump(self) -> None:
        if self.pending:
            pickle.dump(self.pending, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.pending = []

    def rows(self) -> Iterator[dict[str, Any]]:
        self._dump()
        self.file.seek(0)
        while True:
            try:
                batch = pickle.load(self.file)
            except EOFError:
                return
            yield from batch

    def close(self) -> None:
        self.file.close()


@dataclass
class _Validation:
    """What crosses files during validation: kept small on purpose (the rows go to the spills)."""

    nodes: _Spill
    edges: _Spill
    # Relationships from an entity already in the catalog to an entity of another file: written
    # only if that entity turns out to be new (known once every file is validated).
    pending_edges: _Spill
    defined: dict[str, Where] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)  # referenceable uids this import creates
    # (uid, kind, state digest) of each entity this import creates, for its audit changes: computed
    # from the rows as written (graphcat.store.audit.state_digest), so nothing is read back.
    created_states: list[tuple[str, str, str]] = field(default_factory=list)
    open_refs: dict[str, Where] = field(default_factory=dict)
    lineage: list[EdgeRow] = field(default_factory=list)
    aliases: dict[tuple[str, str], tuple[str, Where]] = field(default_factory=dict)
    alias_rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_existing: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(("read", "schema", "plan", "lookup", "spill"), 0.0))

    def close(self) -> None:
        for spill in (self.nodes, self.edges, self.pending_edges):
            spill.close()

    def relationship_rows(self) -> Iterator[dict[str, Any]]:
        yield from self.edges.rows()
        for row in self.pending_edges.rows():
            if row["to"] in self.created:
                yield row


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while files are validated and planned.

    A file's plan is ~10^5 objects that all live until the file is done, and every collection
    walked them again: planning took 3x longer (1.0-1.5 s against 0.4 s for a 100k-catalog file).
    Reference counting frees most of it, but not all: a file's plan is collected explicitly once
    the file is done (without that the client grew to 2.3 GB at 100k versions, against ~400 MB).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@lru_cache(maxsize=1)
def _schema_validator() -> Any:
    return jsonschema_rs.validator_for(catalog_schema())


def _schema_problems(file: str, document: Any) -> list[Problem]:
    """files.schema_problems, answered first by jsonschema-rs (Rust, ~50x faster on a valid file:
    the schema was a third of validation at 100k versions). Only a file it finds invalid goes
    through jsonschema for the problems, so they read exactly as graphcat import's."""
    if _schema_validator().is_valid(document):
        return []
    return schema_problems(file, document)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing(db: Database, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(uids)), LOOKUP):
        found.update(store.existing(db, chunk))
    return found


def _check_existing(plan: Plan, found: dict[str, dict[str, Any]], problems: list[Problem]) -> None:
    """Entities already in the catalog must be identical: bulk import adds, it never changes."""
    for node in plan.nodes:
        old = found.get(node.uid)
        if old is None:
            continue
        kind, _, ident = node.uid.partition(":")
        word = KIND_WORDS.get(kind, kind)
        version = plan.versions.get(node.uid)
        if version is not None:
            if old["props"].get("content_hash") != version.hash:
                fields = differing_fields(json.loads(old["props"].get("content_json") or "{}"), version.content)
                problems.append(Problem(node.where, f"{word} {ident!r} is already registered with different content "
                                                    f"(immutable); differing fields: {', '.join(fields) or 'unknown'}"))
            elif old["props"].get("deprecated_reason") != node.props.get("deprecated_reason", old["props"].get("deprecated_reason")):
                problems.append(Problem(node.where, f"{word} {ident!r} is already registered with another deprecation; "
                                                    "bulk import does not change existing entities (use graphcat import)"))
            continue
        if node.version is not None and node.version in found:
            continue  # a feature or evaluation of a version that is already there: checked with it
        differ = sorted(k for k, v in node.props.items() if old["props"].get(k) != v)
        if differ:
            problems.append(Problem(node.where, f"{word} {ident!r} is already in the catalog with different "
                                                f"{', '.join(differ)}; bulk import does not change existing entities "
                                                "(use graphcat import)"))


def _spill_rows(v: _Validation, plan: Plan, found: dict[str, dict[str, Any]]) -> None:
    """Decide what this file writes: its new nodes, and the relationships touching one of them."""
    new: set[str] = set()
    links: dict[str, list[tuple[str, str]]] = {}
    for edge in plan.edges:
        if edge.type in store.STATE_TYPES:
            links.setdefault(edge.source, []).append((edge.type, edge.target))
    for node in plan.nodes:
        if node.uid in found:
            v.skipped_existing += 1
        elif node.version is None or node.version not in found:
            new.add(node.uid)
            row = node.row()
            if node.kind in _REFERENCEABLE:
                v.created.add(node.uid)
            if node.kind != "feature":
                v.created_states.append((node.uid, node.kind, audit.state_digest(row["props"], links.get(node.uid, ()))))
            v.nodes.add({"labels": row["labels"], "props": row["props"]})
        # else: a feature or evaluation owned by a version that is already there
    for edge in plan.edges:
        if edge.source in new or edge.target in new:
            v.edges.add(edge.row())
        elif edge.target not in plan.defined:
            v.pending_edges.add(edge.row())
        # else: both ends were already there: the bulk path never changes that
    v.alias_rows.extend({k: a[k] for k in ("model", "version", "aliases")} for a in plan.aliases)


def validate(db: Database, paths: Sequence[Path], progress: bool = False, batch: int = BATCH) -> _Validation:
    """Pass 1: every problem of every file, with one file's plan in memory at a time; the rows to
    write go to the spill files (only while no problem was found: nothing is written otherwise)."""
    v = _Validation(nodes=_Spill("graphcat-bulk-nodes-", batch), edges=_Spill("graphcat-bulk-edges-", batch),
                    pending_edges=_Spill("graphcat-bulk-pending-", batch))
    last = [time.perf_counter()]

    def lap(part: str) -> None:
        now = time.perf_counter()
        v.seconds[part] += now - last[0]
        last[0] = now

    try:
        with _gc_paused():
            for path in tqdm(paths, desc="validate", unit="file", disable=not progress):
                lap("read")  # the progress bar's own time counts as reading
                data, problems = read_document(path)
                lap("read")
                if not problems:
                    problems = _schema_problems(str(path), data)
                lap("schema")
                v.problems.extend(problems)
                if problems or data is None:
                    continue
                plan = build_plan([(str(path), data)])
                del data
                lap("plan")
                v.problems.extend(plan.problems)
                for node in plan.nodes:
                    if node.kind not in _REFERENCEABLE:
                        continue
                    first = v.defined.get(node.uid)
                    if first is not None:
                        kind, _, ident = node.uid.partition(":")
                        v.problems.append(Problem(node.where, f"duplicate {KIND_WORDS.get(kind, kind)} {ident!r} (first defined at {first})"))
                    else:
                        v.defined[node.uid] = node.where
                for ref in plan.references:
                    if ref.target not in plan.defined:
                        v.open_refs.setdefault(ref.target, ref.where)
                v.lineage.extend(e for e in plan.edges if e.type in _ACYCLIC)
                for entry in plan.aliases:
                    for alias in entry["aliases"]:
                        first = v.aliases.setdefault((entry["model"], alias), (entry["version"], entry["where"]))
                        if first[0] != entry["version"] and first[1].file != entry["where"].file:
                            v.problems.append(Problem(entry["where"], f"alias {alias!r} already names {first[0].partition(':')[2]} "
                                                                      f"({first[1]}); an alias names one version of a model"))
                lap("plan")  # the cross-file bookkeeping above
                found = _existing(db, plan.defined)
                _check_existing(plan, found, v.problems)
                lap("lookup")
                if not v.problems:
                    _spill_rows(v, plan, found)
                del plan, found
                gc.collect(0)  # only what this file allocated (all of it is young while paused)
                lap("spill")
        missing = sorted(t for t in v.open_refs if t not in v.defined)
        known = _existing(db, missing)
        for target in missing:
            if target not in known:
                kind, _, ident = target.partition(":")
                v.problems.append(Problem(v.open_refs[target], f"unknown {KIND_WORDS.get(kind, kind)} {ident!r} "
                                                               "(not defined in these files nor in the catalog)"))
        lap("lookup")
        # Lineage cycles through several files (each file's own cycles are already reported).
        cycles = Plan(edges=v.lineage)
        _check_cycles(cycles)
        v.problems.extend(p for p in cycles.problems if p not in v.problems)
        v.lineage = []
    except BaseException:
        v.close()
        raise
    return v
