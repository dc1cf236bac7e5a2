// params: $uid, $hidden. Dataset versions that provide every input of model version $uid: same canonical
// name and a compatible shape (same rank; each axis equal or variable (-1) on one side).
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (mv:Catalog {uid: $uid})-[:HAS_INPUT]->(input:Feature)
WHERE NOT mv.uid IN $hidden
WITH collect(input) AS inputs
WHERE size(inputs) > 0
MATCH (dv:DatasetVersion)
WHERE NOT dv.uid IN $hidden AND all(input IN inputs WHERE EXISTS {
  MATCH (dv)-[:PROVIDES]->(f:Feature)
  WHERE f.canonical = input.canonical
    AND size(f.shape) = size(input.shape)
    AND all(i IN range(0, size(f.shape) - 1)
            WHERE f.shape[i] = input.shape[i] OR f.shape[i] = -1 OR input.shape[i] = -1)
})
RETURN properties(dv) AS props
ORDER BY dv.uid
