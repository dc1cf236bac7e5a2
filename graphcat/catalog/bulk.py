"""`graphcat bulk-import`: streaming import of catalogs too big for one transaction (100k+ versions).

`graphcat import` builds one plan of every file and writes it in one transaction: simple and
all-or-nothing, but its memory grows with the catalog (about 2M rows at 100k model versions) and
so does Neo4j's transaction state. The bulk path keeps the same document model and the same
validation, and bounds memory instead:

1. validate (graphcat.catalog.bulk_validate), one file at a time (JSON Schema, graphcat.catalog.plan problems, immutability against
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
import sys
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from tqdm import tqdm

from graphcat.catalog.bulk_validate import BATCH, _chunks, _Validation, validate
from graphcat.catalog.files import CatalogInvalid
from graphcat.domain import Actor
from graphcat.errors import GraphcatError
from graphcat.settings import Settings
from graphcat.store import audit
from graphcat.store import catalog as store
from graphcat.store.database import Database, Tx

TX_ROWS = 10_000  # rows per committed transaction (smaller transaction state: less Neo4j CPU per row)
WORKERS = 2  # node transactions in flight at once (see _Writer)

__all__ = ["BATCH", "TX_ROWS", "WORKERS", "BulkReport", "bulk_import", "list_imports", "rollback", "run", "validate"]


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
                on_commit: Callable[[int], None] | None = None, actor: Actor | None = None) -> BulkReport:
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
            _write(db, checked, report, progress, batch, tx_rows, workers, on_commit, actor)
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
           batch: int, tx_rows: int, workers: int, on_commit: Callable[[int], None] | None,
           actor: Actor | None = None) -> None:
    total = checked.nodes.count + checked.edges.count + checked.pending_edges.count
    # What validation keeps (uids, places, aliases: ~10^5 objects at 100k versions) lives until the
    # end: frozen, the collector no longer walks it again at every collection while rows stream.
    gc.collect()
    gc.freeze()
    try:
        _write_rows(db, checked, report, progress, batch, tx_rows, workers, on_commit, total, actor)
    finally:
        gc.unfreeze()


def _write_rows(db: Database, checked: _Validation, report: BulkReport, progress: bool, batch: int, tx_rows: int,
                workers: int, on_commit: Callable[[int], None] | None, total: int, actor: Actor | None) -> None:
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
        moved: dict[str, list[str]] = {}
        for chunk in _chunks(checked.alias_rows, batch):
            moved.update(store.set_aliases(tx, list(chunk)))
        tx.run("bulk/record_done", id=report.import_id, nodes=report.nodes_written,
               relationships=report.relationships_written)
        _record(tx, checked, moved, report, actor)

    db.write_transaction(finish)
    report.transactions += 1


def _record(tx: Tx, checked: _Validation, moved: dict[str, list[str]], report: BulkReport,
            actor: Actor | None) -> None:
    """The import's audit changes, in the transaction that marks it done: a bulk import commits
    there (until then a failure rolls it back), so its changes are recorded exactly when it does."""
    changes = [audit.Pending(uid, kind, "create", None, digest)
               for uid, kind, digest in checked.created_states if uid not in moved]
    for uid, row in audit.state_rows(tx, moved).items():  # aliases: set last, their states are read back
        after = audit.row_digest(row)
        if uid in checked.created:
            changes.append(audit.Pending(uid, "model_version", "create", None, after))
        else:
            before = audit.state_digest({**row["props"], "aliases": moved[uid]}, row["links"])
            changes.append(audit.Pending(uid, "model_version", "alias", before, after))
    audit.record(tx, actor, changes, source=f"bulk import {report.import_id}: {', '.join(report.files)}")


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
