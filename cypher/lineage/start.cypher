// params: $uid. The catalog node a lineage walk starts from: its element id (the walk's handle),
// uid, kind and display; no row when no node has $uid.
MATCH (n:Catalog {uid: $uid})
RETURN elementId(n) AS id, n.uid AS uid, n.kind AS kind, n.display AS display
