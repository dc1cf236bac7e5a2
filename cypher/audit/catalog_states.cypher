// params: $types. Every catalog entity but features (they belong to their version's content) with
// its properties and its outgoing relationships of $types as [type, target uid]: the state a
// replacing import (graphcat import --replace) is about to delete, for its audit changes.
MATCH (n:Catalog)
WHERE NOT n:Feature
RETURN n.uid AS uid, properties(n) AS props,
       [(n)-[r]->(m:Catalog) WHERE type(r) IN $types | [type(r), m.uid]] AS links
