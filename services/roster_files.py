"""Roster files: Excel (.xlsx) template, export and import, and iCalendar (.ics) exports.

The Excel import is all-or-nothing: every row is checked before anything is written,
each problem reported with its row number as Excel shows it («第3行 张三为临时人员，不得
安排值班（第九条）»). A clean file replaces the draft roster's shifts in one transaction;
the staffing rules are then checked as on every save, and the violations returned.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from documents import ics
from models.org import Person, Unit
from models.roster import Roster, Shift
from rules.staffing import (
    SHANGHAI, TEMPLATE_SETS, Violation, local_day, month_days, person_problems, shift_label,
)
from services import audit, clock
from services.errors import NotFound, ValidationError
from services.permissions import Actor, require
from services.roster_common import (
    TEMPLATES, check_month, get_or_404, hard_refusal, load_month, officer_of, person_facts,
    shift_facts, slots, today,
)
from services.rosters import _existing_roster, _new_roster, _require_draft, replace_shifts
from services.uow import reading, transaction

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS_MIME = "text/calendar"
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200
MAX_REPORTED = 100
SHEET = "值班表"
PEOPLE_SHEET = "人员"
HEADERS = ["日期", "星期", "班次", "开始", "结束", "值班员1", "值班员2", "带班领导", "说明"]
REQUIRED = ("日期", "班次")
WEEKDAYS = "一二三四五六日"
# Template labels (24小时班, 白班, 夜班) and codes both read back.
SHIFT_NAMES = {**{t.label: t.code for t in TEMPLATES.values()}, **{c: c for c in TEMPLATES}}


@dataclass(frozen=True)
class RosterFile:
    filename: str
    content: bytes
    mime: str


@dataclass(frozen=True)
class ImportResult:
    roster_id: int
    shifts: int
    rows: int
    violations: list[Violation]


# ---------------------------------------------------------------- writing

def _set_of(code: str) -> str:
    return next(name for name, ts in TEMPLATE_SETS.items() if any(t.code == code for t in ts))


def _hm(moment: datetime, day: date) -> str:
    local = moment.astimezone(SHANGHAI)
    return ("次日" if local.date() > day else "") + local.strftime("%H:%M")


def _workbook(unit: Unit, year: int, month: int, rows: list[list], people: list[Person]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([f"{h}*" if h in REQUIRED else h for h in HEADERS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(row)
    for i, width in enumerate([12, 6, 10, 8, 10, 12, 12, 12, 40], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for r in range(2, len(rows) + 2):
        ws.cell(r, 1).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"

    sheet = wb.create_sheet(PEOPLE_SHEET)
    sheet.append(["姓名", "用工性质", "可带班", "能否值班"])
    for cell in sheet[1]:
        cell.font = bold
    first_day = date(year, month, 1)
    for p in people:
        problems = person_problems(person_facts(p), first_day)
        sheet.append([p.name, {"permanent": "正式在编", "contract": "编外", "temporary": "临时"}
                      .get(p.employment, p.employment), "是" if p.can_lead_shift else "否",
                      problems[0][1] if problems else "可以"])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["D"].width = 50
    if people:
        names = DataValidation(type="list", formula1=f"={PEOPLE_SHEET}!$A$2:$A${len(people) + 1}",
                               allow_blank=True)
        names.error = "请从人员表中选择本单位人员"
        ws.add_data_validation(names)
        names.add(f"F2:H{max(len(rows) + 1, 2)}")
    note = wb.create_sheet("说明")
    for line in (f"{unit.name} {year}年{month}月值班表",
                 "带 * 的列必填；「日期」「班次」对应模板中的班次，请勿增删行或改动日期、班次。",
                 "值班员、带班领导填写本单位人员姓名（见「人员」表）。",
                 "只能安排正式在编人员值班，不得安排临时人员（第九条）；须完成岗前培训、12个月内参加过培训（第十六条）。",
                 "防汛期、特殊敏感时期、重大突发事件期间须双人值班（第九条）：填写值班员2。",
                 "法定节假日、特殊敏感时期须领导带班（第十条）：填写带班领导。",
                 "导入时任何一行有错误则整表不导入，并按行号列出错误。"):
        note.append([line])
    note.column_dimensions["A"].width = 100
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(sh: Shift | None, starts_at: datetime, ends_at: datetime, code: str,
         names: dict[int, str], note: str = "") -> list:
    day = local_day(starts_at)
    officers = [names.get(p, "") for p in sh.officer_ids] if sh else []
    officers += [""] * (2 - len(officers))
    leader = names.get(sh.leader_person_id, "") if sh and sh.leader_person_id else ""
    return [day, WEEKDAYS[day.weekday()], TEMPLATES[code].label, _hm(starts_at, day),
            _hm(ends_at, day), officers[0], officers[1], leader, note]


def _unit_people(s: Session, unit_id: int) -> list[Person]:
    return list(s.execute(select(Person).where(Person.unit_id == unit_id, Person.active.is_(True))
                          .order_by(Person.name, Person.id)).scalars())


def roster_template_xlsx(actor: Actor, unit_id: int, year: int, month: int,
                         template_set: str = "full_day") -> RosterFile:
    """An empty month to fill in: one row per shift of the template set."""
    check_month(year, month)
    with reading() as s:
        require(actor, "roster.edit", unit_id)
        unit = get_or_404(s, Unit, unit_id, "单位")
        rows = [_row(None, a, b, code, {}) for a, b, code in slots(year, month, template_set)]
        content = _workbook(unit, year, month, rows, _unit_people(s, unit_id))
    return RosterFile(f"{unit.name}{year}年{month}月值班表（模板）.xlsx", content, XLSX_MIME)


def export_roster_xlsx(actor: Actor, unit_id: int, year: int, month: int) -> RosterFile:
    """The month as Excel, in the template's layout (it imports back unchanged)."""
    with reading() as s:
        require(actor, "roster.read", unit_id)
        ctx = load_month(s, unit_id, year, month)
        if ctx.roster is None:
            raise NotFound(f"{ctx.unit.name}{year}年{month}月值班表尚未编排")
        names = {pid: p.name for pid, p in ctx.persons.items()}
        violations = ctx.violations()
        notes: dict[int, list[str]] = {}
        for v in violations:
            if v.shift_id is not None:
                notes.setdefault(v.shift_id, []).append(v.message.split("：", 1)[-1])
        rows = [_row(sh, sh.starts_at, sh.ends_at, sh.template_code, names,
                     "；".join(notes.get(sh.id, []))) for sh in ctx.shifts]
        people = [p for p in ctx.persons.values() if p.unit_id == unit_id and p.active]
        content = _workbook(ctx.unit, year, month, rows, sorted(people, key=lambda p: (p.name, p.id)))
        unit_name, roster_id = ctx.unit.name, ctx.roster.id
    with transaction() as s:
        audit.record(s, actor, "roster.export", "roster", roster_id,
                     details={"format": "xlsx", "rows": len(rows)})
    return RosterFile(f"{unit_name}{year}年{month}月值班表.xlsx", content, XLSX_MIME)


