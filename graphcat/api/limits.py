"""Limits on what one GraphQL document may ask: tokens, depth and aliases.

Tokens are capped by the parser itself (strawberry's MaxTokensLimiter sets graphql-core's
`max_tokens`), so an oversized document is refused before it is even parsed.

Depth and aliases are measured here with one memoised pass per fragment instead of strawberry's
QueryDepthLimiter / MaxAliasesLimiter. Those walk the operation with every fragment spread
expanded in place: they do count aliases hidden behind fragments (CVE-2026-47707 is fixed in the
installed 0.341), but the walk itself is exponential when fragments spread other fragments
several times, e.g. `fragment F1 on Query { ...F2 ...F2 }`, `fragment F2 ... { ...F3 ...F3 }`:
thirty such lines make them visit 2^30 nodes, a denial of service of its own. Here each
fragment's depth and alias count is computed once, so the cost is linear in the document size,
while the totals still count every expansion (an alias bomb behind fragments is caught).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension

from graphcat.settings import Settings


@dataclass(frozen=True)
class Cost:
    depth: int
    aliases: int


class _Measure:
    """Depth and alias count of selection sets, memoised per fragment."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, Cost] = {}
        self.in_progress: set[str] = set()

    def selection_set(self, node: SelectionSetNode | None) -> Cost:
        if node is None:
            return Cost(0, 0)
        depth = 0
        aliases = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                aliases += inner.aliases + (1 if selection.alias else 0)
                # Introspection (__schema, __type) is bounded by the schema and GraphiQL's own
                # introspection query nests ofType nine levels deep: it does not count as depth.
                if not selection.name.value.startswith("__"):
                    depth = max(depth, 1 + inner.depth if selection.selection_set else 1)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
        return Cost(depth, aliases)

    def fragment(self, name: str) -> Cost:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            # Unknown fragments and cycles are reported by graphql's own validation rules
            # (KnownFragmentNames, NoFragmentCycles); they add nothing here.
            return Cost(0, 0)
        self.in_progress.add(name)
        cost = self.selection_set(definition.selection_set)
        self.in_progress.discard(name)
        self.memo[name] = cost
        return cost


def measure(document: DocumentNode) -> dict[str, Cost]:
    """Cost of every operation of the document, by operation name ("" for an anonymous one)."""
    m = _Measure(document)
    return {
        (d.name.value if d.name else ""): m.selection_set(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    }


def limits_rule(max_depth: int, max_aliases: int) -> type[ValidationRule]:
    class OperationLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for name, cost in measure(context.document).items():
                label = f"operation '{name}'" if name else "the operation"
                if cost.depth > max_depth:
                    context.report_error(
                        GraphQLError(f"{label} is {cost.depth} fields deep; the maximum depth is {max_depth}")
                    )
                if cost.aliases > max_aliases:
                    context.report_error(
                        GraphQLError(
                            f"{label} uses {cost.aliases} aliases (fragments expanded); the maximum is {max_aliases}"
                        )
                    )

    return OperationLimits


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Extension factories (strawberry builds fresh extensions for every request)."""
    rule = limits_rule(settings.graphql_max_depth, settings.graphql_max_aliases)
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: AddValidationRules([rule]),
    ]
