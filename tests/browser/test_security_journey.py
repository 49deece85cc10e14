"""Security checks in real Chromium (issue 7): lockout, session expiry and logout, 三员分立.

One server for the module, configured through the environment as an operator would:
DUTYDESK_LOCKOUT_THRESHOLD=3 (three wrong passwords lock an account for 15 minutes) and
DUTYDESK_IDLE_TIMEOUT_MINUTES=1. The accounts are made by a service call (the foundation
journey creates them through the UI); everything the checks are about goes through the browser.

- First of all (a module fixture), an idle user signs in in a browser of its own and is left
  alone: its real minute of idleness runs while the tests below do their work.
- The journey: three wrong passwords lock an account, whose right password is then refused
  too; the system admin sees 账号与角色 (accounts, no role form) but not 审计日志, and the audit
  log opened by its address is not shown; logging out revokes the session on the server, so
  a copy of the browser's cookies signs nobody in; the security admin assigns a role and is
  refused the audit log; the audit admin sees 审计日志 and not 账号与角色; after the idle
  minute, the idle user's next click lands on the login form; the audit admin's CSV export
  holds the failures, the lockout, the refused login, the role change, the logout and the
  timeout.
- A second test: a new page load (an address typed in the same browser) resumes the session
  from the login cookie, another role's page is refused in Chinese and audited, a reload
  keeps the officer in, and after logout a copy of the cookie signs nobody in.
Screenshots in test-artifacts/security-*.png.
"""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from harness import (  # noqa: F401  (chromium_browser, page: fixtures)
    ROOT, LiveApp, app_env, choose, chromium_browser, login, logout, new_context,
    open_page, page, press, serving, settle, snap, start_app, submit, wait_healthy,
)
from models.audit import AuditEvent
from models.auth import LoginSession, User

pytestmark = pytest.mark.browser

IDLE_MINUTES = 1
LOCK_AFTER = 3
LOCK_MINUTES = 15  # config.py's default, left as it is
SYSADMIN = ("sysadmin", "王建国", "Sys#Desk2026")
SECADMIN = ("secadmin", "李安全", "Sec#Desk2026")
AUDITOR = ("auditor", "赵审计", "Aud#Desk2026")
LOCKED = ("qianqi", "钱七", "Duty#Desk2026")       # gets locked out
IDLER = ("zhoujie", "周杰", "Idle#Desk2026")        # signs in and walks away
MEMBER = ("zhaoliu", "赵六", "Zhao#Desk2026")       # the security admin gives him a role
SYSADMIN2 = ("xitong", "孙系统", "Sun#Desk2026")    # the second test's system admin
ACCOUNTS = {SYSADMIN: "system_admin", SECADMIN: "security_admin", AUDITOR: "audit_admin",
            LOCKED: "duty_officer", IDLER: None, MEMBER: None, SYSADMIN2: "system_admin"}

SETUP = """
import sys
from services import maintenance
maintenance.migrate()  # what `manage.py migrate` does, in this one interpreter
from models.auth import User
from services import auth
from services.permissions import SYSTEM_ACTOR
from services.uow import transaction
for line in sys.stdin.read().splitlines():
    username, name, password, role = line.split("\\t")
    uid = auth.create_user(SYSTEM_ACTOR, username, name, password, roles={role} if role else set())
    with transaction() as s:
        s.get(User, uid).must_change_password = False
"""

LOGIN_FORM = "政务值班台 · 登录"
HOME = "政务值班台"  # the home page's title


