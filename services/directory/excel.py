"""Excel (.xlsx) import and export of units, people and contacts, with a template per kind.

An import checks every row before it writes anything and reports each problem with its
row number as Excel shows it ("第3行 手机：应为11位手机号码"); one bad row and nothing is
imported. An import only adds records: existing ones are edited on their pages. The
whole import is one transaction and one audit event; so is every export.
"""
from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.org import Contact, Person, Unit
from rules.validation import PHONE, canonical_phone, clean_text, date_problem
from services import audit
from services.directory import contacts, people, units
from services.directory.common import (
    ACTIVE_LABELS, CONTACT_CATEGORY_LABELS, EMPLOYMENT_LABELS, UNIT_KIND_LABELS, today,
)
from services.errors import ValidationError
from services.permissions import Actor, can, require
from services.uow import transaction

MAX_BYTES = 20 * 1024 * 1024        # the upload limit of .streamlit/config.toml
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 5000
MAX_REPORTED = 100
TEMPLATE_ROWS = 1000                 # rows of a template that carry dropdowns and formats
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_REASON = "Excel 批量导入时登记值班电话"

TEXT, PHONE_CELL, DATE, CHOICE = "text", "phone", "date", "choice"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 14
    required: bool = False
    choices: tuple[str, ...] = ()
    note: str = ""
    importable: bool = True      # False: shown in exports, not read back


@dataclass(frozen=True)
class ExcelFile:
    filename: str
    content: bytes
    mime: str = XLSX_MIME


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: int


_STATUS = Column("状态", CHOICE, 8, choices=tuple(ACTIVE_LABELS.values()), note="空为在用")


# ---------------------------------------------------------------- reading cells

class _Row:
    """One data row of an upload: typed reads that collect this row's problems."""

    def __init__(self, number: int, values: dict[str, object]):
        self.number = number
        self.values = values
        self.problems: list[str] = []

    def text(self, header: str) -> str | None:
        value = self.values.get(header)
        if value is None:
            return None
        if isinstance(value, bool):
            return YES if value else NO
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return value.date().isoformat()
        return clean_text(str(value))

    def date(self, header: str) -> date | None:
        value = self.values.get(header)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
            return from_excel(value).date()   # a date typed into a cell formatted as number
        text = str(value).strip()
        for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.problems.append(f"{header}：应为日期（如 2026-03-01）")
        return None

    def choice(self, header: str, labels: dict[str, str]) -> str:
        """The code for a label (or the code itself); unknown text is passed on unchanged,
        so the service's own check reports it in its own words."""
        text = self.text(header)
        if text is None:
            return ""
        for code, label in labels.items():
            if text in (label, code):
                return code
        return text

    def yes_no(self, header: str) -> bool:
        text = self.text(header)
        if text in (None, NO, "0", "false", "False", "FALSE"):
            return False
        if text in (YES, "1", "true", "True", "TRUE"):
            return True
        self.problems.append(f"{header}：应为“是”或“否”")
        return False

    def active(self) -> bool:
        text = self.text(_STATUS.header)
        if text in (None, ACTIVE_LABELS[True]):
            return True
        if text == ACTIVE_LABELS[False]:
            return False
        self.problems.append(f"{_STATUS.header}：应为“在用”或“停用”")
        return True


def _header(value) -> str | None:
    if value is None:
        return None
    return str(value).strip().rstrip("*＊").strip() or None


def _file_error(message: str) -> ValidationError:
    return ValidationError([f"文件：{message}"])


