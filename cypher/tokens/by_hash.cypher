// params: $hash. The API token whose secret hashes to $hash, revoked or not.
MATCH (t:ApiToken {hash: $hash})
RETURN t.id AS id, t.name AS name, t.role AS role, toString(t.created_at) AS created_at,
       t.revoked AS revoked, toString(properties(t).revoked_at) AS revoked_at
