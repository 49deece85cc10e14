"""The organisation directory through its services, on SQLite and PostgreSQL:
units and duty-phone filings (第二十三条), people, contacts, Excel import/export."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from models.audit import AuditEvent
from rules.validation import canonical_phone, phone_problem, text_problem
from services import auth
from services.directory import contacts, excel, people, units
from services.directory.contacts import ContactData
from services.directory.people import PersonData
from services.directory.units import UnitData
from services.errors import ConcurrentEditError, DomainError, PermissionDenied, ValidationError
from services.permissions import SYSTEM_ACTOR, Actor
from services.uow import reading

from conftest import SelectCounter

GOOD = "Duty#2026ok"


# ---------------------------------------------------------------- helpers

def make_actor(username: str, roles: set[str], unit_id: int | None = None) -> Actor:
    uid = auth.create_user(SYSTEM_ACTOR, username, username.upper(), GOOD, unit_id=unit_id,
                           roles=roles)
    return Actor(user_id=uid, username=username, display_name=username.upper(),
                 roles=frozenset(roles), unit_id=unit_id)


def events(action: str) -> list[AuditEvent]:
    with reading() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars())


def problems_of(excinfo) -> list[str]:
    return excinfo.value.problems


@pytest.fixture
def office(db):
    return make_actor("office", {"office_admin"})


@pytest.fixture
def street(office):
    return units.create_unit(office, UnitData("柏泉街道办事处", "street_office"),
                             duty_phone="027-83881234")


@pytest.fixture
def two_units(office, street):
    a = units.create_unit(office, UnitData("柏泉村", "grassroots", parent_id=street),
                          duty_phone="027-83880001")
    b = units.create_unit(office, UnitData("农业服务中心", "station", parent_id=street))
    return a, b


def person(actor, unit_id, name="张伟", **kw) -> int:
    kw.setdefault("employment", "permanent")
    return people.create_person(actor, PersonData(name=name, unit_id=unit_id, **kw))


# ---------------------------------------------------------------- rules/validation (pure)

@pytest.mark.parametrize("value, kind, expected", [
    ("13812345678", "mobile", "13812345678"),
    ("138 1234 5678", "mobile", "13812345678"),
    ("+86 138-1234-5678", "mobile", "13812345678"),
    ("12812345678", "mobile", None),
    ("1381234567", "mobile", None),
    ("027-83881234", "landline", "027-83881234"),
    ("02783881234", "landline", "027-83881234"),
    ("010-12345678", "landline", "010-12345678"),
    ("0710-1234567", "landline", "0710-1234567"),
    ("027-83881234-123", "landline", "027-83881234-123"),
    ("（027）８３８８１２３４", "landline", "027-83881234"),
    ("83881234", "landline", None),
    ("010-1234567", "landline", None),
    ("13812345678", "landline", None),
    ("13812345678", "phone", "13812345678"),
    ("027-83881234", "phone", "027-83881234"),
    ("12345", "phone", None),
])
def test_phone_formats(value, kind, expected):
    assert canonical_phone(value, kind) == expected


def test_phone_and_text_problems_name_the_field():
    assert phone_problem("手机", "123", "mobile") == "手机：应为11位手机号码"
    assert phone_problem("传真", "83881234", "landline").startswith("传真：应为带区号的固定电话")
    assert phone_problem("手机", "", "mobile") is None
    assert phone_problem("手机", "13812345678", "mobile") is None
    assert text_problem("姓名", "  ", 50, required=True) == "姓名：不能为空"
    assert text_problem("地址", "路" * 201, 200) == "地址：不能超过200个字"


# ---------------------------------------------------------------- units

def test_create_edit_deactivate_unit_is_audited(office, street):
    uid = units.create_unit(office, UnitData(" 柏泉村 ", "grassroots", parent_id=street,
                                             fax="02783880002", address="柏泉大道1号"))
    row = units.get_unit(office, uid)
    assert (row.name, row.kind_label, row.parent_name, row.fax) == (
        "柏泉村", "基层单位", "柏泉街道办事处", "027-83880002")
    units.update_unit(office, uid, row.version, UnitData("柏泉村委会", "grassroots",
                                                         parent_id=street, fax=row.fax))
    row = units.get_unit(office, uid)
    assert row.name == "柏泉村委会" and row.address is None and row.version == 2
    units.set_unit_active(office, uid, row.version, False)
    assert not units.get_unit(office, uid).active
    assert [r.name for r in units.list_units(office)] == ["柏泉街道办事处"]
    assert len(units.list_units(office, include_inactive=True)) == 2
    units.set_unit_active(office, uid, row.version + 1, True)

    create, update = events("unit.create")[-1], events("unit.update")[-1]
    assert create.object_id == str(uid) and create.details["name"] == "柏泉村"
    assert update.details["changes"]["name"] == ["柏泉村", "柏泉村委会"]
    assert events("unit.deactivate")[-1].username == "office"
    assert len(events("unit.reactivate")) == 1


def test_unit_problems_name_the_field(office, street):
    with pytest.raises(ValidationError) as err:
        units.create_unit(office, UnitData("", "nonsense", fax="123"), duty_phone="8388")
    assert problems_of(err) == [
        "单位名称：不能为空",
        "单位类型：应为街道机关、基层单位、二级站所、机关科室之一",
        "值班电话：应为11位手机号码或带区号的固定电话号码（如 027-83881234）",
        "传真：应为带区号的固定电话号码（如 027-83881234）",
    ]
    with pytest.raises(ValidationError) as err:
        units.create_unit(office, UnitData("柏泉街道办事处", "street_office"))
    assert "单位名称：「柏泉街道办事处」已存在" in problems_of(err)
    assert "单位类型：已有街道机关「柏泉街道办事处」，街道机关只能有一个" in problems_of(err)


def test_a_name_taken_in_a_race_is_still_reported_on_the_field(office, street, monkeypatch):
    monkeypatch.setattr(units, "_db_problems", lambda *args: [])   # the check ran too early
    with pytest.raises(ValidationError) as err:
        units.create_unit(office, UnitData("柏泉街道办事处", "grassroots"))
    assert problems_of(err) == ["单位名称：「柏泉街道办事处」已存在"]


def test_unit_parent_cannot_be_itself_or_below(office, street, two_units):
    a, _ = two_units
    child = units.create_unit(office, UnitData("柏泉村一组", "grassroots", parent_id=a))
    row = units.get_unit(office, a)
    with pytest.raises(ValidationError, match="上级单位：不能选择本单位或本单位的下级单位"):
        units.update_unit(office, a, row.version, UnitData(row.name, row.kind, parent_id=child))


def test_leaders_must_be_active_people_of_the_unit(office, two_units):
    a, b = two_units
    own, other = person(office, a, "李强"), person(office, b, "王芳")
    row = units.get_unit(office, a)
    with pytest.raises(ValidationError) as err:
        units.update_unit(office, a, row.version, UnitData(
            row.name, row.kind, parent_id=row.parent_id, principal_leader_id=other,
            deputy_in_charge_id=own))
    assert problems_of(err) == ["主要负责同志：须为本单位在册人员"]
    units.update_unit(office, a, row.version, UnitData(
        row.name, row.kind, parent_id=row.parent_id, principal_leader_id=own))
    assert units.get_unit(office, a).principal_leader_name == "李强"
    # a leader can neither leave the unit nor be deactivated before being replaced
    p = people.get_person(office, own)
    with pytest.raises(DomainError, match="主要负责同志"):
        people.set_person_active(office, own, p.version, False)
    with pytest.raises(ValidationError, match="所属单位：该人员是「柏泉村」的主要负责同志"):
        people.update_person(office, own, p.version, PersonData("李强", b, "permanent"))


def test_unit_with_people_or_active_subunits_cannot_be_deactivated(office, street, two_units):
    a, _ = two_units
    person(office, a)
    with pytest.raises(DomainError, match="仍有 1 名在册人员"):
        units.set_unit_active(office, a, units.get_unit(office, a).version, False)
    with pytest.raises(DomainError, match="仍有在用的下级单位"):
        units.set_unit_active(office, street, units.get_unit(office, street).version, False)


def test_units_grouped_by_kind_and_searched_by_chinese_substring(office, two_units):
    units.create_unit(office, UnitData("党政综合办公室", "department"))
    groups = units.group_by_kind(units.list_units(office))
    assert list(groups) == ["street_office", "grassroots", "station", "department"]
    assert [r.name for r in groups["station"]] == ["农业服务中心"]
    assert [r.name for r in units.list_units(office, text="服务")] == ["农业服务中心"]
    assert [r.name for r in units.list_units(office, text="%")] == []


def test_unit_duty_officer_sees_only_own_unit(office, two_units):
    a, b = two_units
    officer = make_actor("unita", {"unit_duty_officer"}, unit_id=a)
    assert [r.id for r in units.list_units(officer)] == [a]
    with pytest.raises(PermissionDenied):
        units.get_unit(officer, b)
    with pytest.raises(PermissionDenied):
        units.create_unit(officer, UnitData("新单位", "grassroots"))
    assert events("permission_denied")[-1].details == {"action": "unit.write"}


# ---------------------------------------------------------------- duty-phone filings (第二十三条)

def test_first_duty_phone_is_the_first_filing(office, two_units):
    a, b = two_units
    [first] = units.list_filings(office, unit_id=a)
    assert (first.old_phone, first.new_phone, first.reason) == (
        None, "027-83880001", units.FIRST_FILING_REASON)
    assert first.filed_by_name == "OFFICE"
    assert not first.pending  # filed by the office itself: acknowledged at once
    assert units.list_filings(office, unit_id=b) == []


def test_duty_phone_change_is_filed_then_acknowledged(frozen_clock, office, two_units):
    a, _ = two_units
    officer = make_actor("unita", {"unit_duty_officer"}, unit_id=a)
    row = units.get_unit(officer, a)
    with pytest.raises(ValidationError) as err:
        units.file_duty_phone_change(officer, a, row.version, "83880002", " ")
    assert problems_of(err) == [
        "新值班电话：应为11位手机号码或带区号的固定电话号码（如 027-83881234）",
        "变更原因：不能为空",
    ]
    with pytest.raises(ValidationError, match="与现用值班电话相同"):
        units.file_duty_phone_change(officer, a, row.version, "02783880001", "换号")
    filing_id = units.file_duty_phone_change(officer, a, row.version, "027 8388 0002",
                                             "原线路故障，启用新号码")
    assert units.get_unit(officer, a).duty_phone == "027-83880002"
    history = units.list_filings(officer, unit_id=a)
    assert [(f.old_phone, f.new_phone) for f in history] == [
        ("027-83880001", "027-83880002"), (None, "027-83880001")]
    [pending] = units.list_filings(office, pending_only=True)
    assert pending.id == filing_id and pending.filed_by_name == "UNITA"
    assert pending.filed_at == frozen_clock.current

    with pytest.raises(PermissionDenied):
        units.acknowledge_filing(officer, filing_id, pending.version)
    frozen_clock.advance(minutes=30)
    units.acknowledge_filing(office, filing_id, pending.version)
    assert units.list_filings(office, pending_only=True) == []
    done = units.list_filings(office, unit_id=a)[0]
    assert done.acknowledged_by_name == "OFFICE" and done.acknowledged_at == frozen_clock.current
    with pytest.raises(ConcurrentEditError):
        units.acknowledge_filing(office, filing_id, pending.version)
    with pytest.raises(DomainError, match="该报备已于"):
        units.acknowledge_filing(office, filing_id, done.version)

    filed = events("duty_phone.file")[-1]
    assert filed.username == "unita" and filed.details["new"] == "027-83880002"
    assert events("duty_phone.acknowledge")[-1].object_id == str(filing_id)


def test_server_tools_register_a_first_phone_but_cannot_file_changes(db):
    """manage.py acts without an account; a filing names the account that filed it."""
    uid = units.create_unit(SYSTEM_ACTOR, UnitData("柏泉街道办事处", "street_office"),
                            duty_phone="027-83881234")
    assert units.get_unit(SYSTEM_ACTOR, uid).duty_phone == "027-83881234"
    assert units.list_filings(SYSTEM_ACTOR, unit_id=uid) == []
    assert events("unit.create")[-1].details["duty_phone"] == "027-83881234"
    with pytest.raises(DomainError, match="值班电话变更须由登录账号报备（第二十三条）"):
        units.file_duty_phone_change(SYSTEM_ACTOR, uid, 1, "027-83881235", "换号")


def test_unit_duty_officer_cannot_file_for_another_unit(office, two_units):
    a, b = two_units
    officer = make_actor("unita", {"unit_duty_officer"}, unit_id=a)
    with pytest.raises(PermissionDenied):
        units.file_duty_phone_change(officer, b, 1, "027-83889999", "换号")
    denied = events("permission_denied")[-1]
    assert denied.username == "unita" and denied.details == {"action": "duty_phone.file"}
    assert denied.outcome == "denied"
    assert units.get_unit(office, b).duty_phone is None


# ---------------------------------------------------------------- people

def test_create_edit_deactivate_person_is_audited(office, two_units):
    a, b = two_units
    pid = person(office, a, "刘洋", position="副主任", mobile="138 0000 1234",
                 office_phone="027-83880003", can_lead_shift=True,
                 pre_job_trained_on=date(2026, 1, 5))
    row = people.get_person(office, pid)
    assert (row.unit_name, row.mobile, row.employment_label, row.can_lead_shift) == (
        "柏泉村", "13800001234", "正式在编", True)
    people.update_person(office, pid, row.version, PersonData(
        "刘洋", b, "contract", position="主任", mobile=row.mobile))
    row = people.get_person(office, pid)
    assert (row.unit_name, row.employment, row.position, row.office_phone) == (
        "农业服务中心", "contract", "主任", None)
    people.set_person_active(office, pid, row.version, False)
    assert people.list_people(office) == []
    assert [p.name for p in people.list_people(office, include_inactive=True)] == ["刘洋"]

    assert events("person.create")[-1].details["name"] == "刘洋"
    changes = events("person.update")[-1].details["changes"]
    assert changes["unit_id"] == [a, b] and changes["employment"] == ["permanent", "contract"]
    assert events("person.deactivate")[-1].object_id == str(pid)


def test_person_problems_name_the_field(office, two_units, frozen_clock):
    a, _ = two_units
    with pytest.raises(ValidationError) as err:
        people.create_person(office, PersonData(
            "", a, "intern", mobile="1380000123", office_phone="83880003",
            pre_job_trained_on=date(2026, 7, 2)))
    assert problems_of(err) == [
        "姓名：不能为空",
        "手机：应为11位手机号码",
        "办公电话：应为带区号的固定电话号码（如 027-83881234）",
        "用工性质：应为正式在编、编外、临时之一",
        "岗前培训日期：不能晚于今天（2026-07-01）",
    ]


def test_people_search_by_chinese_substring_and_unit(office, two_units):
    a, b = two_units
    person(office, a, "张伟", position="村委会主任", mobile="13800001111")
    person(office, a, "李娜", position="文书")
    person(office, b, "张敏", position="站长")
    assert sorted(p.name for p in people.list_people(office, text="张")) == ["张伟", "张敏"]
    assert [p.name for p in people.list_people(office, text="主任")] == ["张伟"]
    assert [p.name for p in people.list_people(office, text="1111")] == ["张伟"]
    assert [p.name for p in people.list_people(office, unit_id=b)] == ["张敏"]


def test_unit_duty_officer_refused_on_another_units_person(office, two_units):
    a, b = two_units
    theirs = person(office, b, "王芳")
    officer = make_actor("unita", {"unit_duty_officer"}, unit_id=a)
    mine = person(officer, a, "赵磊")          # own unit: allowed
    assert [p.id for p in people.list_people(officer)] == [mine]
    version = people.get_person(office, theirs).version
    with pytest.raises(PermissionDenied):
        people.update_person(officer, theirs, version, PersonData("王芳", b, "contract"))
    denied = events("permission_denied")[-1]
    assert (denied.username, denied.details, denied.outcome) == (
        "unita", {"action": "person.write"}, "denied")
    assert people.get_person(office, theirs).employment == "permanent"
    with pytest.raises(PermissionDenied):
        person(officer, b, "钱多")
    with pytest.raises(PermissionDenied):   # nor move their own person out to another unit
        people.update_person(officer, mine, 1, PersonData("赵磊", b, "permanent"))
    with pytest.raises(PermissionDenied):
        people.list_people(officer, unit_id=b)


@pytest.mark.parametrize("kind", ["unit", "person", "contact"])
def test_second_save_from_the_same_version_is_refused(office, two_units, kind):
    a, _ = two_units
    if kind == "unit":
        loaded = units.get_unit(office, a)
        save = lambda name: units.update_unit(  # noqa: E731
            office, a, loaded.version, UnitData(name, "grassroots", parent_id=loaded.parent_id))
        current = lambda: units.get_unit(office, a).name  # noqa: E731
    elif kind == "person":
        pid = person(office, a)
        loaded = people.get_person(office, pid)
        save = lambda name: people.update_person(office, pid, loaded.version,  # noqa: E731
                                                 PersonData(name, a, "permanent"))
        current = lambda: people.get_person(office, pid).name  # noqa: E731
    else:
        cid = contacts.create_contact(office, ContactData("总值班室", "district_duty_office",
                                                          phone="027-83990000"))
        loaded = contacts.get_contact(office, cid)
        save = lambda name: contacts.update_contact(office, cid, loaded.version,  # noqa: E731
                                                    ContactData(name, "district_duty_office",
                                                                phone="027-83990000"))
        current = lambda: contacts.get_contact(office, cid).name  # noqa: E731
    save("第一次保存")
    with pytest.raises(ConcurrentEditError, match="该记录已被他人修改，请刷新后重试"):
        save("第二次保存")
    assert current() == "第一次保存"


def test_a_save_racing_another_writer_is_caught_by_the_version_column(office, two_units,
                                                                        monkeypatch):
    """Both saves passed the version check; the ORM's versioned UPDATE stops the second."""
    from sqlalchemy import text

    a, _ = two_units
    loaded = units.get_unit(office, a)
    apply = units.apply_changes

    def another_writer_commits_first(obj, values):
        from sqlalchemy.orm import object_session
        object_session(obj).execute(text("UPDATE unit SET address = '别人改的', "
                                         "version = version + 1 WHERE id = :i"), {"i": a})
        return apply(obj, values)

    monkeypatch.setattr(units, "apply_changes", another_writer_commits_first)
    with pytest.raises(ConcurrentEditError):
        units.update_unit(office, a, loaded.version,
                          UnitData("我改的", "grassroots", parent_id=loaded.parent_id))
    monkeypatch.undo()
    assert units.get_unit(office, a).name == "柏泉村"
    assert not [e for e in events("unit.update")]


