// params: $entity, $after, $limit, $hidden. The changes of entity $entity (a uid) older than the change id
// $after (the keyset cursor; a bound above every id for the first page), newest first.
// $hidden: uids the caller may not see, left out here (graphcat.store.visibility).
MATCH (c:Change {entity: $entity})
WHERE c.id < $after AND NOT $entity IN $hidden
RETURN properties(c) AS change
ORDER BY c.id DESC
LIMIT $limit
