// params: $rows. rows {uid, types}: deletes the outgoing relationships of these types, before
// they are re-created from a catalog file that restates them.
UNWIND $rows AS row
MATCH (n:Catalog {uid: row.uid})-[r]->()
WHERE type(r) IN row.types
DELETE r
RETURN count(r) AS deleted
