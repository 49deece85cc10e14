"""The roster and shift journey in real Chromium, against a live server on a fresh database.

Set up through the services against the live app's database: a street office and a
village with eight trained permanent duty officers, three shift leaders and a temporary
worker; an office admin and an account for every duty officer; the holiday table. Then in
the browser:

office admin: creates the flood season on 节假日与特殊时期 → plans the month of the shift
running now with the auto-scheduler (双人值班, 第九条) → no violations → tries to put the
temporary worker on a shift → refused citing 第九条 → publishes.
duty officer of the running shift: checks in → flagged late (第十四条; the shift began
before now, so the check-in is late by construction) → an open incident arrives →
hands over: summary, equipment, the incident passed on → confirms → the incoming officer
signs with their password on the outgoing screen → the responsibility shows (第十四条).
incoming officer: sees the item on their own login and records the follow-up.
Screenshots in test-artifacts/roster-*.png.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import sessionmaker

from duty_support import PASSWORD, make_actor, make_person, make_unit
from harness import (  # noqa: F401  (chromium_browser, live_app, page: fixtures)
    chromium_browser, choose, expand, live_app, login, logout, open_page, page, settle, snap,
)
from models import db as dbmod
from models.db import make_engine
from rules.staffing import month_days
from services import calendar, clock, rosters
from services.permissions import SYSTEM_ACTOR

pytestmark = pytest.mark.browser

OFFICERS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]
LEADERS = ["周主任", "吴主任", "郑主任"]
VILLAGE = "柏泉村"
TEMP = "临时工刘某"
SHIFT_START = (8, 30)        # the 24-hour template: 08:30 → 08:30


def _month_after(year: int, month: int) -> tuple[int, int]:
    return (year + month // 12, month % 12 + 1)


def _running_shift_day(now_local: datetime) -> date:
    """The day the 24-hour shift running now began (before 08:30 it began yesterday)."""
    start = now_local.replace(hour=SHIFT_START[0], minute=SHIFT_START[1], second=0, microsecond=0)
    return (start if now_local >= start else start - timedelta(days=1)).date()


@pytest.fixture
def street(live_app):
    """The live app's database, filled through the services."""
    engine = make_engine(f"sqlite:///{live_app.data_dir / 'dutydesk.sqlite'}")   # as config.py
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        # Keep clear of a shift change: the journey needs the running shift to last.
        now_local = clock.local(clock.now())
        change = now_local.replace(hour=SHIFT_START[0], minute=SHIFT_START[1], second=0, microsecond=0)
        if timedelta(0) <= change - now_local < timedelta(minutes=4):
            time.sleep((change - now_local).total_seconds() + 5)
        years = {clock.local(clock.now()).year, clock.local(clock.now()).year + 1}
        calendar.seed_holidays(SYSTEM_ACTOR, sorted(years))
        make_unit("柏泉街道办事处", kind="street_office", duty_phone="027-83880000")
        unit_id = make_unit(VILLAGE, duty_phone="027-83881234")
        make_unit("径河村", duty_phone="027-83885678")   # no roster: red on the board
        staff = [make_person(unit_id, n) for n in OFFICERS]
        staff += [make_person(unit_id, n, can_lead=True) for n in LEADERS]
        make_person(unit_id, TEMP, employment="temporary")
        admin = make_actor("office", {"office_admin"})
        # The scheduler may put anyone eligible on duty, leaders too: everyone gets an account.
        accounts = {pid: make_actor(f"duty{n}", {"duty_officer"}, unit_id, pid)
                    for n, pid in enumerate(staff, start=1)}
        yield {"unit_id": unit_id, "admin": admin, "accounts": accounts}
    finally:
        dbmod.configure(None)
        engine.dispose()


def fill_date(page, scope, label: str, day: date) -> None:
    """Type a date into a Streamlit date field (segments year, month, day, as YYYY-MM-DD)."""
    segments = scope.get_by_role("group", name=label, exact=True).get_by_role("spinbutton")
    segments.first.click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.keyboard.press("Tab")


