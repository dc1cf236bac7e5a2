// params: $rows. rows {id, at, write, seq, entity, entity_kind, operation, before, after,
// actor_subject, actor_token_id, actor_address, source}: appends one (:Change) per row, inside the
// write transaction it describes (graphcat.store.audit). The only query that writes Change nodes;
// none updates or deletes them (the audit trail is append-only).
UNWIND $rows AS row
CREATE (c:Change {id: row.id, at: row.at, write: row.write, seq: row.seq, entity: row.entity,
                  entity_kind: row.entity_kind, operation: row.operation, before: row.before, after: row.after,
                  actor_subject: row.actor_subject, actor_token_id: row.actor_token_id,
                  actor_address: row.actor_address, source: row.source})
RETURN count(c) AS recorded
