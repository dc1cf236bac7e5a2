// params: none. How many model versions the catalog holds (every version belongs to one model),
// read from Neo4j's count store: constant time, for a total without filters.
MATCH ()-[r:HAS_VERSION]->(:ModelVersion)
RETURN count(r) AS total_count
