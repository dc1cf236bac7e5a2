// params: $id, $name, $role, $hash. Stores a new API token (only the sha256 of its secret).
CREATE (t:ApiToken {id: $id, name: $name, role: $role, hash: $hash, created_at: datetime(), revoked: false})
RETURN t.id AS id, t.name AS name, t.role AS role, toString(t.created_at) AS created_at,
       t.revoked AS revoked, null AS revoked_at
