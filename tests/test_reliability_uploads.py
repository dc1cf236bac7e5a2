"""Hostile uploads through the API: recommendModels(file:) over GraphQL multipart.

Truncated and byte-flipped ROOT, HDF5, Parquet, npz and ONNX files, files over the size cap, a
CSV of 100k columns, an npz bomb and malformed multipart requests: each answers 200 with
Recommendations or a typed InvalidInputError naming the file, or a 4xx; never a 500.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from starlette.testclient import TestClient

from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.graphql_helpers import client_for
from tests.reliability_support import Cases, assert_client_error_or_typed, cases  # noqa: F401  (fixture)
from tests.test_userschema_readers import make_hdf5, make_onnx, make_parquet, make_root

RECOMMEND = """query ($file: Upload) { recommendModels(file: $file, first: 3) {
  __typename ... on Recommendations { source columns { name } } ... on UserError { message field } } }"""
CAP = 3_000_000


@pytest.fixture()
def client(neo4j_server: Settings, db: Database) -> Iterator[TestClient]:
    yield from client_for(neo4j_server, max_upload_bytes=CAP, max_columns=10_000)


def upload(client: TestClient, name: str, data: bytes, *, operations: Any = ..., mapping: Any = None) -> Any:
    default = {"query": RECOMMEND, "variables": {"file": None}}
    body = {"operations": json.dumps(default if operations is ... else operations),
            "map": json.dumps(mapping if mapping is not None else {"0": ["variables.file"]})}
    response = client.post("/graphql", data=body, files={"0": (name, data, "application/octet-stream")})
    assert_client_error_or_typed(response)
    return response


def result_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    found = response.json()["data"]["recommendModels"]
    assert found["__typename"] in {"Recommendations", "InvalidInputError"}, found
    if found["__typename"] == "InvalidInputError":
        assert found["field"] == "file" and found["message"]
    return found


@pytest.mark.reliability("Uploads", "API uploads: truncated, byte-flipped, oversized, 100k columns, bombs, bad multipart")
def test_hostile_uploads_get_typed_errors(client: TestClient, tmp_path: Path, cases: Cases) -> None:
    originals = {
        "jets.root": make_root(tmp_path / "jets.root").read_bytes(),
        "jets.h5": make_hdf5(tmp_path / "jets.h5").read_bytes(),
        "jets.parquet": make_parquet(tmp_path / "jets.parquet").read_bytes(),
        "model.onnx": make_onnx(tmp_path / "model.onnx").read_bytes(),
    }
    np.savez_compressed(tmp_path / "jets.npz", pt=np.zeros((100, 3)), eta=np.ones(100))
    originals["jets.npz"] = (tmp_path / "jets.npz").read_bytes()
    rng = random.Random(7)
    typed = 0
    for name, data in originals.items():
        assert result_of(upload(client, name, data))["__typename"] == "Recommendations"
        variants = [data[: int(len(data) * keep)] for keep in (0.0, 0.1, 0.5, 0.9)]
        for _ in range(8):
            flipped = bytearray(data)
            for _ in range(rng.randint(1, 16)):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            variants.append(bytes(flipped))
        for variant in variants:
            typed += result_of(upload(client, name, variant))["__typename"] == "InvalidInputError"
            cases.add()
    oversized = result_of(upload(client, "big.csv", b"a,b\n" + b"1,2\n" * (CAP // 4 + 10)))
    assert oversized["__typename"] == "InvalidInputError" and "GRAPHCAT_MAX_UPLOAD_BYTES" in oversized["message"]
    wide = result_of(upload(client, "wide.csv", (",".join(f"c{i}" for i in range(100_000)) + "\n").encode()))
    assert wide["__typename"] == "InvalidInputError" and "GRAPHCAT_MAX_COLUMNS" in wide["message"]
    bomb = tmp_path / "bomb.npz"
    np.savez_compressed(bomb, zeros=np.zeros((2_000_000, 4), dtype="float32"))
    assert bomb.stat().st_size < CAP
    bombed = result_of(upload(client, "bomb.npz", bomb.read_bytes()))
    assert bombed["__typename"] == "InvalidInputError"
    cases.add(3)
    # Malformed multipart: a map to nowhere, to a non-upload variable, invalid JSON parts.
    for operations, mapping in (
        ({"query": RECOMMEND, "variables": {"file": None}}, {"0": ["variables.nothing.here"]}),
        ({"query": RECOMMEND, "variables": {"file": None}}, {"0": ["variables"]}),
        ({"query": RECOMMEND, "variables": {"file": None}}, {"9": ["variables.file"]}),
        ({"query": RECOMMEND, "variables": {"file": None}}, {"0": "variables.file"}),
        ({"query": "query { viewer { role } }"}, {"0": ["variables.file"]}),
        ("not an object", {}),
        (None, {}),
        (12, {}),
    ):
        upload(client, "x.csv", b"a\n1\n", operations=operations, mapping=mapping)
        cases.add()
    response = client.post("/graphql", data={"operations": "{not json", "map": "{}"},
                           files={"0": ("x.csv", b"a\n1\n", "text/csv")})
    assert_client_error_or_typed(response)
    cases.add()
    cases.note(f"{typed} damaged files refused with a typed error, the rest still readable")
