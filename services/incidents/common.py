"""What the incident services share: labels, input checks, the timeline, stored deadlines.

Nothing here opens a transaction; every function works inside the caller's.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from models.auth import User
from models.incident import (
    DeadlineRecord, DeadlineTableSetting, Incident, IncidentEvent, Report,
)
from rules.deadlines import (
    ARTICLE, CATEGORY_LABELS, DEFAULT_TABLE, LEVEL_LABELS, RECIPIENT_LABELS, Deadline,
    DeadlineTable, reporting_deadlines,
)
from rules.report_elements import CLASSIFICATION_LABELS
from services import clock, shifts
from services.errors import ConcurrentEditError, DomainError, NotFound, PermissionDenied
from services.forms import aware, text_of  # noqa: F401  (re-exported to the area)
from services.permissions import SHIFT_LEADER, SYSTEM, Actor
from workflows.errors import TransitionRefused
from workflows.incident import fire

SOURCE_KIND_LABELS = {"unit": "单位报告", "person": "个人报告", "phone": "电话"}
REPORT_STATUS_LABELS = {"draft": "草稿", "submitted": "待签发", "approved": "已签发",
                        "returned": "已退回", "sent": "已报送"}
CLOSURE_STATUS_LABELS = {None: "", "requested": "待批准关闭", "approved": "已批准关闭",
                         "returned": "关闭申请已退回"}
DEADLINE_KIND_LABELS = {"report": "报告时限", "written_owed": "补报书面报告",
                        "verification": "核报反馈"}
URGENCY_LABELS = {"extra_urgent": "特急", "urgent": "加急"}
VERIFICATION_STATE_LABELS = {"open": "待反馈", "answered": "已反馈"}
TRANSFER_STATUS_LABELS = {"pending": "待接受", "accepted": "已接受", "declined": "已拒绝",
                          "cancelled": "已撤回"}
EVENT_LABELS = {
    "received": "接报登记",
    "intake_linked": "关联来电",
    "facts_updated": "修改事件信息",
    "start_verification": "开始核实",
    "verified": "核实完成",
    "close": "关闭事件",
    "report_drafted": "起草报告",
    "report_submitted": "提交签发",
    "report_signed_off": "领导签发",
    "report_returned": "退回修改",
    "report_sent": "报送报告",
    "phone_report": "电话报告",
    "transfer_requested": "发起交接",
    "transfer_accepted": "接受交接",
    "transfer_declined": "拒绝交接",
    "transfer_cancelled": "撤回交接",
    "closure_requested": "申请关闭",
    "closure_approved": "批准关闭",
    "closure_returned": "退回关闭申请",
    "verification_logged": "登记核报",
    "verification_linked": "关联核报",
    "verification_answered": "核报反馈",
}

# 第二十二条: phone and SMS are quick notices — they meet a phone clock and leave a written
# report owed; a written report (paper, fax, the national system) meets a written clock and
# also any phone clock of the same recipient still open (it reached them; if late, a reason).
QUICK_CHANNELS = frozenset({"phone", "sms"})
SATISFIES = {
    "phone": frozenset({"phone"}),
    "sms": frozenset({"phone"}),
    "written": frozenset({"phone", "written"}),
    "fax": frozenset({"phone", "written"}),
    "system": frozenset({"phone", "written"}),
}
WRITTEN_OWED_ARTICLE = "第二十一条、第二十二条"
CLOSED = "closed"
REPORT_DEADLINE_KINDS = ("report", "written_owed")


# ---------------------------------------------------------------- inputs

def check_recipients(recipients, label: str = "报送对象") -> list[str]:
    codes = [r for r in dict.fromkeys(recipients or [])]
    unknown = [r for r in codes if r not in RECIPIENT_LABELS]
    if unknown:
        raise DomainError(f"{label}：未知的报送对象 {'、'.join(map(str, unknown))}", field="recipients")
    return codes


def check_classification(value: str) -> str:
    if value not in CLASSIFICATION_LABELS:
        raise DomainError(f"密级：请选择{'、'.join(CLASSIFICATION_LABELS.values())}（第十五条）",
                          field="classification")
    return value


def category_problem(value) -> str | None:
    if value not in CATEGORY_LABELS:
        return f"事件类别：请选择{'、'.join(CATEGORY_LABELS.values())}"
    return None


def level_problem(value) -> str | None:
    if value not in LEVEL_LABELS:
        return "事件等级：请选择特别重大（I）、重大（II）、较大（III）、一般（IV）或未定级"
    return None


# ---------------------------------------------------------------- loading and locking

def load_incident(s: Session, incident_id: int, *, lock: bool = False) -> Incident:
    """The incident; `lock` for a write that depends on it (PostgreSQL: SELECT … FOR UPDATE,
    so a second writer waits and then sees the first one's version; SQLite writers are
    serialised by BEGIN IMMEDIATE already)."""
    if lock:
        inc = s.get(Incident, incident_id, with_for_update=True, populate_existing=True)
    else:
        inc = s.get(Incident, incident_id)
    if inc is None:
        raise NotFound("事件不存在")
    return inc


def check_version(obj, version: int | None) -> None:
    """Optimistic locking: the record must still be the version the page loaded."""
    if version is None or obj.version != version:
        raise ConcurrentEditError()


def touch(inc: Incident) -> None:
    """Bump the incident's version: a second writer working from the old one then fails."""
    flag_modified(inc, "state")


