"""The directory pages as a user meets them (AppTest), on a committed database of their own:
AppTest runs the page in its own thread, so the pages get `fresh_db`, not the rolled-back
connection of `db`."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from services import auth
from services.directory import contacts, people, units
from services.directory.contacts import ContactData
from services.directory.people import PersonData
from services.directory.units import UnitData
from services.permissions import SYSTEM_ACTOR, Actor

GOOD = "Duty#2026ok"


def _page(path: str, actor) -> None:
    """The script AppTest runs: what app.py does first (set the validated actor), then the page."""
    import runpy

    import ui

    ui.set_actor(actor)
    runpy.run_path(path, run_name="__main__")


def open_page(name: str, actor: Actor) -> AppTest:
    at = AppTest.from_function(_page, args=(f"pages/{name}.py", actor), default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def make_actor(username: str, roles: set[str], unit_id: int | None = None) -> Actor:
    uid = auth.create_user(SYSTEM_ACTOR, username, username.upper(), GOOD, unit_id=unit_id,
                           roles=roles)
    return Actor(user_id=uid, username=username, display_name=username.upper(),
                 roles=frozenset(roles), unit_id=unit_id)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


@pytest.fixture
def street(fresh_db, monkeypatch):
    monkeypatch.chdir(__file__.rsplit("/tests/", 1)[0])   # page paths are relative to the repo
    office = make_actor("office", {"office_admin"})
    street_id = units.create_unit(office, UnitData("柏泉街道办事处", "street_office"),
                                  duty_phone="027-83881234")
    village = units.create_unit(office, UnitData("柏泉村", "grassroots", parent_id=street_id),
                                duty_phone="027-83880001")
    return office, street_id, village


# ---------------------------------------------------------------- units

def test_units_page_lists_units_by_kind(street):
    office, *_ = street
    at = open_page("units", office)
    assert at.title[0].value == "单位与值班电话"
    assert [t.label for t in at.tabs][:4] == ["街道机关（1）", "基层单位（1）", "二级站所（0）", "机关科室（0）"]
    names = [list(df.value["单位名称"]) for df in at.dataframe]
    assert ["柏泉街道办事处"] in names and ["柏泉村"] in names
    assert all("id" not in df.value.columns for df in at.dataframe)


def test_units_page_creates_a_unit_and_shows_validation_in_chinese(street):
    office, street_id, _ = street
    at = open_page("units", office)
    at.text_input(key="unit_new_0_name").input("农业服务中心")
    at.selectbox(key="unit_new_0_kind").set_value("station")
    at.text_input(key="unit_new_0_duty_phone").input("8388")
    button(at, "新增单位").click().run()
    assert "值班电话：应为11位手机号码或带区号的固定电话号码" in errors(at)
    assert units.list_units(office, text="农业") == []

    at.text_input(key="unit_new_0_duty_phone").input("027-83880009")
    button(at, "新增单位").click().run()
    assert not at.exception and not at.error
    [created] = units.list_units(office, text="农业")
    assert (created.kind, created.parent_id, created.duty_phone) == (
        "station", street_id, "027-83880009")
    assert at.success[0].value == "已新增单位「农业服务中心」"
    assert at.text_input(key="unit_new_1_name").value == ""   # the form is emptied


def test_units_page_edit_refuses_a_stale_save(street):
    office, _, village = street
    at = open_page("units", office)
    at.selectbox(key="unit_pick").set_value(village).run()
    row = units.get_unit(office, village)
    prefix = f"unit_{village}_v{row.version}"
    at.text_input(key=f"{prefix}_address").input("柏泉大道1号")
    # meanwhile someone else saves the unit
    units.update_unit(office, village, row.version,
                      UnitData("柏泉村", "grassroots", row.parent_id, fax="027-83880002"))
    button(at, "保存修改").click().run()
    assert "该记录已被他人修改，请刷新后重试" in errors(at)
    fresh = units.get_unit(office, village)
    assert (fresh.address, fresh.fax) == (None, "027-83880002")
    at.run()   # the next run shows the record as it is now
    assert at.text_input(key=f"unit_{village}_v{fresh.version}_fax").value == "027-83880002"


def test_unit_duty_officer_files_a_phone_change_and_the_office_acknowledges(street):
    office, _, village = street
    officer = make_actor("unita", {"unit_duty_officer"}, unit_id=village)
    at = open_page("units", officer)
    assert not any(b.label == "新增单位" for b in at.button)   # only the office creates units
    prefix = f"unit_{village}_v{units.get_unit(office, village).version}"
    at.text_input(key=f"{prefix}_new_phone").input("027-83880005")
    button(at, "提交报备").click().run()
    assert "变更原因：不能为空" in errors(at)
    at.text_area(key=f"{prefix}_reason").input("线路迁移")
    button(at, "提交报备").click().run()
    assert at.success[0].value == "值班电话变更已报备，待党政办确认"
    assert units.get_unit(office, village).duty_phone == "027-83880005"

    at = open_page("units", office)
    assert at.subheader[0].value == "待确认的值班电话报备（1）"
    button(at, "确认已备案").click().run()
    assert units.list_filings(office, pending_only=True) == []
    assert at.success[0].value == "已确认「柏泉村」的值班电话报备"


# ---------------------------------------------------------------- people

def test_people_page_creates_and_searches(street):
    office, _, village = street
    people.create_person(office, PersonData("张伟", village, "permanent", position="主任"))
    at = open_page("people", office)
    assert list(at.dataframe[0].value["姓名"]) == ["张伟"]
    at.text_input(key="person_new_0_name").input("李娜")
    at.selectbox(key="person_new_0_unit").set_value(village)
    at.text_input(key="person_new_0_mobile").input("1380000")
    button(at, "新增人员").click().run()
    assert "手机：应为11位手机号码" in errors(at)
    at.text_input(key="person_new_0_mobile").input("13800001234")
    button(at, "新增人员").click().run()
    assert not at.error
    assert [p.name for p in people.list_people(office, text="李")] == ["李娜"]
    at.text_input(key="person_search").input("主任").run()
    assert list(at.dataframe[0].value["姓名"]) == ["张伟"]


def test_people_page_of_a_unit_duty_officer_shows_own_unit_only(street):
    office, street_id, village = street
    people.create_person(office, PersonData("张伟", village, "permanent"))
    people.create_person(office, PersonData("王芳", street_id, "permanent"))
    officer = make_actor("unita", {"unit_duty_officer"}, unit_id=village)
    at = open_page("people", officer)
    assert list(at.dataframe[0].value["姓名"]) == ["张伟"]
    assert at.selectbox(key="person_new_0_unit").options == ["柏泉村"]
    assert not any("导入" in e.label for e in at.expander)


def test_people_page_shows_a_page_at_a_time_and_a_search_goes_back_to_page_one(street):
    office, _, village = street
    for n in range(people.PER_PAGE + 3):
        people.create_person(office, PersonData(f"值班员{n:03d}", village, "permanent"))
    at = open_page("people", office)
    pager = at.selectbox(key="person_page")
    assert pager.options == ["第 1 页 / 共 2 页", "第 2 页 / 共 2 页"]
    assert any(f"第 1–{people.PER_PAGE} 人，共 {people.PER_PAGE + 3} 人" in c.value for c in at.caption)
    assert len(at.dataframe[0].value) == people.PER_PAGE
    pager.set_value(2).run()
    assert list(at.dataframe[0].value["姓名"]) == ["值班员050", "值班员051", "值班员052"]
    picker = at.selectbox(key="person_pick")                 # offers the people of this page
    assert picker.options == ["值班员050（柏泉村）", "值班员051（柏泉村）", "值班员052（柏泉村）"]
    picker.set_value(people.list_people(office, text="值班员050")[0].id).run()
    assert [w.value for w in at.text_input if w.label == "姓名"][-1] == "值班员050"   # its edit form
    at.text_input(key="person_search").input("值班员00").run()
    assert list(at.dataframe[0].value["姓名"]) == [f"值班员00{n}" for n in range(10)]
    assert not any(s.key == "person_page" for s in at.selectbox)  # one page: no selector


# ---------------------------------------------------------------- contacts

def test_contacts_page_highlights_stale_contacts_and_marks_reviewed(street, frozen_clock):
    office, *_ = street
    contacts.create_contact(office, ContactData("总值班室", "district_duty_office",
                                                phone="027-83990000"))
    frozen_clock.advance(days=200)
    contacts.create_contact(office, ContactData("应急值班", "district_emergency_bureau",
                                                phone="027-83991111"))
    at = open_page("contacts", office)
    assert "1 条联系人超过 180 天未核对" in at.warning[0].value
    table = at.dataframe[0].value
    assert list(table["姓名"]) == ["总值班室", "应急值班"]
    assert list(table["核对状态"]) == ["超过180天未核对", "正常"]
    button(at, "已核对").click().run()
    assert not at.warning
    assert not any(c.review_overdue for c in contacts.list_contacts(office))


def test_contacts_page_pages_the_book_and_counts_every_overdue_number(street, frozen_clock):
    office, *_ = street
    for n in range(contacts.PER_PAGE + 2):
        contacts.create_contact(office, ContactData(f"联系人{n:03d}", "other",
                                                    phone=f"027-8399{n:04d}"))
    frozen_clock.advance(days=200)
    at = open_page("contacts", office)
    assert f"有 {contacts.PER_PAGE + 2} 条联系人超过 180 天未核对" in at.warning[0].value
    assert len(at.dataframe[0].value) == contacts.PER_PAGE
    assert any(e.label.startswith(f"本页待核对联系人（{contacts.PER_PAGE}，共 {contacts.PER_PAGE + 2}）")
               for e in at.expander)
    at.selectbox(key="contact_page").set_value(2).run()
    assert list(at.dataframe[0].value["姓名"]) == ["联系人050", "联系人051"]


def test_contacts_page_validation_message(street):
    office, *_ = street
    at = open_page("contacts", office)
    at.text_input(key="contact_new_0_name").input("区应急局")
    at.selectbox(key="contact_new_0_category").set_value("district_emergency_bureau")
    at.text_input(key="contact_new_0_mobile").input("12345")
    button(at, "新增联系人").click().run()
    assert "手机：应为11位手机号码" in errors(at)
    assert contacts.list_contacts(office) == []
