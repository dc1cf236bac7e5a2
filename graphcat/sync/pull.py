"""`graphcat sync --from URL`: pull a peer site's catalog entities changed since the last sync.

1. The peer's changes since this catalog's cursor for it (cypher/sync/cursor) minus an overlap
   (a write whose change time was taken before an earlier one committed is not missed; re-pulling is
   harmless: a sync is idempotent). Each entity counts once, at its newest change, oldest first.
2. Batches of `batch` entities: the peer's document of them (graphcat.sync.feed), then ONE write
   transaction here: versions this catalog holds with another content hash are conflicts, reported and
   left out (never overwritten); the rest goes through the importer (identical entities write nothing);
   entities created here are marked with the peer's site (provenance, `synced_from`); entities the peer
   deleted are deleted here when they came from it (otherwise kept and reported); the cursor moves to
   the batch's newest change. Any failure rolls the whole batch back, cursor included.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from graphcat.content import differing_fields
from graphcat.catalog.files import CatalogInvalid, schema_problems
from graphcat.catalog.importer import apply_plan_in
from graphcat.catalog.plan import build_plan
from graphcat.domain import Actor
from graphcat.store import audit
from graphcat.store import catalog as catalog_store
from graphcat.store import sync as store
from graphcat.store.database import Database, Tx
from graphcat.store.index_state import bump_revision
from graphcat.sync.client import Peer, PeerChange, SyncFailed
from graphcat.sync.feed import KINDS

BATCH = 200
OVERLAP_SECONDS = 300.0


@dataclass(frozen=True)
class VersionConflict:
    entity: str
    here: str  # content hash held here
    peer: str  # content hash at the peer
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return (f"{self.entity}: held here with content {self.here[:12]}, the peer has {self.peer[:12]} "
                f"(differing: {', '.join(self.fields) or 'unknown'}); kept as it is here")


@dataclass
class SyncReport:
    site: str
    since: str | None
    changes: int = 0
    batches: int = 0
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    conflicts: list[VersionConflict] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # deleted at the peer, kept here (not from it)
    skipped: int = 0  # changes of entities a sync does not carry (API tokens)
    cursor: str | None = None

    def summary(self) -> str:
        def counts(c: Counter[str]) -> str:
            return ", ".join(f"{n} {k}" for k, n in sorted(c.items())) or "none"
        return (f"{self.changes} changes since {self.since or 'the beginning'} in {self.batches} batches: "
                f"created {counts(self.created)}; updated {counts(self.updated)}; unchanged {counts(self.unchanged)}; "
                f"deleted {len(self.deleted)}; conflicts {len(self.conflicts)}; kept {len(self.kept)}; "
                f"cursor {self.cursor}")


@dataclass
class _Batch:
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    conflicts: list[VersionConflict]
    deleted: list[str]
    kept: list[str]


def _since(cursor: dict[str, Any] | None, overlap: float) -> str | None:
    if cursor is None or not cursor.get("last_change_at"):
        return None
    at = dt.datetime.strptime(cursor["last_change_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return audit.timestamp(at - dt.timedelta(seconds=overlap))


def sync(db: Database, peer: Peer, *, batch: int = BATCH, overlap: float = OVERLAP_SECONDS,
         actor: Actor | None = None) -> SyncReport:
    """Pull `peer`'s changes since the last sync into `db`, a batch per transaction (see the module)."""
    if batch < 1:
        raise SyncFailed(f"--batch must be at least 1, got {batch}")
    site = peer.site
    report = SyncReport(site=site, since=_since(store.cursor(db, site), overlap))
    changes = peer.changes(report.since)
    report.changes = len(changes)
    newest: dict[str, PeerChange] = {}
    for change in changes:  # oldest first: the last one seen is an entity's newest
        newest[change.entity] = change
    ordered = sorted(newest.values(), key=lambda c: c.id)
    for start in range(0, len(ordered), batch):
        part = ordered[start:start + batch]
        carried = [c for c in part if c.entity.partition(":")[0] in KINDS]
        report.skipped += len(part) - len(carried)
        document, missing = peer.document([c.entity for c in carried]) if carried else ({}, [])
        gone = {c.entity for c in carried if c.after is None} & set(missing)
        name = f"sync from {site} (batch {report.batches + 1})"
        done = db.write_transaction(lambda tx: _apply(tx, site, name, document, sorted(gone), part[-1], actor))
        report.batches += 1
        report.created.update(done.created)
        report.updated.update(done.updated)
        report.unchanged.update(done.unchanged)
        report.conflicts.extend(done.conflicts)
        report.deleted.extend(done.deleted)
        report.kept.extend(done.kept)
        report.cursor = part[-1].id
    if report.cursor is None:
        cursor = store.cursor(db, site)
        report.cursor = cursor["last_change"] if cursor else None
    return report


def _without(document: dict[str, Any], versions: set[str]) -> dict[str, Any]:
    out = dict(document)
    for section, kind in (("datasets", "dataset_version"), ("models", "model_version")):
        out[section] = [{**fam, "versions": [v for v in fam.get("versions") or []
                                              if f"{kind}:{fam['id']}@{v['version']}" not in versions]}
                        for fam in document.get(section) or []]
    return out


def _apply(tx: Tx, site: str, name: str, document: dict[str, Any], gone: list[str], last: PeerChange,
           actor: Actor | None) -> _Batch:
    done = _Batch({}, {}, {}, [], [], [])
    if document:
        problems = schema_problems(name, document)
        if problems:
            raise CatalogInvalid(problems)
        plan = build_plan([(name, document)])
        if plan.problems:
            raise CatalogInvalid(plan.problems)
        entities = [uid for uid in plan.defined if not uid.startswith("feature:")]
        found = catalog_store.existing(tx, entities)  # takes the catalog's write lock
        for uid, version in sorted(plan.versions.items()):
            old = found.get(uid)
            if old is not None and old["props"].get("content_hash") != version.hash:
                here = json.loads(old["props"].get("content_json") or "{}")
                done.conflicts.append(VersionConflict(uid, str(old["props"].get("content_hash")), version.hash,
                                                      tuple(differing_fields(here, version.content))))
        if done.conflicts:
            plan = build_plan([(name, _without(document, {c.entity for c in done.conflicts}))])
        imported = apply_plan_in(tx, plan, (name,), actor=actor)
        done.created, done.updated, done.unchanged = imported.created, imported.updated, imported.unchanged
        store.mark_origin(tx, [uid for uid in plan.defined if not uid.startswith("feature:") and uid not in found], site)
    if gone:
        held = store.origins(tx, gone)
        ours = [uid for uid, row in held.items() if row["site"] == site]
        done.kept = sorted(f"{uid} ({'registered here' if row['site'] is None else 'synced from ' + row['site']})"
                           for uid, row in held.items() if row["site"] != site)
        if ours:
            before = audit.states(tx, ours)
            done.deleted = store.delete_synced(tx, ours, site)
            bump_revision(tx)
            audit.record(tx, actor, [audit.Pending(uid, held[uid]["kind"], "delete", before.get(uid), None)
                                     for uid in done.deleted], source=name)
    store.save_cursor(tx, site, last.id, last.at)
    return done
