"""Hostile text is shown back as text: a unit, person or contact named like an HTML payload
appears verbatim in the pages' tables, and no element is rendered with raw HTML allowed."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from models.auth import User
from services import auth
from services.directory import contacts, people, units
from services.directory.contacts import ContactData
from services.directory.people import PersonData
from services.directory.units import UnitData
from services.permissions import SYSTEM_ACTOR, Actor
from services.uow import transaction

ROOT = Path(__file__).resolve().parent.parent
GOOD = "Duty#2026ok"
PAYLOAD = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def app_env(fresh_db, tmp_path, monkeypatch, apptest_v2):
    monkeypatch.setenv("DUTYDESK_DATA_DIR", str(tmp_path))
    return fresh_db


def _office_admin() -> Actor:
    uid = auth.create_user(SYSTEM_ACTOR, "office", "办公室", GOOD, roles={"office_admin"})
    with transaction() as s:
        s.get(User, uid).must_change_password = False
    return Actor(uid, "office", "办公室", frozenset({"office_admin"}))


def _signed_in(username: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    next(w for w in at.text_input if w.label == "用户名").input(username)
    next(w for w in at.text_input if w.label == "密码").input(GOOD)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _elements(node):
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            yield from _elements(child)
    else:
        yield node


def _table_cells(at: AppTest) -> set[str]:
    return {str(v) for df in at.dataframe for col in df.value.columns for v in df.value[col]}


def _assert_no_raw_html(at: AppTest) -> None:
    """No element renders markup; at least one markdown element was looked at."""
    checked = 0
    for el in _elements(at._tree):
        proto = getattr(el, "proto", None)
        if proto is None:
            continue
        assert el.type != "html", f"st.html rendered: {proto}"
        if "allow_html" in type(proto).DESCRIPTOR.fields_by_name:
            assert not proto.allow_html, f"unsafe_allow_html on {el.type}: {proto.body[:80]}"
            checked += 1
    assert checked, "no markdown element found: the check looked at nothing"


def _raw_html_script():
    import streamlit as st

    st.caption("plain")
    st.markdown("<b>raw</b>", unsafe_allow_html=True)


def test_the_check_catches_raw_html():
    at = AppTest.from_function(_raw_html_script)
    at.run()
    with pytest.raises(AssertionError, match="unsafe_allow_html on markdown"):
        _assert_no_raw_html(at)


def test_hostile_names_are_shown_as_text_on_the_directory_pages(app_env):
    office = _office_admin()
    unit_id = units.create_unit(office, UnitData(PAYLOAD, "grassroots", address=SCRIPT),
                                duty_phone="027-83881234")
    people.create_person(office, PersonData(PAYLOAD, unit_id, "permanent", position=SCRIPT))
    contacts.create_contact(office, ContactData(PAYLOAD, "other", organisation=SCRIPT,
                                                mobile="13800000000", notes=PAYLOAD))
    at = _signed_in("office")

    at.switch_page("pages/units.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "单位与值班电话"
    assert {PAYLOAD, SCRIPT} <= _table_cells(at)
    _assert_no_raw_html(at)

    at.switch_page("pages/people.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    cells = _table_cells(at)
    assert {PAYLOAD, SCRIPT} <= cells            # the name, the position, the unit's name
    _assert_no_raw_html(at)

    at.switch_page("pages/contacts.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert {PAYLOAD, SCRIPT} <= _table_cells(at)
    _assert_no_raw_html(at)


def test_no_code_renders_raw_html():
    """`unsafe_allow_html=True` (or st.html) would render user data as markup."""
    offenders = []
    pattern = re.compile(r"unsafe_allow_html\s*=\s*True|\bst\.html\(")
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in (".venv", ".git", "node_modules")
                       and not d.startswith(".")]
        for name in filenames:
            if name.endswith(".py") and name != Path(__file__).name:
                path = Path(dirpath, name)
                for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if pattern.search(line):
                        offenders.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
