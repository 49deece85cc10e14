"""The incident journey in real Chromium (issue 3), on a fresh database:

a duty officer receives a call → opens a level II accident → the desk shows the 10-minute
phone clock → records the phone report → drafts the written initial report (the completeness
check shows the gap) → submits → the shift leader signs off (in a second browser) → the
officer marks it sent and downloads the .docx → follow-up → final → closure requested →
the leader approves → the incident is closed. Screenshots in test-artifacts/incident-*.png.

The two accounts are made against the live app's data directory through the services (the
system admin's and security admin's pages are the foundation journey's business).
"""
from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from harness import ROOT, chromium_browser, live_app, page, settle  # noqa: F401  (fixtures)
from harness import choose, fill, new_context, open_page, press, snap, submit
from harness import login as harness_login

pytestmark = pytest.mark.browser

OFFICER = ("wangwu", "王五", "Duty#Desk2026")
LEADER = ("lizhuren", "李主任", "Lead#Desk2026")
TITLE = "柏泉大道危化品槽车侧翻事故"
SETUP = """
from models.auth import User
from services import auth
from services.directory import units
from services.directory.units import UnitData
from services.permissions import SYSTEM_ACTOR
from services.uow import transaction

unit = units.create_unit(SYSTEM_ACTOR, UnitData("柏泉街道办事处", "street_office"),
                         duty_phone="027-83881234")
for username, name, password, role in {accounts!r}:
    uid = auth.create_user(SYSTEM_ACTOR, username, name, password, unit_id=unit, roles={{role}})
    with transaction() as s:
        s.get(User, uid).must_change_password = False
"""


def make_accounts(app) -> None:
    """A duty officer and a shift leader of the street office, passwords set, no forced change."""
    accounts = [(*OFFICER, "duty_officer"), (*LEADER, "shift_leader")]
    done = subprocess.run([sys.executable, "-c", SETUP.format(accounts=accounts)], cwd=ROOT,
                          env=app.env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- helpers

def type_time(page, label: str, when: datetime) -> None:
    """Type into a st.datetime_input (segments year…minute; the calendar popup is closed)."""
    page.get_by_role("spinbutton", name=f"year, {label}").focus()
    page.keyboard.type(when.strftime("%Y%m%d%H%M"))
    page.keyboard.press("Escape")


def login(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    settle(page)
    harness_login(page, username, password)


def tab(page, name: str):
    """Open a tab of the incident (the open tab is in the URL; switching reruns the page)."""
    handle = page.get_by_role("tab", name=name)
    if handle.get_attribute("aria-selected") != "true":
        handle.click()
        settle(page)
    return page.get_by_role("tabpanel", name=name)


def flashed(page, text: str) -> None:
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=text).first).to_be_visible()


def refresh_detail(page) -> None:
    press(page, "刷新")


def leader_signs_off(leader, what: str, shot: str | None = None) -> None:
    press(leader, "刷新")
    card = leader.locator("[class*='st-key-signoff_card_']").filter(has_text=what)
    expect(card).to_be_visible()
    if shot:
        snap(leader, shot)
    card.get_by_test_id("stFormSubmitButton").get_by_role("button", name="签发").click()
    settle(leader)
    flashed(leader, "已签发")


def send_signed(page, title: str, shot: str | None = None) -> None:
    refresh_detail(page)
    panel = tab(page, "书面报告")
    expect(panel.get_by_text("签发，请按签发内容报送")).to_be_visible()
    if shot:
        snap(page, shot)
    submit(page, "确认报送")
    flashed(page, f"{title}已报送")


# ---------------------------------------------------------------- the journey

def test_level_two_accident_from_call_to_closure(live_app, page, chromium_browser):
    make_accounts(live_app)
    leader_context = new_context(chromium_browser, accept_downloads=True)
    leader = leader_context.new_page()
    try:
        _journey(live_app, page, leader)
    except Exception:
        snap(leader, "FAILED-incident-journey-leader")
        raise
    finally:
        leader_context.close()


