"""The live shift (第十三、十四条) through the services, on SQLite and PostgreSQL: check-in
and the 10-minute rule, the signed handover with the equipment check and open items, who
answers for each open item, and the board of who is on duty now."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from conftest import SelectCounter
from duty_support import PASSWORD, make_actor, make_street, make_unit
from models.audit import AuditEvent
from models.roster import Shift
from rules.handover import ItemFacts, responsibility
from services import calendar, open_items, rosters, shifts
from services.errors import ConcurrentEditError, DomainError, PermissionDenied, ValidationError
from services.permissions import SYSTEM_ACTOR
from services.uow import reading, transaction
from workflows import shift as shift_flow
from workflows.errors import TransitionRefused

OPEN: list[open_items.OpenItem] = []


def _provider(s, unit_id, now):
    return [item for item in OPEN if item.unit_id == unit_id]


@pytest.fixture
def provider():
    OPEN.clear()
    open_items.register("test_item", _provider, label="测试事项")
    yield OPEN
    open_items.unregister("test_item")
    OPEN.clear()


@pytest.fixture
def july(db, frozen_clock):
    """A published July for one unit; A, B, C are the first three shifts and their officers."""
    calendar.seed_holidays(SYSTEM_ACTOR, [2026])
    street = make_street()
    admin = make_actor("office", {"office_admin"})
    rosters.auto_schedule_month(admin, street.unit_id, 2026, 7, seed=1)
    view = rosters.month_view(admin, street.unit_id, 2026, 7)
    rosters.publish(admin, view.roster_id, view.roster_version)
    view = rosters.month_view(admin, street.unit_id, 2026, 7)
    a, b, c = view.shifts[:3]
    actors = {}
    for key, row in (("a", a), ("b", b), ("c", c)):
        pid = row.officers[0].id
        actors[key] = actors.get(pid) or make_actor(f"officer_{key}", {"duty_officer"},
                                                   unit_id=street.unit_id, person_id=pid)
        actors[pid] = actors[key]
    return SimpleNamespace(street=street, admin=admin, a=a, b=b, c=c, clock=frozen_clock,
                           actor=actors, unit_id=street.unit_id)


def _state(shift_id):
    with reading() as s:
        return s.get(Shift, shift_id).state


def _events(action):
    with reading() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars())


def _all_ok():
    return [shifts.EquipmentCheck(i, True) for i in shifts.equipment_items()]


def _on_duty(t):
    """A's officer checks in on time; B's officer arrives ten minutes early."""
    t.clock.set(t.a.starts_at - timedelta(minutes=15))
    shifts.check_in(t.actor["a"], t.a.id)
    t.clock.set(t.b.starts_at - timedelta(minutes=12))
    shifts.check_in(t.actor["b"], t.b.id)


def _prepared(t, items=()):
    """A's officer writes the handover and confirms it."""
    _on_duty(t)
    view = shifts.start_handover(t.actor["a"], t.a.id)
    version = shifts.save_handover(t.actor["a"], view.id, view.version, "本班接报来电3起，已处理2起。", _all_ok())
    for item_id, passed_on in items:
        version = shifts.set_item_passed_on(t.actor["a"], view.id, version, item_id, passed_on)
    return shifts.confirm_outgoing(t.actor["a"], view.id, version)


# ---------------------------------------------------------------- check-in (第十四条)

def test_check_in_exactly_ten_minutes_before_is_on_time_article_14(july):
    july.clock.set(july.a.starts_at - timedelta(minutes=10))
    result = shifts.check_in(july.actor["a"], july.a.id)
    assert not result.late and result.state == "on_duty" and "提前10分钟" in result.message
    assert _state(july.a.id) == "on_duty"


