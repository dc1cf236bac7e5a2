// params: $hidden. Every alias a model version carries (production, staging, champion...) with how
// many versions carry it (deprecated ones too), most carried first: the home page's "in use" groups.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (mv:ModelVersion)
WHERE size(coalesce(mv.aliases, [])) > 0 AND NOT mv.uid IN $hidden
UNWIND mv.aliases AS alias
RETURN alias, count(mv) AS model_versions
ORDER BY model_versions DESC, alias
