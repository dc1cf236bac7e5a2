// params: $uids (model version uids), $framework (null: any), $hardware (a Hardware id or kind such as cpu; null: any), $max_p99_ms (null: no budget), $hidden. The leaderboard candidates that pass the filters: their framework is $framework (case-insensitive), and, when $hardware or $max_p99_ms is given, some machine ($hardware's) has a batch-1 benchmark of them whose newest p99 is within the budget. Returns each with its fastest such newest p99 and that machine.
UNWIND $uids AS u
MATCH (v:ModelVersion:Catalog {uid: u})
WHERE NOT u IN $hidden AND ($framework IS NULL OR toLower(v.framework) = toLower($framework))
OPTIONAL MATCH (b:Benchmark {batch: 1})-[:BENCHMARK_OF]->(v)
OPTIONAL MATCH (b)-[:RAN_ON]->(h:Hardware)
WITH v, h, b ORDER BY b.measured_at DESC
WITH v, h, collect(b)[0] AS newest
WITH v, [x IN collect(CASE WHEN h IS NOT NULL AND ($hardware IS NULL OR h.id = $hardware OR h.kind = $hardware)
                        AND ($max_p99_ms IS NULL OR newest.p99_ms <= $max_p99_ms)
                       THEN {p99_ms: newest.p99_ms, hardware: h.id} END) WHERE x IS NOT NULL] AS fits
WHERE ($hardware IS NULL AND $max_p99_ms IS NULL) OR size(fits) > 0
WITH v, fits, reduce(best = null, f IN fits | CASE WHEN best IS NULL OR f.p99_ms < best.p99_ms THEN f ELSE best END) AS best
RETURN v.uid AS uid, best.p99_ms AS p99_ms, best.hardware AS hardware
ORDER BY uid
