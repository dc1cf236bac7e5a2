"""`graphcat bulk-import`: streaming import of catalogs too big for one transaction (100k+ versions).

`graphcat import` builds one plan of every file and writes it in one transaction: simple and
all-or-nothing, but its memory grows with the catalog (about 1M rows at 100k model versions) and
so does Neo4j's transaction state. The bulk path keeps the same document model, the same
validation and the same named UNWIND queries, and bounds memory instead:

1. validate, one file at a time (JSON Schema, graphcat.catalog.plan problems, immutability against
   the catalog); what crosses files is kept small: the uids each file defines (not features or
   evaluations), the references it leaves open, the lineage edges (for cycles), the aliases. Any
   problem: CatalogInvalid, nothing written;
2. nodes, one file at a time (the plan of one file in memory), committed every `tx_rows` rows;
   relationship rows are spilled to a temporary JSON-lines file;
3. relationships, streamed back from that file, committed every `tx_rows` rows;
4. aliases, then the import is marked done, in one last transaction.

All-or-nothing per invocation, by rollback instead of one transaction: every node this import
creates carries `bulk_import = <import id>` (indexed, cypher/schema/0800_*), and every
relationship it creates touches at least one such node, because the bulk path never adds a
relationship between two nodes that were already in the catalog. When anything fails (a database
error, an interruption) the nodes are deleted with their relationships, batch by batch, and the
error is raised again. A process killed outright leaves its import recorded as running:
`graphcat bulk-import --list` shows it and `graphcat bulk-import --rollback ID` removes it.
Readers may see a partial catalog while a bulk import runs; that is the price of bounded memory.

What bulk import does not do, where `graphcat import` does: change entities already in the
catalog. An entity already present must be identical (versions: same content hash and
deprecation; other entities: same properties), otherwise it is a problem; its relationships are
left as they are. Aliases are applied, in the final transaction.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from tqdm import tqdm

from graphcat.catalog.content import differing_fields
from graphcat.catalog.files import CatalogInvalid, read_document, schema_problems
from graphcat.catalog.plan import KIND_WORDS, EdgeRow, Plan, Problem, Where, _check_cycles, build_plan
from graphcat.domain import MODEL_LINEAGE_TYPES
from graphcat.errors import GraphcatError
from graphcat.settings import Settings
from graphcat.store import catalog as store
from graphcat.store.database import Database, Tx

BATCH = 1_000  # rows per UNWIND query
TX_ROWS = 2_000  # rows per committed transaction: MERGE slows down as a transaction grows
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

    @property
    def write_seconds(self) -> float:
        return self.node_seconds + self.relationship_seconds

    def summary(self) -> str:
        rate = self.nodes_written / self.node_seconds if self.node_seconds else 0.0
        return (f"bulk import {self.import_id}: {self.nodes_written:,} nodes, {self.relationships_written:,} "
                f"relationships in {self.transactions} transactions ({self.skipped_existing:,} entities already present); "
                f"validate {self.validate_seconds:.1f} s, nodes {self.node_seconds:.1f} s ({rate:,.0f}/s), "
                f"relationships {self.relationship_seconds:.1f} s")


@dataclass
class _Validation:
    """What crosses files during validation: kept small on purpose."""

    defined: dict[str, Where] = field(default_factory=dict)
    open_refs: dict[str, Where] = field(default_factory=dict)
    lineage: list[EdgeRow] = field(default_factory=list)
    aliases: dict[tuple[str, str], tuple[str, Where]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)
    rows: int = 0


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing(db: Database, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(uids)), LOOKUP):
        found.update(store.existing(db, chunk))
    return found


def _read(path: Path) -> tuple[dict[str, Any] | None, list[Problem], str]:
    data, problems = read_document(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if not problems else ""
    if not problems:
        problems = schema_problems(str(path), data)
    return data, problems, digest


def _file_plan(path: Path, data: dict[str, Any]) -> Plan:
    return build_plan([(str(path), data)])


def _check_existing(plan: Plan, found: dict[str, dict[str, Any]], problems: list[Problem]) -> None:
    """Entities already in the catalog must be identical: bulk import adds, it never changes."""
    for node in plan.nodes:
        old = found.get(node.uid)
        if old is None or old["props"].get("bulk_import"):
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


def validate(db: Database, paths: Sequence[Path], progress: bool = False) -> _Validation:
    """Pass 1: every problem of every file, with one file's plan in memory at a time."""
    v = _Validation()
    for path in tqdm(paths, desc="validate", unit="file", disable=not progress):
        data, problems, digest = _read(path)
        v.problems.extend(problems)
        if problems or data is None:
            continue
        v.digests[str(path)] = digest
        plan = _file_plan(path, data)
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
        found = _existing(db, plan.defined)
        _check_existing(plan, found, v.problems)
        v.rows += len(plan.nodes) + len(plan.edges)
    missing = sorted(t for t in v.open_refs if t not in v.defined)
    known = _existing(db, missing)
    for target in missing:
        if target not in known:
            kind, _, ident = target.partition(":")
            v.problems.append(Problem(v.open_refs[target], f"unknown {KIND_WORDS.get(kind, kind)} {ident!r} "
                                                           "(not defined in these files nor in the catalog)"))
    # Lineage cycles through several files (each file's own cycles are already reported).
    cycles = Plan(edges=v.lineage)
    _check_cycles(cycles)
    v.problems.extend(p for p in cycles.problems if p not in v.problems)
    v.lineage = []
    return v


