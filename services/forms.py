"""Reading values as forms give them: trimmed text, and Beijing wall-clock times."""
from __future__ import annotations

from datetime import datetime, timezone

from services import clock
from services.errors import DomainError


def text_of(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def aware(value: datetime | None, label: str) -> datetime | None:
    """An aware UTC instant. A naive value is a form's Beijing time (Asia/Shanghai)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise DomainError(f"{label}：请填写日期和时间", field=label)
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=clock.SHANGHAI)
    return value.astimezone(timezone.utc)


def past_time(value, label: str, now: datetime) -> tuple[datetime, str | None]:
    """A form's time of something that already happened (blank = now), and the problem
    with it, if any: unreadable, or later than now."""
    try:
        at = aware(value, label) or now
    except DomainError as exc:
        return now, exc.message
    return at, (f"{label}：不能晚于当前时间" if at > now else None)
