// params: $task, $framework, $owner, $tag, $trained_on, $experiment, $alias, $has_alias, $detector, $format, $text, $include_deprecated, $hidden.
// How many model versions match every non-null filter (the same filters as
// catalog/model_versions_by_model); run only when a client asks for the total.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (m:Model)-[:HAS_VERSION]->(mv:ModelVersion)
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
RETURN count(mv) AS total_count
