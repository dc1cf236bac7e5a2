// params: none. How many model versions use each framework (null: not stated), most used first.
MATCH (mv:ModelVersion)
RETURN mv.framework AS framework, count(mv) AS model_versions
ORDER BY model_versions DESC, framework
