"""One page shape for every listing: the query parameters, the output schema, the helper."""

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field, create_model

# An offset past any table must not reach PostgreSQL's bigint range.
MAX_OFFSET = 10_000_000

T = TypeVar("T")


class PageIn(Schema):
    """?limit=&offset= of a listing; page_in() gives other defaults and bounds."""

    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@cache
def page_in(*, limit: int = 100, max_limit: int = 1000,
            max_offset: int = MAX_OFFSET) -> type[PageIn]:
    """PageIn with this default limit and these bounds (a listing's page size is its own)."""
    if (limit, max_limit, max_offset) == (100, 1000, MAX_OFFSET):
        return PageIn
    return create_model(
        f"PageIn{limit}x{max_limit}x{max_offset}", __base__=PageIn,
        limit=(int, Field(limit, ge=1, le=max_limit)),
        offset=(int, Field(0, ge=0, le=max_offset)),
    )


class PageOut(Schema, Generic[T]):
    """A page of a listing: how many there are in all, and which slice this is."""

    count: int
    limit: int
    offset: int
    items: list[T]


def paginate(source: QuerySet | tuple[int, Sequence], limit: int, offset: int,
             render: Callable[[list], Iterable[Any]] = list) -> dict:
    """The page of ``source`` at limit/offset as PageOut expects it.

    ``source`` is a queryset (counted and sliced here) or ``(count, rows)`` a selector
    already counted and sliced; ``render`` turns the page's rows into its items.
    """
    if isinstance(source, tuple):
        count, rows = source
    else:
        count, rows = source.count(), source[offset: offset + limit]
    return {"count": count, "limit": limit, "offset": offset, "items": list(render(list(rows)))}
