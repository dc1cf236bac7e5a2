// params: none. The Neo4j server's name, version and edition, for /healthz.
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