def _read(content: bytes, sheet: Sheet) -> list[_Row]:
    """The non-blank data rows of an upload, after checking it is a real .xlsx file."""
    if not content:
        raise _file_error("内容为空")
    if len(content) > MAX_BYTES:
        raise _file_error("超过 20 MB，请分批导入")
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _file_error("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传")
    not_xlsx = _file_error("不是有效的 Excel 文件（.xlsx），请使用下载的模板填写")
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _file_error("解压后内容过大，请分批导入")
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # zip, XML or openpyxl errors all mean "not a workbook"
        raise not_xlsx from exc
    try:
        if sheet.title in workbook.sheetnames:
            ws = workbook[sheet.title]
        else:
            ws = workbook.worksheets[0]
        lines = ws.iter_rows(values_only=True)
        headers = [_header(h) for h in next(lines, ())]
        position: dict[str, int] = {}
        for index, header in enumerate(headers):
            if header and header not in position:
                position[header] = index
        missing = [c.header for c in sheet.columns if c.required and c.header not in position]
        if missing:
            raise ValidationError([f"表头：缺少「{h}」列，请使用下载的模板" for h in missing])
        wanted = [(c.header, position.get(c.header)) for c in sheet.columns if c.importable]
        rows: list[_Row] = []
        for number, values in enumerate(lines, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise _file_error(f"数据超过 {MAX_ROWS} 行，请分批导入")
            rows.append(_Row(number, {
                header: values[i] if i is not None and i < len(values) else None
                for header, i in wanted}))
    finally:
        workbook.close()
    if not rows:
        raise _file_error("没有数据行")
    return rows


def _raise_if_problems(rows: list[_Row]) -> None:
    problems = [f"第{row.number}行 {p}" for row in rows for p in row.problems]
    if len(problems) > MAX_REPORTED:
        problems = problems[:MAX_REPORTED] + [f"……共 {len(problems)} 处错误，仅列出前 {MAX_REPORTED} 处"]
    if problems:
        raise ValidationError(problems)


# ---------------------------------------------------------------- units

UNIT_COLUMNS = (
    Column("单位名称", width=24, required=True),
    Column("单位类型", CHOICE, 12, required=True, choices=tuple(UNIT_KIND_LABELS.values())),
    Column("上级单位", width=20, note="已有单位或本表中单位的名称；街道机关不填"),
    Column("值班电话", PHONE_CELL, 16, note="手机号码或带区号的固定电话，如 027-83881234；"
                                          "导入即作为该单位的首次值班电话报备（第二十三条）"),
    Column("传真", PHONE_CELL, 16, note="带区号的固定电话号码"),
    Column("地址", width=30),
    _STATUS,
    Column("主要负责同志", width=12, importable=False, note="仅导出；导入人员后在页面中设置"),
    Column("分管负责人", width=12, importable=False, note="仅导出；导入人员后在页面中设置"),
)


def _export_units(s: Session) -> list[list]:
    return [[r.name, r.kind_label, r.parent_name, r.duty_phone, r.fax, r.address,
             ACTIVE_LABELS[r.active], r.principal_leader_name, r.deputy_in_charge_name]
            for r in units.unit_rows(s, None, include_inactive=True)]


def _import_units(s: Session, actor: Actor, rows: list[_Row]) -> int:
    existing = {u.name: u for u in s.execute(select(Unit)).scalars()}
    street_offices = [u.name for u in existing.values() if u.kind == "street_office" and u.active]
    in_file: dict[str, int] = {}
    parents: dict[str, str] = {}
    planned = []
    for row in rows:
        data = units.UnitData(name=row.text("单位名称"), kind=row.choice("单位类型", UNIT_KIND_LABELS),
                              fax=row.text("传真"), address=row.text("地址"))
        phone = row.text("值班电话")
        found, values = units.check_fields(data, phone)
        row.problems += found
        active = row.active()
        name, parent = values["name"], row.text("上级单位")
        if name in existing:
            row.problems.append(f"单位名称：「{name}」已存在")
        elif name in in_file:
            row.problems.append(f"单位名称：与第{in_file[name]}行重复")
        elif name:
            in_file[name] = row.number
            if parent:
                parents[name] = parent
        if data.kind == "street_office":
            if parent:
                row.problems.append("上级单位：街道机关不设上级单位")
            if active and in_file.get(name) == row.number:   # a taken name says enough
                if street_offices:
                    row.problems.append(
                        f"单位类型：已有街道机关「{street_offices[0]}」，街道机关只能有一个")
                else:
                    street_offices.append(name)
        planned.append((row, values, canonical_phone(phone, PHONE), parent, active))
    for row, _values, _phone, parent, _active in planned:
        if not parent or parent in in_file:
            continue
        if parent not in existing:
            row.problems.append(f"上级单位：「{parent}」不存在")
        elif not existing[parent].active:
            row.problems.append(f"上级单位：「{parent}」已停用")
    for row, values, *_ in planned:   # parents named within the file must not loop
        if in_file.get(values["name"]) != row.number:
            continue
        seen, current = set(), values["name"]
        while current in parents and current not in seen:
            seen.add(current)
            current = parents[current]
        if current == values["name"] and current in parents:
            row.problems.append("上级单位：上下级关系形成循环")
    _raise_if_problems(rows)

    created: dict[str, Unit] = {}
    for _row, values, _phone, _parent, active in planned:
        created[values["name"]] = unit = Unit(**values, active=active)
        s.add(unit)
    s.flush()
    for _row, values, phone, parent, _active in planned:
        unit = created[values["name"]]
        if parent:
            unit.parent_id = (existing.get(parent) or created[parent]).id
        if phone:
            units.record_filing(s, actor, unit, phone, IMPORT_REASON)
    s.flush()
    return len(created)


# ---------------------------------------------------------------- people

PERSON_COLUMNS = (
    Column("姓名", width=10, required=True),
    Column("所属单位", width=24, required=True, note="已有单位的名称"),
    Column("职务", width=14),
    Column("手机", PHONE_CELL, 14, note="11位手机号码"),
    Column("办公电话", PHONE_CELL, 16, note="带区号的固定电话，如 027-83881234"),
    Column("用工性质", CHOICE, 10, required=True, choices=tuple(EMPLOYMENT_LABELS.values()),
           note="政务值班只能由正式在编人员承担（第二条、第九条）"),
    Column("可带班", CHOICE, 8, choices=(YES, NO), note="空为否"),
    Column("岗前培训日期", DATE, 14, note="如 2026-03-01（第十六条）"),
    Column("年度培训日期", DATE, 14, note="如 2026-03-01（第十六条）"),
    _STATUS,
)


def _export_people(s: Session) -> list[list]:
    return [[r.name, r.unit_name, r.position, r.mobile, r.office_phone, r.employment_label,
             YES if r.can_lead_shift else NO, r.pre_job_trained_on, r.yearly_trained_on,
             ACTIVE_LABELS[r.active]]
            for r in people.person_rows(s, None, include_inactive=True)]


def _import_people(s: Session, actor: Actor, rows: list[_Row]) -> int:
    by_name = {u.name: u for u in s.execute(select(Unit)).scalars()}
    registered = {tuple(r) for r in s.execute(select(Person.unit_id, Person.name)
                                              .where(Person.active.is_(True)))}
    in_file: dict[tuple[int, str], int] = {}
    planned = []
    for row in rows:
        unit_name = row.text("所属单位")
        unit = by_name.get(unit_name) if unit_name else None
        data = people.PersonData(
            name=row.text("姓名"), unit_id=unit.id if unit else None,
            employment=row.choice("用工性质", EMPLOYMENT_LABELS), position=row.text("职务"),
            mobile=row.text("手机"), office_phone=row.text("办公电话"),
            can_lead_shift=row.yes_no("可带班"), pre_job_trained_on=row.date("岗前培训日期"),
            yearly_trained_on=row.date("年度培训日期"))
        found, values = people.check_fields(data)
        active = row.active()
        if unit_name and unit is None:
            found = [p for p in found if not p.startswith("所属单位")]
            found.append(f"所属单位：「{unit_name}」不存在")
        elif unit is not None and not unit.active and active:
            found.append(f"所属单位：「{unit.name}」已停用")
        row.problems += found
        key = (values["unit_id"], values["name"])
        if unit is not None and values["name"] and active:
            if key in registered:
                row.problems.append(f"姓名：「{values['name']}」已在「{unit.name}」登记")
            elif key in in_file:
                row.problems.append(f"姓名：与第{in_file[key]}行重复（同一单位）")
            else:
                in_file[key] = row.number
        planned.append((values, active))
    _raise_if_problems(rows)
    s.add_all([Person(**values, active=active) for values, active in planned])
    s.flush()
    return len(planned)


# ---------------------------------------------------------------- contacts

CONTACT_COLUMNS = (
    Column("姓名", width=12, required=True, note="人名或岗位，如“总值班室”"),
    Column("单位或机构", width=24),
    Column("类别", CHOICE, 20, required=True, choices=tuple(CONTACT_CATEGORY_LABELS.values())),
    Column("电话", PHONE_CELL, 16, note="手机号码或带区号的固定电话；电话、手机至少填一项"),
    Column("手机", PHONE_CELL, 14),
    Column("传真", PHONE_CELL, 16),
    Column("备注", width=30),
    Column("最近核对日期", DATE, 14, note="空为导入当天"),
    _STATUS,
)


def _export_contacts(s: Session) -> list[list]:
    return [[r.name, r.organisation, r.category_label, r.phone, r.mobile, r.fax, r.notes,
             r.last_reviewed_on, ACTIVE_LABELS[r.active]]
            for r in contacts.contact_rows(s, include_inactive=True)]


def _import_contacts(s: Session, actor: Actor, rows: list[_Row]) -> int:
    day = today()
    registered = {(name, org or "") for name, org in s.execute(
        select(Contact.name, Contact.organisation).where(Contact.active.is_(True)))}
    in_file: dict[tuple[str, str], int] = {}
    planned = []
    for row in rows:
        data = contacts.ContactData(
            name=row.text("姓名"), category=row.choice("类别", CONTACT_CATEGORY_LABELS),
            organisation=row.text("单位或机构"), phone=row.text("电话"), mobile=row.text("手机"),
            fax=row.text("传真"), notes=row.text("备注"))
        found, values = contacts.check_fields(data)
        reviewed = row.date("最近核对日期")
        found += [p for p in (date_problem("最近核对日期", reviewed, day),) if p]
        active = row.active()
        row.problems += found
        key = (values["name"], values["organisation"] or "")
        if values["name"] and active:
            if key in registered:
                row.problems.append(f"姓名：「{values['name']}」已在通讯录中")
            elif key in in_file:
                row.problems.append(f"姓名：与第{in_file[key]}行重复")
            else:
                in_file[key] = row.number
        planned.append((values, reviewed or day, active))
    _raise_if_problems(rows)
    s.add_all([Contact(**values, last_reviewed_on=reviewed, active=active)
               for values, reviewed, active in planned])
    s.flush()
    return len(planned)


# ---------------------------------------------------------------- the three sheets

@dataclass(frozen=True)
class Sheet:
    kind: str
    title: str
    columns: tuple[Column, ...]
    export_rows: Callable[[Session], list[list]]
    import_rows: Callable[[Session, Actor, list[_Row]], int]


SHEETS = {
    "units": Sheet("units", "单位", UNIT_COLUMNS, _export_units, _import_units),
    "people": Sheet("people", "人员", PERSON_COLUMNS, _export_people, _import_people),
    "contacts": Sheet("contacts", "通讯录", CONTACT_COLUMNS, _export_contacts, _import_contacts),
}


KIND_TITLES = {kind: sheet.title for kind, sheet in SHEETS.items()}


def _sheet(kind: str) -> Sheet:
    try:
        return SHEETS[kind]
    except KeyError:
        raise ValueError(f"unknown directory kind {kind!r}") from None


# ---------------------------------------------------------------- writing workbooks

_HEADER_FILL = PatternFill("solid", fgColor="F5F1EC")


def _workbook(sheet: Sheet, rows: list[list] | None) -> bytes:
    """A template (rows None: importable columns only) or an export with its rows."""
    columns = sheet.columns if rows is not None else tuple(c for c in sheet.columns if c.importable)
    last_row = max(TEMPLATE_ROWS, len(rows or ()) + 1)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.title
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="B3261E" if column.required else "1F1A17")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[letter].width = column.width
        if column.kind == PHONE_CELL:   # keep the leading 0 of area codes
            ws.column_dimensions[letter].number_format = "@"
        elif column.kind == DATE:
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        if column.choices and column.importable:
            dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                allow_blank=True, showErrorMessage=True, errorTitle="输入无效",
                                error=f"{column.header}：请从下拉列表中选择")
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
    for values in rows or ():
        ws.append(list(values))
    for index, column in enumerate(columns, start=1):
        if column.kind in (PHONE_CELL, DATE) and rows:
            fmt = "@" if column.kind == PHONE_CELL else "yyyy-mm-dd"
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("填写说明")
    notes.append(["列名", "必填", "说明"])
    for column in columns:
        choice_note = f"可选：{'、'.join(column.choices)}" if column.choices else ""
        notes.append([column.header, YES if column.required else "",
                      "；".join(t for t in (choice_note, column.note) if t)])
    notes.append([])
    for line in ("标红的列为必填项；请保留第一行表头，从第二行起每行一条记录。",
                 "导入只新增记录，已有记录请在页面中修改。",
                 "导入前逐行检查，任何一行有误则整批不导入，并按行号列出错误。"):
        notes.append([line])
    for (cell,) in notes.iter_rows(min_row=1, max_row=1, max_col=1):
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["C"].width = 70
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- the use cases

