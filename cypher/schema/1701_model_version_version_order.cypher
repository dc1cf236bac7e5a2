CREATE RANGE INDEX model_version_version_order IF NOT EXISTS
FOR (v:ModelVersion) ON (v.version, v.uid)
