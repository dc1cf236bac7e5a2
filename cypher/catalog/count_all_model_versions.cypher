// params: $hidden. How many model versions the catalog holds (every version belongs to one model),
// read from Neo4j's count store: constant time, for a total without filters; less the model
// versions in $hidden (uids the caller may not see: graphcat.store.visibility).
MATCH ()-[r:HAS_VERSION]->(:ModelVersion)
RETURN count(r) - size([u IN $hidden WHERE u STARTS WITH 'model_version:']) AS total_count
