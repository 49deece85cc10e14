"""Paged lists: one page of rows, the total, and which page it is. Nothing here opens a
transaction; a service counts and slices inside its own reading()."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list: its rows, how many there are in all, which page (1-based, within
    range) and the page size."""

    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def page_bounds(page: int | None, per_page: int, total: int) -> tuple[int, int]:
    """The page asked for, brought within 1..pages, and its offset."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    pages = max(1, -(-total // per_page))
    page = min(max(1, int(page or 1)), pages)
    return page, (page - 1) * per_page


def sliced(query: Select, offset: int, limit: int) -> Select:
    """`query`'s rows from `offset`, `limit` of them, the two numbers written into the SQL
    rather than sent as parameters: a prepared statement's generic plan that does not know
    its LIMIT assumes a tenth of the rows, so PostgreSQL planned every page anew each run."""
    return query.offset(bindparam(None, offset, Integer, literal_execute=True)) \
        .limit(bindparam(None, limit, Integer, literal_execute=True))


def page_of(s: Session, query: Select, page: int | None, per_page: int,
            to_row: Callable[[object], T]) -> Paged[T]:
    """Count `query`'s rows, then read only the asked page of it (the query brings its own
    ORDER BY); `to_row` turns one result row into what the page shows."""
    total = s.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    page, offset = page_bounds(page, per_page, total)
    rows = s.execute(sliced(query, offset, per_page)).all() if total else []
    return Paged([to_row(r) for r in rows], total, page, per_page)
