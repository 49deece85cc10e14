"""The log book read in two statements (the shift's head, then its people, stored entries and
every source of its records in one UNION ALL; on the page, the head comes with the shifts
offered) compiles the same book, line for line, as the reads it replaced
(tests/logbook_reference.py: one read per source, the shift as a mapped object), on SQLite
and PostgreSQL; and the number of statements does not grow with the shift's records."""
from datetime import date, timedelta

from conftest import SelectCounter
from duty_support import make_actor
from models.roster import Shift
from services import calendar, shifts, view_cache
from services.daily import calls, hotline, instructions, logbook
from services.uow import reading

import logbook_reference as reference
from test_daily import _all_ok, _busy_shift, _call, _hand_over, _version, day  # noqa: F401


def _rich_shift(day):
    """Every source, with lines of one source at the same time (the order ties keep)."""
    _busy_shift(day)
    calendar.add_holiday(day.admin, calendar.HolidayData(date(2026, 7, 1), "statutory_holiday", "测试节日"))
    person = next(iter(day.street.leaders.values()))
    h1 = hotline.receive_and_sign(day.oa, hotline.HotlineInput(
        "RX20260701101", "夜间施工噪音", deadline=day.clock.current + timedelta(days=1)))
    h2 = hotline.receive_and_sign(day.oa, hotline.HotlineInput("RX20260701102", "路灯不亮"))
    for hid in (h2, h1):
        hotline.forward(day.oa, hid, next(r for r in hotline.list_items(day.oa) if r.id == hid).version,
                        person)
    hotline.finish(day.oa, h1, next(r for r in hotline.list_items(day.oa) if r.id == h1).version,
                   "已协调停工")
    c3 = _call(day.oa, "区总值班室要求核实积水")
    calls.open_verification_request(day.oa, c3, _version(c3))
    c4 = _call(day.oa, "李区长指示：加强巡查", kind="leader_instruction")
    ins = calls.open_instruction(day.oa, c4, _version(c4), "李区长")
    instructions.pass_on(day.oa, ins, instructions.instruction_detail(day.oa, ins).version, [
        instructions.TargetInput(day.clock.current + timedelta(minutes=30), unit_id=day.other),
        instructions.TargetInput(day.clock.current + timedelta(hours=2), unit_id=day.unit)])
    logbook.add_entry(day.oa, day.a.id, "同一时刻的记事")
    day.clock.advance(hours=1)                       # the first target's feedback is late
    row = instructions.instruction_detail(day.oa, ins)
    for t in row.targets:
        who = day.unit_officer if t.unit_id == day.other else day.oa
        instructions.feed_back(who, t.id, instructions.instruction_detail(day.oa, ins).targets[
            [x.id for x in row.targets].index(t.id)].version, f"{t.id}已落实")
    instructions.report_to_leader(day.oa, ins, instructions.instruction_detail(day.oa, ins).version,
                                  "已向李区长回复")
    if len(day.a.officers) > 1:                      # a second officer, late
        late = make_actor("officer_a2", {"duty_officer"}, day.unit, day.a.officers[1].id)
        shifts.check_in(late, day.a.id)
    logbook.add_entry(day.oa, day.a.id, "最后一条记事")


def _reference(shift_id):
    with reading() as s:
        sh = s.get(Shift, shift_id)
        return reference.view(s, sh), reference.compile_lines(s, sh, logbook.window(s, sh))


def _same(day):
    expected, lines = _reference(day.a.id)
    assert len(expected.entries) > 15
    assert logbook.log_book(day.oa, day.a.id) == expected
    view_cache.clear()
    assert logbook.desk(day.oa, day.unit, day.a.id).book == expected
    with reading() as s:
        assert logbook.compile_lines(s, s.get(Shift, day.a.id)) == lines


def test_a_rich_open_book_is_compiled_as_before(day):
    _rich_shift(day)
    book = logbook.log_book(day.oa, day.a.id)
    assert {e.kind for e in book.entries} >= {"check_in", "call", "incident", "verification",
                                              "instruction", "hotline", "note"}
    _same(day)


def test_an_open_book_with_its_handover_begun_then_sealed_is_compiled_as_before(day):
    _rich_shift(day)
    view = shifts.start_handover(day.oa, day.a.id)
    shifts.save_handover(day.oa, view.id, view.version, "本班事项已交接", _all_ok())
    assert logbook.log_book(day.oa, day.a.id).handover["summary"] == "本班事项已交接"
    _same(day)
    _hand_over(day)
    book = logbook.log_book(day.oa, day.a.id)
    assert book.sealed
    _same(day)
    # the next shift's window starts at the handover's signature
    with reading() as s:
        b = s.get(Shift, day.b.id)
        assert logbook.window(s, b)[0] != b.starts_at
    expected, _lines = _reference(day.b.id)
    assert logbook.log_book(day.ob, day.b.id) == expected


def test_the_open_book_is_two_statements_however_many_records(day):
    counts, alone = [], []
    for busy in (False, True):
        if busy:
            _rich_shift(day)
        view_cache.clear()
        with SelectCounter() as sql:
            desk = logbook.desk(day.oa, day.unit, day.a.id)
        counts.append(len(sql))
        assert desk.book.entries
        with SelectCounter() as sql:
            assert logbook.log_book(day.oa, day.a.id) == desk.book
        alone.append(len(sql))
    # the data version, the units, the shifts offered with their heads; the book (its
    # people, stored entries and sources)
    assert counts == [4, 4], counts
    # alone: the shift's head, the book
    assert alone == [2, 2], alone
