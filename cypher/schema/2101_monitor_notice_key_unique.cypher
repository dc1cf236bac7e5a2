CREATE CONSTRAINT monitor_notice_key_unique IF NOT EXISTS FOR (n:MonitorNotice) REQUIRE n.key IS UNIQUE