# ---------------------------------------------------------------- reading

def _file_error(message: str) -> ValidationError:
    return ValidationError([f"文件：{message}"])


def _header(value) -> str | None:
    if value is None:
        return None
    return str(value).strip().rstrip("*＊").strip() or None


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def _date(value) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        return from_excel(value).date()
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _read(content: bytes) -> list[tuple[int, dict]]:
    if not content:
        raise _file_error("内容为空")
    if len(content) > MAX_BYTES:
        raise _file_error("超过 20 MB")
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _file_error("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传")
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _file_error("解压后内容过大")
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:
        raise _file_error("不是有效的 Excel 文件（.xlsx），请使用下载的模板填写") from exc
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        lines = ws.iter_rows(values_only=True)
        headers = [_header(h) for h in next(lines, ())]
        position = {}
        for i, h in enumerate(headers):
            if h and h not in position:
                position[h] = i
        missing = [h for h in REQUIRED if h not in position]
        if missing:
            raise ValidationError([f"表头：缺少「{h}」列，请使用下载的模板" for h in missing])
        rows = []
        for number, values in enumerate(lines, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise _file_error(f"数据超过 {MAX_ROWS} 行")
            rows.append((number, {h: values[i] if i < len(values) else None
                                  for h, i in position.items()}))
    finally:
        wb.close()
    if not rows:
        raise _file_error("没有数据行")
    return rows


def import_roster_xlsx(actor: Actor, unit_id: int, year: int, month: int,
                       content: bytes) -> ImportResult:
    """Replace a draft month with the file's staffing, or import nothing at all."""
    check_month(year, month)
    with transaction() as s:
        require(actor, "roster.edit", unit_id)
        rows = _read(content)
        unit = get_or_404(s, Unit, unit_id, "单位")
        roster = _existing_roster(s, unit_id, year, month)
        if roster is not None:
            _require_draft(roster)
        by_name: dict[str, list[Person]] = {}
        for p in s.execute(select(Person).where(Person.unit_id == unit_id)
                           .order_by(Person.active.desc(), Person.id)).scalars():
            by_name.setdefault(p.name, []).append(p)
        days = set(month_days(year, month))
        problems: list[str] = []
        seen: dict[tuple[date, str], int] = {}
        set_seen: tuple[str, int, str] | None = None
        planned: dict[tuple[datetime, str], tuple[list[int], int | None]] = {}
        for number, values in rows:
            found: list[str] = []
            try:
                day = _date(values.get("日期"))
            except ValueError:
                day = None
                found.append("日期：应为日期（如 2026-10-01）")
            else:
                if day is None:
                    found.append("日期：不能为空")
                elif day not in days:
                    found.append(f"日期：{day.isoformat()}不在{year}年{month}月")
            name = _text(values.get("班次"))
            code = SHIFT_NAMES.get(name) if name else None
            if not name:
                found.append("班次：不能为空")
            elif code is None:
                found.append("班次：应为" + "、".join(t.label for t in TEMPLATES.values()) + "之一")
            elif set_seen is None:
                set_seen = (_set_of(code), number, name)
            elif _set_of(code) != set_seen[0]:
                found.append(f"班次：「{name}」与第{set_seen[1]}行的「{set_seen[2]}」不属于同一套班次模板")
            if day in days and code:
                if (day, code) in seen:
                    found.append(f"日期、班次：与第{seen[(day, code)]}行重复")
                else:
                    seen[(day, code)] = number
            people: dict[str, int | None] = {}
            for column in ("值班员1", "值班员2", "带班领导"):
                text = _text(values.get(column))
                people[column] = None
                if not text:
                    continue
                matches = by_name.get(text, [])
                active = [p for p in matches if p.active]
                if not matches:
                    found.append(f"{column}：「{text}」不是{unit.name}的人员")
                    continue
                if len(active) > 1:
                    found.append(f"{column}：{unit.name}有{len(active)}名叫「{text}」的人员，无法区分，"
                                 "请在页面中安排")
                    continue
                person = (active or matches)[0]
                refusal = hard_refusal(person, unit, person.id, column)
                if refusal:
                    found.append(refusal)
                    continue
                people[column] = person.id
            if people["值班员1"] and people["值班员1"] == people["值班员2"]:
                found.append("值班员2：与值班员1为同一人")
            if people["值班员2"] and not people["值班员1"] and not _text(values.get("值班员1")):
                found.append("值班员1：填写了值班员2时，值班员1不能为空")
            problems += [f"第{number}行 {p}" for p in found]
            if not found and day and code:
                starts_at = datetime.combine(day, TEMPLATES[code].start, SHANGHAI)
                officers = [p for p in (people["值班员1"], people["值班员2"]) if p]
                planned[(starts_at.astimezone(timezone.utc), code)] = (officers, people["带班领导"])
        if len(problems) > MAX_REPORTED:
            problems = problems[:MAX_REPORTED] + [f"……共 {len(problems)} 处错误，仅列出前 {MAX_REPORTED} 处"]
        if problems:
            raise ValidationError(problems)
        template_set = set_seen[0]
        if roster is None:
            roster = _new_roster(s, unit, year, month, template_set)
        shifts = replace_shifts(s, roster, template_set, planned)
        violations = load_month(s, unit_id, year, month).violations()
        audit.record(s, actor, "roster.import", "roster", roster.id, details={
            "unit_id": unit_id, "year": year, "month": month, "template_set": template_set,
            "rows": len(rows), "violations": len(violations)})
        return ImportResult(roster.id, len(shifts), len(rows), violations)


# ---------------------------------------------------------------- iCalendar

def _event(sh: Shift, unit: Unit, names: dict[int, str], uid: str, summary: str,
           status: str) -> ics.Event:
    officers = "、".join(names.get(p, f"编号{p}") for p in sh.officer_ids) or "（未安排）"
    lines = [shift_label(shift_facts(sh)), f"值班员：{officers}"]
    if sh.leader_person_id:
        lines.append(f"带班领导：{names.get(sh.leader_person_id, '')}")
    if unit.duty_phone:
        lines.append(f"值班电话：{unit.duty_phone}")
    lines.append("请提前10分钟到岗，与上一班当面交接（第十四条）")
    location = f"{unit.name}值班室" + (f"（{unit.address}）" if unit.address else "")
    return ics.Event(uid, sh.starts_at, sh.ends_at, summary, "\n".join(lines), location, status,
                     sh.version)


def _names(s: Session, shifts: list[Shift]) -> dict[int, str]:
    pids = {p for sh in shifts for p in (*sh.officer_ids, sh.leader_person_id) if p}
    if not pids:
        return {}
    return dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(pids))).all())