# ---------------------------------------------------------------- contacts

def test_create_edit_review_deactivate_contact_is_audited(office, frozen_clock):
    cid = contacts.create_contact(office, ContactData(
        "总值班室", "district_duty_office", organisation="区政府办公室",
        phone="027-83990000", fax="027-83990001"))
    row = contacts.get_contact(office, cid)
    assert row.last_reviewed_on == date(2026, 7, 1) and not row.review_overdue
    assert row.category_label == "区政府办公室总值班室"
    contacts.update_contact(office, cid, row.version, ContactData(
        "总值班室", "district_duty_office", organisation="区政府办公室",
        phone="027-83990000", mobile="13900000000", notes="24小时"))
    row = contacts.get_contact(office, cid)
    assert (row.mobile, row.fax, row.notes) == ("13900000000", None, "24小时")
    frozen_clock.advance(days=10)
    contacts.mark_reviewed(office, cid, row.version)
    row = contacts.get_contact(office, cid)
    assert row.last_reviewed_on == date(2026, 7, 11)
    contacts.set_contact_active(office, cid, row.version, False)
    assert contacts.list_contacts(office) == []
    for action in ("contact.create", "contact.update", "contact.review", "contact.deactivate"):
        assert events(action)[-1].object_id == str(cid), action


def test_contact_problems_name_the_field(office):
    with pytest.raises(ValidationError) as err:
        contacts.create_contact(office, ContactData("应急值班", "nowhere", fax="13900000000"))
    assert problems_of(err) == [
        "类别：应为区政府办公室总值班室、区应急管理局、单位、其他之一",
        "传真：应为带区号的固定电话号码（如 027-83881234）",
        "电话、手机：至少填写一项",
    ]
    with pytest.raises(ValidationError, match="手机：应为11位手机号码"):
        contacts.create_contact(office, ContactData("值班员", "other", mobile="139"))


