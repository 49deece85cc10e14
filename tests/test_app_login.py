"""The app as a user meets it (AppTest): setup, login, lockout, forced change, navigation."""
import pytest
from streamlit.testing.v1 import AppTest

from services import auth
from services.permissions import SYSTEM_ACTOR

GOOD = "Duty#2026ok"


@pytest.fixture
def app_env(fresh_db, tmp_path, monkeypatch, apptest_v2):
    monkeypatch.setenv("DUTYDESK_DATA_DIR", str(tmp_path))
    return fresh_db


def _app() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    return at


def _by_label(at, label):
    return next(w for w in at.text_input if w.label == label)


def _login(at, username, password):
    _by_label(at, "用户名").input(username)
    _by_label(at, "密码").input(password)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    return at



def _make(username, roles, must_change=False):
    uid = auth.create_user(SYSTEM_ACTOR, username, username.upper(), GOOD, roles=set(roles))
    if not must_change:
        from models.auth import User
        from services.uow import transaction
        with transaction() as s:
            s.get(User, uid).must_change_password = False
    return uid


def test_first_start_shows_setup_then_login(app_env):
    at = _app()
    assert at.title[0].value == "政务值班台 · 系统初始化"
    _by_label(at, "用户名").input("admin")
    _by_label(at, "姓名").input("王管理")
    _by_label(at, "密码").input(GOOD)
    _by_label(at, "确认密码").input(GOOD)
    next(b for b in at.button if b.label == "创建系统管理员").click()
    at.run()
    assert not auth.needs_setup()
    assert any("请登录" in i.value for i in at.info)
    _login(at, "admin", GOOD)
    assert at.session_state["dd_token"]
    assert "王管理" in at.sidebar.markdown[0].value


def test_setup_refuses_a_weak_password_with_the_field_named(app_env):
    at = _app()
    _by_label(at, "用户名").input("admin")
    _by_label(at, "姓名").input("王管理")
    _by_label(at, "密码").input("weak")
    _by_label(at, "确认密码").input("weak")
    next(b for b in at.button if b.label == "创建系统管理员").click()
    at.run()
    assert auth.needs_setup()
    assert "密码：长度至少 8 位" in at.error[0].value


def test_wrong_password_then_lockout_survives_a_new_browser(app_env):
    _make("zhang", ["duty_officer"])
    at = _app()
    for _ in range(4):
        _login(at, "zhang", "wrong")
        assert at.error[0].value == "用户名或密码错误"
    _login(at, "zhang", "wrong")
    assert "锁定" in at.error[0].value
    other = _app()  # another browser / process: the lock lives in the database
    _login(other, "zhang", GOOD)
    assert "锁定" in other.error[0].value
    assert "dd_token" not in other.session_state


def test_first_login_forces_password_change_then_relogin(app_env):
    _make("lisi", ["duty_officer"], must_change=True)
    at = _login(_app(), "lisi", GOOD)
    assert any("首次登录" in w.value for w in at.warning)
    assert at.title[0].value == "修改密码"
    _by_label(at, "原密码").input(GOOD)
    _by_label(at, "新密码").input("Fresh#Pass2026")
    _by_label(at, "确认新密码").input("Fresh#Pass2026")
    next(b for b in at.button if b.label == "修改密码").click()
    at.run()
    assert any("重新登录" in i.value for i in at.info)
    _login(at, "lisi", "Fresh#Pass2026")
    assert at.title[0].value == "值班台"   # duty roles land on the desk (navigation.py)


@pytest.mark.parametrize("roles, visible, hidden", [
    (["audit_admin"], {"审计日志", "修改密码"}, {"人员", "账号与角色"}),
    (["system_admin"], {"账号与角色"}, {"审计日志", "人员"}),
    (["duty_officer"], {"值班首页", "人员", "通讯录"}, {"审计日志", "账号与角色"}),
])
def test_navigation_shows_each_role_its_pages(app_env, roles, visible, hidden):
    _make("user1", roles)
    at = _login(_app(), "user1", GOOD)
    titles = set(at.session_state["_nav_titles"]) if "_nav_titles" in at.session_state else None
    assert titles is not None
    assert visible <= titles
    assert not (hidden & titles)