@pytest.fixture(scope="module")
def secure_app(tmp_path_factory) -> Iterator[LiveApp]:
    env = app_env(tmp_path_factory.mktemp("security") / "data",
                  DUTYDESK_IDLE_TIMEOUT_MINUTES=str(IDLE_MINUTES),
                  DUTYDESK_LOCKOUT_THRESHOLD=str(LOCK_AFTER))
    # The server starts while the database is migrated and the accounts are made: it
    # touches the database only once a browser connects, after wait_healthy.
    app = start_app(env, "security-journey")
    with serving(app):
        accounts = "\n".join(f"{u}\t{n}\t{p}\t{role or ''}"
                             for (u, n, p), role in ACCOUNTS.items())
        made = subprocess.run([sys.executable, "-c", SETUP], input=accounts, cwd=ROOT, env=env,
                              capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        wait_healthy(app)
        yield app


@pytest.fixture(scope="module")
def database(secure_app) -> Iterator:
    engine = create_engine(secure_app.database_url)
    try:
        yield lambda: Session(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module", autouse=True)
def idle_user(secure_app, chromium_browser) -> Iterator[tuple]:
    """Signed in before any test, then left alone; yields its page and when it went idle."""
    context = new_context(chromium_browser)
    try:
        idle_page = context.new_page()
        idle_page.goto(secure_app.url)
        settle(idle_page)
        sign_in(idle_page, IDLER)
        idle_since = time.monotonic()  # its server session was opened before this
        expect(idle_page.get_by_role("heading", name=HOME, exact=True)).to_be_visible()
        yield idle_page, idle_since
    finally:
        context.close()


# ---------------------------------------------------------------- steps

def sign_in(page, account) -> None:
    username, name, password = account
    login(page, username, password)
    expect(page.get_by_test_id("stSidebar").get_by_text(name, exact=True)).to_be_visible()


def nav_has(page, title: str, visible: bool) -> None:
    link = page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True)
    expect(link).to_have_count(1 if visible else 0)


def open_by_url(page, app: LiveApp, path: str, account) -> None:
    """Type a page's address. A page load is a new Streamlit session: the login cookie
    resumes the signed-in session, without asking for the password again."""
    page.goto(f"{app.url}/{path}")
    settle(page)
    expect(page.get_by_test_id("stSidebar").get_by_text(account[1], exact=True)).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)  # not Streamlit's "Page not found"


def refused_by_url(page, app: LiveApp, path: str, title: str, account) -> None:
    """Another admin's page, opened by its address, is refused in Chinese, not shown."""
    open_by_url(page, app, path, account)
    expect(page.get_by_text(f"无权访问「{title}」")).to_be_visible()
    expect(page.get_by_role("heading", name=title, exact=True)).to_have_count(0)
    nav_has(page, title, visible=False)


def replay_signs_nobody_in(browser, app: LiveApp, cookies: list) -> None:
    """A fresh browser context holding a copy of `cookies` opens the app: the login form."""
    context = new_context(browser)
    try:
        context.add_cookies(cookies)
        other = context.new_page()
        other.goto(app.url)
        settle(other)  # the cookie component has reported: a resumed session would show
        expect(other.get_by_text(LOGIN_FORM)).to_be_visible()
        expect(other.get_by_test_id("stSidebar").get_by_role("link")).to_have_count(0)
    finally:
        context.close()


def audit_csv(page) -> list[dict]:
    """On 审计日志, as the audit admin: the export of the default filter (the last 7 days)."""
    press(page, "生成 CSV 导出")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 CSV").click()
    data = download.value.path().read_bytes().decode("utf-8-sig")
    settle(page)  # the download button's own run
    return list(csv.DictReader(io.StringIO(data)))


def trail(rows: list[dict], username: str) -> list[tuple[str, str]]:
    return [(r["操作"], r["结果"]) for r in rows if r["用户"] == username]


# ---------------------------------------------------------------- a new page load

