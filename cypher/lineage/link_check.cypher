// params: $from, $to, $type. What linking $from -[$type]-> $to ("$from was made from $to") needs to
// know: both endpoints' kinds (null when absent), whether that relationship exists already, and the
// lineage path from $to back to $from it would close into a cycle (empty when none).
OPTIONAL MATCH (a:Catalog {uid: $from})
OPTIONAL MATCH (b:Catalog {uid: $to})
RETURN a.kind AS from_kind, b.kind AS to_kind,
       CASE WHEN a IS NULL OR b IS NULL THEN false
            ELSE EXISTS { MATCH (a)-[r]->(b) WHERE type(r) = $type } END AS exists,
       CASE WHEN a IS NULL OR b IS NULL THEN []
            ELSE COLLECT {
              MATCH p = shortestPath((b)-[:FINE_TUNED_FROM|DISTILLED_FROM|QUANTIZED_FROM|CONVERTED_FROM|DERIVED_FROM*1..]->(a))
              UNWIND nodes(p) AS n
              RETURN n.uid } END AS cycle
