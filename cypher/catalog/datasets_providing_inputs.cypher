// params: $uid. Dataset versions that provide every input of model version $uid: same canonical
// name and a compatible shape (same rank; each axis equal or variable (-1) on one side).
MATCH (mv:Catalog {uid: $uid})-[:HAS_INPUT]->(input:Feature)
WITH collect(input) AS inputs
WHERE size(inputs) > 0
MATCH (dv:DatasetVersion)
WHERE all(input IN inputs WHERE EXISTS {
  MATCH (dv)-[:PROVIDES]->(f:Feature)
  WHERE f.canonical = input.canonical
    AND size(f.shape) = size(input.shape)
    AND all(i IN range(0, size(f.shape) - 1)
            WHERE f.shape[i] = input.shape[i] OR f.shape[i] = -1 OR input.shape[i] = -1)
})
RETURN properties(dv) AS props
ORDER BY dv.uid
