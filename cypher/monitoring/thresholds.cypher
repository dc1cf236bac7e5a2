// params: none. Every configured band: per model, alias and metric, its min and max.
MATCH (t:MonitorThreshold)
RETURN t.key AS key, t.model AS model, t.alias AS alias, t.metric AS metric, t.min AS min, t.max AS max
ORDER BY key
