// params: $uid, $hidden. The catalog node a lineage walk starts from: its element id (the walk's handle),
// uid, kind and display; no row when no node has $uid.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (n:Catalog {uid: $uid})
WHERE NOT n.uid IN $hidden  // hidden: as if no node had $uid
RETURN elementId(n) AS id, n.uid AS uid, n.kind AS kind, n.display AS display