def flush_or_conflict(s: Session) -> None:
    """Flush now; a unique key broken by a concurrent writer is a concurrent edit."""
    try:
        s.flush()
    except IntegrityError as exc:
        raise ConcurrentEditError() from exc


def is_shift_leader(actor: Actor) -> bool:
    return SHIFT_LEADER in actor.roles or SYSTEM in actor.roles


def require_owner_or_leader(actor: Actor, inc: Incident, action: str, what: str) -> None:
    """第十二条: the first-contact owner follows the incident; a shift leader may step in."""
    if actor.user_id == inc.owner_user_id or is_shift_leader(actor):
        return
    raise PermissionDenied(f"只有首接负责人或带班领导可以{what}（第十二条）",
                           actor=actor, action=action)


def not_closed(inc: Incident, what: str) -> None:
    if inc.state == CLOSED:
        raise DomainError(f"事件已关闭，不能{what}")


def fire_or_refuse(inc: Incident, trigger: str, **facts) -> tuple[str, str]:
    """Run the machine on the row; a refused step becomes the user's Chinese message."""
    try:
        return fire(inc, trigger, **facts)
    except TransitionRefused as exc:
        raise DomainError(exc.message) from exc


def refuse_if_not_allowed(state: str, trigger: str) -> None:
    """Ask the machine about `trigger` without touching any row."""
    fire_or_refuse(SimpleNamespace(state=state), trigger,
                   has_final_report=True, closure_approved=True)


