// params: $uids, $site. Records that the catalog entities $uids (created here by a sync) came from
// peer site $site: provenance, left out of the audit trail's state digests (graphcat.store.audit).
UNWIND $uids AS uid
MATCH (n:Catalog {uid: uid})
WHERE n.synced_from IS NULL
SET n.synced_from = $site
RETURN count(n) AS marked
