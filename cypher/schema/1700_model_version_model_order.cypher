CREATE RANGE INDEX model_version_model_order IF NOT EXISTS
FOR (v:ModelVersion) ON (v.model_uid, v.uid)
