"""Shared set-up for the incident tests: two units, one account per role, intake forms."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from models.audit import AuditEvent
from models.auth import User, UserRole
from models.incident import Incident, IncidentEvent
from models.org import Unit
from services import clock
from services import incidents as inc
from services.permissions import Actor
from services.uow import reading, transaction

ALL_ELEMENTS = {
    "time": "2026年7月1日9时55分", "place": "柏泉街某社区", "source": "社区网格员电话报告",
    "cause_nature": "液化气泄漏引发爆炸，安全生产事故", "situation": "一栋民房局部坍塌",
    "consequences": "", "scope": "周边 50 米", "trend": "火势已控制", "handling": "消防到场处置",
    "measures": "疏散周边群众", "suggestions": "请区应急管理局派员指导",
}
FIGURES = {"deaths": 0, "injuries": 2, "missing": 0, "losses": "约 20 万元"}
DISTRICT = ["district_duty_office", "district_emergency_bureau"]
LEADERS = ["office_head", "shift_leader", "principal_leader"]


def make_people() -> SimpleNamespace:
    """Units 街道机关 and 某社区; officers, a shift leader, a unit officer and admins."""
    with transaction() as s:
        street = Unit(name="柏泉街道机关", kind="street_office", active=True)
        community = Unit(name="某社区", kind="grassroots", active=True)
        s.add_all([street, community])
        s.flush()
        accounts = {
            "officer": ("wangwu", "王五", "duty_officer", street.id),
            "officer2": ("zhaoliu", "赵六", "duty_officer", street.id),
            "leader": ("lizhuren", "李主任", "shift_leader", street.id),
            "unit_officer": ("sunqi", "孙七", "unit_duty_officer", community.id),
            "office_admin": ("zhouba", "周八", "office_admin", street.id),
            "sysadmin": ("admin", "管理员", "system_admin", None),
        }
        out = {"street_id": street.id, "community_id": community.id}
        now = clock.now()
        for key, (username, name, role, unit_id) in accounts.items():
            user = User(username=username, display_name=name, password_hash="x",
                        password_changed_at=now, must_change_password=False, failed_logins=0,
                        active=True, created_at=now, unit_id=unit_id)
            user.roles.append(UserRole(role=role))
            s.add(user)
            s.flush()
            out[key] = Actor(user_id=user.id, username=username, display_name=name,
                             roles=frozenset({role}), unit_id=unit_id)
    return SimpleNamespace(**out)


def intake(**over) -> inc.IntakeInput:
    now = clock.now()
    values = dict(title="某社区液化气爆炸事故", occurred_at=now - timedelta(minutes=5),
                  place="柏泉街某社区 3 号楼", category="accident", source_kind="phone",
                  source_text="网格员张某", level="III", description="一栋民房局部坍塌，2 人受伤",
                  classification="internal", caller="张某", caller_number="13800000000")
    values.update(over)
    return inc.IntakeInput(**values)


def content(recipients=None, **over) -> inc.ReportContent:
    values = dict(elements=dict(ALL_ELEMENTS), recipients=list(recipients or DISTRICT + LEADERS),
                  **FIGURES)
    values.update(over)
    return inc.ReportContent(**values)


def version(incident_id: int) -> int:
    with reading() as s:
        return s.get(Incident, incident_id).version


def state(incident_id: int) -> tuple[str, int, int]:
    """(state, version, number of timeline events)."""
    with reading() as s:
        row = s.get(Incident, incident_id)
        events = s.execute(select(func.count(IncidentEvent.id))
                           .where(IncidentEvent.incident_id == incident_id)).scalar_one()
        return row.state, row.version, events


def audit_actions() -> list[str]:
    with reading() as s:
        return list(s.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars())


def report_version(report_id: int) -> int:
    return inc.report_detail(READER, report_id).version


READER = Actor(user_id=None, username="system", display_name="系统", roles=frozenset({"system"}))  # reads only


def send_written(p, incident_id: int, kind: str, body: inc.ReportContent, channel="written",
                 recipients=None, delay_reason="", sent_at=None) -> int:
    """Draft → submit → 签发 → send one written report; returns its id."""
    rid = inc.draft_report(p.officer, incident_id, version(incident_id), kind, body)
    inc.submit_report(p.officer, rid, report_version(rid))
    inc.sign_off_report(p.leader, rid, report_version(rid))
    inc.mark_sent(p.officer, rid, report_version(rid), channel, recipients=recipients,
                  sent_at=sent_at, delay_reason=delay_reason)
    return rid


def close_incident(p, incident_id: int) -> None:
    """From reported or follow_up with every clock met: final report, request, approval."""
    final = content(changes_since_last="处置结束，伤员已出院")
    send_written(p, incident_id, "final", final)
    inc.request_closure(p.officer, incident_id, version(incident_id), "处置完毕")
    inc.approve_closure(p.leader, incident_id, version(incident_id))
