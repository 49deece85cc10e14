"""Paged lists: one page of rows, the total, and which page it is. Nothing here opens a
transaction; a service counts and slices inside its own reading()."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from sqlalchemy import Select, func, select
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


def page_of(s: Session, query: Select, page: int | None, per_page: int,
            to_row: Callable[[object], T]) -> Paged[T]:
    """Count `query`'s rows, then read only the asked page of it (the query brings its own
    ORDER BY); `to_row` turns one result row into what the page shows."""
    total = s.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    page, offset = page_bounds(page, per_page, total)
    rows = s.execute(query.offset(offset).limit(per_page)).all() if total else []
    return Paged([to_row(r) for r in rows], total, page, per_page)
