"""The incident's lifecycle outside reports: verification, ownership, closure.

Every state change goes through workflows.incident.fire on the row's `state`; a refused
step raises a DomainError with the machine's Chinese message and changes nothing.
Reporting steps (report / report_while_verifying / add_follow_up) happen when a report is
sent — see services.incidents.reports.
"""
from __future__ import annotations

from sqlalchemy import select

from models.auth import User
from models.incident import Incident, OwnershipTransfer, Report
from services import audit, clock
from services.errors import DomainError, NotFound, PermissionDenied
from services.incidents.common import (
    add_event, check_version, fire_or_refuse, load_incident, not_closed, open_deadline_problem,
    refuse_if_not_allowed, require_owner_or_leader, text_of, touch,
)
from services.permissions import Actor, can, require
from services.uow import transaction
from workflows.incident import TRIGGER_LABELS

REPORT_TRIGGERS = frozenset({"report", "report_while_verifying", "add_follow_up"})


def _final_sent(s, inc: Incident) -> bool:
    return s.execute(select(Report.id).where(
        Report.incident_id == inc.id, Report.kind == "final", Report.by_phone.is_(False),
        Report.status == "sent")).first() is not None


def transition(actor: Actor, incident_id: int, trigger: str, version: int, note: str = "") -> str:
    """Fire one trigger of the incident machine; returns the new state.

    start_verification and close are fired here; the reporting triggers are fired by
    sending a report (the page should offer "报送" instead).
    """
    if trigger not in TRIGGER_LABELS:
        raise DomainError(f"未知的操作：{trigger}")
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "incident.transition", inc.unit_id)
        check_version(inc, version)
        if trigger in REPORT_TRIGGERS:
            refuse_if_not_allowed(inc.state, trigger)
            raise DomainError(f"「{TRIGGER_LABELS[trigger]}」在报送报告时完成：请起草并报送报告，"
                              "或登记电话报告（第十八、十九条）")
        facts = {}
        if trigger == "close":
            facts = {"has_final_report": _final_sent(s, inc),
                     "closure_approved": inc.closure_status == "approved"}
        before, after = fire_or_refuse(inc, trigger, **facts)
        if after == "closed":
            inc.closed_at = clock.now()
        s.flush()
        add_event(s, inc, actor, trigger, note=text_of(note), from_state=before, to_state=after)
        audit.record(s, actor, "incident.transition", "incident", inc.id,
                     details={"trigger": trigger, "from": before, "to": after})
        return after


def start_verification(actor: Actor, incident_id: int, version: int, note: str = "") -> str:
    """开始核实 (第十八条): received → verifying."""
    return transition(actor, incident_id, "start_verification", version, note)


def confirm_verified(actor: Actor, incident_id: int, version: int, note: str) -> None:
    """核实完成: clears the 边核实边报告 flag; what was verified goes in the note (第十八条)."""
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "incident.update", inc.unit_id)
        check_version(inc, version)
        not_closed(inc, "修改核实状态")
        if not inc.unverified:
            raise DomainError("该事件没有待核实的报告")
        if not text_of(note):
            raise DomainError("核实情况：请写明核实的渠道和结果（第十八条）", field="note")
        inc.unverified = False
        s.flush()
        add_event(s, inc, actor, "verified", note=text_of(note))
        audit.record(s, actor, "incident.verified", "incident", inc.id)


# ---------------------------------------------------------------- ownership (第十二条)

def _load_transfer(s, transfer_id: int) -> OwnershipTransfer:
    t = s.get(OwnershipTransfer, transfer_id)
    if t is None:
        raise NotFound("交接记录不存在")
    return t


def _pending(t: OwnershipTransfer) -> None:
    if not t.pending:
        raise DomainError("该交接已处理，请刷新")


def request_transfer(actor: Actor, incident_id: int, version: int, to_user_id: int,
                     reason: str) -> int:
    """The owner (or a shift leader) hands the incident to a colleague; it moves on acceptance."""
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "incident.transfer", inc.unit_id)
        require_owner_or_leader(actor, inc, "incident.transfer", "发起交接")
        check_version(inc, version)
        not_closed(inc, "交接")
        target = s.get(User, to_user_id)
        if target is None or not target.active:
            raise DomainError("接手人：账号不存在或已停用", field="to_user_id")
        if target.id == inc.owner_user_id:
            raise DomainError("接手人：不能是当前负责人", field="to_user_id")
        target_actor = Actor(user_id=target.id, username=target.username,
                             display_name=target.display_name, roles=target.role_codes,
                             unit_id=target.unit_id)
        if not can(target_actor, "incident.update", inc.unit_id):
            raise DomainError(f"接手人：{target.display_name} 无权办理本单位事件", field="to_user_id")
        if not text_of(reason):
            raise DomainError("交接说明：请写明办理进展和待办事项（第十二条）", field="reason")
        pending = [t for t in inc.transfers if t.pending]
        if pending:
            raise DomainError("已有待接受的交接，请等待对方确认或先撤回")
        now = clock.now()
        t = OwnershipTransfer(from_user_id=inc.owner_user_id, to_user_id=target.id,
                              requested_by_id=actor.user_id, requested_at=now,
                              reason=text_of(reason))
        inc.transfers.append(t)
        touch(inc)
        s.flush()
        add_event(s, inc, actor, "transfer_requested", note=t.reason,
                  details={"transfer_id": t.id, "from": t.from_user_id, "to": t.to_user_id,
                           "to_name": target.display_name})
        audit.record(s, actor, "incident.transfer_request", "incident", inc.id,
                     details={"transfer_id": t.id, "to_user_id": target.id})
        return t.id