def test_contacts_unreviewed_for_180_days_are_flagged(office, frozen_clock):
    cid = contacts.create_contact(office, ContactData("应急值班", "district_emergency_bureau",
                                                      phone="027-83991111"))
    frozen_clock.advance(days=180)
    [row] = contacts.list_contacts(office)
    assert row.days_since_review == 180 and not row.review_overdue
    assert contacts.list_contacts(office, overdue_only=True) == []
    frozen_clock.advance(days=1)
    [row] = contacts.list_contacts(office, overdue_only=True)
    assert row.id == cid and row.review_overdue and row.days_since_review == 181
    contacts.mark_reviewed(office, cid, row.version)
    assert not contacts.get_contact(office, cid).review_overdue


def test_contact_book_is_shared_but_written_by_the_office_and_duty_officers(office, two_units):
    a, _ = two_units
    contacts.create_contact(office, ContactData("总值班室", "district_duty_office",
                                                phone="027-83990000"))
    officer = make_actor("unita", {"unit_duty_officer"}, unit_id=a)
    duty = make_actor("duty1", {"duty_officer"})
    assert [c.name for c in contacts.list_contacts(officer, text="值班")] == ["总值班室"]
    contacts.create_contact(duty, ContactData("区应急局值班", "district_emergency_bureau",
                                              mobile="13900001111"))
    with pytest.raises(PermissionDenied):
        contacts.create_contact(officer, ContactData("某人", "other", mobile="13900002222"))


