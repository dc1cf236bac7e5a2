"""The schema of a user's data file (CSV, Parquet/Arrow, HDF5, ROOT, npz, ONNX inputs, JSON list).

    from graphcat.userschema import read_schema
    schema = read_schema("events.root", settings)       # UserSchema
    schema.features[0].name, .dtype, .shape, .kind, .unit, .path
    schema.to_dict() / UserSchema.from_dict(...)        # JSON-able, for GraphQL and the ranker
"""

from graphcat.userschema.model import DTYPES, FORMATS, SchemaFeature, UserSchema
from graphcat.userschema.read import read_schema, read_schema_bytes

__all__ = ["DTYPES", "FORMATS", "SchemaFeature", "UserSchema", "read_schema", "read_schema_bytes"]
