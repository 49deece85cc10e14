"""Random and hostile text fed to every form's service (hypothesis): the form is saved or
refused with a Chinese message naming the field — never a traceback — and a refused form
stores nothing."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models.auth import User, UserRole
from models.daily import Call
from models.incident import Incident
from models.org import Contact, Person, Unit
from services import auth, clock
from services import incidents as inc
from services.daily import calls
from services.directory import contacts, people, units
from services.errors import DomainError
from services.permissions import SYSTEM_ACTOR, Actor
from services.uow import reading, transaction

HOSTILE = [
    "<img src=x onerror=alert(1)>", "<script>alert('x')</script>", "javascript:alert(1)",
    "'; DROP TABLE unit; --", "\" OR 1=1 --", "%_\\", "\x00", "名称\x00后缀", "\u202e反转文字",
    "😀🚒🔥", "\r\n\t", " ", "", "\u3000", "\ufeff", "𠀀𠮷", "A" * 5000, "汉" * 201,
    "{{7*7}}${7*7}", "../../etc/passwd", "\x1b[31m红\x1b[0m", "\ud7ff\ue000\uffff",
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.text(st.characters(max_codepoint=0x9f), max_size=20),        # control characters
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=30)),
    st.text(min_size=90, max_size=600),                              # around the limits
)
optional_text = st.one_of(st.none(), hostile_text)

# derandomize: the same examples every run (no flaky suite); database=None: no .hypothesis/
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@contextmanager
def example(db):
    """One example, undone afterwards: each starts from the same database."""
    savepoint = db.kw["bind"].begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


def count(model) -> int:
    with reading() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def saved_or_refused(model, call) -> object:
    """Run `call`: one more row of `model`, or a DomainError in Chinese and no new row."""
    before = count(model)
    try:
        result = call()
    except DomainError as exc:
        assert CHINESE.search(str(exc)), repr(str(exc))
        assert count(model) == before
        return None
    assert count(model) == before + 1
    return result


@pytest.fixture
def actors(db):
    now = clock.now()
    with transaction() as s:
        unit = Unit(name="柏泉街道机关", kind="street_office", active=True)
        s.add(unit)
        s.flush()
        out = {"unit_id": unit.id}
        for role in ("office_admin", "duty_officer"):
            user = User(username=role.replace("_", ""), display_name=role, password_hash="x",
                        password_changed_at=now, must_change_password=False, failed_logins=0,
                        active=True, created_at=now, unit_id=unit.id)
            user.roles.append(UserRole(role=role))
            s.add(user)
            s.flush()
            out[role] = Actor(user.id, user.username, user.display_name, frozenset({role}),
                              unit.id)
    return out


@SETTINGS
@given(name=hostile_text, address=optional_text, fax=optional_text, phone=optional_text,
       kind=st.one_of(st.sampled_from(["grassroots", "station"]), hostile_text))
def test_create_unit(db, actors, name, address, fax, phone, kind):
    with example(db):
        uid = saved_or_refused(Unit, lambda: units.create_unit(
            actors["office_admin"], units.UnitData(name=name, kind=kind, fax=fax, address=address),
            duty_phone=phone))
        if uid:
            assert units.get_unit(actors["office_admin"], uid).name == name.strip()


@SETTINGS
@given(name=hostile_text, position=optional_text, mobile=optional_text, office=optional_text,
       employment=st.one_of(st.just("permanent"), hostile_text))
def test_create_person(db, actors, name, position, mobile, office, employment):
    with example(db):
        pid = saved_or_refused(Person, lambda: people.create_person(
            actors["office_admin"], people.PersonData(
                name=name, unit_id=actors["unit_id"], employment=employment, position=position,
                mobile=mobile, office_phone=office)))
        if pid:
            assert people.get_person(actors["office_admin"], pid).name == name.strip()


@SETTINGS
@given(name=hostile_text, organisation=optional_text, notes=optional_text,
       phone=st.one_of(st.just("027-83881234"), optional_text), mobile=optional_text,
       category=st.one_of(st.just("other"), hostile_text))
def test_create_contact(db, actors, name, organisation, notes, phone, mobile, category):
    with example(db):
        cid = saved_or_refused(Contact, lambda: contacts.create_contact(
            actors["office_admin"], contacts.ContactData(
                name=name, category=category, organisation=organisation, phone=phone,
                mobile=mobile, notes=notes)))
        if cid:
            row = contacts.get_contact(actors["office_admin"], cid)
            assert (row.name, row.notes) == (name.strip(), (notes or "").strip() or None)


@SETTINGS
@given(title=hostile_text, place=hostile_text, description=hostile_text, source=hostile_text,
       caller=hostile_text, number=hostile_text,
       category=st.one_of(st.just("accident"), hostile_text),
       level=st.one_of(st.sampled_from([None, "III"]), hostile_text))
def test_receive_incident(db, actors, title, place, description, source, caller, number,
                          category, level):
    form = inc.IntakeInput(title=title, occurred_at=clock.now() - timedelta(minutes=5),
                           place=place, category=category, source_kind="phone",
                           source_text=source, level=level, description=description,
                           caller=caller, caller_number=number)
    with example(db):
        iid = saved_or_refused(Incident, lambda: inc.receive(actors["duty_officer"], form))
        if iid:
            shown = inc.incident_detail(actors["duty_officer"], iid).incident
            assert (shown.title, shown.place) == (title.strip(), place.strip())


@SETTINGS
@given(summary=hostile_text, caller=hostile_text, caller_unit=hostile_text, number=hostile_text,
       kind=st.one_of(st.just("consultation"), hostile_text),
       importance=st.one_of(st.sampled_from(["normal", "urgent"]), hostile_text))
def test_log_call(db, actors, summary, caller, caller_unit, number, kind, importance):
    form = calls.CallInput(summary=summary, kind=kind, caller=caller, caller_unit=caller_unit,
                           number=number, importance=importance)
    with example(db):
        saved_or_refused(Call, lambda: calls.log_call(actors["duty_officer"], form))


passwords = st.one_of(st.just("Duty#2026ok"), hostile_text,
                      st.builds(lambda t: "Aa1#" + t, hostile_text))


@SETTINGS
@given(username=st.one_of(st.just("wangwu"), hostile_text), display_name=hostile_text,
       password=passwords)
def test_create_user(db, actors, username, display_name, password):
    with example(db):
        uid = saved_or_refused(User, lambda: auth.create_user(
            SYSTEM_ACTOR, username, display_name, password))
        if uid:
            assert auth.verify_password(uid, password)


@SETTINGS
@given(username=st.one_of(st.just("admin"), hostile_text), display_name=hostile_text,
       password=passwords)
def test_setup_first_admin(db, username, display_name, password):
    with example(db):
        uid = saved_or_refused(User, lambda: auth.setup_first_admin(
            username, display_name, password, client_ip="127.0.0.1"))
        if uid:
            assert auth.verify_credentials(username.strip().lower(), password).ok


# ---------------------------------------------------------------- what the examples found

def test_a_nul_character_is_refused_by_field_not_by_the_database(db, actors):
    """PostgreSQL refuses NUL in text outright: it used to surface as a DataError traceback."""
    with pytest.raises(DomainError, match="单位名称：含有不可见的控制字符"):
        units.create_unit(actors["office_admin"], units.UnitData(name="\x00", kind="grassroots"))
    with pytest.raises(DomainError, match="事件名称：含有不可见的控制字符"):
        inc.receive(actors["duty_officer"], inc.IntakeInput(
            title="爆炸\x00", occurred_at=clock.now(), place="某社区", category="accident",
            source_kind="phone"))
    with pytest.raises(DomainError, match="来电内容：含有不可见的控制字符"):
        calls.log_call(actors["duty_officer"], calls.CallInput(summary="停水\x1b[31m"))
    with pytest.raises(DomainError, match="姓名：含有不可见的控制字符"):
        auth.create_user(SYSTEM_ACTOR, "wangwu", "王\x00五", "Duty#2026ok")
    # tabs and line breaks are ordinary text
    calls.log_call(actors["duty_officer"], calls.CallInput(summary="第一行\r\n第二行\t完"))


def test_a_password_longer_than_bcrypt_reads_is_refused(db):
    """bcrypt 5 raises ValueError beyond 72 bytes; the form says so instead."""
    long = "Aa1#" + "汉" * 23            # 4 + 69 = 73 bytes
    with pytest.raises(DomainError, match="密码：不能超过 72 个字节"):
        auth.setup_first_admin("admin", "管理员", long)
    assert auth.setup_first_admin("admin", "管理员", "Aa1#" + "x" * 68)   # exactly 72
