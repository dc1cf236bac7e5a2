CREATE CONSTRAINT graphcat_api_token_id IF NOT EXISTS
FOR (t:ApiToken) REQUIRE t.id IS UNIQUE
