"""What the oversight services share: labels, local-day windows, the .xlsx of a table."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from services import clock

METHOD_LABELS = {"phone": "电话抽查", "on_site": "实地检查", "video": "视频抽查"}
TRAINING_KIND_LABELS = {"pre_job": "岗前培训", "yearly": "年度培训"}
BULLETIN_STATE_LABELS = {"draft": "草稿", "published": "已发布"}
_HEADER_FILL = PatternFill("solid", fgColor="F5F1EC")


def today() -> date:
    return clock.local(clock.now()).date()


def day_start(day: date) -> datetime:
    """Start of a local (Asia/Shanghai) day, in UTC."""
    return datetime.combine(day, time(0), clock.SHANGHAI).astimezone(timezone.utc)


def window(start: date, end: date) -> tuple[datetime, datetime]:
    """The local days start..end (inclusive) as a UTC interval [from, to)."""
    return day_start(start), day_start(end + timedelta(days=1))


class days_after(FunctionElement):  # noqa: N801 - used like a SQL function
    """SQL: a UTC timestamp plus a number of whole days, as its column stores it, to
    compare with an indexed time column (a local day is 24 hours: Asia/Shanghai has kept
    UTC+8 without daylight saving since 1991). SQLite stores UTC as text
    'YYYY-MM-DD HH:MM:SS.ffffff' (strftime's %f has milliseconds: the microseconds of a
    day's start are zeros); PostgreSQL adds an interval."""

    inherit_cache = True
    name = "days_after"

    def __init__(self, at, days):
        super().__init__(at, days)
        self.type = at.type


@compiles(days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw):
    at, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"(strftime('%Y-%m-%d %H:%M:%f', {at}, '+' || ({days}) || ' days') || '000')"


@compiles(days_after, "postgresql")
def _days_after_postgresql(element, compiler, **kw):
    at, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"({at} + ({days}) * INTERVAL '24 hours')"


def yes_no(value: bool | None, yes: str, no: str, unknown: str = "未查") -> str:
    return unknown if value is None else (yes if value else no)


def to_xlsx(rows: list[dict], title: str = "数据") -> bytes:
    """A table (a list of dicts sharing their keys) as one .xlsx sheet with a bold header."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "数据"
    headers = list(rows[0]) if rows else []
    for index, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        width = max([len(str(header))] + [len(str(r.get(header, ""))) for r in rows[:200]])
        ws.column_dimensions[get_column_letter(index)].width = min(60, max(8, width * 2 + 2))
    for r in rows:
        ws.append([_cell(r.get(h)) for h in headers])
    ws.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, datetime):
        return clock.fmt(value)
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    return value