def ics_for_unit(actor: Actor, unit_id: int, year: int, month: int) -> RosterFile:
    """A unit's month as iCalendar; a draft roster's shifts are TENTATIVE."""
    with reading() as s:
        require(actor, "roster.read", unit_id)
        check_month(year, month)
        unit = get_or_404(s, Unit, unit_id, "单位")
        roster = _existing_roster(s, unit_id, year, month)
        if roster is None:
            raise NotFound(f"{unit.name}{year}年{month}月值班表尚未编排")
        shifts = list(s.execute(select(Shift).where(Shift.roster_id == roster.id)
                                .order_by(Shift.starts_at)).scalars())
        names = _names(s, shifts)
        status = "CONFIRMED" if roster.status == "published" else "TENTATIVE"
        events = []
        for sh in shifts:
            who = "、".join(names.get(p, "") for p in sh.officer_ids) or "未安排"
            events.append(_event(sh, unit, names, f"shift-{sh.id}@dutydesk",
                                 f"{unit.name}值班：{who}", status))
        content = ics.calendar(f"{unit.name}{year}年{month}月值班表", events, clock.now())
        roster_id = roster.id
    with transaction() as s:
        audit.record(s, actor, "roster.export", "roster", roster_id,
                     details={"format": "ics", "events": len(events)})
    return RosterFile(f"{unit.name}{year}年{month}月值班表.ics", content, ICS_MIME)


