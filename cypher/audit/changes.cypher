// params: $after, $since, $actor, $entity, $limit, $hidden. Changes older than the change id $after (keyset
// cursor), made at or after $since (ISO 8601 UTC, null: any time), by $actor (a subject or an API
// token id, null: anyone), of $entity (a uid, null: any), newest first.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (c:Change)
WHERE c.id < $after
  AND ($since IS NULL OR c.at >= $since)
  AND ($actor IS NULL OR c.actor_subject = $actor OR c.actor_token_id = $actor)
  AND ($entity IS NULL OR c.entity = $entity)
  AND NOT c.entity IN $hidden
RETURN properties(c) AS change
ORDER BY c.id DESC
LIMIT $limit
