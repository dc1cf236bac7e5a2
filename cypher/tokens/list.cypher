// params: none. Every API token (never its hash), oldest first.
MATCH (t:ApiToken)
RETURN t.id AS id, t.name AS name, t.role AS role, toString(t.created_at) AS created_at,
       t.revoked AS revoked, toString(properties(t).revoked_at) AS revoked_at
ORDER BY t.created_at, t.id
