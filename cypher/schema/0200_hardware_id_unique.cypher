CREATE CONSTRAINT graphcat_hardware_id IF NOT EXISTS
FOR (h:Hardware) REQUIRE h.id IS UNIQUE