def test_check_in_one_second_later_is_late_article_14(july):
    july.clock.set(july.b.starts_at - timedelta(minutes=10) + timedelta(seconds=1))
    result = shifts.check_in(july.actor["b"], july.b.id)
    assert result.late and result.message == "迟到：未在班次开始前10分钟到岗（第十四条）"
    brief = shifts.shift_brief(july.admin, july.b.id)
    assert [(c.name, c.late) for c in brief.check_ins] == [(july.b.officers[0].name, True)]
    assert _events("shift.check_in")[-1].details["late"] is True


def test_check_in_only_for_ones_own_shift_and_only_once(july):
    july.clock.set(july.a.starts_at - timedelta(minutes=30))
    with pytest.raises(PermissionDenied):   # B's officer is never A's (rest rule)
        shifts.check_in(july.actor["b"], july.a.id)
    shifts.check_in(july.actor["a"], july.a.id)
    with pytest.raises(DomainError, match="您已于"):
        shifts.check_in(july.actor["a"], july.a.id)


def test_check_in_window(july):
    july.clock.set(july.a.starts_at - timedelta(hours=3))
    with pytest.raises(DomainError, match="签到时间未到"):
        shifts.check_in(july.actor["a"], july.a.id)
    july.clock.set(july.a.ends_at)
    with pytest.raises(DomainError, match="已结束"):
        shifts.check_in(july.actor["a"], july.a.id)


def test_my_shifts(july):
    july.clock.set(july.a.starts_at - timedelta(minutes=30))
    mine = shifts.my_shifts(july.actor["a"])
    assert mine[0].id == july.a.id and mine[0].role == "officer" and mine[0].state_label == "待值班"


