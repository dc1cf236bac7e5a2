// params: none. Every (task, parent task) pair of the taxonomy, for cycle checks on import.
MATCH (t:Task)-[:SUBTASK_OF]->(p:Task)
RETURN t.uid AS task, p.uid AS parent