def ics_for_person(actor: Actor, person_id: int, first: date | None = None,
                   last: date | None = None) -> RosterFile:
    """One person's duties and shift-leading in published rosters, from `first` (default:
    the first of this month) to `last` (default: all planned)."""
    first = first or today().replace(day=1)
    with reading() as s:
        person = get_or_404(s, Person, person_id, "人员")
        if actor.person_id != person_id:
            require(actor, "roster.read", person.unit_id)
        start = datetime.combine(first, datetime.min.time(), SHANGHAI)
        end = (datetime.combine(last + timedelta(days=1), datetime.min.time(), SHANGHAI)
               if last is not None else None)
        q = (select(Shift).join(Roster, Roster.id == Shift.roster_id)
             .where(Roster.status == "published", Shift.starts_at >= start,
                    or_(Shift.leader_person_id == person_id, officer_of([person_id], start, end)))
             .order_by(Shift.starts_at))
        if end is not None:
            q = q.where(Shift.starts_at < end)
        shifts = list(s.execute(q).scalars())
        units = {u.id: u for u in s.execute(select(Unit).where(
            Unit.id.in_({sh.unit_id for sh in shifts}))).scalars()} if shifts else {}
        names = _names(s, shifts)
        events = []
        for sh in shifts:
            role = "带班" if sh.leader_person_id == person_id else "值班"
            unit = units[sh.unit_id]
            events.append(_event(sh, unit, names, f"shift-{sh.id}-person-{person_id}@dutydesk",
                                 f"{unit.name}{role}（{TEMPLATES[sh.template_code].label}）",
                                 "CONFIRMED"))
        content = ics.calendar(f"{person.name}的值班安排", events, clock.now())
        name = person.name
    with transaction() as s:
        audit.record(s, actor, "roster.export", "person", person_id,
                     details={"format": "ics", "events": len(events)})
    return RosterFile(f"{name}的值班安排.ics", content, ICS_MIME)
