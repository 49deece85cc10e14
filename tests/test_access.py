"""A page typed as an address, and the session check of auto-refreshing page parts."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.audit import AuditEvent
from models.auth import User
from navigation import PAGES, pages_for
from services import access, auth
from services.errors import PermissionDenied
from services.permissions import SYSTEM_ACTOR
from services.uow import reading, transaction

PASSWORD = "Duty#2026ok"


def signed_in(username: str, role: str):
    uid = auth.create_user(SYSTEM_ACTOR, username, "张三", PASSWORD, roles={role})
    with transaction() as s:
        s.get(User, uid).must_change_password = False
    assert auth.verify_credentials(username, PASSWORD).ok
    return auth.actor_for_token(auth.open_session(username))


def denials(username: str) -> list[dict]:
    with reading() as s:
        return list(s.scalars(select(AuditEvent.details).where(
            AuditEvent.username == username, AuditEvent.action == "permission_denied")))


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin",
                                  "duty_officer", "office_admin"])
def test_entering_a_page_follows_the_menu_and_refusals_are_audited(db, frozen_clock, role):
    actor = signed_in("zhangsan", role)
    menu = pages_for(actor)
    for spec in PAGES:
        if spec.action is None:
            continue
        if spec in menu:
            access.enter_page(actor, spec.action)
        else:
            with pytest.raises(PermissionDenied):
                access.enter_page(actor, spec.action)
    refused = [{"action": spec.action} for spec in PAGES
               if spec.action is not None and spec not in menu]
    assert refused, f"{role} sees every page: nothing to refuse"
    assert denials("zhangsan") == refused


def test_the_three_admins_are_refused_each_others_pages(db, frozen_clock):
    system = signed_in("xitong", "system_admin")
    auditor = signed_in("shenji", "audit_admin")
    with pytest.raises(PermissionDenied):
        access.enter_page(system, "audit.read")
    access.enter_page(auditor, "audit.read")
    accounts = next(spec.action for spec in PAGES if spec.path.endswith("accounts.py"))
    with pytest.raises(PermissionDenied):
        access.enter_page(auditor, accounts)
    assert denials("xitong") == [{"action": "audit.read"}]
    assert denials("shenji") == [{"action": accounts}]


def last_seen(token: str):
    from models.auth import LoginSession
    with reading() as s:
        return s.scalar(select(LoginSession.last_seen_at).where(LoginSession.token == token))


def test_a_refreshing_check_does_not_keep_an_idle_session_alive(db, frozen_clock):
    actor = signed_in("zhangsan", "duty_officer")
    seen = last_seen(actor.session_token)
    for _ in range(29):  # the desk refreshing every minute while nobody touches it
        frozen_clock.advance(minutes=1)
        auth.session_for_token(actor.session_token, touch=False)
    assert last_seen(actor.session_token) == seen
    frozen_clock.advance(minutes=2)
    with pytest.raises(auth.SessionExpired, match="超时"):
        auth.session_for_token(actor.session_token, touch=False)


def test_a_refreshing_check_sees_a_deactivated_account(db, frozen_clock):
    actor = signed_in("zhangsan", "duty_officer")
    auth.session_for_token(actor.session_token, touch=False)
    with transaction() as s:
        s.get(User, actor.user_id).active = False
    with pytest.raises(auth.SessionExpired, match="停用"):
        auth.session_for_token(actor.session_token, touch=False)
