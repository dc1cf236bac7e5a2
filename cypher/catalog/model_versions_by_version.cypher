// params: $task, $framework, $owner, $tag, $trained_on, $experiment, $alias, $has_alias, $detector, $format, $text, $include_deprecated, $key, $uid, $limit, $keys, $hidden.
// A keyset page of model versions matching every non-null filter (a task matches its subtasks
// too; $detector is a detector uid the training data was recorded or simulated with; $text,
// lowercase, is in the version's id or description or its model's name, description or tags),
// sorted by version then uid: the $limit versions after the cursor ($key, $uid), walked in the order of the ModelVersion (version, uid) index, so a page costs O(page);
// $key and $uid are '' for the first page.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (m:Model)-[:HAS_VERSION]->(mv:ModelVersion)
USING INDEX mv:ModelVersion(version, uid)  // walk the index in order; else the planner may sort every version
// (one CASE, not an OR: an OR would be planned as a union of two index seeks, losing the order)
WHERE mv.version >= $key AND mv.uid IS NOT NULL AND CASE WHEN mv.version = $key THEN mv.uid > $uid ELSE true END
WITH m, mv
WHERE ($task IS NULL OR EXISTS { (m)-[:SOLVES]->(:Task)-[:SUBTASK_OF*0..10]->(:Task {uid: $task}) })
  AND ($framework IS NULL OR mv.framework = $framework)
  AND ($owner IS NULL OR EXISTS { (m)-[:OWNED_BY]->(:Owner {uid: $owner}) })
  AND ($tag IS NULL OR $tag IN coalesce(m.tags, []))
  AND ($trained_on IS NULL OR EXISTS { (mv)-[:TRAINED_ON]->(:DatasetVersion {uid: $trained_on}) })
  AND ($experiment IS NULL OR EXISTS {
        (mv)-[:TRAINED_ON]->(:DatasetVersion)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector)-[:PART_OF]->(:Experiment {uid: $experiment}) })
  AND ($alias IS NULL OR $alias IN coalesce(mv.aliases, []))
  AND ($has_alias IS NULL OR (size(coalesce(mv.aliases, [])) > 0) = $has_alias)
  AND ($detector IS NULL OR EXISTS {
        (mv)-[:TRAINED_ON]->(:DatasetVersion)-[:RECORDED_WITH|SIMULATED_WITH]->(:Detector {uid: $detector}) })
  AND ($format IS NULL OR mv.format = $format)
  AND ($text IS NULL
       OR toLower(mv.id) CONTAINS $text
       OR toLower(coalesce(mv.description, '')) CONTAINS $text
       OR toLower(coalesce(m.name, '')) CONTAINS $text
       OR toLower(coalesce(m.description, '')) CONTAINS $text
       OR any(t IN coalesce(m.tags, []) WHERE toLower(t) CONTAINS $text))
  AND ($include_deprecated OR mv.deprecated_reason IS NULL)
  AND NOT mv.uid IN $hidden
// $keys null: whole nodes (item); else only those stored keys (values, in $keys' order; a selection's).
RETURN CASE WHEN $keys IS NULL THEN properties(mv) END AS item, [k IN coalesce($keys, []) | mv[k]] AS values, mv.version AS key
ORDER BY mv.version, mv.uid
LIMIT $limit
