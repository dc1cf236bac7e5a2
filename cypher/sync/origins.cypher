// params: $uids. The provenance of the catalog entities $uids: the peer site each came from
// (null: registered here).
UNWIND $uids AS uid
MATCH (n:Catalog {uid: uid})
RETURN n.uid AS uid, n.kind AS kind, n.synced_from AS site
