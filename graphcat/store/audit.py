"""The audit trail: one append-only (:Change) node per entity a write changed, created in that write's
own transaction (cypher/audit/record), so a change commits exactly when its write does.

A change says who (graphcat.domain.Actor: subject, API token id, client address), when (`at`, UTC),
what (the entity's uid and kind, the operation, a digest of the entity's state before and after:
`state_digest`, sha256 over its stored properties and outgoing relationships of STATE_TYPES) and
through what (`source`: an import's files, ...). Its id `<at>~<write>~<seq>` sorts by time and is
the keyset of history and changes pages.

Append-only: cypher/audit/record is the only query that writes Change nodes (tests check every
query file); graphcat.store.database refuses a node row labelled Change in any other query; the
catalog's clear (graphcat import --replace) keeps them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from graphcat.domain import Actor, Change
from graphcat.store.catalog import STATE_TYPES
from graphcat.store.database import Database, Tx

BATCH = 5_000  # changes per UNWIND
KEY_MAX = "\U0010ffff"  # above every change id: the bound of a first (newest) page
# Bookkeeping, not state: the recommender's embedding (derived), the bulk import that created a node,
# the peer site a sync brought it from (so a synced entity has the digest it has at its origin).
_NOT_STATE = frozenset({"embedding", "bulk_import", "synced_from"})


@dataclass
class Pending:
    """A change found while a write runs, recorded by `record` before the transaction commits."""

    entity: str
    kind: str
    operation: str
    before: str | None
    after: str | None = None
    # An alias move's other versions: their aliases before (their state is derived from it).
    aliases_before: list[str] | None = None


def state_digest(props: dict[str, Any], links: Iterable[Sequence[str]] = ()) -> str:
    """sha256 of an entity's state: its properties (bookkeeping left out) and outgoing links."""
    # An empty list is no value (an alias move leaves [] where there was no property).
    state = {"props": {k: v for k, v in props.items() if k not in _NOT_STATE and v is not None and v != []},
             "links": sorted([str(t), str(u)] for t, u in links)}
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def row_digest(row: dict[str, Any]) -> str:
    """`state_digest` of a catalog/existing_nodes row (uid, props, links)."""
    return state_digest(row["props"], row.get("links") or ())


def state_rows(tx: Tx, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """uid -> catalog/existing_nodes row (uid, props, links of STATE_TYPES), inside the write's transaction."""
    keys = sorted(set(uids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), BATCH):
        for row in tx.run("catalog/existing_nodes", uids=keys[start:start + BATCH], types=list(STATE_TYPES)):
            found[row["uid"]] = row
    return found


def states(tx: Tx, uids: Iterable[str]) -> dict[str, str]:
    """uid -> state digest of the catalog entities among `uids`."""
    return {uid: row_digest(row) for uid, row in state_rows(tx, uids).items()}


def catalog_states(tx: Tx) -> dict[str, dict[str, Any]]:
    """Every catalog entity but features, as state rows: what a replacing import deletes."""
    return {row["uid"]: row for row in tx.run("audit/catalog_states", types=list(STATE_TYPES))}


def timestamp(when: dt.datetime | None = None) -> str:
    """A fixed-width ISO 8601 UTC time with microseconds: strings sort as the times do."""
    when = (when or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(tx: Tx, actor: Actor | None, changes: Sequence[Pending], source: str | None = None) -> int:
    """Append `changes` (one write's) to the audit trail, in the write's transaction `tx`.

    Changes that changed nothing (same digest before and after, for an operation that is no
    measurement) are left out; returns how many were recorded."""
    who = actor or Actor.local()
    kept = [c for c in changes if c.before != c.after or c.operation in ("link", "measure")]
    if not kept:
        return 0
    at, write = timestamp(), uuid.uuid4().hex[:12]
    rows = [{"id": f"{at}~{write}~{seq:06d}", "at": at, "write": write, "seq": seq, "entity": c.entity,
             "entity_kind": c.kind, "operation": c.operation, "before": c.before, "after": c.after,
             "actor_subject": who.subject, "actor_token_id": who.token_id, "actor_address": who.address,
             "source": source[:500] if source else None} for seq, c in enumerate(kept)]
    recorded = 0
    for start in range(0, len(rows), BATCH):
        recorded += tx.run("audit/record", rows=rows[start:start + BATCH])[0]["recorded"]
    return recorded


def to_change(props: dict[str, Any]) -> Change:
    return Change(id=props["id"], at=props["at"], write=props["write"], entity=props["entity"],
                  entity_kind=props["entity_kind"], operation=props["operation"], before=props.get("before"),
                  after=props.get("after"), actor=Actor(subject=props["actor_subject"],
                                                        token_id=props.get("actor_token_id"),
                                                        address=props["actor_address"]),
                  source=props.get("source"))


def history(db: Database, entity: str, *, after: str | None, limit: int) -> list[Change]:
    rows = db.read("audit/history", entity=entity, after=after or KEY_MAX, limit=limit)
    return [to_change(r["change"]) for r in rows]


def changes(db: Database, *, since: str | None, actor: str | None, entity: str | None, after: str | None,
            limit: int) -> list[Change]:
    rows = db.read("audit/changes", after=after or KEY_MAX, since=since, actor=actor, entity=entity, limit=limit)
    return [to_change(r["change"]) for r in rows]
