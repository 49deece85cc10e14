"""What the oversight services share: labels, local-day windows, the .xlsx of a table."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import String
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


class local_day(FunctionElement):  # noqa: N801 - used like a SQL function
    """SQL: the local (Asia/Shanghai) day of a UTC timestamp column as 'YYYY-MM-DD' text, to
    group by in the database. PostgreSQL converts with the zone; SQLite (which stores UTC
    text) adds eight hours: Asia/Shanghai has kept UTC+8 without daylight saving since 1991."""

    type = String()
    inherit_cache = True
    name = "local_day"
    formats = ("%Y-%m-%d", "YYYY-MM-DD")      # (SQLite strftime, PostgreSQL to_char)


class local_month(local_day):  # noqa: N801
    """SQL: the local month of a UTC timestamp column as 'YYYY-MM' text."""

    inherit_cache = True
    name = "local_month"
    formats = ("%Y-%m", "YYYY-MM")


@compiles(local_day, "sqlite")
@compiles(local_month, "sqlite")
def _local_sqlite(element, compiler, **kw):
    return f"strftime('{element.formats[0]}', {compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(local_day, "postgresql")
@compiles(local_month, "postgresql")
def _local_postgresql(element, compiler, **kw):
    return (f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'Asia/Shanghai', "
            f"'{element.formats[1]}')")


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