# ---------------------------------------------------------------- Excel

def xlsx(headers: list[str], *rows: list, title: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def fill_template(kind: str, *rows: list) -> bytes:
    """The downloaded template, filled in as a user would."""
    wb = load_workbook(BytesIO(excel.template(kind).content))
    ws = wb.worksheets[0]
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheet_values(content: bytes) -> list[list]:
    ws = load_workbook(BytesIO(content)).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_templates_have_chinese_headers_dropdowns_and_instructions():
    content = excel.template("people").content
    wb = load_workbook(BytesIO(content))
    ws = wb["人员"]
    assert [c.value for c in ws[1]] == ["姓名", "所属单位", "职务", "手机", "办公电话", "用工性质",
                                        "可带班", "岗前培训日期", "年度培训日期", "状态"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["F2"] == '"正式在编,编外,临时"' and lists["G2"] == '"是,否"'
    assert "填写说明" in wb.sheetnames
    assert [c.value for c in load_workbook(BytesIO(excel.template("units").content))
            .worksheets[0][1]] == ["单位名称", "单位类型", "上级单位", "值班电话", "传真", "地址", "状态"]


def test_import_template_rows_then_export_round_trip(office, frozen_clock):
    result = excel.import_file(office, "units", fill_template(
        "units",
        ["柏泉村", "基层单位", "柏泉街道办事处", "027-83880001", None, "柏泉大道1号", None],
        ["柏泉街道办事处", "街道机关", None, "027-83881234", "027-83881235", None, "在用"],
        ["农业服务中心", "二级站所", "柏泉街道办事处", "13800000001", None, None, None],
    ), filename="units.xlsx")
    assert result == excel.ImportResult("units", 3)
    assert units.get_unit(office, units.list_units(office, text="柏泉村")[0].id).parent_name == \
        "柏泉街道办事处"
    assert len(units.list_filings(office)) == 3   # each first duty phone is filed

    assert excel.import_file(office, "people", fill_template(
        "people",
        ["张伟", "柏泉村", "主任", "13800001111", "027-83880001", "正式在编", "是",
         date(2026, 3, 1), "2026-06-01", None],
        ["李娜", "农业服务中心", None, "138 0000 2222", None, "编外", None, None, None, "停用"],
    )).created == 2
    assert excel.import_file(office, "contacts", fill_template(
        "contacts",
        ["总值班室", "区政府办公室", "区政府办公室总值班室", "027-83990000", None,
         "027-83990001", "24小时", date(2026, 5, 1), None],
        ["值班员", "区应急管理局", "区应急管理局", None, "13900000000", None, None, None, None],
    )).created == 2
    imports = events("directory.import")
    assert [(e.object_type, e.details["created"]) for e in imports] == [
        ("units", 3), ("people", 2), ("contacts", 2)]

    people_file = excel.export_file(office, "people")
    assert people_file.filename == "人员_20260701.xlsx"
    exported = sorted(sheet_values(people_file.content)[1:], key=lambda r: r[0] != "张伟")
    assert [[v.date() if isinstance(v, datetime) else v for v in r] for r in exported] == [
        ["张伟", "柏泉村", "主任", "13800001111", "027-83880001", "正式在编", "是",
         date(2026, 3, 1), date(2026, 6, 1), "在用"],
        ["李娜", "农业服务中心", None, "13800002222", None, "编外", "否", None, None, "停用"],
    ]
    contacts_rows = sheet_values(excel.export_file(office, "contacts").content)
    assert contacts_rows[1][:3] == ["总值班室", "区政府办公室", "区政府办公室总值班室"]
    assert contacts_rows[1][7].date() == date(2026, 5, 1)
    assert contacts_rows[2][7].date() == date(2026, 7, 1)   # imported blank: today
    units_rows = sheet_values(excel.export_file(office, "units").content)
    assert units_rows[0][-2:] == ["主要负责同志", "分管负责人"]
    assert [r[0] for r in units_rows[1:]] == ["柏泉街道办事处", "柏泉村", "农业服务中心"]
    assert [e.object_type for e in events("directory.export")] == ["people", "contacts", "units"]

    # Re-importing what was exported adds nothing: every row already exists.
    for kind, count in (("units", 3), ("people", 1), ("contacts", 2)):
        content = excel.export_file(office, kind).content
        with pytest.raises(ValidationError) as err:
            excel.import_file(office, kind, content)
        assert len([p for p in problems_of(err) if "已" in p]) == count, problems_of(err)
    assert len(units.list_units(office, include_inactive=True)) == 3
    assert len(people.list_people(office, include_inactive=True)) == 2


def test_import_with_one_bad_row_imports_nothing(office, street):
    content = fill_template(
        "people",
        ["张伟", "柏泉街道办事处", None, "13800001111", None, "正式在编"],
        ["李娜", "柏泉街道办事处", None, "1380000222", None, "正式在编"],
        [None, None, None, None, None, None],                      # blank lines are skipped
        ["王芳", "不存在的单位", None, None, "83880001", "临时工", "也许", "明天"],
        ["张伟", "柏泉街道办事处", None, None, None, "编外"],
    )
    with pytest.raises(ValidationError) as err:
        excel.import_file(office, "people", content, filename="people.xlsx")
    assert problems_of(err) == [
        "第3行 手机：应为11位手机号码",
        "第5行 可带班：应为“是”或“否”",
        "第5行 岗前培训日期：应为日期（如 2026-03-01）",
        "第5行 办公电话：应为带区号的固定电话号码（如 027-83881234）",
        "第5行 用工性质：应为正式在编、编外、临时之一",
        "第5行 所属单位：「不存在的单位」不存在",
        "第6行 姓名：与第2行重复（同一单位）",
    ]
    assert people.list_people(office, include_inactive=True) == []
    failed = events("directory.import")[-1]
    assert failed.outcome == "failure" and failed.details["problems"] == 7


def test_import_units_checks_parents_across_the_file(office):
    with pytest.raises(ValidationError) as err:
        excel.import_file(office, "units", fill_template(
            "units",
            ["甲村", "基层单位", "乙村"],
            ["乙村", "基层单位", "甲村"],
            ["丙村", "基层单位", "丁村"],
            ["甲村", "基层单位"],
        ))
    assert problems_of(err) == [
        "第2行 上级单位：上下级关系形成循环",
        "第3行 上级单位：上下级关系形成循环",
        "第4行 上级单位：「丁村」不存在",
        "第5行 单位名称：与第2行重复",
    ]
    # a parent listed further down the file is fine
    assert excel.import_file(office, "units", fill_template(
        "units", ["甲村", "基层单位", "街道"], ["街道", "街道机关"])).created == 2
    assert units.get_unit(office, units.list_units(office, text="甲村")[0].id).parent_name == "街道"


@pytest.mark.parametrize("content, message", [
    (b"", "文件：内容为空"),
    ("name,phone\n张伟,13800001111\n".encode(), "文件：不是有效的 Excel 文件（.xlsx），请使用下载的模板填写"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "文件：不支持旧版 .xls 格式"),
    (b"PK\x03\x04 broken zip", "文件：不是有效的 Excel 文件"),
    (b"x" * (20 * 1024 * 1024 + 1), "文件：超过 20 MB"),
])
def test_import_refuses_what_is_not_an_xlsx(office, content, message):
    with pytest.raises(ValidationError) as err:
        excel.import_file(office, "contacts", content)
    assert problems_of(err)[0].startswith(message)


def test_import_names_missing_headers_and_empty_sheets(office):
    with pytest.raises(ValidationError) as err:
        excel.import_file(office, "contacts", xlsx(["姓名", "电话"], ["某人", "13800001111"]))
    assert problems_of(err) == ["表头：缺少「类别」列，请使用下载的模板"]
    with pytest.raises(ValidationError, match="文件：没有数据行"):
        excel.import_file(office, "contacts", excel.template("contacts").content)


def test_import_and_export_are_the_offices(office, two_units):
    a, _ = two_units
    officer = make_actor("unita", {"unit_duty_officer"}, unit_id=a)
    with pytest.raises(PermissionDenied):
        excel.export_file(officer, "people")
    with pytest.raises(PermissionDenied):
        excel.import_file(officer, "people", excel.template("people").content)
    assert [e.details["action"] for e in events("permission_denied")] == [
        "directory.export", "directory.import"]


# ---------------------------------------------------------------- paged lists (issue 7)

def test_people_are_paged_by_unit_and_name_in_two_queries(office, two_units):
    a, b = two_units
    for n in range(7):
        person(office, a, f"甲{n}")
    for n in range(5):
        person(office, b, f"乙{n}")
    hidden = person(office, b, "乙停用")
    people.set_person_active(office, hidden, 1, False)
    whole = [p.id for p in people.list_people(office)]
    with SelectCounter() as sql:
        first = people.people_page(office, page=1, per_page=5)
    assert len(sql) == 2                                  # the count and the page, whatever the size
    assert (first.total, first.pages, first.first, first.last) == (12, 3, 1, 5)
    pages = [people.people_page(office, page=n, per_page=5).rows for n in (1, 2, 3)]
    assert [p.id for rows in pages for p in rows] == whole  # the same order as the whole list
    beyond = people.people_page(office, page=9, per_page=5)
    assert (beyond.page, len(beyond.rows)) == (3, 2)      # past the end: the last page
    assert people.people_page(office, unit_id=b, text="乙", per_page=5).total == 5
    assert people.people_page(office, unit_id=b, include_inactive=True, per_page=5).total == 6
    officer = make_actor("unitb", {"unit_duty_officer"}, unit_id=b)
    assert {p.unit_id for p in people.people_page(officer, per_page=50).rows} == {b}
    with pytest.raises(PermissionDenied):
        people.people_page(officer, unit_id=a)


def test_accounts_are_paged_by_username(office, two_units):
    for n in range(11):
        make_actor(f"user{n:02d}", {"duty_officer"}, unit_id=two_units[0])
    sysadm = make_actor("sysadm", {"system_admin"})
    with SelectCounter() as sql:
        first = auth.users_page(sysadm, page=1, per_page=5)
    assert len(sql) == 3                                  # count, page, the page's roles
    names = [u.username for u in auth.list_users(sysadm)]
    assert first.total == len(names) == 13
    shown = [u.username for n in (1, 2, 3) for u in auth.users_page(sysadm, page=n, per_page=5).rows]
    assert shown == names == sorted(names)
    assert [u.username for u in auth.users_page(sysadm, "user1").rows] == ["user10"]
    assert auth.users_page(sysadm, "_").total == 0        # LIKE wildcards are literal
    with pytest.raises(PermissionDenied):
        auth.users_page(office)


def test_contacts_are_paged_and_overdue_ones_counted_across_pages(office, frozen_clock):
    old = [contacts.create_contact(office, ContactData(f"旧号{n}", "other", phone=f"027-8399000{n}"))
           for n in range(3)]
    frozen_clock.advance(days=181)
    contacts.create_contact(office, ContactData("区总值班室", "district_duty_office",
                                                phone="027-83991111"))
    first = contacts.contacts_page(office, page=1, per_page=2)
    assert (first.shown.total, first.overdue) == (4, 3)
    assert [r.name for r in first.shown.rows] == ["区总值班室", "旧号0"]   # upper level first
    second = contacts.contacts_page(office, page=2, per_page=2)
    assert [r.name for r in second.shown.rows] == ["旧号1", "旧号2"]
    assert [r.name for r in contacts.list_contacts(office)] == ["区总值班室", "旧号0", "旧号1", "旧号2"]
    contacts.mark_reviewed(office, old[0], contacts.get_contact(office, old[0]).version)
    only = contacts.contacts_page(office, overdue_only=True)
    assert (only.shown.total, only.overdue, [r.name for r in only.shown.rows]) == (2, 2, ["旧号1", "旧号2"])
