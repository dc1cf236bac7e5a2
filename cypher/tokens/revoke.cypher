// params: $id. Revokes API token $id (idempotent; the first revocation time is kept); `was_revoked`
// tells whether it was revoked already (then nothing changed).
MATCH (t:ApiToken {id: $id})
WITH t, t.revoked AS was_revoked
SET t.revoked_at = coalesce(t.revoked_at, datetime()), t.revoked = true
RETURN t.id AS id, t.name AS name, t.role AS role, toString(t.created_at) AS created_at,
       t.revoked AS revoked, toString(t.revoked_at) AS revoked_at, was_revoked