class _Reads(SelectCounter):
    """The statements that read, a WITH … SELECT included."""

    def count(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.append(statement)


def test_my_shifts_in_one_statement_with_people_check_ins_and_handovers(july, provider):
    """The actor's shifts with their unit, officers, leader, check-ins and handovers: one
    statement, however many of each (five before: officers, names, units, check-ins and
    handovers read one after another)."""
    july.clock.set(july.a.starts_at - timedelta(minutes=30))
    with _Reads() as before:
        bare = shifts.my_shifts(july.actor["a"])
    view = _prepared(july)
    with _Reads() as after:
        mine = shifts.my_shifts(july.actor["a"])
    assert len(before) == len(after) == 1
    a = next(b for b in mine if b.id == july.a.id)
    assert [b.id for b in bare] == [b.id for b in mine]
    assert a.unit_name == "柏泉村"
    assert [o.name for o in a.officers] == [o.name for o in july.a.officers]
    assert a.leader == july.a.leader
    assert [(c.person_id, c.name, c.late) for c in a.check_ins] == [
        (july.a.officers[0].id, july.a.officers[0].name, False)]
    assert a.outgoing_handover_id == view.id and a.role == "officer" and a.state == "on_duty"
    b = shifts.shift_brief(july.admin, july.b.id)
    assert b.incoming_handover_id == view.id and b.role is None
    assert view.outgoing == shifts.shift_brief(july.admin, july.a.id)
    assert view.incoming == b
    # the handover with its items and names, then both shifts' briefs (nine before)
    with _Reads() as reads:
        again = shifts.handover_view(july.admin, view.id)
    assert len(reads) == 2 and again == view


# ---------------------------------------------------------------- the handover (第十三、十四条)

def test_handover_both_signed_moves_both_shifts_in_one_transaction(july, provider):
    view = _prepared(july)
    assert view.outgoing_confirmed_by == "officer_a" and view.state == "draft"
    assert _state(july.a.id) == "on_duty" and _state(july.b.id) == "on_duty"
    july.clock.set(july.b.starts_at - timedelta(minutes=5))
    signed = shifts.confirm_incoming(july.actor["b"], view.id, view.version, PASSWORD)
    assert signed.signed and signed.incoming_confirmed_by == "officer_b"
    assert (signed.outgoing.state, signed.incoming.state) == ("handed_over", "on_duty")
    assert _state(july.a.id) == "handed_over" and _state(july.b.id) == "on_duty"
    assert [e.item for e in signed.equipment] == list(shifts.DEFAULT_EQUIPMENT)
    moves = [(e.details["from"], e.details["to"]) for e in _events("shift.transition")]
    assert ("on_duty", "handed_over") in moves


def test_a_failure_while_signing_leaves_both_shifts_unchanged(july, provider, monkeypatch):
    view = _prepared(july)
    real = shifts.audit.record

    def failing(s, actor, action, *args, **kw):
        if action == "handover.sign_incoming":
            raise RuntimeError("disk full")
        return real(s, actor, action, *args, **kw)

    monkeypatch.setattr(shifts.audit, "record", failing)
    with pytest.raises(RuntimeError):
        shifts.confirm_incoming(july.actor["b"], view.id, view.version, PASSWORD)
    monkeypatch.undo()
    assert _state(july.a.id) == "on_duty" and _state(july.b.id) == "on_duty"
    assert shifts.handover_view(july.admin, view.id).state == "draft"


def test_wrong_password_is_refused_and_audited(july, provider):
    view = _prepared(july)
    with pytest.raises(DomainError, match="接班人员密码不正确") as err:
        shifts.confirm_incoming(july.actor["b"], view.id, view.version, "not-the-password")
    assert err.value.field == "password"
    failure = _events("handover.sign_incoming")[-1]
    assert failure.outcome == "failure" and failure.details["reason"] == "bad_password"
    assert _state(july.a.id) == "on_duty"
    assert shifts.handover_view(july.admin, view.id).state == "draft"


def test_the_incoming_officer_may_sign_on_the_outgoing_screen(july, provider):
    view = _prepared(july)
    signed = shifts.confirm_incoming(july.actor["a"], view.id, view.version, PASSWORD,
                                     signer_user_id=july.actor["b"].user_id)
    assert signed.signed and signed.incoming_confirmed_by == "officer_b"
    with pytest.raises(DomainError):
        shifts.confirm_incoming(july.actor["a"], view.id, signed.version, PASSWORD)


def test_outgoing_confirmation_needs_summary_and_equipment_articles_13_23(july, provider):
    _on_duty(july)
    view = shifts.start_handover(july.actor["a"], july.a.id)
    assert [e.ok for e in view.equipment] == [None] * 7
    with pytest.raises(ValidationError) as err:
        shifts.confirm_outgoing(july.actor["a"], view.id, view.version)
    assert "值班情况：不能为空，请写明本班值班情况（第十三、十四条）" in err.value.problems
    assert "设备运行情况：「传真机」尚未检查（第十三、二十三条）" in err.value.problems
    faulty = [shifts.EquipmentCheck(e, e != "传真机") for e in shifts.equipment_items()]
    with pytest.raises(ValidationError, match="「传真机」有故障，请填写故障说明"):
        shifts.save_handover(july.actor["a"], view.id, view.version, "平稳", faulty)
    faulty[1] = shifts.EquipmentCheck("传真机", False, "卡纸，已报修")
    version = shifts.save_handover(july.actor["a"], view.id, view.version, "平稳", faulty)
    confirmed = shifts.confirm_outgoing(july.actor["a"], view.id, version)
    assert [e.item for e in confirmed.faults] == ["传真机"]
    with pytest.raises(ConcurrentEditError):
        shifts.save_handover(july.actor["a"], view.id, view.version, "x", _all_ok())


def test_only_the_incoming_shifts_officer_signs(july, provider):
    view = _prepared(july)
    other = make_actor("outsider", {"duty_officer"})
    with pytest.raises(PermissionDenied):
        shifts.confirm_incoming(other, view.id, view.version, PASSWORD)


def test_a_new_open_item_after_confirmation_blocks_the_signature(july, provider):
    view = _prepared(july)
    provider.append(open_items.OpenItem("test_item", "9", "新来电：村道塌方", july.unit_id))
    with pytest.raises(DomainError, match="新的未尽事宜尚未列入交接"):
        shifts.confirm_incoming(july.actor["b"], view.id, view.version, PASSWORD)
    view = shifts.refresh_open_items(july.actor["a"], view.id, view.version)
    assert view.outgoing_confirmed_at is None and [i.ref_id for i in view.items] == ["9"]


# ---------------------------------------------------------------- responsibility (第十四条)

def test_item_not_passed_on_is_the_outgoing_officers(july, provider):
    provider.append(open_items.OpenItem("test_item", "1", "暴雨预警落实情况", july.unit_id))
    _on_duty(july)
    draft = shifts.start_handover(july.actor["a"], july.a.id)
    item = draft.items[0]
    assert (item.kind_label, item.title, item.responsible, item.finding) == (
        "测试事项", "暴雨预警落实情况", "outgoing", "awaiting_handover")
    version = shifts.save_handover(july.actor["a"], draft.id, draft.version, "平稳", _all_ok())
    version = shifts.set_item_passed_on(july.actor["a"], draft.id, version, item.id, False)
    view = shifts.confirm_outgoing(july.actor["a"], draft.id, version)
    signed = shifts.confirm_incoming(july.actor["b"], view.id, view.version, PASSWORD)
    item = signed.items[0]
    assert (item.responsible, item.finding, item.responsible_label) == ("outgoing", "not_handed_over", "交班人员")
    assert item.responsible_person.id == july.a.officers[0].id
    assert item.message == "未交接：交班人员负全责（第十四条）"
    july.clock.advance(days=3)   # nothing later changes it
    assert shifts.handover_view(july.admin, view.id).items[0].finding == "not_handed_over"


def test_item_passed_on_acknowledged_not_acted_on_is_the_incoming_officers(july, provider):
    provider.append(open_items.OpenItem("test_item", "2", "区总值班室核报：某路段积水", july.unit_id))
    view = _prepared(july)
    signed = shifts.confirm_incoming(july.actor["b"], view.id, view.version, PASSWORD)
    item = signed.items[0]
    assert item.acknowledged_at == signed.incoming_confirmed_at
    assert (item.responsible, item.finding) == ("incoming", "pending")
    assert item.responsible_person.id == july.b.officers[0].id
    # B's shift ends and B hands over to C without having followed the item up.
    july.clock.set(july.c.starts_at - timedelta(minutes=20))
    shifts.check_in(july.actor["c"], july.c.id)
    nxt = shifts.start_handover(july.actor["b"], july.b.id)
    version = shifts.save_handover(july.actor["b"], nxt.id, nxt.version, "平稳", _all_ok())
    nxt = shifts.confirm_outgoing(july.actor["b"], nxt.id, version)
    shifts.confirm_incoming(july.actor["c"], nxt.id, nxt.version, PASSWORD)
    item = shifts.handover_view(july.admin, view.id).items[0]
    assert (item.responsible, item.finding) == ("incoming", "not_followed_up")
    assert item.message == "已交接但接班人员未跟踪办理落实：接班人员负全责（第十四条）"
    assert item.responsible_person.id == july.b.officers[0].id


def test_item_followed_up_during_the_incoming_shift_is_carried_on(july, provider):
    provider.append(open_items.OpenItem("test_item", "3", "领导批示待反馈", july.unit_id))
    provider.append(open_items.OpenItem("test_item", "4", "市长热线代办事项", july.unit_id))
    view = _prepared(july)
    signed = shifts.confirm_incoming(july.actor["b"], view.id, view.version, PASSWORD)
    july.clock.advance(hours=2)
    row = shifts.mark_item_acted_on(july.actor["b"], signed.items[0].id)
    assert (row.responsible, row.finding) == ("incoming", "carried_on")
    with pytest.raises(PermissionDenied):   # only the incoming shift carries on
        shifts.mark_item_acted_on(july.actor["a"], signed.items[1].id)
    with transaction() as s:   # another service records an action on the item
        assert shifts.record_item_action(s, "test_item", "4") == 1
    items = shifts.handover_view(july.admin, view.id).items
    assert [i.finding for i in items] == ["carried_on", "carried_on"]


def test_responsibility_rule_in_each_case_article_14():
    t0 = datetime(2026, 7, 2, 0, 30, tzinfo=timezone.utc)
    end = t0 + timedelta(hours=24)
    cases = [
        (ItemFacts(False, None, None, end), t0, ("outgoing", "not_handed_over")),
        (ItemFacts(True, None, None, end), t0, ("outgoing", "awaiting_handover")),
        (ItemFacts(True, t0, None, end), t0 + timedelta(hours=1), ("incoming", "pending")),
        (ItemFacts(True, t0, t0 + timedelta(hours=3), end), end + timedelta(hours=1),
         ("incoming", "carried_on")),
        (ItemFacts(True, t0, None, end), end, ("incoming", "not_followed_up")),
        (ItemFacts(True, t0, end + timedelta(minutes=1), end), end + timedelta(hours=1),
         ("incoming", "not_followed_up")),
    ]
    for facts, now, expected in cases:
        r = responsibility(facts, now)
        assert (r.party, r.finding) == expected and r.message.endswith("（第十四条）")


def test_open_item_registry(db, provider):
    provider.append(open_items.OpenItem("other_kind", "7", "事项", 1))
    provider.append(open_items.OpenItem("test_item", "7", "重复", 1))
    assert {"incident", "verification_request", "test_item"} <= set(open_items.kinds())
    assert open_items.kind_label("test_item") == "测试事项"
    with reading() as s:
        found = open_items.gather(s, 1, datetime.now(timezone.utc))
    assert [(o.kind, o.ref_id, o.title) for o in found] == [("test_item", "7", "事项")]


# ---------------------------------------------------------------- the shift machine

def test_shift_machine_steps_and_guards():
    m = SimpleNamespace(state="scheduled")
    with pytest.raises(TransitionRefused, match="须由本班次值班员签到"):
        shift_flow.fire(m, "check_in")
    assert shift_flow.fire(m, "check_in", by_duty_officer=True) == ("scheduled", "on_duty")
    with pytest.raises(TransitionRefused, match="接班人员尚未签字确认（第十四条）"):
        shift_flow.fire(m, "hand_over", outgoing_signed=True)
    assert m.state == "on_duty"
    assert shift_flow.fire(m, "hand_over", outgoing_signed=True, incoming_signed=True) == (
        "on_duty", "handed_over")
    for state, trigger in (("scheduled", "hand_over"), ("handed_over", "check_in"),
                           ("handed_over", "hand_over"), ("on_duty", "check_in")):
        with pytest.raises(TransitionRefused, match=shift_flow.STATE_LABELS[state]):
            shift_flow.fire(SimpleNamespace(state=state), trigger, by_duty_officer=True,
                            outgoing_signed=True, incoming_signed=True)


# ---------------------------------------------------------------- who is on duty now

def test_board_flags_units_without_cover_in_three_queries(july):
    make_unit("无人村", duty_phone=None)
    for n in range(5):
        make_unit(f"空白村{n}")
    july.clock.set(july.a.starts_at + timedelta(hours=1))
    with SelectCounter() as statements:
        board = shifts.duty_board(july.admin)
    # the data version (view_cache), the units, the candidate shifts (bare columns), the
    # picked shifts' officers and check-ins: not one per unit, and no officer rows of
    # shifts that are not shown
    assert len(statements) == 4
    mine = next(r for r in board.rows if r.unit_id == july.unit_id)
    assert mine.covered and mine.shift_id == july.a.id and mine.duty_phone == "027-83881234"
    assert [o.name for o in mine.officers] == [o.name for o in july.a.officers]
    assert "值班员尚未到岗签到（第十四条）" in mine.alerts
    empty = next(r for r in board.rows if r.unit_name == "无人村")
    assert not empty.covered and empty.state_label == "无人值班"
    assert "当前无人值班，须保证每天24小时值班（第二、九条）" in empty.alerts
    assert "未登记值班电话（第二十三条）" in empty.alerts
    assert len(board.uncovered) == 6
    shifts.check_in(july.actor["a"], july.a.id)
    mine = next(r for r in shifts.duty_board(july.admin).rows if r.unit_id == july.unit_id)
    assert mine.state == "on_duty" and mine.checked_in == (july.a.officers[0].id,) and not mine.alerts


def test_board_shows_the_outgoing_shift_until_it_has_handed_over(july, provider):
    view = _prepared(july)      # A on duty, its handover written; B's officer checked in early
    july.clock.set(july.b.starts_at + timedelta(minutes=30))
    mine = next(r for r in shifts.duty_board(july.admin).rows if r.unit_id == july.unit_id)
    assert (mine.shift_id, mine.state) == (july.a.id, "on_duty")    # B is on duty too
    assert [o.name for o in mine.officers] == [o.name for o in july.a.officers]
    assert mine.checked_in == (july.a.officers[0].id,)
    assert "已过交班时间，尚未完成交接（第十四条）" in mine.alerts
    shifts.confirm_incoming(july.actor["b"], view.id, view.version, PASSWORD)
    mine = next(r for r in shifts.duty_board(july.admin).rows if r.unit_id == july.unit_id)
    assert (mine.shift_id, mine.alerts) == (july.b.id, ())            # handed over: B shown


def _reference_board(now, scope=None):
    """The duty board computed the plain way, entity by entity (what shifts.duty_board
    computed before it read bare columns): the comparison for the test below."""
    from models.org import Person, Unit
    from models.roster import CheckIn, Roster
    from services.roster_common import PersonRef

    out = []
    with reading() as s:
        units = s.execute(select(Unit).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.name)).scalars()
        for unit in units:
            if scope is not None and unit.id != scope:
                continue
            found = [sh for sh in s.execute(select(Shift).join(Roster).where(
                Shift.unit_id == unit.id).order_by(Shift.starts_at, Shift.id)).scalars()
                if sh.state == "on_duty" or (sh.state == "scheduled" and sh.roster.status == "published"
                                             and sh.starts_at <= now < sh.ends_at)]
            alerts = [] if unit.duty_phone else ["未登记值班电话（第二十三条）"]
            if not found:
                out.append(shifts.BoardRow(unit.id, unit.name, unit.kind, unit.duty_phone, None, None,
                                           None, None, (), None, (), False,
                                           ("当前无人值班，须保证每天24小时值班（第二、九条）", *alerts)))
                continue
            sh = min(found, key=lambda x: (x.state != "on_duty", x.starts_at))
            officers = tuple(PersonRef(o.person_id, s.get(Person, o.person_id).name) for o in sh.officers)
            checked = {c.person_id for c in s.execute(select(CheckIn).where(CheckIn.shift_id == sh.id)).scalars()}
            if not officers:
                alerts.append("当前班次未安排值班员（第九条）")
            if sh.state == "scheduled" and officers:
                alerts.append("值班员尚未到岗签到（第十四条）")
            if sh.state == "on_duty" and now > sh.ends_at:
                alerts.append("已过交班时间，尚未完成交接（第十四条）")
            leader = (PersonRef(sh.leader_person_id, s.get(Person, sh.leader_person_id).name)
                      if sh.leader_person_id else None)
            out.append(shifts.BoardRow(unit.id, unit.name, unit.kind, unit.duty_phone, sh.id, sh.starts_at,
                                       sh.ends_at, sh.state, officers, leader,
                                       tuple(o.id for o in officers if o.id in checked),
                                       bool(officers), tuple(alerts)))
    return out