def test_logout_ends_the_server_session(app_env):
    _make("zhao", ["duty_officer"])
    at = _login(_app(), "zhao", GOOD)
    token = at.session_state["dd_token"]
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    at.run()
    with pytest.raises(auth.SessionExpired):
        auth.actor_for_token(token)
    assert any(w.label == "用户名" for w in at.text_input)


def test_a_sign_in_cut_short_by_a_rerun_is_finished_by_the_next_run(app_env, monkeypatch):
    # In the browser, a component reporting (the login page's cookie reader) can stop the
    # run that checked the password before it opened the session; the next run used to
    # take the signed-in state for a returning browser without a cookie: 登录已失效.
    import streamlit as st

    _make("zhao", ["duty_officer"])
    real, calls = auth.open_session, []

    def cut_short_once(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:
            st.rerun()                           # as a pending rerun stops the run here
        return real(*args, **kwargs)

    monkeypatch.setattr(auth, "open_session", cut_short_once)
    at = _login(_app(), "zhao", GOOD)
    assert calls == ["zhao", "zhao"]
    assert at.session_state["dd_token"] and not at.info
    assert "ZHAO" in at.sidebar.markdown[0].value


def test_the_sign_in_run_renders_no_cookie_writer_of_the_authenticator(app_env, monkeypatch):
    # Its component was a point where a pending rerun stopped the run that signs in;
    # ui/session_cookie writes the cookie instead.
    from extra_streamlit_components.CookieManager import CookieManager

    written = []
    monkeypatch.setattr(CookieManager, "set", lambda self, *a, **k: written.append(a))
    _make("zhao", ["duty_officer"])
    at = _login(_app(), "zhao", GOOD)
    assert at.session_state["dd_token"] and written == []
    assert at.session_state["_dd_cookie_change"]["method"] == "set"


def _browser_cookie(monkeypatch, username, exp):
    """The re-login cookie a returning browser sends (AppTest cannot seed cookies)."""
    import streamlit as st
    from streamlit_authenticator.models.cookie_model import CookieModel

    def get_cookie(self):
        if st.session_state["logout"]:
            return False
        self.token = {"username": username, "exp_date": exp}
        return self.token

    monkeypatch.setattr(CookieModel, "get_cookie", get_cookie)


def test_cookie_relogin_after_a_reload_loads_only_that_account(app_env, monkeypatch):
    from sqlalchemy import select

    from models.auth import LoginSession
    from services.uow import reading

    for n in range(3):
        _make(f"other{n}", ["duty_officer"])
    _make("zhao", ["duty_officer"])
    asked = []
    real = auth.credentials_for_authenticator
    monkeypatch.setattr(auth, "credentials_for_authenticator",
                        lambda usernames=(): asked.append(list(usernames)) or real(usernames))
    at = _login(_app(), "zhao", GOOD)
    token = at.session_state["dd_token"]
    at.run()                                   # signed in: the authenticator is told nobody
    assert asked == []
    with reading() as s:
        exp = s.execute(select(LoginSession.cookie_exp).where(LoginSession.token == token)).scalar_one()
    _browser_cookie(monkeypatch, "zhao", exp)
    again = _app()                             # a reload: a new session with the cookie
    assert again.session_state["dd_token"] == token
    assert "ZHAO" in again.sidebar.markdown[0].value
    assert asked == [["zhao"]]                 # one account, by name, not all of them
    next(b for b in again.sidebar.button if b.label == "退出登录").click()
    again.run()
    copied = _app()                            # the same cookie after logout: refused
    assert "dd_token" not in copied.session_state
    assert any("登录已失效" in i.value for i in copied.info)
    assert any(w.label == "用户名" for w in copied.text_input)


def test_the_start_up_heap_is_frozen_and_collections_made_rarer_once_a_page_has_run(app_env, monkeypatch):
    import gc

    from ui import heap

    monkeypatch.setattr(heap, "_frozen", False)
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)                 # Python's defaults
        _make("zhao", ["duty_officer"])
        at = _app()                                   # the login form: no page has run yet
        assert not heap._frozen and gc.get_threshold() == (700, 10, 10)
        _login(at, "zhao", GOOD)
        assert heap._frozen and gc.get_freeze_count() > 0
        assert gc.get_threshold() == heap.THRESHOLDS  # young collections made rarer
        assert heap.freeze_once() is False            # once per process
    finally:
        gc.set_threshold(*before)
