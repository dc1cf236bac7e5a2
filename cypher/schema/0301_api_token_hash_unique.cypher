CREATE CONSTRAINT graphcat_api_token_hash IF NOT EXISTS
FOR (t:ApiToken) REQUIRE t.hash IS UNIQUE
