"""Strawberry types: each wraps a domain object (`from_domain`) and never a Neo4j record."""
