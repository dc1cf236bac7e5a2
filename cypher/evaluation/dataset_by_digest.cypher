// params: $digest ("sha256:<hex>"). The dataset versions recorded with this file digest (the oldest uid first).
MATCH (d:DatasetVersion:Catalog {digest: $digest})
RETURN d.uid AS uid
ORDER BY uid
