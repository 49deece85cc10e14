"""Incidents through the services, on SQLite and PostgreSQL (第十二、十三、十八至二十二条)."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from conftest import plans_of
from incident_support import (
    ALL_ELEMENTS, DISTRICT, LEADERS, READER, audit_actions, close_incident, content, intake,
    make_people, report_version, send_written, state, version,
)
from models.audit import AuditEvent
from models.incident import DeadlineRecord, Incident, Report
from services import incidents as inc
from services.errors import ConcurrentEditError, DomainError, PermissionDenied, ValidationError
from services.uow import reading, transaction
from workflows.incident import STATE_LABELS, TRIGGER_LABELS


@pytest.fixture
def p(db, frozen_clock):
    return make_people()


def _open(p, **over) -> int:
    return inc.receive(p.officer, intake(**over))


def _deadlines(incident_id):
    return inc.incident_detail(READER, incident_id).deadlines


def _pairs(rows, open_only=True):
    return sorted((d.recipient, d.channel) for d in rows if not open_only or d.status != "done")


# ---------------------------------------------------------------- intake

def test_receive_makes_the_receiver_owner_and_computes_the_clocks(p, frozen_clock):
    """第十二条 首接负责; 第二十一条 较大 accident: leaders at once, district + bureau in 1 hour."""
    iid = _open(p)
    d = inc.incident_detail(p.officer, iid)
    assert d.incident.state == "received" and d.incident.owner_user_id == p.officer.user_id
    assert d.incident.owner_name == "王五" and d.incident.unit_name == "柏泉街道机关"
    assert _pairs(d.deadlines) == sorted(
        [(r, "phone") for r in LEADERS] + [(r, "written") for r in DISTRICT])
    written = [x for x in d.deadlines if x.channel == "written"]
    assert all(x.due_at == d.incident.occurred_at + timedelta(hours=1) for x in written)
    assert [i.caller for i in d.intakes] == ["张某"]
    assert [e.kind for e in d.timeline] == ["received"]
    assert d.next_report_kind == "initial"
    assert set(d.suggested_recipients) == set(DISTRICT + LEADERS)
    assert "incident.receive" in audit_actions()


def test_intake_form_problems_name_the_field_and_article(p, frozen_clock):
    with pytest.raises(ValidationError) as err:
        inc.receive(p.officer, intake(title=" ", place="", category="flood", level="V",
                                      occurred_at=frozen_clock.current + timedelta(minutes=1)))
    problems = err.value.problems
    assert "事件名称：不能为空" in problems
    assert any(x.startswith("事发地点") and "第十九条" in x for x in problems)
    assert any(x.startswith("事件类别") for x in problems)
    assert any(x.startswith("事件等级") for x in problems)
    assert any(x.startswith("事发时间") and "第二十一条" in x for x in problems)


def test_naive_form_times_are_beijing_time(p, frozen_clock):
    from datetime import datetime
    iid = _open(p, occurred_at=datetime(2026, 7, 1, 9, 50))  # 09:50 Beijing = 01:50 UTC
    d = inc.incident_detail(p.officer, iid)
    assert d.incident.occurred_at == frozen_clock.current - timedelta(minutes=10)


def test_several_intakes_link_to_one_incident(p, frozen_clock):
    iid = _open(p)
    frozen_clock.advance(minutes=2)
    inc.link_intake(p.officer2, iid, inc.IntakeCallInput(caller="李某", number="139",
                                                         summary="同一起爆炸，群众报告"))
    d = inc.incident_detail(p.officer, iid)
    assert [i.caller for i in d.intakes] == ["张某", "李某"]
    assert d.intakes[1].taken_by_name == "赵六"
    assert [e.kind for e in d.timeline] == ["received", "intake_linked"]


# ---------------------------------------------------------------- the whole life

def test_full_lifecycle_receive_verify_report_follow_up_final_closed(p, frozen_clock):
    """第十八、十九条 and 第七条: every step a timeline event and an audit row."""
    iid = _open(p)
    inc.start_verification(p.officer, iid, version(iid), "电话联系社区核实")
    assert state(iid)[0] == "verifying"

    frozen_clock.advance(minutes=10)
    initial = send_written(p, iid, "initial", content())
    d = inc.incident_detail(p.officer, iid)
    assert d.incident.state == "reported" and not d.incident.unverified
    assert all(x.status == "done" for x in d.deadlines)
    assert d.reports[0].title == "首报" and d.reports[0].signed_off_by_name == "李主任"
    assert d.next_report_kind == "follow_up"

    frozen_clock.advance(minutes=30)
    template = inc.report_template(p.officer, iid, "follow_up")
    assert template.elements["place"] == ALL_ELEMENTS["place"] and template.injuries == 2
    template.injuries = 3
    template.elements["trend"] = "无进一步扩大"
    template.changes_since_last = "伤员增至 3 人，态势稳定"
    template.recipients = ["district_duty_office"]
    follow = send_written(p, iid, "follow_up", template)
    row = inc.report_detail(p.officer, follow)
    assert row.title == "续报一" and row.changed_elements == ["已造成的后果", "事件发展趋势"]
    assert state(iid)[0] == "follow_up"

    frozen_clock.advance(hours=3)
    close_incident(p, iid)
    d = inc.incident_detail(p.officer, iid)
    assert d.incident.state == "closed" and d.incident.closed_at == frozen_clock.current
    assert d.final_sent and d.next_report_kind is None
    kinds = [e.kind for e in d.timeline]
    assert kinds == [
        "received", "start_verification",
        "report_drafted", "report_submitted", "report_signed_off", "report_sent",
        "report_drafted", "report_submitted", "report_signed_off", "report_sent",
        "report_drafted", "report_submitted", "report_signed_off", "report_sent",
        "closure_requested", "closure_approved",
    ]
    assert [e.at for e in d.timeline] == sorted(e.at for e in d.timeline)
    moves = [(e.from_state, e.to_state) for e in d.timeline if e.from_state != e.to_state and e.from_state]
    assert moves == [("received", "verifying"), ("verifying", "reported"),
                     ("reported", "follow_up"), ("follow_up", "closed")]
    actions = audit_actions()
    for action in ("incident.receive", "incident.transition", "report.draft", "report.submit",
                   "report.sign_off", "report.send", "incident.closure_request",
                   "incident.closure_approve"):
        assert action in actions
    assert initial != follow


# ---------------------------------------------------------------- the machine through the services

def _in_state(p, frozen_clock, target: str) -> int:
    iid = _open(p)
    if target == "verifying":
        inc.start_verification(p.officer, iid, version(iid))
    elif target in ("reported", "follow_up", "closed"):
        inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
            recipients=DISTRICT + LEADERS, summary="电话报告"))
        if target in ("follow_up", "closed"):
            inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
                recipients=DISTRICT + LEADERS, summary="电话续报"))
        if target == "closed":
            send_written(p, iid, "initial", content())
            close_incident(p, iid)
    assert state(iid)[0] == target
    return iid


ALLOWED = {("received", "start_verification"), ("verifying", "report"),
           ("received", "report_while_verifying"), ("reported", "add_follow_up"),
           ("follow_up", "add_follow_up"), ("reported", "close"), ("follow_up", "close")}
FORBIDDEN = [(s, t) for s in STATE_LABELS for t in TRIGGER_LABELS if (s, t) not in ALLOWED]


@pytest.mark.parametrize("current", list(STATE_LABELS))
def test_every_forbidden_transition_is_refused_in_chinese_and_changes_nothing(p, frozen_clock, current):
    """第十八、十九条: a forbidden step names the state and the step; state, version and the
    timeline stay as they were."""
    iid = _in_state(p, frozen_clock, current)
    for s_, trigger in FORBIDDEN:
        if s_ != current:
            continue
        before = state(iid)
        with pytest.raises(DomainError) as err:
            inc.transition(p.officer, iid, trigger, before[1])
        assert STATE_LABELS[current] in err.value.message
        assert TRIGGER_LABELS[trigger] in err.value.message and "不能执行" in err.value.message
        assert state(iid) == before


def test_reporting_steps_happen_only_by_sending_a_report(p, frozen_clock):
    iid = _open(p)
    before = state(iid)
    with pytest.raises(DomainError, match="报送报告时完成"):
        inc.transition(p.officer, iid, "report_while_verifying", before[1])
    with pytest.raises(DomainError, match="边核实边报告.*第十八条"):
        inc.transition(p.officer, iid, "report", before[1])
    assert state(iid) == before


def test_close_needs_the_final_report_and_the_leaders_approval(p, frozen_clock):
    iid = _in_state(p, frozen_clock, "reported")
    before = state(iid)
    with pytest.raises(DomainError) as err:
        inc.transition(p.officer, iid, "close", before[1])
    assert "终报（第十九条）" in err.value.message and "带班领导批准关闭（第七条）" in err.value.message
    assert state(iid) == before
    with pytest.raises(DomainError, match="先报送终报"):
        inc.request_closure(p.officer, iid, before[1])


def test_stale_version_is_a_concurrent_edit(p, frozen_clock):
    iid = _open(p)
    old = version(iid)
    inc.start_verification(p.officer, iid, old)
    with pytest.raises(ConcurrentEditError, match="该记录已被他人修改，请刷新后重试"):
        inc.update_facts(p.officer, iid, old, inc.IncidentFacts(**_facts(iid)))


def _facts(iid):
    row = inc.incident_detail(READER, iid).incident
    return vars(inc.IncidentFacts.from_row(row))


# ---------------------------------------------------------------- 边核实、边报告 (第十八条)

def test_report_while_verifying_marks_the_report_and_incident_unverified(p, frozen_clock):
    iid = _open(p)
    result = inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
        recipients=LEADERS, summary="接报即向领导电话报告"))
    assert result.state == "reported"
    d = inc.incident_detail(p.officer, iid)
    assert d.incident.unverified and d.reports[0].unverified
    event = d.timeline[-1]
    assert event.kind == "phone_report" and event.details["trigger"] == "report_while_verifying"
    assert (event.from_state, event.to_state) == ("received", "reported")
    inc.confirm_verified(p.officer, iid, version(iid), "经社区、派出所两个渠道核实")
    assert not inc.incident_detail(p.officer, iid).incident.unverified


def test_a_written_report_drafted_before_verification_says_so_in_the_document(p, frozen_clock):
    iid = _open(p)
    rid = send_written(p, iid, "initial", content())
    assert inc.report_detail(p.officer, rid).unverified
    doc = Document(io.BytesIO(inc.report_docx(p.officer, rid)))
    body = "\n".join(par.text for par in doc.paragraphs)
    assert "边核实边报告" in body and "关于某社区液化气爆炸事故的首报" in body
    assert "李主任" in body
    assert "report.export" in audit_actions()


# ---------------------------------------------------------------- elements (第十九条)

def test_urgent_initial_report_may_go_with_gaps_which_the_follow_up_must_fill(p, frozen_clock):
    iid = _open(p)
    inc.start_verification(p.officer, iid, version(iid))
    partial = content(elements={k: v for k, v in ALL_ELEMENTS.items()
                                if k not in ("cause_nature", "trend")})
    rid = inc.draft_report(p.officer, iid, version(iid), "initial", partial)
    with pytest.raises(ValidationError) as err:
        inc.submit_report(p.officer, rid, report_version(rid))
    assert "缺少事件起因和性质、事件发展趋势" in err.value.message and "第十八、十九条" in err.value.message
    partial.urgency = "extra_urgent"
    inc.update_draft(p.officer, rid, report_version(rid), partial)
    inc.submit_report(p.officer, rid, report_version(rid))
    row = inc.report_detail(p.officer, rid)
    assert row.missing_elements == ["事件起因和性质", "事件发展趋势"] and row.urgency_label == "特急"
    inc.sign_off_report(p.leader, rid, report_version(rid))
    inc.mark_sent(p.officer, rid, report_version(rid), "fax")

    follow = inc.report_template(p.officer, iid, "follow_up")
    follow.elements["trend"] = "态势平稳"
    fid = inc.draft_report(p.officer, iid, version(iid), "follow_up", follow)
    with pytest.raises(ValidationError) as err:
        inc.submit_report(p.officer, fid, report_version(fid))
    assert any("须补齐上次报告缺少的要素：事件起因和性质" in x for x in err.value.problems)
    assert any(x.startswith("新进展") and "第十九条" in x for x in err.value.problems)
    follow.elements["cause_nature"] = "液化气泄漏"
    follow.changes_since_last = "查明起因"
    inc.update_draft(p.officer, fid, report_version(fid), follow)
    inc.submit_report(p.officer, fid, report_version(fid))
    row = inc.report_detail(p.officer, fid)
    assert row.missing_elements == [] and row.changed_elements == ["事件起因和性质", "事件发展趋势"]


def test_zero_casualties_is_an_answer_not_a_gap(p, frozen_clock):
    iid = _open(p)
    body = content(elements={**ALL_ELEMENTS, "consequences": ""}, deaths=0, injuries=0,
                   missing=0, losses="")
    rid = inc.draft_report(p.officer, iid, version(iid), "initial", body)
    assert inc.report_detail(p.officer, rid).missing_elements == []


def test_one_initial_report_and_follow_ups_wait_for_the_previous_one(p, frozen_clock):
    iid = _open(p)
    with pytest.raises(DomainError, match="请先起草并报送首报"):
        inc.draft_report(p.officer, iid, version(iid), "follow_up", content())
    inc.draft_report(p.officer, iid, version(iid), "initial", content())
    with pytest.raises(DomainError, match="已有首报"):
        inc.draft_report(p.officer, iid, version(iid), "initial", content())
    with pytest.raises(DomainError, match="「首报」尚未报送"):
        inc.draft_report(p.officer, iid, version(iid), "follow_up", content())


def test_sign_off_is_the_shift_leaders_and_a_return_needs_a_comment(p, frozen_clock):
    iid = _open(p)
    rid = inc.draft_report(p.officer, iid, version(iid), "initial", content())
    with pytest.raises(DomainError, match="签发后才能报送（第七条）"):
        inc.mark_sent(p.officer, rid, report_version(rid), "written")
    inc.submit_report(p.officer, rid, report_version(rid))
    with pytest.raises(PermissionDenied):
        inc.sign_off_report(p.officer, rid, report_version(rid))
    queue = inc.approvals_queue(p.leader)
    assert [r.id for r in queue.reports] == [rid] and queue.reports[0].status_label == "待签发"
    with pytest.raises(DomainError, match="退回意见"):
        inc.return_report(p.leader, rid, report_version(rid), "  ")
    inc.return_report(p.leader, rid, report_version(rid), "后果表述不清，请补充经济损失依据")
    row = inc.report_detail(p.officer, rid)
    assert row.status == "returned" and row.return_comment.startswith("后果表述不清")
    assert inc.approvals_queue(p.leader).reports == []
    inc.update_draft(p.officer, rid, report_version(rid), content(losses="约 20 万元（估算）"))
    inc.submit_report(p.officer, rid, report_version(rid))
    inc.sign_off_report(p.leader, rid, report_version(rid))
    assert inc.report_detail(p.officer, rid).status == "approved"
    with pytest.raises(PermissionDenied):
        inc.approvals_queue(p.officer)
    assert "report.return" in audit_actions()


# ---------------------------------------------------------------- channels and deadlines

def test_sms_is_refused_above_public_classification(p, frozen_clock):
    """第十五条、第二十二条: internal information may not go by SMS."""
    iid = _open(p, classification="internal")
    rid = inc.draft_report(p.officer, iid, version(iid), "initial", content())
    inc.submit_report(p.officer, rid, report_version(rid))
    inc.sign_off_report(p.leader, rid, report_version(rid))
    before = state(iid)
    with pytest.raises(DomainError) as err:
        inc.mark_sent(p.officer, rid, report_version(rid), "sms")
    assert err.value.field == "channel" and "短信" in err.value.message and "第十五条、第二十二条" in err.value.message
    assert state(iid) == before and inc.report_detail(p.officer, rid).status == "approved"
    assert "sms" not in inc.report_detail(p.officer, rid).allowed_channels


def test_public_information_may_go_by_sms_and_then_owes_a_written_report(p, frozen_clock):
    iid = _open(p, classification="public", level="IV", sensitive_place=True)
    rid = inc.draft_report(p.officer, iid, version(iid), "initial",
                           content(recipients=["district_duty_office"]))
    inc.submit_report(p.officer, rid, report_version(rid))
    inc.sign_off_report(p.leader, rid, report_version(rid))
    result = inc.mark_sent(p.officer, rid, report_version(rid), "sms")
    assert result.written_owed == ["区政府办公室总值班室（书面）"]


def test_level_raise_recomputes_the_clocks_and_keeps_the_satisfied_ones(p, frozen_clock):
    """第二十一条: III → II adds the 10-minute phone clocks to the district and the bureau."""
    iid = _open(p, level="III")
    inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
        recipients=LEADERS, summary="向领导电话报告"))
    facts = _facts(iid)
    facts["level"] = "II"
    inc.update_facts(p.officer, iid, version(iid), inc.IncidentFacts(**facts))
    d = inc.incident_detail(p.officer, iid)
    phone = {x.recipient: x for x in d.deadlines if x.channel == "phone"}
    occurred = d.incident.occurred_at
    for r in DISTRICT:
        assert phone[r].due_at == occurred + timedelta(minutes=10)
        assert phone[r].latest_at == occurred + timedelta(minutes=30)
        assert phone[r].status == "amber"  # 5 of 10 minutes gone
    assert all(phone[r].status == "done" for r in LEADERS)
    event = d.timeline[-1]
    assert event.kind == "facts_updated" and "较大 → 重大" in event.note
    assert sorted(event.details["deadlines"]["added"]) == sorted(
        ["区政府办公室总值班室（电话）", "区应急管理局（电话）"])
    assert "incident.update" in audit_actions()


def test_lowering_the_level_needs_a_reason_and_drops_open_clocks(p, frozen_clock):
    iid = _open(p, level="II")
    facts = _facts(iid)
    facts["level"] = "IV"
    with pytest.raises(ValidationError, match="修改理由"):
        inc.update_facts(p.officer, iid, version(iid), inc.IncidentFacts(**facts))
    inc.update_facts(p.officer, iid, version(iid), inc.IncidentFacts(**facts),
                     reason="经核实仅 1 人轻伤，属一般事件")
    assert _deadlines(iid) == []


def test_a_late_report_needs_a_reason_which_is_kept(p, frozen_clock):
    """第二十一条: 重大 → 10 minutes by phone; later needs 说明原因, stored on both sides."""
    iid = _open(p, level="II")  # occurred 5 minutes ago
    frozen_clock.advance(minutes=8)  # 13 minutes after occurrence
    form = inc.PhoneReportInput(recipients=DISTRICT, summary="电话报告区总值班室和区应急管理局")
    before = state(iid)
    with pytest.raises(DomainError) as err:
        inc.record_phone_report(p.officer, iid, before[1], form)
    assert err.value.field == "delay_reason"
    assert "说明原因，第二十一条" in err.value.message and "区应急管理局（电话）" in err.value.message
    assert state(iid) == before
    form.delay_reason = "现场信号中断，恢复后立即报告"
    result = inc.record_phone_report(p.officer, iid, before[1], form)
    assert sorted(result.late) == ["区应急管理局（电话）", "区政府办公室总值班室（电话）"]
    d = inc.incident_detail(p.officer, iid)
    assert d.reports[0].delay_reason == form.delay_reason
    late = [x for x in d.deadlines if x.late_reason]
    assert len(late) == 2 and all(x.late_reason == form.delay_reason for x in late)


def test_at_once_clocks_are_red_until_done_but_need_no_reason(p, frozen_clock):
    iid = _open(p)
    frozen_clock.advance(minutes=3)
    leaders = [x for x in _deadlines(iid) if x.recipient in LEADERS]
    assert {x.status for x in leaders} == {"red"}
    result = inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
        recipients=LEADERS, summary="报告领导"))
    assert result.late == [] and len(result.satisfied) == 3


def test_a_phone_report_leaves_a_written_report_owed(p, frozen_clock):
    """第二十二条: phone first, then in writing — to each recipient of the call."""
    iid = _open(p, level="IV", sensitive_nature=True)
    assert _pairs(_deadlines(iid)) == [("district_duty_office", "phone")]
    result = inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
        recipients=["district_duty_office"], summary="敏感事件，电话报告"))
    assert result.written_owed == ["区政府办公室总值班室（书面）"]
    owed = [x for x in _deadlines(iid) if x.kind == "written_owed"]
    assert len(owed) == 1 and owed[0].article == "第二十一条、第二十二条"
    assert owed[0].due_at == frozen_clock.current + timedelta(hours=1)
    d = inc.incident_detail(p.officer, iid)
    assert d.reports[0].written_owed and d.reports[0].title == "电话报告（首报）"
    send_written(p, iid, "initial", content(recipients=["district_duty_office"]))
    d = inc.incident_detail(p.officer, iid)
    assert all(x.status == "done" for x in d.deadlines)
    assert not d.reports[0].written_owed


def test_a_phone_report_does_not_meet_a_written_clock_but_a_written_one_meets_a_phone_clock(p, frozen_clock):
    iid = _open(p, level="II")
    inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
        recipients=["district_duty_office"], summary="电话"))
    open_ = _pairs(_deadlines(iid))
    assert ("district_duty_office", "written") in open_
    assert ("district_duty_office", "phone") not in open_
    assert ("district_emergency_bureau", "phone") in open_
    send_written(p, iid, "initial", content(recipients=["district_emergency_bureau"]),
                 channel="system")
    open_ = _pairs(_deadlines(iid))
    assert ("district_emergency_bureau", "phone") not in open_
    assert ("district_emergency_bureau", "written") not in open_


def test_closure_waits_for_open_clocks_and_can_be_returned(p, frozen_clock):
    iid = _open(p)
    send_written(p, iid, "initial", content(recipients=DISTRICT))  # leaders not told
    send_written(p, iid, "final", content(recipients=DISTRICT, changes_since_last="处置结束"))
    with pytest.raises(DomainError, match="尚有未完成的时限：.*带班领导（电话）"):
        inc.request_closure(p.officer, iid, version(iid))
    inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
        recipients=LEADERS, summary="补报领导"))
    # the phone call to the leaders leaves a written report owed to them (第二十二条)
    with pytest.raises(DomainError, match="党政办负责人（书面）"):
        inc.request_closure(p.officer, iid, version(iid))


def test_closure_request_approval_and_return(p, frozen_clock):
    iid = _open(p)
    send_written(p, iid, "initial", content())
    send_written(p, iid, "final", content(changes_since_last="处置结束"))
    with pytest.raises(PermissionDenied):
        inc.request_closure(p.officer2, iid, version(iid))
    inc.request_closure(p.officer, iid, version(iid), "处置完毕，申请关闭")
    with pytest.raises(DomainError, match="等待带班领导批准"):
        inc.request_closure(p.officer, iid, version(iid))
    queue = inc.approvals_queue(p.leader)
    assert [c.id for c in queue.closures] == [iid] and queue.count == 1
    with pytest.raises(PermissionDenied):
        inc.approve_closure(p.officer, iid, version(iid))
    inc.return_closure(p.leader, iid, version(iid), "请补充善后情况")
    row = inc.incident_detail(p.officer, iid).incident
    assert row.closure_status == "returned" and row.closure_comment == "请补充善后情况"
    assert row.state == "reported"
    inc.request_closure(p.officer, iid, version(iid), "已补充")
    inc.approve_closure(p.leader, iid, version(iid), "同意")
    assert state(iid)[0] == "closed"
    assert inc.approvals_queue(p.leader).count == 0


# ---------------------------------------------------------------- ownership (第十二条)

def test_transfer_moves_the_owner_only_when_the_named_person_accepts(p, frozen_clock):
    iid = _open(p)
    tid = inc.request_transfer(p.officer, iid, version(iid), p.officer2.user_id, "交班，续办核实")
    d = inc.incident_detail(p.officer, iid)
    assert d.incident.owner_user_id == p.officer.user_id and d.pending_transfer.id == tid
    assert [t.id for t in inc.pending_transfers(p.officer2)] == [tid]
    with pytest.raises(PermissionDenied, match="只有被指定的接手人"):
        inc.accept_transfer(p.leader, tid, d.pending_transfer.version)
    with pytest.raises(DomainError, match="已有待接受的交接"):
        inc.request_transfer(p.officer, iid, version(iid), p.leader.user_id, "再交")
    inc.accept_transfer(p.officer2, tid, d.pending_transfer.version)
    d = inc.incident_detail(p.officer, iid)
    assert d.incident.owner_user_id == p.officer2.user_id and d.incident.owner_name == "赵六"
    assert d.transfers[0].status == "accepted" and d.pending_transfer is None
    assert [e.kind for e in d.timeline][-2:] == ["transfer_requested", "transfer_accepted"]
    mine = inc.my_incidents(p.officer2)
    assert [r.id for r in mine] == [iid]
    assert mine[0].open_deadlines == 5 and mine[0].next_due_at == mine[0].received_at
    assert inc.my_incidents(p.officer) == []


def test_a_declined_transfer_keeps_the_owner(p, frozen_clock):
    iid = _open(p)
    tid = inc.request_transfer(p.officer, iid, version(iid), p.officer2.user_id, "交班")
    t = inc.incident_detail(p.officer, iid).pending_transfer
    inc.decline_transfer(p.officer2, tid, t.version, "本人不在班")
    d = inc.incident_detail(p.officer, iid)
    assert d.incident.owner_user_id == p.officer.user_id
    assert d.transfers[0].status == "declined" and d.transfers[0].decline_reason == "本人不在班"
    with pytest.raises(DomainError, match="已处理"):
        inc.accept_transfer(p.officer2, tid, inc.incident_detail(p.officer, iid).transfers[0].version)


def test_only_the_owner_or_a_shift_leader_may_hand_over(p, frozen_clock):
    iid = _open(p)
    with pytest.raises(PermissionDenied, match="首接负责人或带班领导.*第十二条"):
        inc.request_transfer(p.officer2, iid, version(iid), p.officer2.user_id, "我来接")
    assert "permission_denied" in audit_actions()
    with pytest.raises(DomainError, match="交接说明"):
        inc.request_transfer(p.officer, iid, version(iid), p.officer2.user_id, " ")
    with pytest.raises(DomainError, match="无权办理本单位事件"):
        inc.request_transfer(p.officer, iid, version(iid), p.unit_officer.user_id, "交给社区")
    tid = inc.request_transfer(p.leader, iid, version(iid), p.officer2.user_id, "领导指派")
    inc.cancel_transfer(p.officer, tid, inc.incident_detail(p.officer, iid).transfers[0].version)
    assert inc.incident_detail(p.officer, iid).transfers[0].status == "cancelled"


# ---------------------------------------------------------------- scope and roles

def test_unit_duty_officer_is_refused_another_units_incident_by_id(p, frozen_clock):
    """第十五条: a unit officer sees and touches only their own unit; the refusal is audited."""
    iid = _open(p)
    for call in (lambda: inc.incident_detail(p.unit_officer, iid),
                 lambda: inc.start_verification(p.unit_officer, iid, version(iid)),
                 lambda: inc.draft_report(p.unit_officer, iid, version(iid), "initial", content())):
        with pytest.raises(PermissionDenied):
            call()
    with reading() as s:
        denied = s.execute(select(AuditEvent).where(AuditEvent.action == "permission_denied")).scalars().all()
    assert len(denied) == 3 and all(e.username == "sunqi" for e in denied)
    assert {e.details["action"] for e in denied} == {"incident.read", "incident.transition", "report.draft"}
    own = inc.receive(p.unit_officer, intake(title="社区内涝"))
    assert [r.id for r in inc.list_incidents(p.unit_officer)] == [own]
    assert {r.id for r in inc.list_incidents(p.officer)} == {iid, own}
    assert {r.incident_id for r in inc.open_deadlines(p.unit_officer)} == {own}


@pytest.mark.parametrize("role", ["sysadmin"])
def test_the_separated_admins_write_no_duty_records(p, frozen_clock, role):
    with pytest.raises(PermissionDenied):
        inc.receive(getattr(p, role), intake(unit_id=p.street_id))
    with pytest.raises(PermissionDenied):
        inc.open_deadlines(getattr(p, role))


def test_admin_roles_hold_no_incident_action():
    from services.permissions import PERMISSIONS, SEPARATED_ADMIN_ROLES
    for action, grants in PERMISSIONS.items():
        if action.split(".")[0] in ("incident", "report", "verification", "deadline_table"):
            assert not set(grants) & SEPARATED_ADMIN_ROLES, action


# ---------------------------------------------------------------- verification requests (第二十条)

def test_verification_request_clocks_and_late_reason(p, frozen_clock):
    """第二十一条: phone ≤ 15 minutes after the request; in writing ≤ 1 hour when asked."""
    iid = _open(p)
    vid = inc.log_verification_request(p.officer, inc.VerificationInput(
        content="请核实某社区爆炸伤亡情况", written_required=True, incident_id=iid))
    d = inc.incident_detail(p.officer, iid)
    v = d.verification_requests[0]
    due = {x.channel: x.due_at - v.requested_at for x in v.deadlines}
    assert due == {"phone": timedelta(minutes=15), "written": timedelta(hours=1)}
    assert d.timeline[-1].kind == "verification_logged"
    rows = [r for r in inc.open_deadlines(p.officer) if r.kind == "verification"]
    assert {r.action for r in rows} == {"answer_verification"} and len(rows) == 2

    frozen_clock.advance(minutes=16)
    with pytest.raises(DomainError) as err:
        inc.answer_verification(p.officer, vid, v.version, "phone", "2 人轻伤，无死亡")
    assert err.value.field == "late_reason" and "说明原因" in err.value.message
    assert "第二十条" in err.value.message
    inc.answer_verification(p.officer, vid, v.version, "phone", "2 人轻伤，无死亡",
                            late_reason="等待医院确认伤情")
    frozen_clock.advance(minutes=20)
    v = inc.list_verification_requests(p.officer)[0]
    assert v.late_reason == "等待医院确认伤情" and v.state == "open"
    inc.answer_verification(p.officer, vid, v.version, "written", "书面材料已传真")
    assert inc.list_verification_requests(p.officer) == []
    done = inc.list_verification_requests(p.officer, open_only=False)[0]
    assert done.state == "answered" and [x.status for x in done.deadlines] == ["done", "done"]
    assert [x.late_reason for x in done.deadlines] == ["等待医院确认伤情", ""]


def test_a_verification_request_can_open_a_new_incident(p, frozen_clock):
    vid = inc.log_verification_request(p.officer, inc.VerificationInput(
        content="网传某路口发生交通事故，请核实", new_incident=intake(title="某路口交通事故",
                                                                level=None)))
    v = inc.list_verification_requests(p.officer)[0]
    assert v.id == vid and v.incident_title == "某路口交通事故" and not v.written_required
    assert [x.channel for x in v.deadlines] == ["phone"]
    d = inc.incident_detail(p.officer, v.incident_id)
    assert [e.kind for e in d.timeline] == ["received", "verification_logged"]
    frozen_clock.advance(minutes=5)
    inc.answer_verification(p.officer, vid, v.version, "written", "经核实为轻微剐蹭")
    assert inc.list_verification_requests(p.officer) == []  # written meets the phone clock too


# ---------------------------------------------------------------- the desk

def test_desk_lists_open_clocks_most_urgent_first_with_amber_and_red(p, frozen_clock):
    now = frozen_clock.current
    a = _open(p, title="重大事故", level="II", occurred_at=now - timedelta(minutes=6))
    b = _open(p, title="较大事故", level="III", category="public_health",
              occurred_at=now - timedelta(minutes=40))
    inc.record_phone_report(p.officer, a, version(a), inc.PhoneReportInput(
        recipients=LEADERS, summary="报告领导"))
    inc.record_phone_report(p.officer, b, version(b), inc.PhoneReportInput(
        recipients=LEADERS, summary="报告领导"))
    rows = inc.open_deadlines(p.officer)
    # a: phone to district due +4 min (amber: 6 of 10 gone); written due +54 (normal)
    # b: written to district due +20 min (amber: 40 of 60 gone)
    # leaders' written owed after the calls: due +60 (normal)
    assert [(r.incident_title, r.label, r.status) for r in rows[:3]] == [
        ("重大事故", "区政府办公室总值班室（电话）", "amber"),
        ("重大事故", "区应急管理局（电话）", "amber"),
        ("较大事故", "区政府办公室总值班室（书面）", "amber"),
    ]
    assert {r.status for r in rows[3:]} == {"normal"}
    assert [r.due_at for r in rows[3:]] == sorted(r.due_at for r in rows[3:])
    first = rows[0]
    assert first.incident_id == a and first.recipient == "district_duty_office"
    assert first.channel == "phone" and first.action == "phone_report" and first.seconds_left == 240
    assert first.status_label == "即将到期"

    frozen_clock.advance(minutes=5)
    rows = inc.open_deadlines(p.officer)
    assert [(r.incident_title, r.channel, r.status) for r in rows[:2]] == [
        ("重大事故", "phone", "red"), ("重大事故", "phone", "red")]
    assert not rows[0].past_latest and rows[0].seconds_left == -60
    frozen_clock.advance(minutes=30)
    assert inc.open_deadlines(p.officer)[0].past_latest


def test_desk_is_a_constant_number_of_queries(p, frozen_clock, db):
    """No page builds a machine or runs a query per listed row."""
    from sqlalchemy import event

    from services import view_cache

    def count_queries(fn):
        engine = db.kw["bind"]
        seen = []
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    _open(p)
    one = count_queries(lambda: inc.open_deadlines(p.officer))
    one_list = count_queries(lambda: inc.list_incidents(p.officer))
    assert 0 < one <= 4 and 0 < one_list <= 6      # the list, its clocks, the owners (+ tokens)
    for i in range(6):
        _open(p, title=f"事件{i}", level="II")
    assert len(inc.open_deadlines(p.officer)) > 20
    view_cache.clear()                  # as read first (services/view_cache keeps them)
    assert count_queries(lambda: inc.open_deadlines(p.officer)) == one
    assert count_queries(lambda: inc.list_incidents(p.officer)) == one_list


def test_incidents_are_paged_newest_first_with_their_own_clocks(p, frozen_clock):
    ids = []
    for i in range(5):
        ids.append(_open(p, title=f"事件{i}", level="II"))
        frozen_clock.advance(minutes=1)
    send_written(p, ids[0], "initial", content())
    close_incident(p, ids[0])
    whole = inc.list_incidents(p.officer, open_only=False)
    assert [r.id for r in whole] == ids[::-1]
    first = inc.incidents_page(p.officer, open_only=False, page=1, per_page=2)
    assert (first.total, first.pages, [r.id for r in first.rows]) == (5, 3, ids[:2:-1])
    last = inc.incidents_page(p.officer, open_only=False, page=7, per_page=2)   # brought within range
    assert (last.page, [r.id for r in last.rows]) == (3, [ids[0]])
    assert [r.id for r in inc.incidents_page(p.officer).rows] == ids[:0:-1]     # open only
    by_id = {r.id: r for r in whole}
    for row in first.rows:            # the same clocks as the whole list, counted per incident
        assert (row.open_deadlines, row.next_due_at) == (by_id[row.id].open_deadlines,
                                                         by_id[row.id].next_due_at)
        assert row.open_deadlines == sum(d.status != "done" for d in _deadlines(row.id)) > 0
    assert (by_id[ids[0]].state, by_id[ids[0]].open_deadlines) == ("closed", 0)


def test_the_desks_open_clocks_are_kept_their_colour_follows_the_clock(p, frozen_clock):
    from conftest import SelectCounter

    iid = _open(p, level="II")
    before = inc.open_deadlines(p.officer)
    assert before and "red" not in {r.status for r in before}
    frozen_clock.advance(minutes=20)                 # past the 10-minute phone clocks
    with SelectCounter() as sql:                     # a refresh: kept, the tokens read only
        later = inc.open_deadlines(p.officer)
    assert len(sql) == 1 and "data_version" in sql[0]
    fresh = inc.open_deadlines(p.officer, frozen_clock.current)
    assert later == fresh and "red" in {r.status for r in later}
    assert {r.deadline_id: r.seconds_left for r in later} == {
        r.deadline_id: r.seconds_left - 1200 for r in before}
    send_written(p, iid, "initial", content(), delay_reason="核实现场情况")  # a clock satisfied: read again
    assert len(inc.open_deadlines(p.officer)) < len(later)


def test_the_incident_list_is_kept_until_an_incident_or_clock_changes(p, frozen_clock):
    from conftest import SelectCounter

    first = _open(p, title="事件一", level="II")
    shown = inc.incidents_page(p.officer)
    mine = inc.my_incidents(p.officer)
    frozen_clock.advance(minutes=1)
    with SelectCounter() as sql:      # a rerun: both kept, the tokens read once each
        assert inc.incidents_page(p.officer) == shown and inc.my_incidents(p.officer) == mine
    assert len(sql) == 2 and all("data_version" in q for q in sql)
    second = _open(p, title="事件二", level="II")
    assert [r.id for r in inc.incidents_page(p.officer).rows] == [second, first]
    send_written(p, first, "initial", content())          # a clock satisfied: counted again
    row = next(r for r in inc.incidents_page(p.officer).rows if r.id == first)
    assert row.open_deadlines == sum(d.status != "done" for d in _deadlines(first))


# ---------------------------------------------------------------- the deadline table (第二十一条)

def test_deadline_table_may_only_be_tightened_by_the_office(p, frozen_clock):
    view = inc.deadline_table(p.officer)
    assert view.values == view.defaults and view.version == 0 and not view.customised
    with pytest.raises(PermissionDenied):
        inc.update_deadline_table(p.officer, {"major_phone_minutes": 5}, 0)
    with pytest.raises(ValidationError) as err:
        inc.update_deadline_table(p.office_admin, {"district_written_minutes": 90}, 0)
    assert "不得超过规定的 60 分钟" in err.value.message and "第二十一条" in err.value.message
    inc.update_deadline_table(p.office_admin, {"major_phone_minutes": 5,
                                               "verification_phone_minutes": 10}, 0)
    view = inc.deadline_table(p.officer)
    assert view.values["major_phone_minutes"] == 5 and view.customised and view.version == 1
    assert view.updated_by_name == "周八"
    with pytest.raises(ConcurrentEditError):
        inc.update_deadline_table(p.office_admin, {"major_phone_minutes": 8}, 0)
    iid = _open(p, level="II")
    phone = [x for x in _deadlines(iid) if x.recipient == "district_duty_office" and x.channel == "phone"]
    assert phone[0].due_at - inc.incident_detail(p.officer, iid).incident.occurred_at == timedelta(minutes=5)
    with reading() as s:
        row = s.execute(select(AuditEvent).where(AuditEvent.action == "deadline_table.update")).scalar_one()
    assert row.details["before"]["major_phone_minutes"] == 10 and row.details["after"]["major_phone_minutes"] == 5


# ---------------------------------------------------------------- storage guarantees

def test_a_duplicate_report_can_never_be_stored(p, frozen_clock):
    iid = _open(p)
    inc.draft_report(p.officer, iid, version(iid), "initial", content())
    with pytest.raises(IntegrityError):
        with transaction() as s:
            first = s.execute(select(Report).where(Report.incident_id == iid)).scalar_one()
            s.add(Report(incident_id=iid, kind="initial", number=0, by_phone=False, status="draft",
                         classification="internal", drafted_at=first.drafted_at))
            s.flush()


def test_a_second_report_from_a_stale_page_is_a_concurrent_edit(p, frozen_clock):
    iid = _open(p)
    seen = version(iid)
    inc.draft_report(p.officer, iid, seen, "initial", content())
    with pytest.raises(ConcurrentEditError):
        inc.draft_report(p.officer2, iid, seen, "initial", content())
    with reading() as s:
        assert len(s.execute(select(Report).where(Report.incident_id == iid)).all()) == 1


def test_the_unique_key_backs_up_the_version_check(p, frozen_clock, monkeypatch):
    """Should two writers both pass the checks, the unique key stops the second one."""
    from services.incidents import reports as reports_module
    iid = _open(p)
    inc.draft_report(p.officer, iid, version(iid), "initial", content())
    monkeypatch.setattr(reports_module, "_check_can_draft", lambda incident, kind: None)
    with pytest.raises(ConcurrentEditError):
        inc.draft_report(p.officer2, iid, version(iid), "initial", content())
    with reading() as s:
        assert len(s.execute(select(Report).where(Report.incident_id == iid)).all()) == 1


@pytest.mark.parametrize("statement", ["UPDATE incident_event SET note = 'x'",
                                       "DELETE FROM incident_event"])
def test_the_timeline_is_append_only(p, frozen_clock, statement):
    _open(p)
    with pytest.raises(DBAPIError, match="append-only"):
        with transaction() as s:
            s.execute(text(statement))


def test_every_open_clock_is_stored_with_its_unit(p, frozen_clock):
    iid = _open(p)
    with reading() as s:
        units = set(s.execute(select(DeadlineRecord.unit_id).where(DeadlineRecord.incident_id == iid)).scalars())
        assert units == {s.get(Incident, iid).unit_id}


def test_a_phone_follow_up_needs_an_earlier_report(p, frozen_clock):
    iid = _open(p)
    with pytest.raises(DomainError, match="不能续报"):
        inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
            recipients=LEADERS, summary="续报", kind="follow_up"))
    with pytest.raises(DomainError, match="终报须书面报送"):
        inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
            recipients=LEADERS, summary="终报", kind="final"))
    assert state(iid)[0] == "received"


def test_a_verification_request_without_an_incident_is_on_the_desk_and_can_be_linked(p, frozen_clock):
    vid = inc.log_verification_request(p.officer, inc.VerificationInput(
        content="请核实某小区停水情况"))
    rows = inc.open_deadlines(p.officer)
    assert [(r.kind, r.incident_id, r.verification_request_id, r.incident_title) for r in rows] == [
        ("verification", None, vid, "核报：请核实某小区停水情况")]
    iid = _open(p, title="某小区停水", category="public_health", level=None)
    v = inc.list_verification_requests(p.officer)[0]
    inc.link_verification_request(p.officer, vid, v.version, iid)
    rows = [r for r in inc.open_deadlines(p.officer) if r.kind == "verification"]
    assert rows[0].incident_id == iid and rows[0].incident_title == "某小区停水"
    d = inc.incident_detail(p.officer, iid)
    assert [v.id for v in d.verification_requests] == [vid]
    assert d.timeline[-1].kind == "verification_linked"


def test_an_unanswered_verification_request_keeps_the_incident_open(p, frozen_clock):
    iid = _open(p)
    send_written(p, iid, "initial", content())
    inc.log_verification_request(p.officer, inc.VerificationInput(
        content="请核实伤亡", incident_id=iid))
    send_written(p, iid, "final", content(changes_since_last="处置结束"))
    with pytest.raises(DomainError, match="核报反馈区政府办公室总值班室（电话）.*第二十条"):
        inc.request_closure(p.officer, iid, version(iid))


def test_sent_time_cannot_be_in_the_future_or_before_sign_off(p, frozen_clock):
    iid = _open(p)
    rid = inc.draft_report(p.officer, iid, version(iid), "initial", content())
    inc.submit_report(p.officer, rid, report_version(rid))
    inc.sign_off_report(p.leader, rid, report_version(rid))
    for when, fragment in ((frozen_clock.current + timedelta(minutes=1), "不能晚于当前时间"),
                           (frozen_clock.current - timedelta(minutes=1), "不能早于签发时间")):
        with pytest.raises(DomainError, match=fragment) as err:
            inc.mark_sent(p.officer, rid, report_version(rid), "written", sent_at=when)
        assert err.value.field == "sent_at"


def test_the_browser_journey_path_level_two_accident(p, frozen_clock):
    """The Playwright journey through the services: the desk shows the 10-minute phone clock,
    a phone report meets it, the written reports meet the rest, and the incident closes."""
    iid = _open(p, level="II")
    first = inc.open_deadlines(p.officer)
    ten = [r for r in first if r.label == "区政府办公室总值班室（电话）"][0]
    assert ten.due_at - inc.incident_detail(p.officer, iid).incident.occurred_at == timedelta(minutes=10)
    frozen_clock.advance(minutes=3)
    inc.record_phone_report(p.officer, iid, version(iid), inc.PhoneReportInput(
        recipients=DISTRICT, summary="电话报告区总值班室、区应急管理局"))
    frozen_clock.advance(minutes=15)
    body = inc.report_template(p.officer, iid, "initial")
    assert set(body.recipients) == set(DISTRICT + LEADERS) and body.urgency == "extra_urgent"
    body.elements.update({k: v for k, v in ALL_ELEMENTS.items() if not body.elements.get(k)})
    initial = send_written(p, iid, "initial", body)  # 特急: may go without the casualty figures
    assert inc.report_detail(p.officer, initial).missing_elements == ["已造成的后果"]
    assert inc.open_deadlines(p.officer) == []
    follow = inc.report_template(p.officer, iid, "follow_up")
    follow.deaths, follow.injuries, follow.missing = 0, 2, 0
    follow.changes_since_last = "查明伤亡：2 人受伤"
    send_written(p, iid, "follow_up", follow)
    close_incident(p, iid)
    assert state(iid)[0] == "closed"


def test_transfer_candidates_are_those_who_may_handle_the_unit(p, frozen_clock):
    iid = _open(p)
    names = [name for _, name in inc.transfer_candidates(p.officer, iid)]
    assert "赵六" in names and "李主任" in names and "周八" in names
    assert "王五" not in names and "孙七" not in names and "管理员" not in names


def test_the_desk_query_walks_the_open_clock_index(p, frozen_clock, db):
    """The desk query can be served by the partial indexes over open clocks.

    SQLite plans from the schema; PostgreSQL plans from table statistics, so there the
    sequential scan is priced out to show the index is usable for the query as written.
    """
    _open(p)
    plans = plans_of(db.kw["bind"], lambda: (inc.open_deadlines(p.officer),
                                             inc.open_deadlines(p.unit_officer)), "deadline_record")
    assert len(plans) == 2
    assert "ix_deadline_record_open_due" in plans[0]
    assert "ix_deadline_record_open_unit_due" in plans[1]


def test_correcting_the_time_of_occurrence_moves_the_open_clocks(p, frozen_clock):
    """第二十一条: clocks run from occurred_at, so a corrected time moves the open ones."""
    iid = _open(p)
    facts = _facts(iid)
    facts["occurred_at"] = facts["occurred_at"] - timedelta(minutes=20)
    inc.update_facts(p.officer, iid, version(iid), inc.IncidentFacts(**facts))
    d = inc.incident_detail(p.officer, iid)
    written = [x for x in d.deadlines if x.channel == "written"]
    assert {x.due_at for x in written} == {facts["occurred_at"] + timedelta(hours=1)}
    assert sorted(d.timeline[-1].details["deadlines"]["moved"]) == [
        "区应急管理局（书面）", "区政府办公室总值班室（书面）"]
    with pytest.raises(ValidationError, match="事发时间：不能晚于接报时间"):
        facts["occurred_at"] = frozen_clock.current + timedelta(minutes=1)
        inc.update_facts(p.officer, iid, version(iid), inc.IncidentFacts(**facts))
