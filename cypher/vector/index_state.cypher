// params: none. State and population progress of the model_version_embedding vector index.
SHOW INDEXES YIELD name, state, populationPercent
WHERE name = 'model_version_embedding'
RETURN state, populationPercent
