// params: $site, $change, $at. Moves the sync cursor of peer site $site to the change id $change
// (made at $at), inside the transaction that applies the batch it ends: both commit or neither.
// Only moves forward: sets nothing when the cursor is there or further already (a re-run changes nothing).
MERGE (p:SyncPeer {site: $site})
WITH p
WHERE p.last_change IS NULL OR p.last_change < $change
SET p.last_change = $change, p.last_change_at = $at
RETURN count(p) AS moved
