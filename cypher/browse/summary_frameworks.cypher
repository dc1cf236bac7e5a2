// params: $hidden. How many model versions use each framework (null: not stated), most used first.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (mv:ModelVersion)
WHERE NOT mv.uid IN $hidden
RETURN mv.framework AS framework, count(mv) AS model_versions
ORDER BY model_versions DESC, framework
