"""Login, sessions, passwords and accounts: the only place an Actor is made from a login.

Lockout and failed counts live in the database (the authenticator's own are per process),
every outcome is audited, and a server-side session record makes logout real.
"""
from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import bcrypt
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import flag_modified

from config import load_settings
from models.auth import LoginSession, User, UserRole
from models.org import Person, Unit
from rules.passwords import password_problems
from rules.validation import has_control
from services import audit, clock
from services.errors import ConcurrentEditError, DomainError, NotFound, ValidationError
from services.paging import Paged, page_of
from services.permissions import (
    DUTY_ROLES, ROLE_LABELS, SECURITY_ADMIN, SEPARATED_ADMIN_ROLES, SYSTEM, SYSTEM_ADMIN,
    UNIT_DUTY_OFFICER, Actor, require,
)
from services.uow import reading, transaction

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
# A real hash of a random string: unknown usernames cost the same time as known ones.
_DUMMY_HASH = bcrypt.hashpw(b"dutydesk-timing-guard", bcrypt.gensalt(4))


class SessionExpired(DomainError):
    pass


def _rounds() -> int:
    return int(os.environ.get("DUTYDESK_BCRYPT_ROUNDS", "12"))


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(_rounds())).decode("ascii")


def _check(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except ValueError:
        return False


def _actor_of(user: User, client_ip: str | None = None, token: str | None = None,
              unit_id: int | None = None) -> Actor:
    return Actor(user_id=user.id, username=user.username, display_name=user.display_name,
                 roles=user.role_codes, unit_id=unit_id or user.unit_id, person_id=user.person_id,
                 client_ip=client_ip, session_token=token)


def _user_by_name(s, username: str) -> User | None:
    return s.execute(select(User).where(User.username == username)).scalar_one_or_none()


# ---------------------------------------------------------------- roles

def role_problems(roles: set[str], unit_id: int | None) -> list[str]:
    problems = []
    unknown = roles - set(ROLE_LABELS)
    if unknown:
        problems.append(f"角色：未知角色 {', '.join(sorted(unknown))}")
    admins = roles & SEPARATED_ADMIN_ROLES
    if len(admins) > 1:
        problems.append("角色：系统管理员、安全管理员、审计管理员三员分立，一个账号只能担任其中之一")
    if admins and roles & DUTY_ROLES:
        problems.append("角色：三员管理账号不得同时担任值班业务角色，不能填写值班记录")
    if UNIT_DUTY_OFFICER in roles and unit_id is None:
        problems.append("所属单位：单位值班员必须指定所属单位")
    return problems


def _set_roles(s, user: User, roles: set[str]) -> None:
    problems = role_problems(roles, user.unit_id)
    if problems:
        raise ValidationError(problems)
    current = {r.role: r for r in user.roles}
    for code in set(current) - roles:
        user.roles.remove(current[code])
    for code in roles - set(current):
        user.roles.append(UserRole(role=code))


# ---------------------------------------------------------------- setup and login

def needs_setup() -> bool:
    with reading() as s:
        return s.execute(select(User.id).limit(1)).first() is None


def _display_name_problems(display_name: str) -> list[str]:
    if not display_name:
        return ["姓名：不能为空"]
    if len(display_name) > 50:
        return ["姓名：不能超过50个字"]
    if has_control(display_name):
        return ["姓名：含有不可见的控制字符，请删除后重新输入"]
    return []


def _new_user(s, username: str, display_name: str, password: str, *, must_change: bool,
              unit_id: int | None = None, person_id: int | None = None) -> User:
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    problems = []
    if not USERNAME_RE.match(username):
        problems.append("用户名：3–32 位小写字母、数字或 _ . -，以字母开头")
    elif _user_by_name(s, username):
        problems.append(f"用户名：{username} 已存在")
    problems += _display_name_problems(display_name)
    problems += password_problems(password or "", username)
    if person_id is not None:
        person = s.get(Person, person_id)
        if person is None:
            problems.append("关联人员：不存在")
        else:
            unit_id = person.unit_id
    if unit_id is not None and s.get(Unit, unit_id) is None:
        problems.append("所属单位：不存在")
    if problems:
        raise ValidationError(problems)
    now = clock.now()
    user = User(username=username, display_name=display_name, password_hash=hash_password(password),
                password_changed_at=now, must_change_password=must_change, failed_logins=0,
                active=True, created_at=now, unit_id=unit_id, person_id=person_id)
    s.add(user)
    return user


def setup_first_admin(username: str, display_name: str, password: str,
                      client_ip: str | None = None) -> int:
    """First start only: the first system administrator chooses their own password."""
    with transaction() as s:
        if s.execute(select(func.count(User.id))).scalar_one():
            raise DomainError("系统已初始化，不能再次创建首个管理员")
        user = _new_user(s, username, display_name, password, must_change=False)
        user.roles.append(UserRole(role=SYSTEM_ADMIN))
        s.flush()
        audit.record(s, _actor_of(user, client_ip), "setup.first_admin", "user", user.id)
        return user.id


@dataclass(frozen=True)
class LoginCheck:
    ok: bool
    message: str = ""
    name: str = ""          # the account's display name, when ok


def verify_credentials(username: str, password: str, client_ip: str | None = None) -> LoginCheck:
    """Check a password against the database, keeping failure counts and lockout there."""
    settings = load_settings()
    username = (username or "").strip().lower()
    now = clock.now()
    wrong = LoginCheck(False, "用户名或密码错误")
    with transaction() as s:
        user = _user_by_name(s, username)
        if user is None or not user.active:
            _check(password or "", _DUMMY_HASH.decode())
            audit.record(s, None, "login.failure", "user", user.id if user else None,
                         outcome="failure", username=username[:50] or "(空)",
                         details={"reason": "unknown_user" if user is None else "inactive",
                                  "client_ip": client_ip})
            return wrong
        actor = _actor_of(user, client_ip)
        if user.locked_until and user.locked_until > now:
            audit.record(s, actor, "login.locked", "user", user.id, outcome="denied")
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            return LoginCheck(False, f"账号已被锁定，请 {minutes} 分钟后再试")
        if not _check(password or "", user.password_hash):
            user.failed_logins += 1
            if user.failed_logins >= settings.lockout_threshold:
                user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                user.failed_logins = 0
                audit.record(s, actor, "login.lockout", "user", user.id, outcome="failure",
                             details={"minutes": settings.lockout_minutes})
                return LoginCheck(False, f"连续 {settings.lockout_threshold} 次登录失败，账号已锁定 "
                                         f"{settings.lockout_minutes} 分钟")
            audit.record(s, actor, "login.failure", "user", user.id, outcome="failure",
                         details={"reason": "bad_password", "failed_logins": user.failed_logins})
            return wrong
        user.failed_logins = 0
        user.locked_until = None
        return LoginCheck(True, name=user.display_name)


def open_session(username: str, client_ip: str | None = None,
                 cookie_exp: float | None = None) -> str:
    """After a verified password: create the server-side session and audit the login."""
    with transaction() as s:
        user = _user_by_name(s, username.strip().lower())
        if user is None or not user.active:
            raise DomainError("账号不存在或已停用")
        now = clock.now()
        token = secrets.token_urlsafe(32)
        s.add(LoginSession(token=token, user_id=user.id, cookie_exp=cookie_exp,
                           client_ip=client_ip, created_at=now, last_seen_at=now))
        audit.record(s, _actor_of(user, client_ip), "login.success", "user", user.id)
        return token


def resume_session(username: str, cookie_exp: float | None, client_ip: str | None = None) -> str | None:
    """A returning browser's cookie is honoured only while its server session is live."""
    if cookie_exp is None:
        return None
    settings = load_settings()
    with reading() as s:
        row = s.execute(
            select(LoginSession).join(User, User.id == LoginSession.user_id).where(
                User.username == username, LoginSession.cookie_exp == cookie_exp,
                LoginSession.revoked_at.is_(None), User.active.is_(True))
        ).scalar_one_or_none()
        if row is None or _expiry_reason(row, clock.now(), settings):
            return None
        return row.token


def _expiry_reason(row: LoginSession, now, settings) -> str | None:
    if now - row.created_at > timedelta(hours=settings.absolute_timeout_hours):
        return "absolute"
    if now - row.last_seen_at > timedelta(minutes=settings.idle_timeout_minutes):
        return "idle"
    return None


def actor_for_token(token: str | None, client_ip: str | None = None) -> Actor:
    """Validate a session on every run; expired sessions are revoked and audited."""
    return session_for_token(token, client_ip)[0]


def session_for_token(token: str | None, client_ip: str | None = None, *,
                      touch: bool = True) -> tuple[Actor, str | None]:
    """`actor_for_token` and `password_change_reason` in one transaction (app.py, every run):
    the session's actor, and why they must change their password now (or None).
    `touch=False` (an auto-refreshing part of a page) checks without counting as activity:
    a desk left open must not keep an idle session alive."""
    if not token:
        raise SessionExpired("请先登录")
    settings = load_settings()
    now = clock.now()
    with transaction() as s:
        row = s.execute(select(LoginSession).where(LoginSession.token == token)).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            raise SessionExpired("登录已失效，请重新登录")
        user = s.get(User, row.user_id)
        reason = _expiry_reason(row, now, settings)
        if reason or not user.active:
            row.revoked_at, row.revoked_reason = now, reason or "inactive"
            audit.record(s, _actor_of(user, client_ip), "session.timeout", "user", user.id,
                         details={"reason": row.revoked_reason})
            s.commit()
            raise SessionExpired("登录已超时，请重新登录" if reason else "账号已停用")
        if touch and now - row.last_seen_at > timedelta(seconds=30):  # spare most writes
            row.last_seen_at = now
        # A linked person's current unit wins: moving the person moves the account's scope.
        person_unit = s.get(Person, user.person_id).unit_id if user.person_id else None
        return (_actor_of(user, client_ip, token, unit_id=person_unit),
                _password_reason(user, now, settings))


def logout(token: str | None) -> None:
    if not token:
        return
    with transaction() as s:
        row = s.execute(select(LoginSession).where(LoginSession.token == token)).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at, row.revoked_reason = clock.now(), "logout"
        user = s.get(User, row.user_id)
        audit.record(s, _actor_of(user, row.client_ip), "logout", "user", user.id)


def _revoke_all(s, user_id: int, reason: str) -> None:
    s.execute(update(LoginSession).where(LoginSession.user_id == user_id,
                                         LoginSession.revoked_at.is_(None))
              .values(revoked_at=clock.now(), revoked_reason=reason))


# ---------------------------------------------------------------- passwords

def _password_reason(user: User, now, settings) -> str | None:
    if user.must_change_password:
        return "首次登录或密码已被重置，请先修改密码"
    max_age = settings.password_max_age_days
    if max_age and now - user.password_changed_at > timedelta(days=max_age):
        return f"密码已超过 {max_age} 天未修改，请修改密码"
    return None


def password_change_reason(actor: Actor) -> str | None:
    """Why this user must change their password now, or None."""
    with reading() as s:
        user = s.get(User, actor.user_id)
        if user is None:
            return None
        return _password_reason(user, clock.now(), load_settings())


def change_password(actor: Actor, old_password: str, new_password: str) -> bool:
    """Changing a password revokes every session of the account, this one included."""
    with transaction() as s:
        user = s.get(User, actor.user_id)
        if user is None:
            raise NotFound("账号不存在")
        if not _check(old_password or "", user.password_hash):
            audit.record(s, actor, "password.change", "user", user.id, outcome="failure",
                         details={"reason": "bad_old_password"})
            s.commit()
            raise ValidationError(["原密码：不正确"])
        problems = password_problems(new_password or "", user.username)
        if _check(new_password or "", user.password_hash):
            problems.append("新密码：不能与原密码相同")
        if problems:
            raise ValidationError(problems)
        user.password_hash = hash_password(new_password)
        user.password_changed_at = clock.now()
        user.must_change_password = False
        _revoke_all(s, user.id, "password_change")
        audit.record(s, actor, "password.change", "user", user.id)
        return True


def verify_password(user_id: int, password: str) -> bool:
    """Whether `password` is the active, unlocked account's own (a signature, e.g. the
    incoming officer's at a handover, 第十四条). Reads only; the caller audits the outcome."""
    with reading() as s:
        user = s.get(User, user_id)
        if user is None or not user.active:
            _check(password or "", _DUMMY_HASH.decode())
            return False
        if user.locked_until and user.locked_until > clock.now():
            return False
        return _check(password or "", user.password_hash)


# ---------------------------------------------------------------- accounts (三员)

@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    unit_id: int | None
    unit_name: str | None
    person_id: int | None
    roles: tuple[str, ...]
    active: bool
    locked: bool
    must_change_password: bool
    version: int


USERS_PER_PAGE = 50


def _user_query(text: str):
    q = (select(User, Unit.name).outerjoin(Unit, Unit.id == User.unit_id)
         .order_by(User.username, User.id))
    if text and text.strip():
        needle = text.strip()
        q = q.where(User.username.contains(needle, autoescape=True)
                    | User.display_name.contains(needle, autoescape=True))
    return q


def _user_row(result, now) -> UserRow:
    u, unit_name = result
    return UserRow(u.id, u.username, u.display_name, u.unit_id, unit_name, u.person_id,
                   tuple(sorted(u.role_codes)), u.active,
                   bool(u.locked_until and u.locked_until > now), u.must_change_password,
                   u.version)


def list_users(actor: Actor, text: str = "") -> list[UserRow]:
    now = clock.now()
    with reading() as s:
        require(actor, "user.read")
        return [_user_row(r, now) for r in s.execute(_user_query(text)).all()]


def users_page(actor: Actor, text: str = "", page: int = 1,
               per_page: int = USERS_PER_PAGE) -> Paged[UserRow]:
    """One page of `list_users` (the 账号与角色 page), by username."""
    now = clock.now()
    with reading() as s:
        require(actor, "user.read")
        return page_of(s, _user_query(text), page, per_page, lambda r: _user_row(r, now))


def _bootstrap_roles_allowed(s, actor: Actor, roles: set[str]) -> bool:
    """A system admin may hand out the security and audit admin roles while nobody holds them."""
    if SYSTEM in actor.roles:
        return True
    if SYSTEM_ADMIN not in actor.roles or not roles <= {SECURITY_ADMIN, "audit_admin"}:
        return False
    held = s.execute(select(UserRole.role).join(User).where(User.active.is_(True),
                                                            UserRole.role.in_(roles))).scalars()
    return not set(held)


def create_user(actor: Actor, username: str, display_name: str, temp_password: str,
                unit_id: int | None = None, person_id: int | None = None,
                roles: set[str] | frozenset[str] = frozenset()) -> int:
    """System admin creates an account with a temporary password (must change at first login).

    Roles are the security admin's; `roles` here is only for bootstrap of the three admins
    or for the server operator (manage.py).
    """
    roles = set(roles)
    with transaction() as s:
        require(actor, "user.manage")
        if roles and not _bootstrap_roles_allowed(s, actor, roles):
            raise DomainError("角色由安全管理员分配；系统管理员只能在无人担任时初始化安全管理员、审计管理员")
        user = _new_user(s, username, display_name, temp_password, must_change=True,
                         unit_id=unit_id, person_id=person_id)
        s.flush()
        _set_roles(s, user, roles)
        s.flush()
        audit.record(s, actor, "user.create", "user", user.id,
                     details={"username": user.username, "roles": sorted(roles),
                              "unit_id": user.unit_id})
        return user.id


def _load_user(s, user_id: int, version: int | None) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在")
    if version is not None and user.version != version:
        raise ConcurrentEditError()
    return user


def assign_roles(actor: Actor, user_id: int, roles: set[str], version: int | None = None) -> None:
    """Security admin sets an account's roles (三员分立 checked)."""
    with transaction() as s:
        require(actor, "role.assign")
        user = _load_user(s, user_id, version)
        if user.id == actor.user_id:
            raise DomainError("不能修改自己的角色")
        before = sorted(user.role_codes)
        _set_roles(s, user, set(roles))
        _touch(user)
        audit.record(s, actor, "user.roles", "user", user.id,
                     details={"before": before, "after": sorted(roles)})


def _touch(user: User) -> None:
    """Roles live in their own table: bump the account's version so a concurrent edit fails."""
    flag_modified(user, "display_name")


def update_user(actor: Actor, user_id: int, version: int, display_name: str,
                unit_id: int | None, person_id: int | None) -> None:
    with transaction() as s:
        require(actor, "user.manage")
        user = _load_user(s, user_id, version)
        problems = []
        problems += _display_name_problems((display_name or "").strip())
        if person_id is not None:
            person = s.get(Person, person_id)
            if person is None:
                problems.append("关联人员：不存在")
            else:
                unit_id = person.unit_id
        if UNIT_DUTY_OFFICER in user.role_codes and unit_id is None:
            problems.append("所属单位：单位值班员必须指定所属单位")
        if problems:
            raise ValidationError(problems)
        user.display_name, user.unit_id, user.person_id = display_name.strip(), unit_id, person_id
        audit.record(s, actor, "user.update", "user", user.id,
                     details={"display_name": user.display_name, "unit_id": unit_id,
                              "person_id": person_id})


def reset_password(actor: Actor, user_id: int, temp_password: str) -> None:
    with transaction() as s:
        require(actor, "user.manage")
        user = _load_user(s, user_id, None)
        problems = password_problems(temp_password or "", user.username)
        if problems:
            raise ValidationError(problems)
        user.password_hash = hash_password(temp_password)
        user.password_changed_at = clock.now()
        user.must_change_password = True
        user.failed_logins, user.locked_until = 0, None
        _revoke_all(s, user.id, "password_reset")
        audit.record(s, actor, "password.reset", "user", user.id)


def set_user_active(actor: Actor, user_id: int, active: bool, version: int | None = None) -> None:
    with transaction() as s:
        require(actor, "user.manage")
        user = _load_user(s, user_id, version)
        if user.id == actor.user_id and not active:
            raise DomainError("不能停用自己的账号")
        user.active = active
        if not active:
            _revoke_all(s, user.id, "deactivated")
        audit.record(s, actor, "user.activate" if active else "user.deactivate", "user", user.id)


def unlock_user(actor: Actor, user_id: int) -> None:
    with transaction() as s:
        require(actor, "user.manage")
        user = _load_user(s, user_id, None)
        user.failed_logins, user.locked_until = 0, None
        audit.record(s, actor, "user.unlock", "user", user.id)


def credentials_for_authenticator(usernames: Iterable[str] = ()) -> dict:
    """The authenticator's credentials dict: only the named active accounts, without hashes.

    Passwords are checked against the database (`verify_credentials`), so the authenticator
    needs an entry only for the user it signs in: the one whose password was just verified,
    or the one named by a re-login cookie. Nothing is loaded for anybody else (app.py asks
    for nobody while a server-side session is live), and no password hash leaves here.
    """
    wanted = {(u or "").strip().lower() for u in usernames if u}
    if not wanted:
        return {"usernames": {}}
    with reading() as s:
        rows = s.execute(select(User.username, User.display_name)
                         .where(User.username.in_(sorted(wanted)), User.active.is_(True))).all()
    return {"usernames": {u: {"name": n, "email": None} for u, n in rows}}


def generate_temp_password() -> str:
    """A random temporary password that satisfies the policy (shown once to the admin)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(10)) + secrets.choice("#@%+")
        if not password_problems(candidate):
            return candidate


def unit_options(actor: Actor) -> dict[int, str]:
    """Units an account can be attached to (for the account forms)."""
    with reading() as s:
        require(actor, "user.read")
        return dict(s.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True))
                              .order_by(Unit.kind, Unit.name)).all())
