"""What the roster and shift pages need beyond the core services, on SQLite and PostgreSQL:
the month's calendar marks (第九、十条), the shifts a swap can offer, the incoming officers
who may sign a handover, and a handover saved in one go with which items are passed on
(第十三、十四条)."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from duty_support import PASSWORD, make_actor, make_street, make_unit
from models.audit import AuditEvent
from services import calendar, open_items, rosters, shifts
from services.errors import ConcurrentEditError, DomainError, PermissionDenied
from services.permissions import SYSTEM_ACTOR
from services.uow import reading

OPEN: list[open_items.OpenItem] = []


@pytest.fixture
def provider():
    OPEN.clear()
    open_items.register("page_item", lambda s, unit_id, now: [i for i in OPEN if i.unit_id == unit_id],
                        label="测试事项")
    yield OPEN
    open_items.unregister("page_item")
    OPEN.clear()


@pytest.fixture
def july(db, frozen_clock):
    calendar.seed_holidays(SYSTEM_ACTOR, [2026])
    street = make_street()
    admin = make_actor("office", {"office_admin"})
    rosters.auto_schedule_month(admin, street.unit_id, 2026, 7, seed=1)
    view = rosters.month_view(admin, street.unit_id, 2026, 7)
    rosters.publish(admin, view.roster_id, view.roster_version)
    view = rosters.month_view(admin, street.unit_id, 2026, 7)
    a, b = view.shifts[:2]
    out = make_actor("officer_a", {"duty_officer"}, street.unit_id, a.officers[0].id)
    inc = make_actor("officer_b", {"duty_officer"}, street.unit_id, b.officers[0].id)
    return SimpleNamespace(street=street, admin=admin, view=view, a=a, b=b, out=out, inc=inc,
                           clock=frozen_clock)


def _on_duty_handover(t):
    t.clock.set(t.a.starts_at - timedelta(minutes=15))
    shifts.check_in(t.out, t.a.id)
    return shifts.start_handover(t.out, t.a.id)


# ---------------------------------------------------------------- the month's marks

def test_month_marks_show_holidays_adjusted_days_and_the_units_periods(db, frozen_clock):
    admin = make_actor("office", {"office_admin"})
    calendar.seed_holidays(admin, [2026])
    mine, other = make_unit("柏泉村"), make_unit("径河村")
    start, end = calendar.whole_days(date(2026, 10, 1), date(2026, 10, 15))
    calendar.create_special_period(admin, calendar.PeriodData("flood_season", "2026年防汛期", start, end))
    start, end = calendar.whole_days(date(2026, 10, 20), date(2026, 10, 21))
    calendar.create_special_period(admin, calendar.PeriodData(
        "sensitive", "重要会议", start, end, unit_ids=(other,)))

    marks = calendar.month_marks(admin, mine, 2026, 10)
    flood = calendar.PeriodMark("防汛期", "2026年防汛期", "双人专职24小时值班（第九条）")
    assert marks[date(2026, 10, 1)] == calendar.DayMark(date(2026, 10, 1), "国庆节", None, (flood,))
    assert str(flood) == "防汛期「2026年防汛期」：双人专职24小时值班（第九条）"
    assert marks[date(2026, 10, 10)].adjusted_working_day == "国庆节"
    assert marks[date(2026, 10, 15)].periods and date(2026, 10, 16) not in marks
    assert date(2026, 10, 20) not in marks     # the sensitive period is the other unit's
    [meeting] = calendar.month_marks(admin, other, 2026, 10)[date(2026, 10, 20)].periods
    assert (meeting.kind_label, meeting.requirements) == (
        "特殊敏感时期", "双人专职24小时值班（第九条）；领导24小时在岗带班（第十条）")
    clerk = make_actor("clerk", {"unit_duty_officer"}, unit_id=other)
    assert date(2026, 10, 20) in calendar.month_marks(clerk, other, 2026, 10)
    for outsider, unit in ((clerk, mine), (make_actor("sysadm", {"system_admin"}), mine)):
        with pytest.raises(PermissionDenied):
            calendar.month_marks(outsider, unit, 2026, 10)


# ---------------------------------------------------------------- swaps

def test_swappable_shifts_are_published_not_started_and_the_persons(july):
    pid = july.a.officers[0].id
    july.clock.set(july.a.starts_at + timedelta(minutes=1))    # A has started
    offered = rosters.swappable_shifts(july.out, pid)
    mine = [r for r in july.view.shifts if pid in {o.id for o in r.officers}
            or (r.leader and r.leader.id == pid)]
    assert [c.id for c in offered] == [r.id for r in mine if r.starts_at > july.clock.current]
    assert offered and july.a.id not in [c.id for c in offered]
    assert offered[0].role_label == "值班" and offered[0].label.endswith("班次")
    rosters.unpublish(july.admin, july.view.roster_id, rosters.month_view(
        july.admin, july.street.unit_id, 2026, 7).roster_version)
    assert rosters.swappable_shifts(july.out, pid) == []        # a draft offers nothing


# ---------------------------------------------------------------- the handover

def test_incoming_signers_are_the_incoming_officers_with_accounts(july, provider):
    draft = _on_duty_handover(july)
    signers = shifts.incoming_signers(july.out, draft.id)
    assert [(s.user_id, s.person_id) for s in signers] == [(july.inc.user_id, july.b.officers[0].id)]
    assert signers[0].label == f"{july.b.officers[0].name}（officer_b）"
    with pytest.raises(PermissionDenied):
        shifts.incoming_signers(make_actor("sysadm", {"system_admin"}), draft.id)


def test_save_handover_passes_items_on_in_the_same_save(july, provider):
    provider.append(open_items.OpenItem("page_item", "1", "暴雨预警落实情况", july.street.unit_id))
    provider.append(open_items.OpenItem("page_item", "2", "领导批示待反馈", july.street.unit_id))
    draft = _on_duty_handover(july)
    first, second = draft.items
    checks = [shifts.EquipmentCheck(i, True) for i in shifts.equipment_items()]
    version = shifts.save_handover(july.out, draft.id, draft.version, "平稳", checks,
                                   {first.id: False, second.id: True})
    view = shifts.handover_view(july.admin, draft.id)
    assert view.version == version and [i.passed_on for i in view.items] == [False, True]
    assert view.items[0].finding == "not_handed_over"
    with reading() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "handover.save")
                          .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.details["items"] == [{"item_id": first.id, "passed_on": False}]
    with pytest.raises(ConcurrentEditError):
        shifts.save_handover(july.out, draft.id, draft.version, "平稳", checks)
    with pytest.raises(DomainError, match="有事项不在本次交接中"):
        shifts.save_handover(july.out, draft.id, version, "平稳", checks, {999999: True})
    confirmed = shifts.confirm_outgoing(july.out, draft.id, version)
    signed = shifts.confirm_incoming(july.out, draft.id, confirmed.version, PASSWORD,
                                     signer_user_id=july.inc.user_id)
    assert [(i.responsible, i.finding) for i in signed.items] == [
        ("outgoing", "not_handed_over"), ("incoming", "pending")]
