"""What incidents leave open at a handover (第十四条): unclosed incidents and unanswered
verification requests of the unit, each with its next running deadline."""
from __future__ import annotations

from sqlalchemy import func, select

from models.incident import DeadlineRecord, Incident, VerificationRequest
from services import open_items


def _next_due(s, column, ids):
    if not ids:
        return {}
    return dict(s.execute(
        select(column, func.min(DeadlineRecord.due_at))
        .where(column.in_(ids), DeadlineRecord.satisfied_at.is_(None))
        .group_by(column)).all())


def _open_incidents(s, unit_id, now):
    rows = s.execute(select(Incident).where(Incident.unit_id == unit_id,
                                            Incident.state != "closed")
                     .order_by(Incident.received_at)).scalars().all()
    due = _next_due(s, DeadlineRecord.incident_id, [r.id for r in rows])
    for r in rows:
        yield open_items.OpenItem("incident", str(r.id), r.title, r.unit_id, r.owner_user_id,
                                  r.received_at, due_at=due.get(r.id))


def _open_verification_requests(s, unit_id, now):
    rows = s.execute(select(VerificationRequest).where(
        VerificationRequest.unit_id == unit_id, VerificationRequest.state != "answered")
        .order_by(VerificationRequest.requested_at)).scalars().all()
    due = _next_due(s, DeadlineRecord.verification_request_id, [r.id for r in rows])
    for r in rows:
        yield open_items.OpenItem("verification_request", str(r.id), f"核报：{r.content[:40]}",
                                  r.unit_id, r.logged_by_id, r.requested_at, due_at=due.get(r.id))


open_items.register("incident", _open_incidents, label="突发事件")
open_items.register("verification_request", _open_verification_requests, label="核报")