def test_board_of_bare_columns_is_the_board_computed_entity_by_entity(july, provider):
    """Issue 7: the board reads tuples (the candidates as one union of two indexed branches;
    on PostgreSQL the picked shifts as one array) in four statements; what it shows is what
    the entities say, red and amber rows included, scoped or not."""
    from models.roster import ShiftOfficer
    from services import clock, view_cache

    make_unit("无人村", duty_phone=None)
    make_unit("空白村")
    clerk = make_actor("clerk", {"unit_duty_officer"}, unit_id=july.unit_id)

    def compare():
        view_cache.clear()
        with SelectCounter() as statements:
            board = shifts.duty_board(july.admin)
        assert len(statements) == 4       # the data version, units, candidates, officers
        assert board.rows == _reference_board(clock.now())
        assert shifts.duty_board(clerk).rows == _reference_board(clock.now(), july.unit_id)
        return next(r for r in board.rows if r.unit_id == july.unit_id)

    july.clock.set(july.a.starts_at + timedelta(hours=1))
    assert compare().alerts == ("值班员尚未到岗签到（第十四条）",)           # amber
    shifts.check_in(july.actor["a"], july.a.id)
    assert compare().alerts == ()
    july.clock.set(july.b.starts_at + timedelta(minutes=30))              # A not handed over
    mine = compare()
    assert (mine.shift_id, mine.alerts) == (july.a.id, ("已过交班时间，尚未完成交接（第十四条）",))
    with transaction() as s:                                              # A without officers
        for o in s.execute(select(ShiftOfficer).where(ShiftOfficer.shift_id == july.a.id)).scalars():
            s.delete(o)
    mine = compare()
    assert not mine.covered and "当前班次未安排值班员（第九条）" in mine.alerts     # red
    assert len(shifts.duty_board(july.admin).uncovered) == 3


