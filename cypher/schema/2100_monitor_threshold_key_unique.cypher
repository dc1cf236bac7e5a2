CREATE CONSTRAINT monitor_threshold_key_unique IF NOT EXISTS FOR (t:MonitorThreshold) REQUIRE t.key IS UNIQUE
