"""The permission table, role by role: `can` as PERMISSIONS says, and real service calls
allowed or refused (and the refusal audited) exactly as the table says."""
from __future__ import annotations

import itertools
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.auth import User, UserRole
from models.org import Unit
from services import audit, auth, clock, rosters
from services import calendar as cal
from services import incidents as inc
from services.daily import calls
from services.directory import contacts, people, units
from services.errors import PermissionDenied
from services import oversight
from services.oversight import inspections
from services.oversight.statistics import statistics
from services.permissions import ALL, OWN_UNIT, PERMISSIONS, ROLE_LABELS, Actor, can
from services.uow import reading, transaction
from tests.incident_support import intake

ROLES = sorted(ROLE_LABELS)
HOME, OTHER = 101, 202   # unit ids for the pure `can` checks


def test_the_table_names_only_known_roles_and_scopes():
    assert len(ROLES) == 7
    for action, grants in PERMISSIONS.items():
        assert set(grants) <= set(ROLES), action
        assert set(grants.values()) <= {ALL, OWN_UNIT}, action


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(PERMISSIONS))
def test_can_agrees_with_the_table(action, role):
    actor = Actor(user_id=1, username="u", display_name="u", roles=frozenset({role}), unit_id=HOME)
    scope = PERMISSIONS[action].get(role)
    if scope == ALL:
        assert can(actor, action) and can(actor, action, HOME) and can(actor, action, OTHER)
    elif scope == OWN_UNIT:
        assert can(actor, action, HOME)
        assert not can(actor, action, OTHER)
        assert not can(actor, action)
    else:
        assert scope is None
        assert not can(actor, action) and not can(actor, action, HOME)
        assert not can(actor, action, OTHER)


@pytest.mark.parametrize("role", ROLES)
def test_own_unit_needs_a_unit_on_the_actor(role):
    """An OWN_UNIT grant never matches an actor without a unit, even for a record without one."""
    actor = Actor(user_id=1, username="u", display_name="u", roles=frozenset({role}))
    for action, grants in PERMISSIONS.items():
        if grants.get(role) == OWN_UNIT:
            assert not can(actor, action, HOME) and not can(actor, action)


def test_unknown_action_is_an_error_not_a_refusal():
    actor = Actor(user_id=1, username="u", display_name="u", roles=frozenset({"office_admin"}))
    with pytest.raises(KeyError):
        can(actor, "no.such.action")


# ---------------------------------------------------------------- services, role by role

def expected(role: str, action: str, record_unit: int | None, actor_unit: int) -> bool:
    scope = PERMISSIONS[action].get(role)
    return scope == ALL or (scope == OWN_UNIT and record_unit == actor_unit)


@pytest.fixture
def world(db):
    """Two units; one account per role, every one in the home unit; an incident of the other."""
    now = clock.now()
    with transaction() as s:
        home = Unit(name="矩阵街道机关", kind="street_office", active=True)
        other = Unit(name="矩阵社区", kind="grassroots", active=True)
        s.add_all([home, other])
        s.flush()
        actors = {}
        for role in ROLES + ["target"]:
            user = User(username=f"m_{role}"[:32], display_name=role, password_hash="x",
                        password_changed_at=now, must_change_password=False, failed_logins=0,
                        active=True, created_at=now, unit_id=home.id)
            user.roles.append(UserRole(role="duty_officer" if role == "target" else role))
            s.add(user)
            s.flush()
            actors[role] = Actor(user.id, user.username, user.display_name,
                                 frozenset({role}), home.id)
        home_id, other_id = home.id, other.id
    target = actors.pop("target")
    officer_there = Actor(target.user_id, target.username, target.display_name,
                          frozenset({"duty_officer"}), other_id)
    incident_there = inc.receive(officer_there, intake(unit_id=other_id))
    return SimpleNamespace(home=home_id, other=other_id, actors=actors, target=target,
                           incident_there=incident_there)


_seq = itertools.count()


def _n() -> int:
    return next(_seq)


def _today() -> date:
    return clock.local(clock.now()).date()