class _Writer:
    """Accumulates rows and commits them every `tx_rows` rows, `batch` rows per query."""

    def __init__(self, db: Database, query: str, batch: int, tx_rows: int, bar: tqdm,
                 on_commit: Callable[[int], None] | None, report: BulkReport, check_linked: bool) -> None:
        self.db, self.query, self.batch, self.tx_rows = db, query, batch, tx_rows
        self.bar, self.on_commit, self.report, self.check_linked = bar, on_commit, report, check_linked
        self.rows: list[dict[str, Any]] = []
        self.written = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.tx_rows:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []

        def work(tx: Tx) -> int:
            done = 0
            for chunk in _chunks(rows, self.batch):
                got = tx.run(self.query, rows=list(chunk))[0]
                n = got.get("written", got.get("linked", 0))
                if self.check_linked and n != len(chunk):
                    # Every endpoint was validated; a mismatch means the catalog changed under us.
                    raise GraphcatError(f"linked {n} of {len(chunk)} relationships; the bulk import is rolled back")
                done += n
            return done

        self.written += self.db.write_transaction(work)
        self.report.transactions += 1
        self.bar.update(len(rows))
        if self.on_commit is not None:
            self.on_commit(self.report.transactions)


def bulk_import(db: Database, paths: Sequence[Path | str], *, progress: bool = False, batch: int = BATCH,
                tx_rows: int = TX_ROWS, on_commit: Callable[[int], None] | None = None) -> BulkReport:
    """Import catalog files with bounded memory; all-or-nothing by rollback (see the module doc).

    `on_commit(n)` is called after the n-th committed transaction (progress reporting; an
    exception raised there interrupts the import, which is then rolled back).
    """
    files = [Path(p) for p in paths]
    report = BulkReport(import_id="bulk-" + uuid.uuid4().hex[:12], files=tuple(str(p) for p in files))
    t0 = time.perf_counter()
    checked = validate(db, files, progress)
    if checked.problems:
        raise CatalogInvalid(checked.problems)
    report.validate_seconds = time.perf_counter() - t0
    db.write("bulk/record_start", id=report.import_id, files=list(report.files),
             started_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    try:
        _write(db, files, checked, report, progress, batch, tx_rows, on_commit)
    except BaseException as exc:  # an interruption too: the partial import must go
        try:
            rollback(db, report.import_id)
        except GraphcatError as cleanup:
            raise GraphcatError(f"bulk import {report.import_id} failed ({exc}) and its rollback failed too "
                                f"({cleanup}); run `graphcat bulk-import --rollback {report.import_id}`") from exc
        raise
    return report


def _write(db: Database, files: list[Path], checked: _Validation, report: BulkReport, progress: bool,
           batch: int, tx_rows: int, on_commit: Callable[[int], None] | None) -> None:
    aliases: list[dict[str, Any]] = []
    with tempfile.TemporaryFile("w+", encoding="utf-8", prefix="graphcat-bulk-edges-") as spill, \
            tqdm(total=checked.rows, desc="bulk import", unit="row", disable=not progress) as bar:
        t0 = time.perf_counter()
        nodes = _Writer(db, "catalog/upsert_nodes", batch, tx_rows, bar, on_commit, report, check_linked=False)
        spilled = 0
        for path in files:
            data, problems, digest = _read(path)
            if problems or data is None or digest != checked.digests[str(path)]:
                raise GraphcatError(f"{path} changed while it was being imported; the bulk import is rolled back")
            plan = _file_plan(path, data)
            found = _existing(db, plan.defined)
            before = {uid for uid, old in found.items() if old["props"].get("bulk_import") != report.import_id}
            for node in plan.nodes:
                if node.uid in before:
                    report.skipped_existing += 1
                    continue
                if node.version is not None and node.version in before:
                    continue  # owned by a version that was already there
                row = node.row()
                row["props"]["bulk_import"] = report.import_id
                nodes.add(row)
            for edge in plan.edges:
                if edge.source in before and edge.target in before:
                    bar.update(1)
                    continue  # both ends were already there: the bulk path never changes that
                spill.write(json.dumps(edge.row(), separators=(",", ":")) + "\n")
                spilled += 1
            bar.update(sum(1 for n in plan.nodes if n.uid in before or (n.version is not None and n.version in before)))
            aliases.extend({k: a[k] for k in ("model", "version", "aliases")} for a in plan.aliases)
        nodes.flush()
        report.nodes_written = nodes.written
        report.node_seconds = time.perf_counter() - t0

        t1 = time.perf_counter()
        spill.seek(0)
        edges = _Writer(db, "catalog/merge_edges", batch, tx_rows, bar, on_commit, report, check_linked=True)
        for line in spill:
            edges.add(json.loads(line))
        edges.flush()
        report.relationships_written = edges.written
        report.relationship_seconds = time.perf_counter() - t1
        if edges.written != spilled:
            raise GraphcatError(f"wrote {edges.written} of {spilled} relationships; the bulk import is rolled back")

    def finish(tx: Tx) -> None:
        for chunk in _chunks(aliases, batch):
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
            report = bulk_import(db, args.files, progress=sys.stderr.isatty(), tx_rows=args.tx_rows)
            print(report.summary())
    return 0
