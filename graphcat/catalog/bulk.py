"""`graphcat bulk-import`: streaming import of catalogs too big for one transaction (100k+ versions).

`graphcat import` builds one plan of every file and writes it in one transaction: simple and
all-or-nothing, but its memory grows with the catalog (about 2M rows at 100k model versions) and
so does Neo4j's transaction state. The bulk path keeps the same document model and the same
validation, and bounds memory instead:

1. validate, one file at a time (JSON Schema, graphcat.catalog.plan problems, immutability against
   the catalog); what crosses files is kept small: the uids each file defines (not features or
   evaluations), the references it leaves open, the lineage edges (for cycles), the aliases. The
   rows to write are decided here and spilled to two temporary files (nodes, relationships), in
   pickled batches: each file is read and planned once. Any problem: CatalogInvalid, nothing
   written;
2. nodes, streamed back from their spill file, CREATEd `batch` rows per UNWIND and committed every
   `tx_rows` rows (cypher/bulk/create_nodes);
3. relationships, streamed back the same way, CREATEd between nodes found by uid (the uniqueness
   constraint's index, cypher/catalog/create_edges);
4. aliases, then the import is marked done, in one last transaction.

CREATE, not MERGE: validation already knows which entities exist, and the bulk path writes only
new nodes and the relationships that touch at least one of them, so nothing it writes can exist
yet. MERGE cost a lookup per node and a scan of the relationships between both ends per
relationship, which grows with hub nodes (datasets and detectors shared by thousands of
versions) and with the transaction's state: docs/scaling.md has the figures.

All-or-nothing per invocation, by rollback instead of one transaction: every node this import
creates carries `bulk_import = <import id>` (indexed, cypher/schema/0800_*), and every
relationship it creates touches at least one such node. When anything fails (a database error,
a node created meanwhile by another writer, an interruption) the nodes are deleted with their
relationships, batch by batch, and the error is raised again. A process killed outright leaves
its import recorded as running: `graphcat bulk-import --list` shows it and
`graphcat bulk-import --rollback ID` removes it. Readers may see a partial catalog while a bulk
import runs; that is the price of bounded memory.

What bulk import does not do, where `graphcat import` does: change entities already in the
catalog. An entity already present must be identical (versions: same content hash and
deprecation; other entities: same properties), otherwise it is a problem; its relationships are
left as they are, except those to entities this import creates. Aliases are applied, in the
final transaction.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import pickle
import sys
import tempfile
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

import jsonschema_rs
from tqdm import tqdm

from graphcat.catalog.content import differing_fields
from graphcat.catalog.files import CatalogInvalid, catalog_schema, read_document, schema_problems
from graphcat.catalog.plan import KIND_WORDS, EdgeRow, Plan, Problem, Where, _check_cycles, build_plan
from graphcat.domain import MODEL_LINEAGE_TYPES
from graphcat.errors import GraphcatError
from graphcat.settings import Settings
from graphcat.store import catalog as store
from graphcat.store.database import Database, Tx

BATCH = 5_000  # rows per UNWIND query (measured at 100k: 5k/10k beat 10k/20k, see docs/scaling.md)
TX_ROWS = 10_000  # rows per committed transaction (smaller transaction state: less Neo4j CPU per row)
WORKERS = 2  # node transactions in flight at once (see _Writer)
LOOKUP = 10_000  # uids per existing-nodes lookup
# Kinds whose uid a catalog file can reference; features and evaluations belong to their version.
_REFERENCEABLE = {"experiment", "detector", "task", "owner", "publication", "dataset", "dataset_version",
                  "model", "model_version"}
_ACYCLIC = {"SUBTASK_OF", "DERIVED_FROM", *MODEL_LINEAGE_TYPES}


@dataclass
class BulkReport:
    import_id: str
    files: tuple[str, ...]
    nodes_written: int = 0
    relationships_written: int = 0
    skipped_existing: int = 0
    validate_seconds: float = 0.0
    node_seconds: float = 0.0
    relationship_seconds: float = 0.0
    transactions: int = 0
    # Where validation spends its time: read (JSON parse), schema, plan, lookup (existing
    # entities in Neo4j), spill (rows pickled to the temporary files); seconds each.
    validate_parts: dict[str, float] = field(default_factory=dict)

    @property
    def write_seconds(self) -> float:
        return self.node_seconds + self.relationship_seconds

    def summary(self) -> str:
        nodes = self.nodes_written / self.node_seconds if self.node_seconds else 0.0
        rels = self.relationships_written / self.relationship_seconds if self.relationship_seconds else 0.0
        return (f"bulk import {self.import_id}: {self.nodes_written:,} nodes, {self.relationships_written:,} "
                f"relationships in {self.transactions} transactions ({self.skipped_existing:,} entities already present); "
                f"validate {self.validate_seconds:.1f} s, nodes {self.node_seconds:.1f} s ({nodes:,.0f}/s), "
                f"relationships {self.relationship_seconds:.1f} s ({rels:,.0f}/s)")


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
    for node in plan.nodes:
        if node.uid in found:
            v.skipped_existing += 1
        elif node.version is None or node.version not in found:
            new.add(node.uid)
            if node.kind in _REFERENCEABLE:
                v.created.add(node.uid)
            row = node.row()
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


class _Writer:
    """Commits rows every `tx_rows` rows, `batch` rows per query, with up to `workers` transactions
    in flight at once (each in its own session, from a thread pool).

    Why threads: the node phase is bound by Neo4j's CPU (property records, index entries at
    commit), about 15-20k nodes per server CPU-second here, so one transaction at a time cannot
    reach 20k nodes/s once the client's own work is added; node creations of different
    transactions never wait for each other (distinct uids). Relationships use one worker: their
    transactions lock the nodes at both ends (the hubs in many), and would deadlock and retry.
    Commits are reported (`on_commit`, the progress bar) from the calling thread, in order.
    """

    def __init__(self, db: Database, query: str, params: dict[str, Any], batch: int, tx_rows: int, bar: tqdm,
                 on_commit: Callable[[int], None] | None, report: BulkReport, result: str, workers: int = 1) -> None:
        self.db, self.query, self.params, self.batch, self.tx_rows = db, query, params, batch, tx_rows
        self.bar, self.on_commit, self.report, self.result = bar, on_commit, report, result
        self.workers = max(1, workers)
        self.written = 0

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        in_flight: deque[Future[int]] = deque()
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="graphcat-bulk") as pool:
            try:
                pending: list[dict[str, Any]] = []
                for row in rows:
                    pending.append(row)
                    if len(pending) >= self.tx_rows:
                        if len(in_flight) >= self.workers:
                            self._committed(in_flight.popleft())
                        in_flight.append(pool.submit(self._transaction, pending))
                        pending = []
                if pending:
                    in_flight.append(pool.submit(self._transaction, pending))
                while in_flight:
                    self._committed(in_flight.popleft())
            except BaseException:
                # Let the transactions in flight end (commit or fail) before the caller rolls
                # back: a commit after the rollback would leave its nodes behind.
                for future in in_flight:
                    future.cancel()
                pool.shutdown(wait=True)
                raise
        return self.written

    def _transaction(self, rows: list[dict[str, Any]]) -> int:
        def work(tx: Tx) -> int:
            done = 0
            for chunk in _chunks(rows, self.batch):
                n = tx.run(self.query, rows=list(chunk), **self.params)[0][self.result]
                if n != len(chunk):
                    # Every endpoint was validated; a mismatch means the catalog changed under us.
                    raise GraphcatError(f"{self.query} wrote {n} of {len(chunk)} rows; the bulk import is rolled back")
                done += n
            return done

        return self.db.write_transaction(work)

    def _committed(self, future: Future[int]) -> None:
        n = future.result()
        self.written += n
        self.report.transactions += 1
        self.bar.update(n)
        if self.on_commit is not None:
            self.on_commit(self.report.transactions)


def bulk_import(db: Database, paths: Sequence[Path | str], *, progress: bool = False, batch: int = BATCH,
                tx_rows: int = TX_ROWS, workers: int = WORKERS,
                on_commit: Callable[[int], None] | None = None) -> BulkReport:
    """Import catalog files with bounded memory; all-or-nothing by rollback (see the module doc).

    `on_commit(n)` is called after the n-th committed transaction (progress reporting; an
    exception raised there interrupts the import, which is then rolled back).
    """
    files = [Path(p) for p in paths]
    report = BulkReport(import_id="bulk-" + uuid.uuid4().hex[:12], files=tuple(str(p) for p in files))
    t0 = time.perf_counter()
    checked = validate(db, files, progress, batch)
    try:
        if checked.problems:
            raise CatalogInvalid(checked.problems)
        report.validate_seconds = time.perf_counter() - t0
        report.validate_parts = dict(checked.seconds)
        report.skipped_existing = checked.skipped_existing
        db.write("bulk/record_start", id=report.import_id, files=list(report.files),
                 started_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        try:
            _write(db, checked, report, progress, batch, tx_rows, workers, on_commit)
        except BaseException as exc:  # an interruption too: the partial import must go
            try:
                rollback(db, report.import_id)
            except GraphcatError as cleanup:
                raise GraphcatError(f"bulk import {report.import_id} failed ({exc}) and its rollback failed too "
                                    f"({cleanup}); run `graphcat bulk-import --rollback {report.import_id}`") from exc
            raise
    finally:
        checked.close()
    return report


def _write(db: Database, checked: _Validation, report: BulkReport, progress: bool,
           batch: int, tx_rows: int, workers: int, on_commit: Callable[[int], None] | None) -> None:
    total = checked.nodes.count + checked.edges.count + checked.pending_edges.count
    # What validation keeps (uids, places, aliases: ~10^5 objects at 100k versions) lives until the
    # end: frozen, the collector no longer walks it again at every collection while rows stream.
    gc.collect()
    gc.freeze()
    try:
        _write_rows(db, checked, report, progress, batch, tx_rows, workers, on_commit, total)
    finally:
        gc.unfreeze()


def _write_rows(db: Database, checked: _Validation, report: BulkReport, progress: bool, batch: int, tx_rows: int,
                workers: int, on_commit: Callable[[int], None] | None, total: int) -> None:
    with tqdm(total=total, desc="bulk import", unit="row", disable=not progress) as bar:
        t0 = time.perf_counter()
        nodes = _Writer(db, "bulk/create_nodes", {"id": report.import_id}, batch, tx_rows, bar, on_commit, report,
                        result="written", workers=workers)
        report.nodes_written = nodes.write(checked.nodes.rows())
        report.node_seconds = time.perf_counter() - t0

        t1 = time.perf_counter()
        edges = _Writer(db, "catalog/create_edges", {}, batch, tx_rows, bar, on_commit, report, result="linked")
        report.relationships_written = edges.write(checked.relationship_rows())
        report.relationship_seconds = time.perf_counter() - t1
        bar.update(total - bar.n)  # pending relationships that were not needed

    def finish(tx: Tx) -> None:
        for chunk in _chunks(checked.alias_rows, batch):
            store.set_aliases(tx, list(chunk))
        tx.run("bulk/record_done", id=report.import_id, nodes=report.nodes_written,
               relationships=report.relationships_written)

    db.write_transaction(finish)
    report.transactions += 1


def rollback(db: Database, import_id: str, batch: int = 10_000) -> int:
    """Delete every node the bulk import `import_id` created (with its relationships) and its record."""
    total = 0
    while True:
        deleted = db.write("bulk/delete_imported", id=import_id, batch=batch)[0]["deleted"]
        total += deleted
        if deleted == 0:
            break
    db.write("bulk/delete_record", id=import_id)
    return total


def list_imports(db: Database) -> list[dict[str, Any]]:
    return db.read("bulk/list_imports")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """The `graphcat bulk-import` command."""
    from graphcat.store import migrations

    with Database(settings) as db:
        migrations.apply(db)
        if args.rollback:
            print(f"rolled back {args.rollback}: {rollback(db, args.rollback):,} nodes deleted")
        elif args.list:
            for row in list_imports(db):
                print(f"{row['id']}  {row['state']:<7}  {row['started_at']}  nodes={row['nodes']}  "
                      f"relationships={row['relationships']}  files={len(row['files'] or [])}")
        elif not args.files:
            print("graphcat bulk-import: give catalog files, --list or --rollback ID", file=sys.stderr)
            return 2
        else:
            report = bulk_import(db, args.files, progress=sys.stderr.isatty(), tx_rows=args.tx_rows or TX_ROWS)
            print(report.summary())
    return 0
