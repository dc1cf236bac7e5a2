// params: $from, $to, $type, $linked_at. Creates the lineage relationship $from -[$type]-> $to
// ($type comes from graphcat's own list, never from input as given), marked as linked after
// registration. Returns how many relationships it created or found.
MATCH (a:Catalog {uid: $from})
MATCH (b:Catalog {uid: $to})
MERGE (a)-[r:$($type)]->(b)
  ON CREATE SET r.linked_at = $linked_at
RETURN count(r) AS linked
