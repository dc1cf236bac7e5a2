CREATE CONSTRAINT sync_peer_site_unique IF NOT EXISTS FOR (p:SyncPeer) REQUIRE p.site IS UNIQUE
