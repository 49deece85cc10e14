"""Test data for rosters and shifts: a unit with permanent, trained duty officers, shift
leaders and the people the rules keep off duty; accounts for the actors."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from models.auth import User
from models.org import Person, Unit
from rules.staffing import SHANGHAI
from services import auth
from services.permissions import SYSTEM_ACTOR, Actor
from services.uow import transaction

PASSWORD = "Duty#2026ok"
TRAINED = {"pre_job_trained_on": date(2025, 3, 1), "yearly_trained_on": date(2026, 3, 1)}
OFFICER_NAMES = ["张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十"]
LEADER_NAMES = ["冯主任", "陈主任", "褚主任"]


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(timezone.utc)


def make_unit(name: str, duty_phone: str | None = "027-83881234", kind: str = "grassroots") -> int:
    with transaction() as s:
        unit = Unit(name=name, kind=kind, duty_phone=duty_phone, active=True)
        s.add(unit)
        s.flush()
        return unit.id


def make_person(unit_id: int, name: str, employment: str = "permanent", can_lead: bool = False,
                trained: bool = True, **kw) -> int:
    with transaction() as s:
        p = Person(name=name, unit_id=unit_id, employment=employment, can_lead_shift=can_lead,
                   active=True, **({**TRAINED, **kw} if trained else kw))
        s.add(p)
        s.flush()
        return p.id


def make_actor(username: str, roles: set[str], unit_id: int | None = None,
               person_id: int | None = None) -> Actor:
    uid = auth.create_user(SYSTEM_ACTOR, username, username, PASSWORD, unit_id=unit_id,
                           person_id=person_id, roles=roles)
    with transaction() as s:
        user = s.get(User, uid)
        user.must_change_password = False
        return Actor(uid, user.username, user.display_name, frozenset(roles), user.unit_id,
                     user.person_id)


@dataclass
class Street:
    unit_id: int
    officers: dict[str, int] = field(default_factory=dict)
    leaders: dict[str, int] = field(default_factory=dict)
    temp: int = 0
    contract: int = 0
    untrained: int = 0
    admin: Actor | None = None

    def name_of(self, pid: int) -> str:
        for group in (self.officers, self.leaders):
            for name, p in group.items():
                if p == pid:
                    return name
        return {self.temp: "临时工", self.contract: "编外员", self.untrained: "新同志"}.get(pid, "")


def make_street(name: str = "柏泉村", officers: int = 8, leaders: int = 3) -> Street:
    """A unit able to keep a flood-season October with 国庆节 without violations."""
    unit_id = make_unit(name)
    street = Street(unit_id)
    for n in OFFICER_NAMES[:officers]:
        street.officers[n] = make_person(unit_id, n)
    for n in LEADER_NAMES[:leaders]:
        street.leaders[n] = make_person(unit_id, n, can_lead=True)
    street.temp = make_person(unit_id, "临时工", employment="temporary")
    street.contract = make_person(unit_id, "编外员", employment="contract")
    street.untrained = make_person(unit_id, "新同志", trained=False)
    return street
