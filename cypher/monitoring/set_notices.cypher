// params: $rows ({key, state, evaluation}). Stores the state now notified for each monitored series (an alert is not resent while it stays).
UNWIND $rows AS row
MERGE (n:MonitorNotice {key: row.key})
SET n.state = row.state, n.evaluation = row.evaluation, n.noticed_at = datetime()
RETURN count(*) AS stored
