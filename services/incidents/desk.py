"""What the duty desk reads: open clocks, incidents, one incident's record, the approvals
queue, and the office's deadline table (第二十一条).

Lists read what is open through indexed queries (a constant number per call, never one
per row) and build no state machine: a row's colour comes from rules.deadlines.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import selectinload

from models.incident import (
    DeadlineRecord, DeadlineTableSetting, Incident, OwnershipTransfer, Report, VerificationRequest,
)
from models.auth import User
from models.base import UTCDateTime
from models.org import Unit
from rules.deadlines import (
    DEFAULT_TABLE, LEVEL_LABELS, RECIPIENT_LABELS, STATUS_LABELS, TABLE_FIELD_LABELS, Deadline, DeadlineTable,
    deadline_status, validate_table,
)
from rules.deadlines import CHANNEL_LABELS as DEADLINE_CHANNEL_LABELS
from services import audit, clock, view_cache
from services.errors import ConcurrentEditError, NotFound, ValidationError
from services.incidents.common import (
    CLOSED, DEADLINE_KIND_LABELS, REPORT_DEADLINE_KINDS, as_deadline, current_table,
    flush_or_conflict, user_names,
)
from services.incidents.reports import next_report_kind
from services.incidents.rows import (
    STATUS_RANK, IncidentDetail, IncidentRow, ReportRow, TransferRow, deadline_row, event_row,
    incident_row, intake_row, report_row, report_user_ids, transfer_row, trigger_choices,
    verification_row,
)
from services.paging import Paged, page_of
from services.permissions import Actor, can, require, scoped_unit
from services.uow import reading, transaction
from workflows.incident import STATES as INCIDENT_STATES

ACTION_LABELS = {
    "phone_report": "登记电话报告",
    "written_report": "报送书面报告",
    "answer_verification": "核报反馈",
}


@dataclass(frozen=True)
class DeskRow:
    """One open clock on the desk, with what satisfies it (第二十、二十一、二十二条)."""

    deadline_id: int
    kind: str                       # report / written_owed / verification
    kind_label: str
    unit_id: int
    unit_name: str
    incident_id: int | None
    incident_title: str
    level_label: str
    verification_request_id: int | None
    recipient: str
    recipient_label: str
    channel: str                    # phone / written
    channel_label: str
    label: str                      # e.g. 区政府办公室总值班室（电话）
    starts_at: datetime | None
    due_at: datetime
    latest_at: datetime
    article: str
    status: str                     # normal / amber / red
    status_label: str
    seconds_left: int               # negative once overdue
    past_latest: bool               # beyond "原则上不得超过" as well
    action: str                     # phone_report / written_report / answer_verification
    action_label: str


def open_deadlines(actor: Actor, now: datetime | None = None) -> list[DeskRow]:
    """Every open clock of the actor's scope, most urgent first: red (most overdue first),
    then amber, then normal, each soonest first. One query over the open-clock index."""
    with reading() as s:
        unit = scoped_unit(actor, "incident.read")
        # The open clocks are read again only once a clock, an incident, a verification
        # request or a unit has changed (every desk refreshes every few seconds); their
        # colour and countdown follow the clock on every call.
        read = view_cache.cached(s, ("open_deadlines", unit), lambda: _open_clocks(s, unit))
    now = now or clock.now()
    rows = [_as_of(r, now) for r in read]
    return sorted(rows, key=lambda r: STATUS_RANK[r.status])  # stable: due order kept


def _open_clocks(s, unit: int | None) -> tuple[DeskRow, ...]:
    """The open clocks in due order, their time-dependent fields as of now (see _as_of)."""
    q = (select(DeadlineRecord, Unit.name, Incident.title, Incident.level,
                VerificationRequest.content)
         .join(Unit, Unit.id == DeadlineRecord.unit_id)
         .outerjoin(Incident, Incident.id == DeadlineRecord.incident_id)
         .outerjoin(VerificationRequest,
                    VerificationRequest.id == DeadlineRecord.verification_request_id)
         .where(DeadlineRecord.satisfied_at.is_(None))
         .order_by(DeadlineRecord.due_at, DeadlineRecord.id))
    if unit is not None:
        q = q.where(DeadlineRecord.unit_id == unit)
    now = clock.now()
    return tuple(_desk_row(d, unit_name, title, level, content, now)
                 for d, unit_name, title, level, content in s.execute(q).all())


def _as_of(row: DeskRow, now: datetime) -> DeskRow:
    """`row` with its colour, countdown and "beyond the latest" worked out at `now`."""
    status = deadline_status(Deadline(row.recipient, row.channel, row.due_at, row.latest_at,
                                      row.article, starts_at=row.starts_at), now)
    return replace(row, status=status, status_label=STATUS_LABELS[status],
                   seconds_left=int((row.due_at - now).total_seconds()),
                   past_latest=now > row.latest_at)


def _desk_row(d: DeadlineRecord, unit_name: str, title: str | None, level: str | None,
              content: str | None, now: datetime) -> DeskRow:
    deadline = as_deadline(d)
    status = deadline_status(deadline, now)
    if d.kind == "verification":
        action = "answer_verification"
        title = title or f"核报：{(content or '')[:30]}"
    else:
        action = "phone_report" if d.channel == "phone" else "written_report"
    return DeskRow(
        deadline_id=d.id, kind=d.kind, kind_label=DEADLINE_KIND_LABELS[d.kind], unit_id=d.unit_id,
        unit_name=unit_name, incident_id=d.incident_id, incident_title=title or "",
        level_label=LEVEL_LABELS.get(level, "") if d.incident_id else "",
        verification_request_id=d.verification_request_id, recipient=d.recipient,
        recipient_label=RECIPIENT_LABELS.get(d.recipient, d.recipient), channel=d.channel,
        channel_label=DEADLINE_CHANNEL_LABELS.get(d.channel, d.channel), label=deadline.label,
        starts_at=d.starts_at, due_at=d.due_at, latest_at=d.latest_at, article=d.article,
        status=status, status_label=STATUS_LABELS[status],
        seconds_left=int((d.due_at - now).total_seconds()), past_latest=now > d.latest_at,
        action=action, action_label=ACTION_LABELS[action])


# ---------------------------------------------------------------- incidents

PER_PAGE = 50
OPEN_STATES = [s for s in INCIDENT_STATES if s != CLOSED]


def _incident_query(actor: Actor, open_only: bool, owner_user_id: int | None = None):
    unit = scoped_unit(actor, "incident.read")
    q = (select(Incident, Unit.name).join(Unit, Unit.id == Incident.unit_id)
         .order_by(Incident.received_at.desc(), Incident.id.desc()))
    if open_only:   # IN, not !=: the (unit_id, state) index finds the few open ones
        q = q.where(Incident.state.in_(OPEN_STATES))
    if unit is not None:
        q = q.where(Incident.unit_id == unit)
    if owner_user_id is not None:
        q = q.where(Incident.owner_user_id == owner_user_id)
    return q


def _incident_rows(s, found) -> list[IncidentRow]:
    """Rows for (incident, unit name) pairs, with each one's open clocks and next due read
    for those incidents only (a GROUP BY over every open clock scanned the whole table)."""
    ids = [inc.id for inc, _name in found]
    clocks = {}
    if ids:
        clocks = {iid: (n, next_due) for iid, n, next_due in s.execute(
            select(DeadlineRecord.incident_id, func.count(DeadlineRecord.id),
                   type_coerce(func.min(DeadlineRecord.due_at), UTCDateTime))
            .where(DeadlineRecord.incident_id.in_(ids), DeadlineRecord.satisfied_at.is_(None))
            .group_by(DeadlineRecord.incident_id))}
    names = user_names(s, [inc.owner_user_id for inc, _name in found])
    return [incident_row(inc, unit_name, names, *clocks.get(inc.id, (0, None)))
            for inc, unit_name in found]


def list_incidents(actor: Actor, open_only: bool = True,
                   owner_user_id: int | None = None) -> list[IncidentRow]:
    """Incidents of the actor's scope, newest first, each with its count of open clocks and
    the next due. Whole history only through incidents_page."""
    with reading() as s:
        # Kept until an incident, a clock, a unit or an account changes (nothing here
        # depends on the time).
        key = ("list_incidents", scoped_unit(actor, "incident.read"), open_only, owner_user_id)
        return list(view_cache.cached(s, key, lambda: tuple(_incident_rows(
            s, s.execute(_incident_query(actor, open_only, owner_user_id)).all()))))


def incidents_page(actor: Actor, open_only: bool = True, page: int = 1,
                   per_page: int = PER_PAGE) -> Paged[IncidentRow]:
    """One page of list_incidents (the 突发事件 list: ten years are 100,000 incidents),
    kept as list_incidents is."""
    with reading() as s:
        def compute() -> Paged[IncidentRow]:
            shown = page_of(s, _incident_query(actor, open_only), page, per_page, tuple)
            return replace(shown, rows=_incident_rows(s, shown.rows))   # the page's rows, read together

        key = ("incidents_page", scoped_unit(actor, "incident.read"), open_only, page, per_page)
        return view_cache.cached(s, key, compute)


def my_incidents(actor: Actor, open_only: bool = True) -> list[IncidentRow]:
    """The incidents the actor owns (首接负责, 第十二条)."""
    return list_incidents(actor, open_only=open_only, owner_user_id=actor.user_id)


def pending_transfers(actor: Actor) -> list[TransferRow]:
    """Transfers waiting for the actor to accept or decline (第十二条)."""
    with reading() as s:
        scoped_unit(actor, "incident.read")
        q = (select(OwnershipTransfer, Incident.title)
             .join(Incident, Incident.id == OwnershipTransfer.incident_id)
             .where(OwnershipTransfer.to_user_id == actor.user_id,
                    OwnershipTransfer.accepted_at.is_(None),
                    OwnershipTransfer.declined_at.is_(None),
                    OwnershipTransfer.cancelled_at.is_(None))
             .order_by(OwnershipTransfer.requested_at))
        found = s.execute(q).all()
        ids = [x for t, _ in found for x in (t.from_user_id, t.to_user_id, t.requested_by_id)]
        names = user_names(s, ids)
        return [transfer_row(t, title, names) for t, title in found]


def transfer_candidates(actor: Actor, incident_id: int) -> list[tuple[int, str]]:
    """(user id, name) of the active accounts that may take the incident over (第十二条)."""
    with reading() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise NotFound("事件不存在")
        require(actor, "incident.read", inc.unit_id)
        users = s.execute(select(User).where(User.active.is_(True), User.id != inc.owner_user_id)
                          .order_by(User.display_name, User.id)).scalars().all()
        return [(u.id, u.display_name) for u in users
                if can(Actor(user_id=u.id, username=u.username, display_name=u.display_name,
                             roles=u.role_codes, unit_id=u.unit_id), "incident.update", inc.unit_id)]


def incident_detail(actor: Actor, incident_id: int) -> IncidentDetail:
    """One incident's whole record: facts, timeline in time order (第十三条), reports,
    clocks, intakes, transfers and verification requests."""
    now = clock.now()
    with reading() as s:
        inc = s.get(Incident, incident_id, options=[
            selectinload(Incident.intakes), selectinload(Incident.events),
            selectinload(Incident.reports), selectinload(Incident.deadlines),
            selectinload(Incident.transfers),
            selectinload(Incident.verification_requests).selectinload(VerificationRequest.deadlines),
        ])
        if inc is None:
            raise NotFound("事件不存在")
        require(actor, "incident.read", inc.unit_id)
        ids = [inc.owner_user_id] + [i.taken_by_id for i in inc.intakes]
        ids += [x for r in inc.reports for x in report_user_ids(r)]
        ids += [x for t in inc.transfers for x in (t.from_user_id, t.to_user_id, t.requested_by_id)]
        names = user_names(s, ids)
        unit = s.get(Unit, inc.unit_id)
        transfers = [transfer_row(t, inc.title, names) for t in inc.transfers]
        deadlines = sorted((deadline_row(d, now) for d in inc.deadlines if d.kind != "verification"),
                           key=lambda d: (STATUS_RANK[d.status], d.due_at))
        open_recipients = [d.recipient for d in inc.deadlines
                           if d.satisfied_at is None and d.kind in REPORT_DEADLINE_KINDS]
        return IncidentDetail(
            incident=incident_row(inc, unit.name if unit else "", names,
                                  sum(1 for d in inc.deadlines if d.satisfied_at is None),
                                  min((d.due_at for d in inc.deadlines if d.satisfied_at is None),
                                      default=None)),
            timeline=[event_row(e) for e in sorted(inc.events, key=lambda e: (e.at, e.id))],
            reports=[report_row(r, inc.title, names) for r in inc.reports],
            deadlines=deadlines,
            intakes=[intake_row(i, names) for i in inc.intakes],
            transfers=transfers,
            verification_requests=[verification_row(v, inc.title, now)
                                   for v in inc.verification_requests],
            pending_transfer=next((t for t in transfers if t.status == "pending"), None),
            triggers=trigger_choices(inc.state),
            next_report_kind=next_report_kind(inc) if inc.state != "closed" else None,
            suggested_recipients=list(dict.fromkeys(open_recipients)),
            final_sent=any(r.kind == "final" and not r.by_phone and r.status == "sent"
                           for r in inc.reports),
        )


# ---------------------------------------------------------------- approvals (带班领导)

@dataclass(frozen=True)
class ApprovalsQueue:
    reports: list[ReportRow]        # awaiting 签发, oldest first
    closures: list[IncidentRow]     # awaiting closure approval, oldest request first

    @property
    def count(self) -> int:
        return len(self.reports) + len(self.closures)


def approvals_queue(actor: Actor) -> ApprovalsQueue:
    """What waits for a shift leader: reports to sign off and closures to approve (第七条)."""
    with reading() as s:
        require(actor, "report.sign_off")
        reports = s.execute(
            select(Report, Incident.title).join(Incident, Incident.id == Report.incident_id)
            .where(Report.status == "submitted").order_by(Report.submitted_at, Report.id)).all()
        closures = s.execute(
            select(Incident, Unit.name).join(Unit, Unit.id == Incident.unit_id)
            .where(Incident.closure_status == "requested", Incident.state != "closed")
            .order_by(Incident.closure_requested_at, Incident.id)).all()
        ids = [x for r, _ in reports for x in report_user_ids(r)]
        ids += [inc.owner_user_id for inc, _ in closures]
        names = user_names(s, ids)
        return ApprovalsQueue(
            reports=[report_row(r, title, names) for r, title in reports],
            closures=[incident_row(inc, unit_name, names) for inc, unit_name in closures])


# ---------------------------------------------------------------- the deadline table (第二十一条)

@dataclass(frozen=True)
class DeadlineTableView:
    values: dict[str, int]          # field → minutes in force
    defaults: dict[str, int]        # the regulation's minutes (the loosest allowed)
    labels: dict[str, str]
    customised: bool                # the office has saved its own table
    updated_by_name: str
    updated_at: datetime | None
    version: int                    # 0 while no table was saved


def _minutes(table: DeadlineTable) -> dict[str, int]:
    return {f.name: getattr(table, f.name) for f in fields(DeadlineTable)}


def deadline_table(actor: Actor) -> DeadlineTableView:
    with reading() as s:
        require(actor, "deadline_table.read")
        row = s.get(DeadlineTableSetting, 1)
        names = user_names(s, [row.updated_by_id] if row else [])
        return DeadlineTableView(
            values=_minutes(current_table(s)), defaults=_minutes(DEFAULT_TABLE),
            labels=dict(TABLE_FIELD_LABELS), customised=row is not None,
            updated_by_name=names.get(row.updated_by_id, "") if row else "",
            updated_at=row.updated_at if row else None, version=row.version if row else 0)


def update_deadline_table(actor: Actor, values: dict[str, int], version: int) -> None:
    """The office tightens the table (党政办管理员); looser than 第二十一条 is refused.

    Applies to clocks computed from now on (new incidents, changed facts, new requests).
    """
    with transaction() as s:
        require(actor, "deadline_table.edit")
        row = s.get(DeadlineTableSetting, 1)
        if (row.version if row else 0) != version:
            raise ConcurrentEditError()
        unknown = set(values) - set(TABLE_FIELD_LABELS)
        if unknown:
            raise ValidationError([f"时限表：未知的项目 {'、'.join(sorted(unknown))}"])
        before = _minutes(current_table(s))
        merged = {**before, **values}
        problems = validate_table(DeadlineTable(**merged))
        if problems:
            raise ValidationError(problems)
        if merged == before:
            return
        now = clock.now()
        if row is None:
            row = DeadlineTableSetting(id=1, **merged, updated_by_id=actor.user_id, updated_at=now)
            s.add(row)
        else:
            for name, minutes in merged.items():
                setattr(row, name, minutes)
            row.updated_by_id, row.updated_at = actor.user_id, now
        flush_or_conflict(s)  # two first saves at once: the second collides on id 1
        audit.record(s, actor, "deadline_table.update", "deadline_table", 1,
                     details={"before": before, "after": merged})
