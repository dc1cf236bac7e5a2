// params: $hidden. Every task with its parent's uid and counts: models and datasets made for it
// directly, and distinct models and model versions for it or any of its subtasks (the tree view).
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (t:Task)
WHERE NOT t.uid IN $hidden
OPTIONAL MATCH (t)-[:SUBTASK_OF]->(p:Task)
RETURN properties(t) AS task, p.uid AS parent_uid,
       COUNT { (t)<-[:SOLVES]-(m:Model) WHERE NOT m.uid IN $hidden } AS models,
       COUNT { (t)<-[:FOR_TASK]-(d:Dataset) WHERE NOT d.uid IN $hidden } AS datasets,
       COUNT { MATCH (m:Model)-[:SOLVES]->(:Task)-[:SUBTASK_OF*0..10]->(t) WHERE NOT m.uid IN $hidden RETURN DISTINCT m } AS models_in_tree,
       COUNT { MATCH (m:Model)-[:SOLVES]->(:Task)-[:SUBTASK_OF*0..10]->(t)
               MATCH (m)-[:HAS_VERSION]->(mv:ModelVersion)
               WHERE NOT mv.uid IN $hidden RETURN DISTINCT mv } AS model_versions_in_tree
ORDER BY t.uid