def test_board_is_scoped_for_unit_duty_officers(july):
    other = make_unit("径河村")
    clerk = make_actor("jinghe", {"unit_duty_officer"}, unit_id=other)
    assert [r.unit_name for r in shifts.duty_board(clerk).rows] == ["径河村"]


# ---------------------------------------------------------------- incidents at the handover

def test_an_open_incident_is_passed_on_and_followed_up_by_the_incoming_officer(july):
    """第十四条 with a real incident: gathered at handover, passed on, then the incoming
    officer's first action on it (any timeline event) counts as carrying it on."""
    from services import incidents as inc

    _on_duty(july)
    july.clock.set(july.a.starts_at + timedelta(hours=3))
    iid = inc.receive(july.actor["a"], inc.IntakeInput(
        title="巨龙大道路段积水", occurred_at=july.clock.current - timedelta(minutes=30),
        place="巨龙大道", category="natural_disaster", source_kind="phone", level="IV"))
    july.clock.set(july.b.starts_at - timedelta(minutes=5))
    draft = shifts.start_handover(july.actor["a"], july.a.id)
    item = next(i for i in draft.items if i.kind == "incident")
    assert (item.ref_id, item.title, item.kind_label) == (str(iid), "巨龙大道路段积水", "突发事件")
    version = shifts.save_handover(july.actor["a"], draft.id, draft.version, "积水一处未处置完", _all_ok())
    view = shifts.confirm_outgoing(july.actor["a"], draft.id, version)
    signed = shifts.confirm_incoming(july.actor["b"], view.id, view.version, PASSWORD)
    assert next(i for i in signed.items if i.kind == "incident").finding == "pending"
    july.clock.advance(hours=1)
    detail = inc.incident_detail(july.actor["b"], iid)
    inc.start_verification(july.actor["b"], iid, detail.incident.version, "电话联系社区核实")
    item = next(i for i in shifts.handover_view(july.admin, view.id).items if i.kind == "incident")
    assert (item.responsible, item.finding) == ("incoming", "carried_on")
