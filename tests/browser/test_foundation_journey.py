"""The foundation journey in real Chromium, on a fresh database:

first-admin setup → the system admin creates a security admin and an account for the
office → the security admin gives that account the 党政办管理员 role (三员分立: the system
admin cannot) → the office admin signs in, changes the temporary password, creates a unit
and a person → logout. Every step keeps a screenshot in test-artifacts/.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from harness import (  # noqa: F401  (chromium_browser, live_app, page: fixtures)
    chromium_browser, choose, expand, fill, first_login, live_app, login, logout, open_page,
    page, settle, snap, submit,
)

pytestmark = pytest.mark.browser

SYSADMIN = ("sysadmin", "王建国", "Duty#Desk2026")
SECADMIN = ("secadmin", "李安全", "Secu#Desk2026")
OFFICE = ("chenxm", "陈晓梅", "Offi#Desk2026")
UNIT = ("幸福里社区", "027-83881234", "幸福路 18 号")
PERSON = ("刘志强", "社区党委书记", "13912345678")


def create_account(page, username: str, name: str, bootstrap_role: str | None = None) -> str:
    """On 账号与角色 as the system admin; returns the temporary password shown once."""
    expand(page, "新建账号")
    fill(page, "用户名", username)
    fill(page, "姓名", name)
    if bootstrap_role:
        choose(page, "初始化三员角色（仅当尚无人担任时可选）", bootstrap_role)
    submit(page, "创建账号")
    notice = page.get_by_text(f"账号 {username} 已创建")
    expect(notice).to_be_visible()
    found = re.search(r"临时密码：\s*(\S+?)（", notice.inner_text())
    assert found, notice.inner_text()
    return found.group(1)


def test_setup_login_unit_person_logout(live_app, page):
    page.goto(live_app.url)
    settle(page)

    # 1. First start: the setup page creates the first system administrator.
    expect(page.get_by_text("系统初始化").first).to_be_visible()
    username, name, password = SYSADMIN
    fill(page, "用户名", username)
    fill(page, "姓名", name)
    fill(page, "密码", password)
    fill(page, "确认密码", password)
    snap(page, "journey-01-setup")
    submit(page, "创建系统管理员")

    # 2. The login form follows; the system admin signs in.
    expect(page.get_by_text("系统管理员已创建，请登录")).to_be_visible()
    snap(page, "journey-02-login")
    login(page, username, password)
    expect(page.get_by_test_id("stSidebar").get_by_text(name, exact=True)).to_be_visible()

    # 3. Accounts: a security admin (bootstrap of the three admins) and the office's account.
    open_page(page, "账号与角色")
    sec_temp = create_account(page, SECADMIN[0], SECADMIN[1], bootstrap_role="安全管理员")
    office_temp = create_account(page, OFFICE[0], OFFICE[1])
    snap(page, "journey-03-accounts")
    logout(page)

    # 4. The security admin assigns the 党政办管理员 role.
    first_login(page, SECADMIN[0], sec_temp, SECADMIN[2], "journey-04-forced-password-change")
    open_page(page, "账号与角色")
    choose(page, "选择账号", f"{OFFICE[0]}（{OFFICE[1]}）")
    choose(page, "角色", "党政办管理员")
    submit(page, "保存角色")
    expect(page.get_by_text("角色已保存").first).to_be_visible()
    snap(page, "journey-05-role-assigned")
    logout(page)

    # 5. The office admin signs in for the first time.
    first_login(page, OFFICE[0], office_temp, OFFICE[2], "journey-06-office-first-login")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(OFFICE[1], exact=True)).to_be_visible()
    expect(sidebar.get_by_text("党政办管理员", exact=True)).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/password$"))  # a fresh sign-in lands home
    snap(page, "journey-07-office-admin-home")

    # 6. A unit, with its duty phone (第二十三条: the first registration is its first filing).
    open_page(page, "单位与值班电话")
    expand(page, "新增单位")
    fill(page, "单位名称", UNIT[0])
    fill(page, "值班电话", UNIT[1])
    fill(page, "地址", UNIT[2])
    submit(page, "新增单位")
    expect(page.get_by_text(f"已新增单位「{UNIT[0]}」").first).to_be_visible()
    expect(page.get_by_role("tab", name=re.compile(r"基层单位（1）"))).to_be_visible()
    snap(page, "journey-08-unit-created")

    # 7. A person in that unit, found again by a Chinese substring of the name.
    open_page(page, "人员")
    expand(page, "新增人员")
    fill(page, "姓名", PERSON[0])
    expect(page.get_by_label("所属单位", exact=True)).to_have_value(UNIT[0])  # the only unit
    fill(page, "职务", PERSON[1])
    fill(page, "手机", PERSON[2])
    page.get_by_text("可担任带班领导").click()
    submit(page, "新增人员")
    expect(page.get_by_text(f"已新增人员「{PERSON[0]}」").first).to_be_visible()
    fill(page, "搜索", PERSON[0][1:])
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_text("共 1 人")).to_be_visible()
    snap(page, "journey-09-person-created")

    # 8. Logout returns to the login form, and the previous user's menu is gone.
    logout(page)
    expect(page.get_by_role("link", name="单位与值班电话")).to_have_count(0)
    snap(page, "journey-10-logged-out")
