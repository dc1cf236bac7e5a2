CREATE INDEX change_entity IF NOT EXISTS
FOR (c:Change) ON (c.entity, c.id)
