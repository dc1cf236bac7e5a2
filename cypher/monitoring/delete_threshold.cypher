// params: $key. Removes a configured band (the series then falls back to the recorded transferability interval).
MATCH (t:MonitorThreshold {key: $key})
DELETE t
RETURN count(*) AS deleted
