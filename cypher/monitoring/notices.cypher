// params: none. The state last notified (or last seen, when it was not an alert) per monitored series.
MATCH (n:MonitorNotice)
RETURN n.key AS key, n.state AS state, n.evaluation AS evaluation, toString(n.noticed_at) AS noticed_at
