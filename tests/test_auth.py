"""Login, lockout, sessions, passwords and the three separated administrators (等保 2.0, 第十五条)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEvent
from services import auth
from services.errors import ConcurrentEditError, DomainError, PermissionDenied, ValidationError
from services.permissions import SYSTEM_ACTOR
from services.uow import reading

GOOD = "Duty#2026ok"


def _actions():
    with reading() as s:
        return [a for a in s.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars()]


def _user(username="zhangsan", roles=("duty_officer",), password=GOOD, must_change=False):
    uid = auth.create_user(SYSTEM_ACTOR, username, "张三", password, roles=set(roles))
    if not must_change:
        from models.auth import User
        from services.uow import transaction
        with transaction() as s:
            s.get(User, uid).must_change_password = False
    return uid


def _login(username, password=GOOD):
    assert auth.verify_credentials(username, password).ok
    token = auth.open_session(username)
    return auth.actor_for_token(token)


def test_first_admin_only_once(db, frozen_clock):
    assert auth.needs_setup()
    auth.setup_first_admin("admin", "管理员", GOOD)
    assert not auth.needs_setup()
    with pytest.raises(DomainError, match="已初始化"):
        auth.setup_first_admin("admin2", "管理员二", GOOD)
    actor = _login("admin")
    assert actor.roles == {"system_admin"}
    assert auth.password_change_reason(actor) is None  # chose their own password


@pytest.mark.parametrize("password, fragment", [
    ("Ab1!", "长度至少 8 位"),
    ("abcdefgh1", "至少三类"),
    ("Zhangsan#1", "不得包含用户名"),
])
def test_password_policy_names_the_field(db, frozen_clock, password, fragment):
    with pytest.raises(ValidationError) as err:
        auth.setup_first_admin("zhangsan", "张三", password)
    assert any(fragment in p and p.startswith("密码") for p in err.value.problems)


def test_five_failures_lock_for_fifteen_minutes_even_with_the_right_password(db, frozen_clock):
    _user()
    for _ in range(4):
        assert auth.verify_credentials("zhangsan", "wrong").message == "用户名或密码错误"
    fifth = auth.verify_credentials("zhangsan", "wrong")
    assert not fifth.ok and "锁定" in fifth.message
    locked = auth.verify_credentials("zhangsan", GOOD)
    assert not locked.ok and "锁定" in locked.message
    frozen_clock.advance(minutes=15, seconds=1)
    assert auth.verify_credentials("zhangsan", GOOD).ok
    actions = _actions()
    assert actions.count("login.failure") == 4
    assert "login.lockout" in actions and "login.locked" in actions


def test_success_resets_the_failure_count(db, frozen_clock):
    _user()
    for _ in range(4):
        auth.verify_credentials("zhangsan", "wrong")
    assert auth.verify_credentials("zhangsan", GOOD).ok
    for _ in range(4):
        assert not auth.verify_credentials("zhangsan", "wrong").ok
    assert auth.verify_credentials("zhangsan", GOOD).ok  # still not locked


def test_unknown_username_is_recorded(db, frozen_clock):
    assert not auth.verify_credentials("nobody", "x").ok
    with reading() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "login.failure")).scalar_one()
    assert ev.username == "nobody" and ev.details["reason"] == "unknown_user"


def test_logout_revokes_the_session_and_the_cookie_binding(db, frozen_clock):
    _user()
    assert auth.verify_credentials("zhangsan", GOOD).ok
    token = auth.open_session("zhangsan", cookie_exp=12345.0)
    assert auth.resume_session("zhangsan", 12345.0) == token
    auth.logout(token)
    with pytest.raises(auth.SessionExpired):
        auth.actor_for_token(token)
    assert auth.resume_session("zhangsan", 12345.0) is None  # a copied cookie stops working
    assert "logout" in _actions()


def test_idle_and_absolute_timeouts(db, frozen_clock):
    _user()
    actor = _login("zhangsan")
    frozen_clock.advance(minutes=29)
    auth.actor_for_token(actor.session_token)  # activity keeps it alive
    frozen_clock.advance(minutes=31)
    with pytest.raises(auth.SessionExpired, match="超时"):
        auth.actor_for_token(actor.session_token)
    assert "session.timeout" in _actions()

    actor = _login("zhangsan")
    for _ in range(12 * 3):
        frozen_clock.advance(minutes=20)
        try:
            auth.actor_for_token(actor.session_token)
        except auth.SessionExpired:
            break
    assert frozen_clock.current - actor_created(actor) <= timedelta(hours=12, minutes=20)


def actor_created(actor):
    from models.auth import LoginSession
    with reading() as s:
        return s.execute(select(LoginSession.created_at)
                         .where(LoginSession.token == actor.session_token)).scalar_one()


def test_password_change_revokes_every_session(db, frozen_clock):
    _user()
    first = _login("zhangsan")
    second = _login("zhangsan")
    with pytest.raises(ValidationError, match="原密码"):
        auth.change_password(first, "bad", "New#Pass2026")
    assert auth.change_password(first, GOOD, "New#Pass2026")
    for a in (first, second):
        with pytest.raises(auth.SessionExpired):
            auth.actor_for_token(a.session_token)
    assert not auth.verify_credentials("zhangsan", GOOD).ok
    assert auth.verify_credentials("zhangsan", "New#Pass2026").ok


def test_first_login_and_reset_force_a_change_and_expiry_after_90_days(db, frozen_clock):
    _user(must_change=True)
    actor = _login("zhangsan")
    assert "首次登录" in auth.password_change_reason(actor)
    auth.change_password(actor, GOOD, "New#Pass2026")
    actor = _login("zhangsan", "New#Pass2026")
    assert auth.password_change_reason(actor) is None
    frozen_clock.advance(days=91)
    actor = _login("zhangsan", "New#Pass2026")
    assert "90 天" in auth.password_change_reason(actor)

    auth.setup_first_admin("sysadmin", "系统管理员", GOOD) if auth.needs_setup() else None
    admin = auth.create_user(SYSTEM_ACTOR, "sysadm", "管理员", GOOD, roles={"system_admin"})
    admin_actor = _login("sysadm")
    auth.reset_password(admin_actor, actor.user_id, "Temp#Pass2026")
    with pytest.raises(auth.SessionExpired):
        auth.actor_for_token(actor.session_token)
    actor = _login("zhangsan", "Temp#Pass2026")
    assert "重置" in auth.password_change_reason(actor)
    assert admin


def test_three_admin_roles_are_separated(db, frozen_clock):
    with pytest.raises(ValidationError, match="三员分立"):
        auth.create_user(SYSTEM_ACTOR, "both", "两员", GOOD, roles={"system_admin", "audit_admin"})
    with pytest.raises(ValidationError, match="不得同时担任值班业务角色"):
        auth.create_user(SYSTEM_ACTOR, "mixed", "混合", GOOD, roles={"security_admin", "duty_officer"})
    with pytest.raises(ValidationError, match="单位值班员必须指定所属单位"):
        auth.create_user(SYSTEM_ACTOR, "unitless", "无单位", GOOD, roles={"unit_duty_officer"})


def test_roles_are_the_security_admins_and_bootstrap_once(db, frozen_clock):
    _user("sysadm", roles=("system_admin",))
    sysadm = _login("sysadm")
    sec_id = auth.create_user(sysadm, "secadm", "安全员", GOOD, roles={"security_admin"})
    with pytest.raises(DomainError, match="角色由安全管理员分配"):
        auth.create_user(sysadm, "secadm2", "安全员二", GOOD, roles={"security_admin"})
    with pytest.raises(DomainError, match="角色由安全管理员分配"):
        auth.create_user(sysadm, "officer", "值班员", GOOD, roles={"duty_officer"})
    officer_id = auth.create_user(sysadm, "officer", "值班员", GOOD)
    with pytest.raises(PermissionDenied):
        auth.assign_roles(sysadm, officer_id, {"duty_officer"})
    assert _actions()[-1] == "permission_denied"

    from models.auth import User
    from services.uow import transaction
    with transaction() as s:
        s.get(User, sec_id).must_change_password = False
    secadm = _login("secadm")
    rows = {r.username: r for r in auth.list_users(secadm)}
    auth.assign_roles(secadm, officer_id, {"duty_officer", "shift_leader"},
                      version=rows["officer"].version)
    with pytest.raises(ConcurrentEditError):  # a second admin working from the old version
        auth.assign_roles(secadm, officer_id, {"duty_officer"}, version=rows["officer"].version)
    assert set(next(r for r in auth.list_users(secadm) if r.username == "officer").roles) == {
        "duty_officer", "shift_leader"}
    with pytest.raises(PermissionDenied):
        auth.list_users(_login("officer"))


def test_deactivated_account_cannot_log_in_and_its_sessions_end(db, frozen_clock):
    _user("sysadm", roles=("system_admin",))
    uid = _user()
    officer = _login("zhangsan")
    auth.set_user_active(_login("sysadm"), uid, False)
    with pytest.raises(auth.SessionExpired):
        auth.actor_for_token(officer.session_token)
    assert not auth.verify_credentials("zhangsan", GOOD).ok


def test_authenticator_gets_only_the_named_active_account_and_no_hash(db, frozen_clock):
    _user("zhangsan")
    _user("lisi")
    gone = _user("wangwu")
    auth.set_user_active(SYSTEM_ACTOR, gone, False)
    assert auth.credentials_for_authenticator() == {"usernames": {}}   # nothing up front
    assert auth.credentials_for_authenticator([" ZhangSan ", "wangwu", "nobody"]) == {
        "usernames": {"zhangsan": {"name": "张三", "email": None}}}


def test_session_for_token_gives_the_actor_and_the_password_reason_at_once(db, frozen_clock):
    _user(must_change=True)
    assert auth.verify_credentials("zhangsan", GOOD) == auth.LoginCheck(True, name="张三")
    token = auth.open_session("zhangsan")
    actor, reason = auth.session_for_token(token)
    assert actor.username == "zhangsan" and actor.session_token == token
    assert reason == auth.password_change_reason(actor) == "首次登录或密码已被重置，请先修改密码"
    auth.logout(token)
    with pytest.raises(auth.SessionExpired):
        auth.session_for_token(token)