def user_names(s: Session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(s.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


# ---------------------------------------------------------------- the timeline

def add_event(s: Session, inc: Incident, actor: Actor, kind: str, note: str = "",
              from_state: str | None = None, to_state: str | None = None,
              details: dict | None = None) -> IncidentEvent:
    """Append one timeline event (第十三条); the timeline is never edited."""
    if kind not in EVENT_LABELS:
        raise ValueError(f"unknown event kind {kind!r}")
    event = IncidentEvent(incident_id=inc.id, at=clock.now(), actor_user_id=actor.user_id,
                          actor_name=(actor.display_name or actor.username)[:50], kind=kind,
                          from_state=from_state, to_state=to_state, note=note or "",
                          details=_jsonable(details or {}))
    s.add(event)
    # Any recorded action on the incident follows up a handed-over item (第十四条).
    shifts.record_item_action(s, "incident", inc.id, event.at)
    return event


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- deadlines

def current_table(s: Session) -> DeadlineTable:
    """The office's table (第二十一条), or the regulation's when none was saved."""
    row = s.get(DeadlineTableSetting, 1)
    if row is None:
        return DEFAULT_TABLE
    return DeadlineTable(
        district_written_minutes=row.district_written_minutes,
        major_phone_minutes=row.major_phone_minutes,
        major_phone_latest_minutes=row.major_phone_latest_minutes,
        verification_phone_minutes=row.verification_phone_minutes,
        verification_written_minutes=row.verification_written_minutes,
    )


def as_deadline(rec: DeadlineRecord) -> Deadline:
    return Deadline(rec.recipient, rec.channel, rec.due_at, rec.latest_at, rec.article,
                    starts_at=rec.starts_at)


def deadline_label(rec: DeadlineRecord) -> str:
    return as_deadline(rec).label


def needs_reason(rec: DeadlineRecord, done_at: datetime) -> bool:
    """Late against a numbered clock → a reason is owed (说明原因, 第二十条、第二十一条).

    The "at once / promptly" clocks (立即、及时) have no number in 第二十一条: they are red on
    the desk until done but do not demand a reason for minutes spent verifying.
    """
    at_once = rec.starts_at is not None and rec.due_at <= rec.starts_at
    return not at_once and done_at > rec.due_at


def sync_deadlines(s: Session, inc: Incident, table: DeadlineTable) -> dict[str, list[str]]:
    """Make the stored reporting clocks match the rules for the incident's facts now.

    Satisfied clocks are kept as they are; open ones are moved, dropped or added.
    Written reports owed after phone reports (第二十二条) are re-checked afterwards.
    """
    wanted = {(d.recipient, d.channel): d for d in reporting_deadlines(
        inc.category, inc.level, inc.occurred_at, inc.received_at, inc.sensitive, table)}
    now = clock.now()
    changes: dict[str, list[str]] = {"added": [], "removed": [], "moved": []}
    for rec in [d for d in inc.deadlines if d.kind == "report"]:
        key = (rec.recipient, rec.channel)
        new = wanted.pop(key, None)
        if rec.satisfied_at is not None:
            continue
        if new is None:
            changes["removed"].append(deadline_label(rec))
            inc.deadlines.remove(rec)
            s.delete(rec)
        elif (rec.due_at, rec.latest_at, rec.starts_at) != (new.due_at, new.latest_at, new.starts_at):
            rec.due_at, rec.latest_at, rec.starts_at = new.due_at, new.latest_at, new.starts_at
            rec.article = new.article
            changes["moved"].append(new.label)
    for d in wanted.values():
        inc.deadlines.append(DeadlineRecord(
            unit_id=inc.unit_id, kind="report", recipient=d.recipient, channel=d.channel,
            starts_at=d.starts_at, due_at=d.due_at, latest_at=d.latest_at, article=d.article,
            created_at=now))
        changes["added"].append(d.label)
    for report in inc.reports:
        if report.written_owed and report.sent_at is not None:
            ensure_written_owed(inc, report, table)
    return changes


def ensure_written_owed(inc: Incident, report: Report, table: DeadlineTable) -> list[str]:
    """第二十二条: after a quick notice (phone, SMS), a written report to the same recipients.

    An open written clock to a recipient already covers it; otherwise one is opened, due
    as long after the call as the district's written clock (第二十一条).
    """
    opened = []
    for recipient in report.recipients:
        covered = any(
            d.channel == "written" and d.recipient == recipient and d.kind in REPORT_DEADLINE_KINDS
            and (d.satisfied_at is None or d.satisfied_at >= report.sent_at)
            for d in inc.deadlines)
        if covered:
            continue
        due = report.sent_at + timedelta(minutes=table.district_written_minutes)
        rec = DeadlineRecord(unit_id=inc.unit_id, kind="written_owed", recipient=recipient,
                             channel="written", starts_at=report.sent_at, due_at=due,
                             latest_at=due, article=WRITTEN_OWED_ARTICLE,
                             opened_by_report_id=report.id, created_at=clock.now())
        inc.deadlines.append(rec)
        opened.append(deadline_label(rec))
    report.written_owed = True
    return opened


def refresh_written_owed(inc: Incident) -> None:
    """A quick notice's written report is no longer owed once every recipient has one."""
    for report in inc.reports:
        if not report.written_owed or report.sent_at is None:
            continue
        done = all(
            any(d.channel == "written" and d.recipient == r and d.satisfied_at is not None
                and d.satisfied_at >= report.sent_at for d in inc.deadlines)
            for r in report.recipients)
        if done:
            report.written_owed = False


def open_report_deadlines(inc: Incident) -> list[DeadlineRecord]:
    return [d for d in inc.deadlines if d.satisfied_at is None and d.kind in REPORT_DEADLINE_KINDS]


def open_deadline_problem(inc: Incident) -> str | None:
    pending = [d for d in inc.deadlines if d.satisfied_at is None]
    if not pending:
        return None
    labels = [deadline_label(d) if d.kind in REPORT_DEADLINE_KINDS
              else f"{DEADLINE_KIND_LABELS[d.kind]}{deadline_label(d)}" for d in pending]
    return (f"尚有未完成的时限：{'、'.join(labels)}；"
            f"请先报送或反馈，超时的须说明原因（第二十条、{ARTICLE}）")
