"""The oversight journey in real Chromium (issue 6), on a fresh database:

the office generates a spot-check list (the duty phones to call) → records two checks, one
failed → compiles and publishes the bulletin → the compliance dashboard shows the failed
check under 第十七条 → the failed unit's duty officer signs in and sees the bulletin with
its failure. Screenshots in test-artifacts/oversight-*.png.
"""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from harness import (  # noqa: F401  (fixtures)
    ROOT, choose, chromium_browser, fill, live_app, login, logout, open_page, page, press, settle,
    snap, submit,
)

pytestmark = pytest.mark.browser

OFFICE = ("zhouba", "周八", "Office#Desk2026")
UNIT_OFFICER = ("sunqi", "孙七", "Unit#Desk2026")
SETUP = """
from models.auth import User
from services import auth
from services.directory import units
from services.directory.units import UnitData
from services.permissions import SYSTEM_ACTOR
from services.uow import transaction

office = units.create_unit(SYSTEM_ACTOR, UnitData("柏泉街道办事处", "street_office"),
                           duty_phone="027-83881234")
village = units.create_unit(SYSTEM_ACTOR, UnitData("柏泉村", "grassroots"), duty_phone="027-83880001")
community = units.create_unit(SYSTEM_ACTOR, UnitData("新华社区", "grassroots"), duty_phone="027-83880002")
for username, name, password, role, unit in [
        ({office!r}) + ("office_admin", office), ({unit_officer!r}) + ("unit_duty_officer", community)]:
    uid = auth.create_user(SYSTEM_ACTOR, username, name, password, unit_id=unit, roles={{role}})
    with transaction() as s:
        s.get(User, uid).must_change_password = False
"""


def make_accounts(app) -> None:
    code = SETUP.format(office=OFFICE, unit_officer=UNIT_OFFICER)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=app.env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def tab(page, name: str):
    handle = page.get_by_role("tab", name=name)
    if handle.get_attribute("aria-selected") != "true":
        handle.click()
        settle(page)
    return page.get_by_role("tabpanel", name=name)


def flashed(page, text: str) -> None:
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=text).first).to_be_visible()


def test_spot_checks_bulletin_and_compliance(live_app, page):
    make_accounts(live_app)
    page.goto(live_app.url)
    settle(page)
    login(page, OFFICE[0], OFFICE[2])

    # 1. A spot-check list of two units, with the duty phones to call.
    open_page(page, "检查抽查")
    fill(page, "抽查单位数", "2")                 # typed, then clicked at once: one form
    fill(page, "随机种子（可选）", "7")
    submit(page, "生成抽查名单")
    listed = page.get_by_test_id("stTable")
    expect(listed).to_contain_text("027-83880001")
    expect(listed).to_contain_text("027-83880002")
    expect(listed).to_contain_text("从未检查")
    snap(page, "oversight-1-spot-list")

    # 2. Two checks: 柏泉村 answered in 8 seconds (passed), 新华社区 not answered (failed).
    panel = tab(page, "登记检查")
    choose(page, "被检查单位", "柏泉村")
    fill(panel, "接听用时（秒）", "8")
    submit(page, "保存检查记录")
    flashed(page, "检查记录已保存")
    panel = tab(page, "登记检查")
    choose(page, "被检查单位", "新华社区")
    choose(page, "是否接听/应答", "未接听")
    fill(panel, "发现的问题", "值班电话连续拨打3次无人接听")
    panel.get_by_test_id("stCheckbox").filter(has_text="要求整改").click()
    snap(page, "oversight-2-failed-check")
    submit(page, "保存检查记录")
    flashed(page, "检查记录已保存")
    tab(page, "整改跟踪")
    expect(page.get_by_text("值班电话连续拨打3次无人接听").first).to_be_visible()

    # 3. The bulletin: compiled, then published.
    open_page(page, "通报")
    submit(page, "汇编通报")
    flashed(page, "通报已汇编为草稿")
    year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    number = f"柏办通〔{year}〕1号"
    expect(page.get_by_text(number).first).to_be_visible()
    expect(page.get_by_text("新华社区检查不合格").first).to_be_visible()
    press(page, "发布通报")
    flashed(page, f"通报{number}已发布")
    snap(page, "oversight-3-bulletin-published")

    # 4. The compliance dashboard: the failed check under 第十七条, drilled down.
    open_page(page, "合规看板")
    failed = page.get_by_text("第十七条 检查抽查不合格：1")
    expect(failed).to_be_visible()
    failed.click()
    settle(page)
    expect(page.get_by_text("导出明细（.xlsx）")).to_be_visible()     # its records, tabled once opened
    snap(page, "oversight-4-compliance")

    # 5. The unit's duty officer sees the bulletin and its failure.
    logout(page)
    login(page, UNIT_OFFICER[0], UNIT_OFFICER[2])
    open_page(page, "通报")
    expect(page.get_by_text(number).first).to_be_visible()
    expect(page.get_by_text("新华社区检查不合格").first).to_be_visible()
    assert "柏泉村" not in page.locator("body").inner_text()      # others' results are not shown
    snap(page, "oversight-5-unit-sees-bulletin")