def template_filename(kind: str) -> str:
    return f"{_sheet(kind).title}导入模板.xlsx"


def template(kind: str) -> ExcelFile:
    """An empty workbook with the headers, dropdowns and a sheet of instructions."""
    return ExcelFile(template_filename(kind), _workbook(_sheet(kind), None))


def export_filename(kind: str) -> str:
    return f"{_sheet(kind).title}_{today():%Y%m%d}.xlsx"


def export_file(actor: Actor, kind: str) -> ExcelFile:
    """Every record of a kind, inactive ones included; audited with the row count."""
    sheet = _sheet(kind)
    with transaction() as s:
        require(actor, "directory.export")
        rows = sheet.export_rows(s)
        audit.record(s, actor, "directory.export", kind, None, details={"rows": len(rows)})
    return ExcelFile(export_filename(kind), _workbook(sheet, rows))


def import_file(actor: Actor, kind: str, content: bytes,
                filename: str | None = None) -> ImportResult:
    """All rows or none. A refused file is audited too, with how many problems it had."""
    sheet = _sheet(kind)
    if not can(actor, "directory.import"):
        with transaction():
            require(actor, "directory.import")   # refused and audited
    try:
        rows = _read(content, sheet)   # parsed before the write lock is taken
        with transaction() as s:
            require(actor, "directory.import")
            created = sheet.import_rows(s, actor, rows)
            audit.record(s, actor, "directory.import", kind, None,
                         details={"created": created, "filename": filename})
    except ValidationError as err:
        with transaction() as s:
            audit.record(s, actor, "directory.import", kind, None, outcome="failure",
                         details={"filename": filename, "problems": len(err.problems),
                                  "first": err.problems[:3]})
        raise
    return ImportResult(kind, created)
