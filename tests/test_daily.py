"""The daily record (issue 5) through the services, on SQLite and PostgreSQL: calls and
first-contact ownership with accepted transfers (第十一、十二条), the instruction and hotline
machines (第五条、第八条(三)(六)), overdue feedback, and the log book (第十三条): content and
order for a busy shift, sealing at handover, addenda, tamper detection."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from conftest import SelectCounter, plans_of
from duty_support import PASSWORD, make_actor, make_street
from models.daily import Call
from services import calendar, open_items, rosters, shifts
from services import incidents as inc
from services.daily import calls, hotline, instructions, logbook
from services.errors import DomainError, PermissionDenied, ValidationError
from services.permissions import SYSTEM_ACTOR
from services.uow import reading, transaction
from workflows import hotline as hotline_flow
from workflows import instruction as instruction_flow
from workflows.errors import TransitionRefused


@pytest.fixture
def day(db, frozen_clock):
    """A published July for one unit; A and B are its first two shifts with their officers."""
    calendar.seed_holidays(SYSTEM_ACTOR, [2026])
    street = make_street()
    admin = make_actor("office", {"office_admin"})
    rosters.auto_schedule_month(admin, street.unit_id, 2026, 7, seed=1)
    view = rosters.month_view(admin, street.unit_id, 2026, 7)
    rosters.publish(admin, view.roster_id, view.roster_version)
    view = rosters.month_view(admin, street.unit_id, 2026, 7)
    a, b = view.shifts[:2]
    oa = make_actor("officer_a", {"duty_officer"}, street.unit_id, a.officers[0].id)
    ob = make_actor("officer_b", {"duty_officer"}, street.unit_id, b.officers[0].id)
    leader = make_actor("leader", {"shift_leader"}, street.unit_id)
    other_unit = make_street("某社区", officers=2, leaders=1)
    unit_officer = make_actor("unit_officer", {"unit_duty_officer"}, other_unit.unit_id)
    sysadmin = make_actor("sysadmin", {"system_admin"})
    frozen_clock.set(a.starts_at - timedelta(minutes=15))
    shifts.check_in(oa, a.id)
    frozen_clock.set(a.starts_at + timedelta(hours=1))
    return SimpleNamespace(clock=frozen_clock, a=a, b=b, oa=oa, ob=ob, leader=leader, admin=admin,
                           unit=street.unit_id, other=other_unit.unit_id, unit_officer=unit_officer,
                           sysadmin=sysadmin, street=street)


def _call(actor, summary="某社区报告路面积水", **kw):
    return calls.log_call(actor, calls.CallInput(summary=summary, caller="张某",
                                                 caller_unit="某社区", number="13800000000", **kw))


def _version(call_id):
    with reading() as s:
        return s.get(Call, call_id).version


# ---------------------------------------------------------------- calls (第十一、十二条)

def test_the_taker_owns_the_call_article_12(day):
    cid = _call(day.oa)
    row = calls.call_detail(day.oa, cid)
    assert (row.owner_user_id, row.state, row.at) == (day.oa.user_id, "open", day.clock.current)
    assert [r.id for r in calls.open_calls(day.oa)] == [cid]
    with pytest.raises(ValidationError, match="第十一条"):
        calls.log_call(day.oa, calls.CallInput(summary="  "))
    with pytest.raises(PermissionDenied):
        _call(day.sysadmin)


def test_only_the_owner_or_a_leader_closes_and_the_result_is_required(day):
    cid = _call(day.oa)
    with pytest.raises(PermissionDenied, match="第十二条"):
        calls.close_call(day.ob, cid, _version(cid), "已处理")
    with pytest.raises(ValidationError, match="办理结果"):
        calls.close_call(day.oa, cid, _version(cid), "")
    calls.close_call(day.oa, cid, _version(cid), "已通知城管处理")
    row = calls.call_detail(day.oa, cid)
    assert (row.state, row.result) == ("closed", "已通知城管处理")
    with pytest.raises(DomainError, match="已办结"):
        calls.close_call(day.oa, cid, row.version, "再次")


def test_ownership_moves_only_when_the_transfer_is_accepted(day):
    cid = _call(day.oa)
    tid = calls.request_transfer(day.oa, cid, _version(cid), day.ob.user_id, "下班前交给李四继续跟进")
    assert calls.call_detail(day.oa, cid).owner_user_id == day.oa.user_id   # not yet
    pending = calls.pending_transfers(day.ob)
    assert [t.id for t in pending] == [tid]
    with pytest.raises(PermissionDenied):
        calls.accept_transfer(day.leader, tid, pending[0].version)
    calls.accept_transfer(day.ob, tid, pending[0].version)
    row = calls.call_detail(day.ob, cid)
    assert row.owner_user_id == day.ob.user_id and row.transfers[0].status == "accepted"
    with pytest.raises(PermissionDenied):
        calls.close_call(day.oa, cid, row.version, "已处理")       # no longer theirs


def test_a_declined_transfer_leaves_the_owner(day):
    cid = _call(day.oa)
    tid = calls.request_transfer(day.oa, cid, _version(cid), day.ob.user_id, "请协助")
    calls.decline_transfer(day.ob, tid, calls.pending_transfers(day.ob)[0].version, "正在处理另一事件")
    row = calls.call_detail(day.oa, cid)
    assert row.owner_user_id == day.oa.user_id and row.transfers[0].status == "declined"


def test_one_click_from_a_call_to_incident_verification_and_instruction(day):
    c1, c2, c3 = _call(day.oa, "巨龙大道积水"), _call(day.oa, "区总值班室要求核实积水"), \
        _call(day.oa, "王书记指示：加强巡查", kind="leader_instruction")
    iid = calls.open_incident(day.oa, c1, _version(c1), "natural_disaster", "巨龙大道", level="IV")
    detail = inc.incident_detail(day.oa, iid)
    assert detail.incident.owner_user_id == day.oa.user_id
    assert detail.incident.title == "巨龙大道积水" and detail.incident.received_at == day.clock.current
    vid = calls.open_verification_request(day.oa, c2, _version(c2))
    ins_id = calls.open_instruction(day.oa, c3, _version(c3), "王书记")
    row = instructions.instruction_detail(day.oa, ins_id)
    assert (row.leader_name, row.text, row.state) == ("王书记", "王书记指示：加强巡查", "received")
    assert calls.call_detail(day.oa, c2).verification_request_id == vid
    with pytest.raises(DomainError, match="已转为突发事件"):
        calls.open_incident(day.oa, c1, _version(c1), "natural_disaster", "巨龙大道")


def test_open_calls_instructions_and_hotline_items_are_open_items(day):
    _call(day.oa)
    instructions.record_instruction(day.oa, instructions.InstructionInput("王书记", "注意防汛"))
    with transaction() as s:
        kinds = {o.kind for o in open_items.gather(s, day.unit, day.clock.current)}
    assert {"call", "instruction"} <= kinds


# ---------------------------------------------------------------- instructions (第八条(三))

def test_instruction_machine_allowed_and_forbidden_steps():
    m = SimpleNamespace(state="received")
    with pytest.raises(TransitionRefused, match="至少选择一个"):
        instruction_flow.fire(m, "pass_on", has_targets=False)
    with pytest.raises(TransitionRefused, match="不能执行「向领导回复并办结」"):
        instruction_flow.fire(m, "close", result_reported=True)
    assert instruction_flow.fire(m, "pass_on", has_targets=True) == ("received", "passed_on")
    assert instruction_flow.fire(m, "progress", has_feedback=True) == ("passed_on", "in_progress")
    with pytest.raises(TransitionRefused, match="尚有承办方未反馈"):
        instruction_flow.fire(m, "all_fed_back", all_targets_fed_back=False)
    assert instruction_flow.fire(m, "all_fed_back", all_targets_fed_back=True)[1] == "fed_back"
    with pytest.raises(TransitionRefused, match="回复领导"):
        instruction_flow.fire(m, "close", result_reported=False)
    assert instruction_flow.fire(m, "close", result_reported=True)[1] == "closed"
    with pytest.raises(TransitionRefused):
        instruction_flow.fire(m, "pass_on", has_targets=True)


def test_instruction_pass_on_feedback_overdue_and_report_back(day):
    ins_id = instructions.record_instruction(day.oa, instructions.InstructionInput(
        "王书记", "请各社区立即排查积水点，两小时内反馈", subject="防汛"))
    row = instructions.instruction_detail(day.oa, ins_id)
    due1, due2 = day.clock.current + timedelta(hours=2), day.clock.current + timedelta(hours=4)
    instructions.pass_on(day.oa, ins_id, row.version, [
        instructions.TargetInput(due1, unit_id=day.other),
        instructions.TargetInput(due2, unit_id=day.unit)])
    row = instructions.instruction_detail(day.oa, ins_id)
    assert row.state == "passed_on" and len(row.targets) == 2
    with pytest.raises(DomainError, match="不能执行「向领导回复并办结」"):
        instructions.report_to_leader(day.oa, ins_id, row.version, "已落实")
    # the community's own duty officer feeds back for their unit
    t_other = next(t for t in row.targets if t.unit_id == day.other)
    assert [t.id for t in instructions.awaiting_my_feedback(day.unit_officer)] == [t_other.id]
    day.clock.advance(hours=3)                                   # past due1: overdue (督办)
    row = instructions.instruction_detail(day.oa, ins_id)
    assert [t.overdue for t in row.targets] == [True, False] and row.overdue_count == 1
    board = instructions.leader_board(day.leader, "王书记")
    assert board[0].overdue == 1 and "逾期" in board[0].standing
    t_mine = next(t for t in row.targets if t.unit_id == day.unit)
    with pytest.raises(PermissionDenied):
        instructions.feed_back(day.unit_officer, t_mine.id, t_mine.version, "不是我单位")
    assert instructions.feed_back(day.unit_officer, t_other.id, t_other.version, "已排查3处") == "in_progress"
    row = instructions.instruction_detail(day.oa, ins_id)
    assert next(t for t in row.targets if t.id == t_other.id).status_label == "逾期反馈"
    assert instructions.feed_back(day.oa, t_mine.id, t_mine.version, "机关已排查") == "fed_back"
    row = instructions.instruction_detail(day.oa, ins_id)
    with pytest.raises(ValidationError, match="回复的内容"):
        instructions.report_to_leader(day.oa, ins_id, row.version, "")
    instructions.report_to_leader(day.oa, ins_id, row.version, "两处已排查完毕，已向王书记电话回复")
    board = instructions.leader_board(day.leader, "王书记")
    assert board[0].state == "closed" and board[0].standing == "已回复领导"


# ---------------------------------------------------------------- hotline (第八条(六))

def test_hotline_machine_steps():
    m = SimpleNamespace(state="received")
    with pytest.raises(TransitionRefused, match=r"第八条\(六\)"):
        hotline_flow.fire(m, "sign", on_statutory_holiday=False)
    with pytest.raises(TransitionRefused, match="不能执行「办结」"):
        hotline_flow.fire(m, "finish", has_result=True)
    assert hotline_flow.fire(m, "sign", on_statutory_holiday=True)[1] == "signed"
    with pytest.raises(TransitionRefused, match="负责同志"):
        hotline_flow.fire(m, "forward", has_person_in_charge=False)
    assert hotline_flow.fire(m, "forward", has_person_in_charge=True)[1] == "forwarded"
    assert hotline_flow.fire(m, "finish", has_result=True)[1] == "done"


def test_hotline_refused_outside_statutory_holidays_article_8_6(day):
    # 2026-07-01 is a working day
    with pytest.raises(DomainError, match=r"第八条\(六\)"):
        hotline.receive_and_sign(day.oa, hotline.HotlineInput("RX20260701001", "噪音投诉"))
    assert hotline.list_items(day.oa) == []


def test_hotline_signed_forwarded_done_on_a_holiday(day):
    calendar.add_holiday(day.admin, calendar.HolidayData(date(2026, 7, 1), "statutory_holiday", "测试节日"))
    hid = hotline.receive_and_sign(day.oa, hotline.HotlineInput(
        "RX20260701001", "某小区夜间施工噪音投诉", deadline=day.clock.current + timedelta(days=1)))
    row = hotline.list_items(day.oa)[0]
    assert (row.id, row.state, row.signed_by) == (hid, "signed", "officer_a")
    with pytest.raises(DomainError, match="已签收过"):
        hotline.receive_and_sign(day.oa, hotline.HotlineInput("RX20260701001", "重复"))
    person = next(iter(day.street.leaders.values()))
    hotline.forward(day.oa, hid, row.version, person)
    row = hotline.list_items(day.oa)[0]
    assert row.state == "forwarded" and row.notified_at == day.clock.current
    with pytest.raises(DomainError, match="办理结果"):
        hotline.finish(day.oa, hid, row.version, "")
    hotline.finish(day.oa, hid, row.version, "已协调停工")
    assert hotline.list_items(day.oa) == [] and hotline.list_items(day.oa, open_only=False)[0].state == "done"


# ---------------------------------------------------------------- the log book (第十三条)

def _busy_shift(day):
    """Calls, an incident with its timeline, an instruction passed on and fed back, a note."""
    c1 = _call(day.oa, "来电一：咨询防汛物资")
    day.clock.advance(minutes=10)
    c2 = _call(day.oa, "来电二：巨龙大道积水", importance="important")
    day.clock.advance(minutes=5)
    iid = calls.open_incident(day.oa, c2, _version(c2), "natural_disaster", "巨龙大道", level="IV")
    day.clock.advance(minutes=5)
    ins = instructions.record_instruction(day.oa, instructions.InstructionInput("王书记", "尽快处置积水"))
    instructions.pass_on(day.oa, ins, instructions.instruction_detail(day.oa, ins).version,
                         [instructions.TargetInput(day.clock.current + timedelta(hours=1), unit_id=day.other)])
    day.clock.advance(minutes=20)
    t = instructions.instruction_detail(day.oa, ins).targets[0]
    instructions.feed_back(day.unit_officer, t.id, t.version, "已派人抽排")
    day.clock.advance(minutes=5)
    logbook.add_entry(day.oa, day.a.id, "22时巡查值班室设备正常")
    calls.close_call(day.oa, c1, _version(c1), "已答复")
    return c1, c2, iid, ins


def _all_ok():
    return [shifts.EquipmentCheck(i, True) for i in shifts.equipment_items()]


def _hand_over(day, summary="本班来电2起，积水事件1起未结"):
    day.clock.set(day.b.starts_at - timedelta(minutes=12))
    shifts.check_in(day.ob, day.b.id)
    view = shifts.start_handover(day.oa, day.a.id)
    version = shifts.save_handover(day.oa, view.id, view.version, summary, _all_ok())
    view = shifts.confirm_outgoing(day.oa, view.id, version)
    return shifts.confirm_incoming(day.ob, view.id, view.version, PASSWORD)


def test_the_log_book_of_a_busy_shift_in_time_order(day):
    _busy_shift(day)
    book = logbook.log_book(day.oa, day.a.id)
    assert not book.sealed and book.duty_officers and book.duty_time
    kinds = [e.kind for e in book.entries]
    assert kinds[0] == "check_in"
    assert kinds.count("call") == 2 and "incident" in kinds and "note" in kinds
    assert [e.at for e in book.entries] == sorted(e.at for e in book.entries)
    texts = "\n".join(e.text for e in book.entries)
    for words in ("来电一", "来电二", "巨龙大道积水", "王书记批示（原文）：尽快处置积水", "传达王书记批示至某社区",
                  "某社区反馈王书记批示落实情况：已派人抽排", "22时巡查值班室设备正常"):
        assert words in texts
    first_call = next(e for e in book.entries if "来电一" in e.text)
    assert "已办结：已答复" in first_call.handling


def test_an_open_book_is_compiled_in_few_reads_each_a_range_on_an_index(day):
    """Issue 7: the sources are read within the shift's window by indexed times (not every
    instruction, target and hotline item the unit ever had): two reads for the book, however
    long the history — the shift with its head, book and handovers (on the page, with the
    shifts offered), then every source with the book's people and stored entries in one
    statement."""
    from sqlalchemy import event

    from services import view_cache

    calendar.add_holiday(day.admin, calendar.HolidayData(date(2026, 7, 1), "statutory_holiday", "测试节日"))
    _busy_shift(day)
    hid = hotline.receive_and_sign(day.oa, hotline.HotlineInput("RX20260701009", "路灯不亮"))
    hotline.forward(day.oa, hid, hotline.list_items(day.oa)[0].version,
                    next(iter(day.street.leaders.values())))
    view_cache.clear()
    seen = []
    bind = SelectCounter().__enter__().bind

    def record(_conn, _cursor, statement, params, *_args):
        seen.append((statement, params))
    event.listen(bind, "before_cursor_execute", record)
    try:
        with SelectCounter() as sql:
            desk = logbook.desk(day.oa, day.unit, day.a.id)
    finally:
        event.remove(bind, "before_cursor_execute", record)
    texts = "\n".join(e.text for e in desk.book.entries)
    assert "签收市长热线代办事项RX20260701009" in texts and "转发通知" in texts
    assert "王书记批示（原文）" in texts and "某社区反馈王书记批示落实情况" in texts
    # the data version, the units and the shifts offered with their heads (unit, book,
    # handovers), then the book: the officers and leader with their names, the stored
    # entries, the check-ins, calls, incident events, verifications, instructions and
    # hotline items
    assert len(sql) == 4, sql
    if bind.dialect.name == "sqlite":       # (the session's connection)
        for statement, params in seen:
            if any(f"FROM {t}" in statement for t in ("instruction", "hotline_item")):
                plan = " ".join(r[3] for r in bind.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
                for table in ("instruction", "instruction_target", "hotline_item", "call",
                              "incident_event", "log_entry"):
                    assert f"SCAN {table} " not in plan + " ", plan


def test_sealed_at_handover_then_refuses_edits_and_takes_addenda(day):
    _busy_shift(day)
    before = logbook.log_book(day.oa, day.a.id)
    _hand_over(day)
    book = logbook.log_book(day.oa, day.a.id)
    assert book.sealed and book.seal_hash
    assert [e.text for e in book.entries] == [e.text for e in before.entries]
    assert book.handover["incoming"] == "officer_b" and book.handover["open_items"]
    assert any(e["ok"] for e in book.handover["equipment"])
    with pytest.raises(DomainError, match="第十三条"):
        logbook.add_entry(day.oa, day.a.id, "补一句")
    # a record changed later does not change the sealed book
    c = calls.open_calls(day.ob)[0]
    calls.close_call(day.ob, c.id, c.version, "事后办结")
    assert [e.handling for e in logbook.log_book(day.oa, day.a.id).entries] == \
        [e.handling for e in book.entries]
    target = book.entries[1]
    aid = logbook.add_addendum(day.oa, day.a.id, target.id, "来电一应为咨询沙袋领取地点")
    book = logbook.log_book(day.oa, day.a.id)
    assert book.addenda[0].id == aid and book.addenda[0].corrects_entry_id == target.id
    assert book.as_document()["addenda"][0]["corrects"] == target.number
    with reading() as s:
        assert logbook.verify_log_books(s).intact
    with pytest.raises(Exception, match="append-only"):
        with transaction() as s:
            s.execute(text("UPDATE log_entry SET text = 'x'"))
    with pytest.raises(Exception, match="sealed"):
        with transaction() as s:
            s.execute(text("UPDATE log_book SET sealed_entries = 1"))
    data = logbook.log_book_docx(day.oa, day.a.id)
    assert data[:2] == b"PK"


def test_a_tampered_entry_is_detected_by_verify(day):
    _busy_shift(day)
    _hand_over(day)
    with transaction() as s:
        target = s.execute(text("SELECT id FROM log_entry ORDER BY id LIMIT 1 OFFSET 2")).scalar()
        if s.get_bind().dialect.name == "sqlite":
            s.execute(text("DROP TRIGGER log_entry_no_update"))
        else:
            s.execute(text("ALTER TABLE log_entry DISABLE TRIGGER log_entry_no_change"))
        s.execute(text("UPDATE log_entry SET text = '篡改' WHERE id = :i"), {"i": target})
    with reading() as s:
        report = logbook.verify_log_books(s)
    assert not report.intact and report.broken_entry_id == target and "篡改" in report.reason


def test_search_across_log_books(day):
    _busy_shift(day)
    _hand_over(day)
    hits = logbook.search(day.oa, date(2026, 7, 1), date(2026, 7, 1), day.unit, "积水")
    assert hits and all("积水" in h.text or "积水" in h.author for h in hits)
    assert logbook.search(day.oa, date(2026, 7, 2), date(2026, 7, 3), day.unit, "积水") == []
    assert logbook.search(day.unit_officer, None, None, None, "积水") == []     # own unit only


# ---------------------------------------------------------------- at scale (issue 7)

def test_open_calls_are_paged_newest_first_and_read_in_a_fixed_number_of_queries(day):
    ids = []
    for n in range(23):
        ids.append(_call(day.oa, f"来电{n}"))
        day.clock.advance(minutes=1)
    calls.close_call(day.oa, ids[0], _version(ids[0]), "已答复")      # closed: not listed
    with SelectCounter() as sql:
        first = calls.open_calls_page(day.oa, 1, per_page=10)
    assert (first.total, first.pages, first.page, first.first, first.last) == (22, 3, 1, 1, 10)
    assert [r.id for r in first.rows] == ids[:12:-1]                  # 来电22 … 来电13
    assert len(sql) == 4      # count, the page, its transfers, the owners' names
    last = calls.open_calls_page(day.oa, 9, per_page=10)              # past the end: the last
    assert (last.page, last.first, last.last, [r.id for r in last.rows]) == (3, 21, 22, ids[2:0:-1])
    for cid in ids[1:]:                                               # history, not open calls
        calls.close_call(day.oa, cid, _version(cid), "已答复")
    with SelectCounter() as sql:
        none = calls.open_calls_page(day.oa, 2)
    assert (none.total, none.pages, none.page, none.rows, none.first) == (0, 1, 1, [], 0)
    assert len(sql) == 1


def test_transfer_candidates_for_a_page_of_calls_in_one_query(day):
    c1, c2 = _call(day.oa, "来电一"), _call(day.ob, "来电二")
    rows = calls.open_calls_page(day.oa).rows
    with SelectCounter() as sql:
        options = calls.transfer_options(day.oa, rows)
    assert len(sql) == 1
    assert options == {c1: calls.transfer_candidates(day.oa, c1),
                       c2: calls.transfer_candidates(day.oa, c2)}
    assert day.ob.user_id in options[c1] and day.oa.user_id not in options[c1]
    assert day.oa.user_id in options[c2] and day.ob.user_id not in options[c2]
    assert calls.transfer_options(day.oa, []) == {}


def test_hotline_items_paged_and_forwarded_to_people_of_the_items_unit(day):
    calendar.add_holiday(day.admin, calendar.HolidayData(date(2026, 7, 1), "statutory_holiday", "测试节日"))
    ids = []
    for n in range(5):
        ids.append(hotline.receive_and_sign(day.oa, hotline.HotlineInput(f"RX{n:03d}", f"投诉{n}")))
        day.clock.advance(minutes=1)
    page = hotline.items_page(day.oa, 2, per_page=2)
    assert (page.total, page.pages, [r.item_no for r in page.rows]) == (5, 3, ["RX002", "RX001"])
    options = hotline.forward_options(day.oa, page.rows)
    assert set(options) == {ids[2], ids[1]}
    people = options[ids[2]]
    assert set(day.street.leaders.values()) <= set(people)
    assert not set(people) & set(hotline.forward_options(day.unit_officer, []) or {})
    with reading() as s:
        from models.org import Person
        units = {s.get(Person, pid).unit_id for pid in people}
    assert units == {day.unit}                       # not the other unit's people
    row = page.rows[0]
    hotline.forward(day.oa, row.id, row.version, next(iter(people)))
    assert ids[2] not in hotline.forward_options(day.oa, hotline.items_page(day.oa, 1, 10).rows)


def test_open_instructions_paged_and_the_board_counted_in_sql(day):
    ids = []
    for n in range(3):
        ids.append(instructions.record_instruction(day.oa, instructions.InstructionInput(
            "王书记", f"批示{n}")))
        day.clock.advance(minutes=1)
    row = instructions.instruction_detail(day.oa, ids[0])
    due = day.clock.current + timedelta(hours=1)
    instructions.pass_on(day.oa, ids[0], row.version, [
        instructions.TargetInput(due, unit_id=day.other),
        instructions.TargetInput(due + timedelta(hours=1), unit_id=day.unit)])
    page = instructions.open_instructions_page(day.oa, 1, per_page=2)
    assert (page.total, page.pages, [r.id for r in page.rows]) == (3, 2, [ids[2], ids[1]])
    assert [r.id for r in instructions.open_instructions_page(day.oa, 2, per_page=2).rows] == [ids[0]]
    assert instructions.open_instructions_page(day.unit_officer).total == 1   # passed on to it
    day.clock.advance(hours=2)                                 # the first receiver is overdue
    board = {b.id: b for b in instructions.leader_board(day.leader)}
    first = board[ids[0]]
    assert (first.receivers, first.fed_back, first.overdue, first.next_due) == (2, 0, 1, due)
    assert (board[ids[1]].receivers, board[ids[1]].next_due, board[ids[1]].standing) == (0, None, "待传达")
    units = instructions.unit_choices(day.oa)
    assert {day.unit, day.other} <= set(units)
    assert instructions.unit_choices(day.unit_officer) == {day.other: "某社区"}


def test_log_book_choices_are_one_units_shifts_of_the_last_days(day):
    view = rosters.month_view(day.admin, day.unit, 2026, 7)
    day.clock.set(view.shifts[0].starts_at + timedelta(days=10, hours=1))
    now = day.clock.current
    expected = [sh.id for sh in sorted(view.shifts, key=lambda x: x.starts_at, reverse=True)
                if sh.starts_at <= now and sh.ends_at > now - timedelta(days=7)]
    with SelectCounter() as sql:
        got = logbook.shift_choices(day.admin, 7, day.unit)
    assert [c.shift_id for c in got] == expected and len(expected) >= 7
    assert len(sql) == 1                      # columns only: no officers loaded per shift
    assert logbook.shift_choices(day.admin, 7, day.other) == []
    # A is still on duty ten days on (never handed over): found by its state, not by date
    assert logbook.current_shift_id(day.admin, day.unit) == day.a.id
    assert day.a.id not in expected
    assert set(logbook.unit_choices(day.admin)) >= {day.unit, day.other}
    assert logbook.unit_choices(day.unit_officer) == {day.other: "某社区"}


def test_log_book_search_is_paged_newest_day_first(day):
    _busy_shift(day)
    _hand_over(day)
    every = logbook.search(day.oa, date(2026, 7, 1), date(2026, 7, 1), day.unit)
    page = logbook.search_page(day.oa, date(2026, 7, 1), date(2026, 7, 1), day.unit, page=2,
                               per_page=3)
    assert page.total == len(every) >= 6 and page.pages == -(-len(every) // 3)
    assert [(h.at, h.text) for h in page.rows] == [(h.at, h.text) for h in every[3:6]]
    assert page.rows[0].unit_name == "柏泉村"
    assert logbook.search_page(day.oa, date(2026, 7, 2), date(2026, 7, 3), day.unit).total == 0
    assert logbook.current_shift_id(day.oa, day.unit) == day.b.id     # on duty after the handover


def test_hotline_page_kept_until_an_item_changes_overdue_by_the_clock(day):
    calendar.add_holiday(day.admin, calendar.HolidayData(date(2026, 7, 1), "statutory_holiday", "测试节日"))
    hid = hotline.receive_and_sign(day.oa, hotline.HotlineInput(
        "RX100", "路灯不亮", deadline=day.clock.current + timedelta(minutes=30)))
    first = hotline.items_page(day.oa)
    assert not first.rows[0].overdue
    day.clock.advance(minutes=31)
    with SelectCounter() as sql:             # a rerun: the page kept, the tokens read only
        later = hotline.items_page(day.oa)
    assert len(sql) == 1 and "data_version" in sql[0]
    assert later.rows[0].overdue and later.rows[0].item_no == "RX100"     # the clock, not the cache
    person = next(iter(day.street.leaders.values()))
    hotline.forward(day.oa, hid, later.rows[0].version, person)
    assert hotline.items_page(day.oa).rows[0].state == "forwarded"        # a write: read again


def test_the_streets_open_hotline_items_are_found_by_state(day, db):
    """The office's 市长热线 (every unit) finds the open items by the state index, not by
    reading every item ever received from the (unit_id, state) one (0009)."""
    plans = plans_of(db.kw["bind"], lambda: hotline.items_page(day.admin), "hotline_item")
    assert plans and all("ix_hotline_item_state" in plan for plan in plans), plans