def test_plan_publish_check_in_and_sign_the_handover(live_app, page, street):
    from services import incidents

    started = time.monotonic()
    now_local = clock.local(clock.now())
    shift_day = _running_shift_day(now_local)
    year, month = shift_day.year, shift_day.month
    next_year, next_month = _month_after(year, month)
    flood_first, flood_last = date(year, month, 1), month_days(next_year, next_month)[-1]

    # 1. The office admin creates the flood season (双人值班, 第九条).
    page.goto(live_app.url)
    settle(page)
    login(page, "office", PASSWORD)
    open_page(page, "节假日与特殊时期")
    expect(page.get_by_text("法定节假日").first).to_be_visible()
    snap(page, "roster-01-holidays")
    page.get_by_role("tab", name="特殊时期").click()
    expand(page, "新增特殊时期")
    form = page.locator("details", has_text="新增特殊时期").first
    form.get_by_label("名称", exact=True).fill("防汛期（演练）")
    fill_date(page, form, "开始日期", flood_first)
    fill_date(page, form, "结束日期（含当日）", flood_last)
    form.get_by_test_id("stFormSubmitButton").get_by_role("button", name="新增特殊时期").click()
    settle(page)
    expect(page.get_by_text("已新增防汛期「防汛期（演练）」")).to_be_visible()
    [period] = calendar.list_special_periods(street["admin"])
    assert (period.kind, clock.local(period.starts_at).date(), period.requirements) == (
        "flood_season", flood_first, "双人专职24小时值班（第九条）")
    snap(page, "roster-02-flood-season")

    # 2. The month of the running shift, auto-scheduled: no violations.
    open_page(page, "排班")
    choose(page, "单位", VILLAGE)
    choose(page, "月份", f"{year}年{month}月")
    # the seed and 自动排班 are one form (a click right after typing is not lost)
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="自动排班").click()
    settle(page)
    expect(page.get_by_text("符合值班规定，0处问题")).to_be_visible()
    expect(page.get_by_text("防汛期").first).to_be_visible()
    view = rosters.month_view(street["admin"], street["unit_id"], year, month)
    assert view.ok and all(len(r.officers) == 2 for r in view.shifts)
    snap(page, "roster-03-auto-scheduled")

    # 3. A temporary worker is refused (第九条); nothing changes.
    last = view.shifts[-1]
    page.locator(f".st-key-roster_pick_{last.id} button").first.click()   # 调整 in the last cell
    settle(page)
    expect(page.get_by_label("调整班次", exact=True)).to_have_value(last.label)
    choose(page, "值班员", f"{TEMP}（临时人员）")
    page.get_by_role("heading", name="排班").click()   # close the option list before saving
    settle(page)
    page.get_by_role("button", name="保存班次").click()
    settle(page)
    expect(page.get_by_text(f"{TEMP}为临时人员，不得安排值班（第九条）")).to_be_visible()
    snap(page, "roster-04-temporary-worker-refused")
    after = rosters.month_view(street["admin"], street["unit_id"], year, month)
    assert next(r for r in after.shifts if r.id == last.id).officers == last.officers and after.ok

    # 4. Publish.
    page.get_by_role("button", name="发布").click()
    settle(page)
    expect(page.get_by_text(f"{year}年{month}月值班表已发布", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="撤回发布")).to_be_visible()
    snap(page, "roster-05-published")
    expand(page, "Excel 与日历文件")
    expect(page.get_by_role("button", name="下载个人日历（.ics）")).to_be_visible()
    page.wait_for_timeout(500)   # the expander's opening animation
    snap(page, "roster-05b-files")
    with page.expect_download() as download:
        page.get_by_role("button", name="本单位日历（.ics）").click()
    assert download.value.suggested_filename == f"{VILLAGE}{year}年{month}月值班表.ics"
    assert open(download.value.path(), "rb").read().startswith(b"BEGIN:VCALENDAR")
    settle(page)

    # The incoming shift may be the next month's first: plan that month too (services).
    running = next(r for r in after.shifts if r.day == shift_day)
    incoming = next((r for r in after.shifts if r.day == shift_day + timedelta(days=1)), None)
    if incoming is None:
        report = rosters.auto_schedule_month(street["admin"], street["unit_id"], next_year, next_month)
        assert report.ok, [v.message for v in report.violations]
        rosters.publish(street["admin"], report.roster_id, report.roster_version)
        incoming = rosters.month_view(street["admin"], street["unit_id"], next_year, next_month).shifts[0]
    logout(page)

    # 5. The running shift's officer checks in: the shift began before now → late (第十四条).
    out = street["accounts"][running.officers[0].id]
    inc = street["accounts"][incoming.officers[0].id]
    login(page, out.username, PASSWORD)
    open_page(page, "当班")
    page.get_by_role("button", name="到岗签到").click()
    settle(page)
    expect(page.get_by_text("迟到：未在班次开始前10分钟到岗（第十四条）")).to_be_visible()
    snap(page, "roster-06-late-check-in")
    open_page(page, "换班/替班")
    expect(page.get_by_role("heading", name="申请换班或替班")).to_be_visible()
    snap(page, "roster-06b-swaps")
    open_page(page, "当班")

    # 6. An incident comes in and stays open; the handover passes it on.
    incidents.receive(out, incidents.IntakeInput(
        title="巨龙大道路段积水", occurred_at=clock.now() - timedelta(minutes=20), place="巨龙大道",
        category="natural_disaster", source_kind="phone", level="IV"))
    page.get_by_role("button", name="开始交班").click()   # the open items are gathered now
    settle(page)
    page.get_by_label("值班情况", exact=True).fill("本班接报道路积水1起，已通知社区处置，尚未办结。")
    for group in page.get_by_role("radiogroup").all():
        group.get_by_text("正常", exact=True).click()
    item = page.get_by_role("checkbox", name="交接：突发事件「巨龙大道路段积水」", exact=False)
    expect(item).to_be_checked()
    snap(page, "roster-07-handover-written")
    page.get_by_role("button", name="保存交接内容").click()
    settle(page)
    expect(page.get_by_text("交接内容已保存")).to_be_visible()
    page.get_by_role("button", name="交班确认").click()
    settle(page)
    expect(page.get_by_text("交班人员已确认，请接班人员签字").first).to_be_visible()

    # 7. The incoming officer signs on this screen with their own password.
    expect(page.get_by_label("接班人员", exact=True)).to_have_value(
        f"{incoming.officers[0].name}（{inc.username}）")
    page.get_by_label("接班人员密码", exact=True).fill(PASSWORD)
    snap(page, "roster-08-incoming-signs")
    page.get_by_role("button", name="接班签字确认").click()
    settle(page)
    expect(page.get_by_text("交接完成：双方已签字").first).to_be_visible()
    expect(page.get_by_text("已交接，待接班人员跟踪办理（第十四条）").first).to_be_visible()
    snap(page, "roster-09-responsibility")

    open_page(page, "在岗情况")
    expect(page.get_by_text("2个单位当前无人值班")).to_be_visible()
    snap(page, "roster-10-duty-board")
    logout(page)

    # 8. The incoming officer follows the item up on their own login.
    login(page, inc.username, PASSWORD)
    open_page(page, "当班")
    expect(page.get_by_text("巨龙大道路段积水").first).to_be_visible()
    page.get_by_role("button", name="已跟踪办理").click()
    settle(page)
    expect(page.get_by_text("已交接，接班人员已跟踪办理（第十四条）").first).to_be_visible()
    snap(page, "roster-11-followed-up")
    assert time.monotonic() - started < 180
