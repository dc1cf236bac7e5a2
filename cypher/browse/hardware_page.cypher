// params: $after, $limit. A keyset page of the Hardware nodes benchmarks ran on, sorted by id:
// the $limit after the id $after ('' for the first page), in the order of the Hardware(id) index.
MATCH (h:Hardware)
USING INDEX h:Hardware(id)
WHERE h.id > $after
RETURN properties(h) AS item
ORDER BY h.id
LIMIT $limit
