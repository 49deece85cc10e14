"""The one clock every service reads; tests freeze and move it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_source: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # noqa: E731


def now() -> datetime:
    return _source()


def set_source(source: Callable[[], datetime] | None) -> None:
    global _source
    _source = source or (lambda: datetime.now(timezone.utc))


def local(dt: datetime | None) -> datetime | None:
    return dt.astimezone(SHANGHAI) if dt is not None else None


def fmt(dt: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return local(dt).strftime(pattern) if dt is not None else ""
