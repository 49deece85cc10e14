"""The one permission matrix (第十五条). Pages ask; services enforce."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.errors import PermissionDenied

DUTY_OFFICER = "duty_officer"
SHIFT_LEADER = "shift_leader"
UNIT_DUTY_OFFICER = "unit_duty_officer"
OFFICE_ADMIN = "office_admin"
SYSTEM_ADMIN = "system_admin"
SECURITY_ADMIN = "security_admin"
AUDIT_ADMIN = "audit_admin"
SYSTEM = "system"  # manage.py and demo loading on the server itself

ROLE_LABELS = {
    DUTY_OFFICER: "值班员",
    SHIFT_LEADER: "带班领导",
    UNIT_DUTY_OFFICER: "单位值班员",
    OFFICE_ADMIN: "党政办管理员",
    SYSTEM_ADMIN: "系统管理员",
    SECURITY_ADMIN: "安全管理员",
    AUDIT_ADMIN: "审计管理员",
}
# 等保 2.0 separation of duties: no account holds two of these, and none writes duty records.
SEPARATED_ADMIN_ROLES = frozenset({SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN})
DUTY_ROLES = frozenset({DUTY_OFFICER, SHIFT_LEADER, UNIT_DUTY_OFFICER, OFFICE_ADMIN})

ALL = "all"
OWN_UNIT = "own_unit"

_STAFF = {DUTY_OFFICER: ALL, SHIFT_LEADER: ALL, OFFICE_ADMIN: ALL, UNIT_DUTY_OFFICER: OWN_UNIT}

# action -> {role: scope}. OWN_UNIT means the record's unit must be the actor's unit.
PERMISSIONS: dict[str, dict[str, str]] = {
    # directory
    "unit.read": dict(_STAFF),
    "unit.write": {OFFICE_ADMIN: ALL},
    "duty_phone.file": {OFFICE_ADMIN: ALL, UNIT_DUTY_OFFICER: OWN_UNIT},
    "duty_phone.acknowledge": {OFFICE_ADMIN: ALL},
    "person.read": dict(_STAFF),
    "person.write": {OFFICE_ADMIN: ALL, UNIT_DUTY_OFFICER: OWN_UNIT},
    "contact.read": dict(_STAFF),
    "contact.write": {OFFICE_ADMIN: ALL, DUTY_OFFICER: ALL},
    "directory.import": {OFFICE_ADMIN: ALL},
    "directory.export": {OFFICE_ADMIN: ALL},
    # incidents (第十二、十八至二十二条). Unit duty officers act on their own unit's incidents
    # only (pass the incident's unit_id); the three admins write no duty records.
    "incident.read": dict(_STAFF),
    "incident.create": dict(_STAFF),
    "incident.update": dict(_STAFF),
    "incident.transition": dict(_STAFF),
    "incident.transfer": dict(_STAFF),
    "incident.request_closure": dict(_STAFF),
    "incident.approve_closure": {SHIFT_LEADER: ALL},   # 第七条 带班领导
    "report.draft": dict(_STAFF),
    "report.send": dict(_STAFF),
    "report.sign_off": {SHIFT_LEADER: ALL},            # 签发
    "verification.manage": dict(_STAFF),                # 核报, 第二十条
    "deadline_table.read": dict(_STAFF),
    "deadline_table.edit": {OFFICE_ADMIN: ALL},         # 第二十一条, only tighter
    # rosters and shifts
    "calendar.read": dict(_STAFF),
    "calendar.write": {OFFICE_ADMIN: ALL},
    "special_period.write": {OFFICE_ADMIN: ALL},
    "roster.read": dict(_STAFF),
    "roster.edit": {OFFICE_ADMIN: ALL, UNIT_DUTY_OFFICER: OWN_UNIT},
    "roster.publish": {OFFICE_ADMIN: ALL, UNIT_DUTY_OFFICER: OWN_UNIT},
    "unavailability.write": dict(_STAFF),  # others than oneself: needs roster.edit too
    "swap.request": dict(_STAFF),
    "swap.approve": {SHIFT_LEADER: ALL, OFFICE_ADMIN: ALL},
    "shift.check_in": dict(_STAFF),
    "handover.write": dict(_STAFF),
    "duty_board.read": dict(_STAFF),
    # daily record (第五、八、十一至十三条): calls, instructions, hotline items, the log book.
    # Unit duty officers act on their own unit's records; the three admins get none.
    "call.read": dict(_STAFF),
    "call.write": dict(_STAFF),
    "instruction.read": dict(_STAFF),
    "instruction.write": dict(_STAFF),
    "instruction.feedback": dict(_STAFF),   # a receiver's unit (or the person) feeds back
    "hotline.read": dict(_STAFF),
    "hotline.write": dict(_STAFF),
    "logbook.read": dict(_STAFF),
    "logbook.write": dict(_STAFF),
    # oversight (第十六、十七条): the office manages inspections, training and bulletins;
    # every duty role reads the published bulletins concerning its own unit; statistics
    # for the office and shift leaders; the three admin roles get none of these.
    "inspection.read": {OFFICE_ADMIN: ALL},
    "inspection.write": {OFFICE_ADMIN: ALL},
    "bulletin.read": {OFFICE_ADMIN: ALL, DUTY_OFFICER: OWN_UNIT, SHIFT_LEADER: OWN_UNIT,
                      UNIT_DUTY_OFFICER: OWN_UNIT},
    "bulletin.write": {OFFICE_ADMIN: ALL},
    "training.read": {OFFICE_ADMIN: ALL},
    "training.write": {OFFICE_ADMIN: ALL},
    "compliance.read": {OFFICE_ADMIN: ALL},
    "statistics.read": {OFFICE_ADMIN: ALL, SHIFT_LEADER: ALL},
    # end oversight
    # accounts (three-admin separation)
    "user.read": {SYSTEM_ADMIN: ALL, SECURITY_ADMIN: ALL},
    "user.manage": {SYSTEM_ADMIN: ALL},
    "role.assign": {SECURITY_ADMIN: ALL},
    "audit.read": {AUDIT_ADMIN: ALL},
    "audit.export": {AUDIT_ADMIN: ALL},
}


@dataclass(frozen=True)
class Actor:
    """Who is acting. Built only by the auth service from a validated server-side session."""

    user_id: int | None
    username: str
    display_name: str
    roles: frozenset[str]
    unit_id: int | None = None
    person_id: int | None = None
    client_ip: str | None = None
    session_token: str | None = field(default=None, repr=False)

    @property
    def role_text(self) -> str:
        return ",".join(sorted(self.roles))


SYSTEM_ACTOR = Actor(user_id=None, username="system", display_name="系统", roles=frozenset({SYSTEM}))


def can(actor: Actor, action: str, unit_id: int | None = None) -> bool:
    if SYSTEM in actor.roles:
        return True
    grants = PERMISSIONS.get(action)
    if grants is None:
        raise KeyError(f"unknown action {action!r}")
    for role in actor.roles:
        scope = grants.get(role)
        if scope == ALL:
            return True
        if scope == OWN_UNIT and unit_id is not None and unit_id == actor.unit_id:
            return True
    return False


def require(actor: Actor, action: str, unit_id: int | None = None) -> None:
    if not can(actor, action, unit_id):
        raise PermissionDenied(f"无权执行此操作（{action}）", actor=actor, action=action)


def scoped_unit(actor: Actor, action: str) -> int | None:
    """The unit a listing must be limited to, or None when the actor sees all units."""
    if SYSTEM in actor.roles:
        return None
    grants = PERMISSIONS[action]
    if any(grants.get(r) == ALL for r in actor.roles):
        return None
    if actor.unit_id is not None and any(grants.get(r) == OWN_UNIT for r in actor.roles):
        return actor.unit_id
    raise PermissionDenied(f"无权执行此操作（{action}）", actor=actor, action=action)