def test_a_new_page_load_resumes_the_session_and_refuses_by_url_in_chinese(
        secure_app, page, chromium_browser, database):
    app = secure_app
    page.goto(app.url)
    settle(page)
    sign_in(page, SYSADMIN2)
    copied = page.context.cookies()
    page.goto(f"{app.url}/audit_log")  # typed in the same browser: a new Streamlit session
    settle(page)
    # The login cookie resumes the session in the new Streamlit session …
    expect(page.get_by_test_id("stSidebar").get_by_text(SYSADMIN2[1], exact=True)).to_be_visible()
    # A signed-in page renders no component once the cookie is in place: the cookie reader
    # left on the page sent the cookies again at a later run and lost a click (app.py).
    expect(page.locator("iframe")).to_have_count(0)
    # … and another role's page is refused in Chinese, and the refusal audited.
    expect(page.get_by_text("无权访问「审计日志」")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    with database() as s:
        assert s.scalars(select(AuditEvent.details).where(
            AuditEvent.username == SYSADMIN2[0],
            AuditEvent.action == "permission_denied")).all() == [{"action": "audit.read"}]
    page.reload()  # a reload, too, keeps the officer signed in
    settle(page)
    expect(page.get_by_test_id("stSidebar").get_by_text(SYSADMIN2[1], exact=True)).to_be_visible()
    logout(page)
    replay_signs_nobody_in(chromium_browser, app, copied)  # revoked with the logout


# ---------------------------------------------------------------- the journey

def test_lockout_timeout_logout_and_three_admins(secure_app, page, chromium_browser, database,
                                                 idle_user):
    app = secure_app

    # 1. Lockout: three wrong passwords, then even the right one is refused.
    page.goto(app.url)
    settle(page)
    for attempt in range(1, LOCK_AFTER + 1):
        login(page, LOCKED[0], f"Wrong#{attempt}x2026")
        if attempt < LOCK_AFTER:
            expect(page.get_by_text("用户名或密码错误")).to_be_visible()
    expect(page.get_by_text(f"连续 {LOCK_AFTER} 次登录失败，账号已锁定 {LOCK_MINUTES} 分钟")
           ).to_be_visible()
    login(page, LOCKED[0], LOCKED[2])
    expect(page.get_by_text(re.compile(r"^账号已被锁定，请 1[45] 分钟后再试$"))).to_be_visible()
    expect(page.get_by_text(LOGIN_FORM)).to_be_visible()
    snap(page, "security-01-locked")

    # 2. The system admin: accounts (creating them, no role form), no audit log.
    sign_in(page, SYSADMIN)
    nav_has(page, "账号与角色", visible=True)
    nav_has(page, "审计日志", visible=False)
    open_page(page, "账号与角色")
    expect(page.get_by_text("新建账号").first).to_be_visible()
    expect(page.get_by_role("button", name="保存角色")).to_have_count(0)
    snap(page, "security-02-sysadmin-accounts")
    refused_by_url(page, app, "audit_log", "审计日志", SYSADMIN)
    snap(page, "security-03-sysadmin-audit-log-by-url")

    # 3. Logout revokes the session on the server: a copy of the cookies signs nobody in.
    copied = page.context.cookies()
    logout(page)
    with database() as s:
        last = s.scalars(select(LoginSession).join(User).where(User.username == SYSADMIN[0])
                         .order_by(LoginSession.id.desc())).first()
        assert last.revoked_reason == "logout" and last.revoked_at is not None
    replay_signs_nobody_in(chromium_browser, app, copied)

    # 4. The security admin gives an account its role; the audit log is not hers either.
    sign_in(page, SECADMIN)
    nav_has(page, "审计日志", visible=False)
    open_page(page, "账号与角色")
    expect(page.get_by_text("新建账号")).to_have_count(0)  # accounts are the system admin's
    choose(page, "选择账号", f"{MEMBER[0]}（{MEMBER[1]}）")
    choose(page, "角色", "值班员")
    submit(page, "保存角色")
    expect(page.get_by_text("角色已保存").first).to_be_visible()
    snap(page, "security-04-secadmin-role-assigned")
    refused_by_url(page, app, "audit_log", "审计日志", SECADMIN)
    logout(page)

    # 5. The audit admin: the audit log, not the accounts.
    sign_in(page, AUDITOR)
    nav_has(page, "审计日志", visible=True)
    nav_has(page, "账号与角色", visible=False)
    refused_by_url(page, app, "accounts", "账号与角色", AUDITOR)
    open_page(page, "审计日志")
    expect(page.get_by_text(re.compile(r"^共 \d+ 条，最新的在前"))).to_be_visible()

    # 6. The idle user's minute is up: the next click lands on the login form.
    idle_page, idle_since = idle_user
    wait = IDLE_MINUTES * 60 + 2 - (time.monotonic() - idle_since)
    if wait > 0:  # the server's clock must pass the timeout: there is nothing to poll
        idle_page.wait_for_timeout(wait * 1000)
    idle_page.get_by_test_id("stSidebar").get_by_role("link", name="修改密码").click()
    settle(idle_page)
    expect(idle_page.get_by_text("登录已超时，请重新登录")).to_be_visible()
    expect(idle_page.get_by_text(LOGIN_FORM)).to_be_visible()
    expect(idle_page.get_by_text(IDLER[1], exact=True)).to_have_count(0)
    snap(idle_page, "security-05-idle-timeout")

    # 7. The audit admin's export holds all of the above.
    rows = audit_csv(page)
    snap(page, "security-06-audit-log")
    assert trail(rows, LOCKED[0]) == (
        [("login.failure", "failure")] * (LOCK_AFTER - 1)
        + [("login.lockout", "failure"), ("login.locked", "denied")])
    assert trail(rows, IDLER[0]) == [("login.success", "success"), ("session.timeout", "success")]
    assert ("user.roles", "success") in trail(rows, SECADMIN[0])
    assert trail(rows, SYSADMIN[0]).count(("logout", "success")) == 1
    timeout = next(r for r in rows if r["用户"] == IDLER[0] and r["操作"] == "session.timeout")
    assert '"reason": "idle"' in timeout["详情"]
    roles = next(r for r in rows if r["用户"] == SECADMIN[0] and r["操作"] == "user.roles")
    assert '"after": ["duty_officer"]' in roles["详情"]
