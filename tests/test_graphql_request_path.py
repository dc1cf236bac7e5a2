"""The GraphQL request path's per-request work (issue 20, bench/http_latency.py): documents parsed and
validated once per text, and `@plain_input` types built without strawberry's field-by-field
conversion, with the same values and the same errors as before."""

from __future__ import annotations

import enum
from typing import Any, Iterator

import pytest
import strawberry
from graphql import GraphQLError, ValidationRule, specified_rules
from starlette.testclient import TestClient

from graphcat.api.documents import Documents
from graphcat.api.recommend import ColumnInput
from graphcat.api.schema import build_schema
from graphcat.api.types.plain import plain_input
from graphcat.settings import Settings
from graphcat.store.database import Database
from tests.graphql_helpers import GRAPHQL_RESPONSE, client_for, gql


def test_a_document_is_parsed_once_and_a_syntax_error_is_not_kept() -> None:
    documents = Documents(size=2)
    first = documents.parse("{ viewer { role } }", 100)
    assert documents.parse("{ viewer { role } }", 100) is first
    assert documents.parse("{ viewer { role } }", 50) is not first  # another token cap, another parse
    with pytest.raises(GraphQLError, match="Syntax Error"):
        documents.parse("{ viewer { ", 100)
    with pytest.raises(GraphQLError, match="Syntax Error"):
        documents.parse("{ viewer { ", 100)
    with pytest.raises(GraphQLError, match="more than 3 tokens"):
        documents.parse("{ viewer { role } }", 3)


def test_validation_is_kept_per_rules_and_callers_get_a_copy(neo4j_server: Settings) -> None:
    schema = build_schema(neo4j_server)
    documents = Documents()
    text = "{ viewer { nope } }"
    document = documents.parse(text, None)
    rules = tuple(specified_rules)  # strawberry's default set
    errors = documents.validate(schema._schema, text, None, document, rules)
    assert len(errors) == 1 and errors[0].message.startswith("Cannot query field 'nope' on type 'Viewer'.")
    errors.append(GraphQLError("not ours"))
    assert len(documents.validate(schema._schema, text, None, document, rules)) == 1

    class NoViewer(ValidationRule):
        def enter_field(self, node: Any, *_: Any) -> None:
            if node.name.value == "viewer":
                self.report_error(GraphQLError("no viewer here"))

    ok = "{ viewer { role } }"
    assert documents.validate(schema._schema, ok, None, documents.parse(ok, None), rules) == []
    refused = documents.validate(schema._schema, ok, None, documents.parse(ok, None), (*rules, NoViewer))
    assert [e.message for e in refused] == ["no viewer here"]


@pytest.fixture()
def client(neo4j_server: Settings, db: Database) -> Iterator[TestClient]:
    yield from client_for(neo4j_server)


def test_repeated_documents_answer_as_the_first_time(client: TestClient) -> None:
    for _ in range(3):
        good = gql(client, "query V { viewer { authenticated role } }", accept=GRAPHQL_RESPONSE)
        assert good.status_code == 200
        assert good.json() == {"data": {"viewer": {"authenticated": False, "role": None}}}
        bad = gql(client, "{ viewer { nope } }", accept=GRAPHQL_RESPONSE)
        assert bad.status_code == 400 and "data" not in bad.json()
        assert bad.json()["errors"][0]["message"] .startswith("Cannot query field 'nope' on type 'Viewer'.")
        broken = gql(client, "{ viewer { ", accept=GRAPHQL_RESPONSE)
        assert broken.status_code == 400 and "Syntax Error" in broken.json()["errors"][0]["message"]
    # The operation read for authorisation is the cached one strawberry executes: a mutation
    # sent again still needs its token.
    for _ in range(2):
        r = gql(client, 'mutation { deprecate(modelVersion: "model_version:x@1", reason: "r") { __typename } }',
                accept=GRAPHQL_RESPONSE)
        assert r.status_code == 401


# -- @plain_input ------------------------------------------------------------------------------

@strawberry.input
class SlowColumn:  # ColumnInput's fields, converted by strawberry itself
    name: str
    dtype: str = "float32"
    shape: list[int | None] = strawberry.field(default_factory=list)
    shape_given: list[str | None] | None = None
    unit: str | None = None
    description: str | None = None


@strawberry.type
class _Query:
    @strawberry.field
    def fast(self, columns: list[ColumnInput]) -> str:
        return repr([vars(c) for c in columns])

    @strawberry.field
    def slow(self, columns: list[SlowColumn]) -> str:
        return repr([vars(c) for c in columns])


def test_plain_input_builds_what_strawberry_builds() -> None:
    assert {f.name for f in ColumnInput.__strawberry_definition__.fields} == \
        {f.name for f in SlowColumn.__strawberry_definition__.fields}
    schema = strawberry.Schema(query=_Query)
    query = ("query Q($columns: [ColumnInput!]!, $slow: [SlowColumn!]!) "
             "{ fast(columns: $columns) slow(columns: $slow) }")
    columns = [
        {"name": "jet_pt"},
        {"name": "part_eta", "dtype": "float64", "shape": [None]},
        {"name": "img", "shape": [40, 40], "unit": "GeV", "description": "calorimeter image"},
        {"name": "x", "shapeGiven": ["N", None, "-1"], "unit": None},
    ]
    result = schema.execute_sync(query, {"columns": columns, "slow": columns})
    assert result.errors is None
    assert result.data is not None and result.data["fast"] == result.data["slow"]
    assert "'shape_given': ['N', None, '-1']" in result.data["fast"]
    # graphql-core's coercion errors are unchanged: they come before either conversion.
    wrong = schema.execute_sync(query, {"columns": [{"name": "a", "shape": ["x"]}], "slow": []})
    assert wrong.errors and "Int cannot represent non-integer value: 'x'" in wrong.errors[0].message


def test_a_default_list_is_never_shared_between_requests() -> None:
    schema = strawberry.Schema(query=_Query)
    first = schema.execute_sync("{ fast(columns: [{name: \"a\"}, {name: \"b\"}]) }")
    assert first.errors is None and first.data is not None
    assert first.data["fast"].count("'shape': []") == 2


def test_plain_input_refuses_fields_it_cannot_build() -> None:
    class Kind(enum.Enum):
        A = "a"

    strawberry.enum(Kind)

    @strawberry.input
    class WithEnum:
        kind: Kind

    with pytest.raises(TypeError, match="WithEnum.kind: only built-in scalars"):
        plain_input(WithEnum)

    @strawberry.type
    class Output:
        name: str

    with pytest.raises(TypeError, match="not a strawberry input type"):
        plain_input(Output)