def _journey(app, page, leader) -> None:
    # 1. The duty officer signs in and lands on the desk.
    login(page, app.url, OFFICER[0], OFFICER[2])
    expect(page.get_by_role("heading", name="值班台", exact=True)).to_be_visible()
    expect(page.get_by_text("当前没有未完成的报告时限")).to_be_visible()

    # 2. A call: a tanker overturned two minutes ago — a level II (重大) accident.
    open_page(page, "接报登记")
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, second=0, microsecond=0)
    fill(page, "事件名称", TITLE)
    type_time(page, "事发时间", now - timedelta(minutes=1))
    fill(page, "事发地点", "柏泉大道与新沟路交叉口")
    fill(page, "来源说明", "交警柏泉中队")
    fill(page, "来电人", "刘警官")
    fill(page, "来电号码", "13912345678")
    choose(page, "事件类别", "事故灾难")
    choose(page, "事件等级", "重大")
    fill(page, "基本情况", "一辆危化品槽车侧翻，少量液体泄漏，已封闭路口")
    snap(page, "incident-01-intake")
    submit(page, "登记接报")
    flashed(page, f"已登记「{TITLE}」")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("首接负责人")).to_be_visible()
    snap(page, "incident-02-detail-clocks")

    # 3. The desk shows the 10-minute phone clock to the district duty office, counting down.
    open_page(page, "值班台")
    card = page.locator("[class*='st-key-desk_card_']").filter(
        has_text="区政府办公室总值班室（电话）")
    expect(card).to_contain_text(TITLE)
    expect(card).to_contain_text(re.compile(r"剩余 [0-9]分[0-9]{2}秒"))
    expect(card.get_by_role("link", name="登记电话报告")).to_be_visible()
    snap(page, "incident-03-desk-ten-minute-clock")
    shown = re.search(r"剩余 [0-9]分[0-9]{2}秒", card.inner_text()).group(0)
    expect(card).not_to_contain_text(shown, timeout=15_000)   # the countdown ticks by itself
    settle(page)

    # 4. One click to the phone-report form; the call is recorded.
    card.get_by_role("link", name="登记电话报告").click()
    settle(page)
    panel = page.get_by_role("tabpanel", name="电话报告")
    expect(panel).to_be_visible()
    fill(panel, "电话报告内容", "已电话报告区总值班室、区应急管理局及街道领导：槽车侧翻，少量泄漏，路口已封闭")
    submit(page, "登记电话报告")
    flashed(page, "满足时限：")
    snap(page, "incident-04-phone-report")

    # 5. The written initial report: prefilled; the casualties are not known yet.
    panel = tab(page, "书面报告")
    expect(panel.get_by_text("起草书面报告")).to_be_visible()
    for label, text in [("事件起因和性质", "槽车转弯侧翻，安全生产事故"),
                        ("影响范围", "路口周边 200 米"), ("事件发展趋势", "泄漏已控制"),
                        ("处置情况", "消防、交警到场处置，封闭路口"),
                        ("拟采取的措施", "转运残液，疏导交通"),
                        ("下一步工作建议", "请区应急管理局派员指导")]:
        fill(panel, label, text)
    submit(page, "保存首报草稿")
    flashed(page, "首报草稿已保存")
    panel = tab(page, "书面报告")
    expect(panel.get_by_text("缺少：已造成的后果")).to_be_visible()   # the completeness check
    snap(page, "incident-05-initial-draft-completeness")
    submit(page, "提交签发")                        # 特急: may go with the gap (第十八、十九条)
    flashed(page, "首报已提交带班领导签发")

    # 6. The shift leader signs it off in the approvals queue.
    login(leader, app.url, LEADER[0], LEADER[2])
    open_page(leader, "审批")
    leader_signs_off(leader, f"{TITLE} · 首报", shot="incident-06-leader-approvals")

    # 7. The officer marks it sent; the .docx is one click away.
    send_signed(page, "首报", shot="incident-07-send-form")
    panel = tab(page, "书面报告")
    with page.expect_download() as download:
        panel.get_by_role("button", name="下载首报（Word）").click()
    data = open(download.value.path(), "rb").read()
    from docx import Document
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "首报" in text and "李主任" in text, text[:500]
    snap(page, "incident-08-initial-sent")

    # 8. Follow-up (续报一): the casualties found, what changed said.
    panel = tab(page, "书面报告")
    fill(panel, "新进展、新情况（与上次报告相比）", "查明伤亡：驾驶员轻伤送医，无人员死亡、失踪")
    for label, value in (("死亡人数", "0"), ("受伤人数", "1"), ("失踪人数", "0")):
        fill(panel, label, value)
    submit(page, "保存续报草稿")
    panel = tab(page, "书面报告")
    expect(panel.get_by_text("十一项要素已齐全")).to_be_visible()
    expect(panel.get_by_text(re.compile("有变化的要素：.*已造成的后果"))).to_be_visible()
    snap(page, "incident-09-follow-up-draft")
    submit(page, "提交签发")
    flashed(page, "续报一已提交带班领导签发")
    leader_signs_off(leader, f"{TITLE} · 续报一")
    send_signed(page, "续报一")

    # 9. Final report (终报).
    panel = tab(page, "书面报告")
    panel.get_by_role("radio", name="终报").click()
    settle(page)
    panel = tab(page, "书面报告")
    fill(panel, "新进展、新情况（与上次报告相比）", "残液转运完毕，道路恢复通行，处置结束")
    fill(panel, "事件发展趋势", "已处置完毕")
    submit(page, "保存终报草稿")
    submit(page, "提交签发")
    flashed(page, "终报已提交带班领导签发")
    leader_signs_off(leader, f"{TITLE} · 终报")
    send_signed(page, "终报")

    # 10. Closure: requested by the officer, approved by the leader.
    panel = tab(page, "处置与交接")
    fill(panel, "关闭说明", "处置完毕，道路恢复通行")
    submit(page, "申请关闭")
    flashed(page, "已申请关闭")
    press(leader, "刷新")
    closure = leader.locator("[class*='st-key-closure_card_']").filter(has_text=TITLE)
    expect(closure).to_contain_text("处置完毕，道路恢复通行")
    snap(leader, "incident-10-leader-closure")
    closure.get_by_test_id("stFormSubmitButton").get_by_role("button", name="批准关闭").click()
    settle(leader)
    flashed(leader, f"已批准关闭「{TITLE}」")

    # 11. The incident is closed; its timeline keeps every step in time order (第十三条).
    refresh_detail(page)
    expect(page.get_by_text("已关闭").first).to_be_visible()
    timeline = tab(page, "时间线")
    expect(timeline.get_by_test_id("stDataFrame")).to_be_visible()
    snap(page, "incident-11-closed-timeline")
    open_page(page, "值班台")
    expect(page.get_by_text("当前没有未完成的报告时限")).to_be_visible()
    snap(page, "incident-12-desk-clear")
