"""Expected failures of a mutation, returned as typed results (errors as data), never a 500."""

from __future__ import annotations

from typing import Awaitable, Callable, TypeVar

import strawberry

from graphcat.errors import Conflict, Forbidden, GraphcatError, InvalidInput, NotFound

T = TypeVar("T")


@strawberry.interface(description="A failure the caller can fix: what was wrong, and where.")
class UserError:
    message: str
    code: str
    field: str | None = strawberry.field(
        description="Path of the offending input field (e.g. `input.inputs[2].dtype`), when there is one."
    )


@strawberry.type(description="An input was invalid; `field` names it.")
class InvalidInputError(UserError):
    pass


@strawberry.type(description="Something the input refers to does not exist.")
class NotFoundError(UserError):
    pass


@strawberry.type(description="The input clashes with what the catalog holds (e.g. an immutable version).")
class ConflictError(UserError):
    pass


@strawberry.type(description="The API token may not do this to this object.")
class ForbiddenError(UserError):
    pass


_TYPES: dict[type[GraphcatError], type[UserError]] = {
    InvalidInput: InvalidInputError,
    NotFound: NotFoundError,
    Conflict: ConflictError,
    Forbidden: ForbiddenError,
}


def user_error(exc: GraphcatError) -> UserError:
    for kind, error_type in _TYPES.items():
        if isinstance(exc, kind):
            return error_type(message=exc.message, code=exc.code, field=exc.path)
    raise exc


async def as_result(work: Callable[[], Awaitable[T]]) -> T | UserError:
    """Run a mutation; expected failures become typed results, anything else propagates."""
    try:
        return await work()
    except (InvalidInput, NotFound, Conflict, Forbidden) as exc:
        return user_error(exc)
