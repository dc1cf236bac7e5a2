"""Catalog files: the documented YAML/JSON format (docs/catalog-format.md), its JSON Schema,
validation, import into the graph and export back out."""
