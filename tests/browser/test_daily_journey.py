"""The daily-record journey in real Chromium (issue 5), on a fresh database:

a duty officer on shift logs three calls → turns one into an incident and one into a leader
instruction → passes the instruction on to two units → records one unit's feedback → signs
for a mayor-hotline item on a holiday (today is made a statutory holiday through
services.calendar first: the live server cannot freeze time) → opens the shift's log book, adds
a note and downloads the .docx. Screenshots in test-artifacts/daily-*.png.

Each text typed here is clicked away at once: every such field is in a form with its button
(a click right after typing outside a form may be lost, streamlit/streamlit#8725), so the
buttons are pressed as form submit buttons.
"""
from __future__ import annotations

import io
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from harness import (  # noqa: F401  (fixtures)
    ROOT, choose, chromium_browser, fill, live_app, login, open_page, page, press, settle, snap,
    submit,
)

pytestmark = pytest.mark.browser

OFFICER = ("wangwu", "王五", "Duty#Desk2026")
SETUP = """
from datetime import timedelta
from models.auth import User
from models.org import Person
from models.roster import Roster, Shift, ShiftOfficer
from services import auth, calendar, clock
from services.directory import units
from services.directory.units import UnitData
from services.permissions import SYSTEM_ACTOR
from services.uow import transaction

street = units.create_unit(SYSTEM_ACTOR, UnitData("柏泉街道办事处", "street_office"),
                           duty_phone="027-83881234")
units.create_unit(SYSTEM_ACTOR, UnitData("柏泉村", "grassroots"), duty_phone="027-83880001")
units.create_unit(SYSTEM_ACTOR, UnitData("某社区", "grassroots"), duty_phone="027-83880002")
now = clock.now()
with transaction() as s:
    p = Person(name="王五", unit_id=street, employment="permanent", active=True)
    s.add(p)
    s.flush()
    pid = p.id
    local = clock.local(now)
    r = Roster(unit_id=street, year=local.year, month=local.month, template_set="24h",
               status="published", created_at=now)
    sh = Shift(unit_id=street, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=23),
               template_code="24h", state="on_duty", on_duty_at=now - timedelta(hours=1))
    sh.officers.append(ShiftOfficer(person_id=pid))
    r.shifts.append(sh)
    s.add(r)
uid = auth.create_user(SYSTEM_ACTOR, "{username}", "{name}", "{password}", unit_id=street,
                       person_id=pid, roles={{"duty_officer"}})
with transaction() as s:
    s.get(User, uid).must_change_password = False
# today is a statutory holiday (第八条(六)): a manual row in the office's holiday table
calendar.add_holiday(SYSTEM_ACTOR, calendar.HolidayData(clock.local(now).date(),
                                                        "statutory_holiday", "测试假日"))
"""


def _setup(app) -> None:
    username, name, password = OFFICER
    done = subprocess.run([sys.executable, "-c", SETUP.format(username=username, name=name,
                                                                password=password)],
                          cwd=ROOT, env=app.env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _call(page, summary: str, caller: str) -> None:
    fill(page, "来电内容", summary)
    fill(page, "来电人", caller)
    submit(page, "登记来电")
    expect(page.get_by_text("来电已登记，由您首接负责（第十二条）").first).to_be_visible()


def _submit_in(page, scope, name: str) -> None:
    """Press the form submit button `name` within `scope` (a tab carries the same words)."""
    scope.get_by_test_id("stFormSubmitButton").get_by_role("button", name=name, exact=True).click()
    settle(page)


def _expander(page, caller: str):
    details = page.locator("details", has_text=caller).first
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def test_daily_journey(live_app, page):
    _setup(live_app)
    page.goto(live_app.url)
    settle(page)
    login(page, OFFICER[0], OFFICER[2])
    open_page(page, "来电登记")
    _call(page, "巨龙大道积水约30厘米，车辆无法通行", "张网格员")
    _call(page, "王书记电话指示：各村社区立即排查积水点", "王书记秘书")
    _call(page, "咨询沙袋领取地点", "李居民")
    snap(page, "daily-calls")

    box = _expander(page, "张网格员")
    box.get_by_role("tab", name="转为突发事件").click()
    box.get_by_label("事发地点", exact=True).fill("巨龙大道")
    _submit_in(page, box, "转为突发事件")
    expect(page.get_by_text("已转为突发事件").first).to_be_visible()

    box = _expander(page, "王书记秘书")
    box.get_by_role("tab", name="登记为核报/批示").click()
    box.get_by_label("批示领导", exact=True).fill("王书记")
    _submit_in(page, box, "登记为领导批示")
    expect(page.get_by_text("已登记为领导批示").first).to_be_visible()

    open_page(page, "领导批示")
    page.get_by_role("tab", name="传达与督办").click()
    choose(page, "传达至单位", "柏泉村")
    choose(page, "传达至单位", "某社区")
    submit(page, "传达")
    expect(page.get_by_text("已传达至2个单位").first).to_be_visible()
    page.get_by_role("tab", name="传达与督办").click()
    fill(page, "代某社区登记反馈", "已排查积水点3处，均已设置警示")
    submit(page, "登记某社区的反馈")
    expect(page.get_by_text("反馈已登记").first).to_be_visible()
    snap(page, "daily-instruction")

    open_page(page, "市长热线")
    fill(page, "工单编号", "RX-001")
    fill(page, "事项内容", "某小区夜间施工噪音投诉")
    submit(page, "签收")
    expect(page.get_by_text("已签收，请转发通知热线负责同志").first).to_be_visible()

    open_page(page, "值班记录本")
    expect(page.get_by_text("王五").first).to_be_visible()          # 值班人员 (the table is a canvas)
    fill(page, "添加记事", "22:10 巡查巨龙大道，积水已退")
    submit(page, "记入记录本")
    expect(page.get_by_text("已记入").first).to_be_visible()
    press(page, "生成打印文件")
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载值班记录本（.docx）").click()
    data = open(dl.value.path(), "rb").read()
    snap(page, "daily-logbook")
    from docx import Document
    text = "\n".join(c.text for t in Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
    for words in ("巨龙大道积水", "王书记", "某社区反馈", "RX-001", "巡查巨龙大道，积水已退"):
        assert words in text, words
