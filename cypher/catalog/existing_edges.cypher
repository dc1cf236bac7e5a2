// params: $rows. rows {from, type, to}: which of these relationships already exist, as
// [from, type, to] (lineage linked after registration, restated by an import: new ones are changes).
UNWIND $rows AS row
MATCH (a:Catalog {uid: row.from})-[r]->(b:Catalog {uid: row.to})
WHERE type(r) = row.type
RETURN DISTINCT [row.from, row.type, row.to] AS edge
