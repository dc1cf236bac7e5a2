"""Lineage discovered after registration: `link_lineage(db, from_uid, to_uid, type)`.

`from` was made from `to`, drawn `from -[type]-> to` like every lineage edge (the dependent points
at what it depends on): FINE_TUNED_FROM | DISTILLED_FROM | QUANTIZED_FROM | CONVERTED_FROM between
model versions, DERIVED_FROM between dataset versions. Unknown ids are NotFound, wrong kinds or
types InvalidInput, a link that would close a cycle Conflict (naming the cycle); linking twice is a
no-op (`created` False).

Correct under concurrent writers: the transaction first bumps the catalog revision
(graphcat.store.index_state), which write-locks the one catalog-state node, so links are checked
and created one at a time — two links that only together make a cycle cannot both pass the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from graphcat import domain
from graphcat.errors import Conflict, InvalidInput, NotFound
from graphcat.store import audit
from graphcat.store.database import Database, Tx
from graphcat.store.index_state import bump_revision

LINK_KINDS: dict[str, str] = {t: "model_version" for t in domain.MODEL_LINEAGE_TYPES} | {"DERIVED_FROM": "dataset_version"}


@dataclass(frozen=True)
class LineageLink:
    type: str
    from_uid: str
    to_uid: str
    created: bool  # False when the link existed already


def link_lineage(db: Database, from_uid: str, to_uid: str, type: str, *,
                 actor: domain.Actor | None = None) -> LineageLink:
    if type not in LINK_KINDS:
        raise InvalidInput(f"type must be one of {', '.join(LINK_KINDS)}, got {type!r}", path="type")
    if from_uid == to_uid:
        raise Conflict(f"{from_uid} cannot be {type} itself (a cycle)", path="to")

    def work(tx: Tx) -> LineageLink:
        bump_revision(tx)  # first: serialises links (see the module docstring)
        row = tx.run("lineage/link_check", **{"from": from_uid, "to": to_uid, "type": type})[0]
        wanted = LINK_KINDS[type]
        for field, uid, kind in (("from", from_uid, row["from_kind"]), ("to", to_uid, row["to_kind"])):
            if kind is None:
                raise NotFound(f"no catalog node with uid {uid!r}", path=field)
            if kind != wanted:
                raise InvalidInput(f"{type} links {wanted.replace('_', ' ')}s; {uid!r} is a {kind.replace('_', ' ')}",
                                   path=field)
        if row["exists"]:
            return LineageLink(type, from_uid, to_uid, created=False)
        if row["cycle"]:
            path = " -> ".join(domain.split_uid(u)[1] for u in [from_uid, *row["cycle"]])
            raise Conflict(f"{type} would make a lineage cycle: {path}", path="to")
        before = audit.states(tx, [from_uid]).get(from_uid)
        linked = tx.run("lineage/link_create", **{"from": from_uid, "to": to_uid, "type": type,
                                                  "linked_at": datetime.now(timezone.utc).isoformat()})
        if linked[0]["linked"] != 1:
            raise NotFound(f"{from_uid!r} or {to_uid!r} disappeared while linking", path="from")
        audit.record(tx, actor, [audit.Pending(from_uid, wanted, "link", before, audit.states(tx, [from_uid]).get(from_uid))],
                     source=f"{type} {to_uid}")
        return LineageLink(type, from_uid, to_uid, created=True)

    # An error raised inside `work` rolls the transaction back: nothing half-written, no bump.
    return db.write_transaction(work)
