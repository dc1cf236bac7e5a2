// params: $entity, $after, $limit. The changes of entity $entity (a uid) older than the change id
// $after (the keyset cursor; a bound above every id for the first page), newest first.
MATCH (c:Change {entity: $entity})
WHERE c.id < $after
RETURN properties(c) AS change
ORDER BY c.id DESC
LIMIT $limit
