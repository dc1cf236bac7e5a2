// params: none. Every task with its parent's uid and counts: models and datasets made for it
// directly, and distinct models and model versions for it or any of its subtasks (the tree view).
MATCH (t:Task)
OPTIONAL MATCH (t)-[:SUBTASK_OF]->(p:Task)
RETURN properties(t) AS task, p.uid AS parent_uid,
       COUNT { (t)<-[:SOLVES]-(:Model) } AS models,
       COUNT { (t)<-[:FOR_TASK]-(:Dataset) } AS datasets,
       COUNT { MATCH (m:Model)-[:SOLVES]->(:Task)-[:SUBTASK_OF*0..10]->(t) RETURN DISTINCT m } AS models_in_tree,
       COUNT { MATCH (m:Model)-[:SOLVES]->(:Task)-[:SUBTASK_OF*0..10]->(t)
               MATCH (m)-[:HAS_VERSION]->(mv:ModelVersion)
               RETURN DISTINCT mv } AS model_versions_in_tree
ORDER BY t.uid
