// params: none. Every alias a model version carries (production, staging, champion...) with how
// many versions carry it (deprecated ones too), most carried first: the home page's "in use" groups.
MATCH (mv:ModelVersion)
WHERE size(coalesce(mv.aliases, [])) > 0
UNWIND mv.aliases AS alias
RETURN alias, count(mv) AS model_versions
ORDER BY model_versions DESC, alias
