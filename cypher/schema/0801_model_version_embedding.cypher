CREATE VECTOR INDEX model_version_embedding IF NOT EXISTS
FOR (v:ModelVersion) ON (v.embedding)
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
