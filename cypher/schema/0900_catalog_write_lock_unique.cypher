CREATE CONSTRAINT catalog_write_lock_name IF NOT EXISTS FOR (l:GraphcatWriteLock) REQUIRE l.name IS UNIQUE
