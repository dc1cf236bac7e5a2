"""The only code that talks to Neo4j: driver lifecycle, migrations, named queries."""