def _named_person(actor: Actor, t: OwnershipTransfer, what: str) -> None:
    if actor.user_id != t.to_user_id:
        raise PermissionDenied(f"只有被指定的接手人可以{what}（第十二条）", actor=actor,
                               action="incident.transfer")


def accept_transfer(actor: Actor, transfer_id: int, version: int) -> None:
    """The named person accepts: from now on they own the incident (第十二条)."""
    with transaction() as s:
        t = _load_transfer(s, transfer_id)
        inc = t.incident
        require(actor, "incident.transfer", inc.unit_id)
        _named_person(actor, t, "接受交接")
        check_version(t, version)
        _pending(t)
        if inc.owner_user_id != t.from_user_id:
            raise DomainError("负责人已变更，该交接已失效")
        now = clock.now()
        t.accepted_at = now
        inc.owner_user_id = actor.user_id
        s.flush()
        add_event(s, inc, actor, "transfer_accepted",
                  details={"transfer_id": t.id, "from": t.from_user_id, "to": t.to_user_id})
        audit.record(s, actor, "incident.transfer_accept", "incident", inc.id,
                     details={"transfer_id": t.id, "from": t.from_user_id})


def decline_transfer(actor: Actor, transfer_id: int, version: int, reason: str = "") -> None:
    """The named person declines; the owner keeps the incident."""
    with transaction() as s:
        t = _load_transfer(s, transfer_id)
        inc = t.incident
        require(actor, "incident.transfer", inc.unit_id)
        _named_person(actor, t, "拒绝交接")
        check_version(t, version)
        _pending(t)
        t.declined_at = clock.now()
        t.decline_reason = text_of(reason)
        s.flush()
        add_event(s, inc, actor, "transfer_declined", note=t.decline_reason,
                  details={"transfer_id": t.id})
        audit.record(s, actor, "incident.transfer_decline", "incident", inc.id,
                     details={"transfer_id": t.id})


def cancel_transfer(actor: Actor, transfer_id: int, version: int) -> None:
    """The owner, the requester or a shift leader withdraws a transfer not yet answered."""
    with transaction() as s:
        t = _load_transfer(s, transfer_id)
        inc = t.incident
        require(actor, "incident.transfer", inc.unit_id)
        if actor.user_id != t.requested_by_id:
            require_owner_or_leader(actor, inc, "incident.transfer", "撤回交接")
        check_version(t, version)
        _pending(t)
        t.cancelled_at = clock.now()
        s.flush()
        add_event(s, inc, actor, "transfer_cancelled", details={"transfer_id": t.id})
        audit.record(s, actor, "incident.transfer_cancel", "incident", inc.id,
                     details={"transfer_id": t.id})


# ---------------------------------------------------------------- closure (第七条、第十九条)

def _closable(s, inc: Incident) -> None:
    if not _final_sent(s, inc):
        raise DomainError("关闭事件需先报送终报（第十九条）")
    problem = open_deadline_problem(inc)
    if problem:
        raise DomainError(problem)


def request_closure(actor: Actor, incident_id: int, version: int, note: str = "") -> None:
    """The owner asks to close: the final report is sent and no clock is left open."""
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "incident.request_closure", inc.unit_id)
        require_owner_or_leader(actor, inc, "incident.request_closure", "申请关闭事件")
        check_version(inc, version)
        refuse_if_not_allowed(inc.state, "close")
        if inc.closure_status == "requested":
            raise DomainError("已申请关闭，等待带班领导批准")
        _closable(s, inc)
        now = clock.now()
        inc.closure_status = "requested"
        inc.closure_requested_by_id, inc.closure_requested_at = actor.user_id, now
        inc.closure_note = text_of(note)
        inc.closure_decided_by_id = inc.closure_decided_at = inc.closure_comment = None
        s.flush()
        add_event(s, inc, actor, "closure_requested", note=inc.closure_note)
        audit.record(s, actor, "incident.closure_request", "incident", inc.id)


def _awaiting_closure(inc: Incident) -> None:
    if inc.closure_status != "requested":
        raise DomainError("该事件没有待批准的关闭申请")


def approve_closure(actor: Actor, incident_id: int, version: int, comment: str = "") -> None:
    """A shift leader approves (第七条) and the incident closes (第十九条 终报 already sent)."""
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "incident.approve_closure", inc.unit_id)
        check_version(inc, version)
        _awaiting_closure(inc)
        _closable(s, inc)
        now = clock.now()
        inc.closure_status = "approved"
        inc.closure_decided_by_id, inc.closure_decided_at = actor.user_id, now
        inc.closure_comment = text_of(comment)
        before, after = fire_or_refuse(inc, "close", has_final_report=True, closure_approved=True)
        inc.closed_at = now
        s.flush()
        add_event(s, inc, actor, "closure_approved", note=inc.closure_comment,
                  from_state=before, to_state=after, details={"trigger": "close"})
        audit.record(s, actor, "incident.closure_approve", "incident", inc.id,
                     details={"from": before, "to": after})


def return_closure(actor: Actor, incident_id: int, version: int, comment: str) -> None:
    """A shift leader sends the closure request back with a comment."""
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "incident.approve_closure", inc.unit_id)
        check_version(inc, version)
        _awaiting_closure(inc)
        if not text_of(comment):
            raise DomainError("退回意见：请写明退回理由", field="comment")
        inc.closure_status = "returned"
        inc.closure_decided_by_id, inc.closure_decided_at = actor.user_id, clock.now()
        inc.closure_comment = text_of(comment)
        s.flush()
        add_event(s, inc, actor, "closure_returned", note=inc.closure_comment)
        audit.record(s, actor, "incident.closure_return", "incident", inc.id)
