// params: $key, $model, $alias, $metric, $min, $max. Configures the expected band of a metric for the version of a model carrying an alias (min and/or max; the band follows the alias when it moves).
MERGE (t:MonitorThreshold {key: $key})
SET t.model = $model, t.alias = $alias, t.metric = $metric, t.min = $min, t.max = $max, t.updated_at = datetime()
RETURN t.key AS key
