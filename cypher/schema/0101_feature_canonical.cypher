CREATE INDEX feature_canonical IF NOT EXISTS
FOR (f:Feature) ON (f.canonical)