# name: (action, record unit: None / "home" / "other", call(actor, world))
CALLS = {
    "create_unit": ("unit.write", None, lambda a, w: units.create_unit(
        a, units.UnitData(name=f"新单位{_n()}", kind="grassroots"))),
    # a listing is limited to the actor's own unit for an OWN_UNIT grant (scoped_unit)
    "list_units": ("unit.read", "home", lambda a, w: units.list_units(a)),
    "get_unit_other": ("unit.read", "other", lambda a, w: units.get_unit(a, w.other)),
    "create_person_home": ("person.write", "home", lambda a, w: people.create_person(
        a, people.PersonData(name=f"人员{_n()}", unit_id=w.home, employment="permanent"))),
    "create_person_other": ("person.write", "other", lambda a, w: people.create_person(
        a, people.PersonData(name=f"人员{_n()}", unit_id=w.other, employment="permanent"))),
    "list_people_other": ("person.read", "other", lambda a, w: people.list_people(a, w.other)),
    "create_contact": ("contact.write", None, lambda a, w: contacts.create_contact(
        a, contacts.ContactData(name=f"联系人{_n()}", category="other", mobile="13800000000"))),
    "list_users": ("user.read", None, lambda a, w: auth.list_users(a)),
    "assign_roles": ("role.assign", None, lambda a, w: auth.assign_roles(
        a, w.target.user_id, {"duty_officer"})),
    "create_user": ("user.manage", None, lambda a, w: auth.create_user(
        a, f"newuser{_n()}", "新用户", "Duty#2026ok")),
    "search_audit": ("audit.read", None, lambda a, w: audit.search_page(a, audit.AuditFilter())),
    "receive_home": ("incident.create", "home", lambda a, w: inc.receive(
        a, intake(unit_id=w.home))),
    "receive_other": ("incident.create", "other", lambda a, w: inc.receive(
        a, intake(unit_id=w.other))),
    "incident_detail_other": ("incident.read", "other", lambda a, w: inc.incident_detail(
        a, w.incident_there)),
    "approvals_queue": ("report.sign_off", None, lambda a, w: inc.approvals_queue(a)),
    "month_view_home": ("roster.read", "home", lambda a, w: rosters.month_view(
        a, w.home, 2026, 7)),
    "month_view_other": ("roster.read", "other", lambda a, w: rosters.month_view(
        a, w.other, 2026, 7)),
    "list_holidays": ("calendar.read", None, lambda a, w: cal.list_holidays(a, 2026)),
    "log_call_home": ("call.write", "home", lambda a, w: calls.log_call(
        a, calls.CallInput(summary="询问停水情况", unit_id=w.home))),
    "log_call_other": ("call.write", "other", lambda a, w: calls.log_call(
        a, calls.CallInput(summary="询问停水情况", unit_id=w.other))),
    "record_inspection": ("inspection.write", None, lambda a, w: inspections.record_inspection(
        a, inspections.InspectionInput(unit_id=w.other, at=clock.now() - timedelta(hours=1),
                                       method="phone", answered=True, answer_seconds=10,
                                       officer_present=True, officer_permanent=True))),
    "statistics": ("statistics.read", None, lambda a, w: statistics(
        a, _today() - timedelta(days=7), _today())),
    "compliance": ("compliance.read", None, lambda a, w: oversight.compliance(
        a, _today() - timedelta(days=7), _today())),
    "compliance_counts": ("compliance.read", None, lambda a, w: oversight.compliance_counts(
        a, _today() - timedelta(days=7), _today())),
}


def _denials() -> list[dict]:
    with reading() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.action == "permission_denied")
                         .order_by(AuditEvent.id)).scalars()
        return [{"user_id": r.user_id, "details": r.details, "outcome": r.outcome} for r in rows]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_service_allows_or_refuses_each_role_as_the_table_says(world, name):
    action, where, call = CALLS[name]
    record_unit = {None: None, "home": world.home, "other": world.other}[where]
    outcomes = {}
    for role in ROLES:
        actor = world.actors[role]
        allowed = expected(role, action, record_unit, world.home)
        before = len(_denials())
        try:
            call(actor, world)
        except PermissionDenied:
            outcomes[role] = False
            denials = _denials()
            assert len(denials) == before + 1, (name, role)
            assert denials[-1]["user_id"] == actor.user_id
            assert denials[-1]["details"] == {"action": action}
            assert denials[-1]["outcome"] == "denied"
        else:
            outcomes[role] = True
            assert len(_denials()) == before, (name, role)
        assert outcomes[role] == allowed, (name, role, action, record_unit)
    # every call in the matrix is allowed for some role (so a broken call cannot pass as refused)
    assert any(outcomes.values()), name


def test_a_unit_duty_officer_cannot_reach_another_units_incident_by_id(world):
    officer = world.actors["unit_duty_officer"]
    with pytest.raises(PermissionDenied):
        inc.incident_detail(officer, world.incident_there)
    own = inc.receive(officer, intake(unit_id=world.home))
    assert inc.incident_detail(officer, own).incident.id == own
    with reading() as s:
        refused = s.execute(select(func.count(AuditEvent.id))
                            .where(AuditEvent.action == "permission_denied",
                                   AuditEvent.user_id == officer.user_id)).scalar_one()
    assert refused == 1


def test_a_unit_duty_officers_listings_are_limited_to_their_unit(world):
    officer = world.actors["unit_duty_officer"]
    assert {u.id for u in units.list_units(officer)} == {world.home}
    assert {u.id for u in units.list_units(world.actors["office_admin"])} >= {world.home,
                                                                             world.other}
    assert all(r.unit_id == world.home for r in inc.list_incidents(officer, open_only=False))


def test_the_service_matrix_covers_every_area():
    areas = {a.split(".")[0] for a, _, _ in CALLS.values()}
    assert {"unit", "person", "contact", "user", "role", "audit", "incident", "roster",
            "call", "inspection", "calendar", "statistics", "compliance"} <= areas
