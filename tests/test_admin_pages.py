"""The administrators' pages as they are used (AppTest through app.py)."""
import pytest
from streamlit.testing.v1 import AppTest

from services import audit as audit_service
from services import auth
from services.permissions import SYSTEM_ACTOR

GOOD = "Duty#2026ok"


@pytest.fixture
def app_env(fresh_db, tmp_path, monkeypatch, apptest_v2):
    monkeypatch.setenv("DUTYDESK_DATA_DIR", str(tmp_path))
    return fresh_db


def _make(username, roles):
    uid = auth.create_user(SYSTEM_ACTOR, username, username.upper(), GOOD, roles=set(roles))
    from models.auth import User
    from services.uow import transaction
    with transaction() as s:
        s.get(User, uid).must_change_password = False
    return uid


def _signed_in(username, page):
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    next(w for w in at.text_input if w.label == "用户名").input(username)
    next(w for w in at.text_input if w.label == "密码").input(GOOD)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    at.switch_page(page)
    at.run()
    return at


def test_system_admin_creates_an_account_with_a_one_time_password(app_env):
    _make("sysadm", ["system_admin"])
    at = _signed_in("sysadm", "pages/accounts.py")
    assert at.title[0].value == "账号与角色"
    # The form (and its list of every unit) is built only once its panel is opened.
    assert not any(w.label == "用户名" for w in at.text_input)
    at.session_state["new_user_box"] = True          # as a click that opens the panel
    at.run()
    next(w for w in at.text_input if w.label == "用户名").input("wangwu")
    next(w for w in at.text_input if w.label == "姓名").input("王五")
    next(b for b in at.button if b.label == "创建账号").click()
    at.run()
    shown = next(s.value for s in at.success if "临时密码" in s.value)
    temp = shown.split("**")[1]
    assert auth.verify_credentials("wangwu", temp).ok
    row = next(u for u in auth.list_users(auth.actor_for_token(at.session_state["dd_token"]))
               if u.username == "wangwu")
    assert row.must_change_password and row.roles == ()


def test_system_admin_cannot_reach_the_audit_page(app_env):
    _make("sysadm", ["system_admin"])
    at = _signed_in("sysadm", "pages/accounts.py")
    # The page is not registered for this role, so no URL routes to it.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/audit_log.py")
    # And the service refuses even if a page were reached some other way.
    actor = auth.actor_for_token(at.session_state["dd_token"])
    with pytest.raises(Exception, match="无权"):
        audit_service.search_page(actor, audit_service.AuditFilter())


def test_audit_admin_filters_and_exports(app_env):
    _make("auditor", ["audit_admin"])
    assert not auth.verify_credentials("ghost", "x").ok
    at = _signed_in("auditor", "pages/audit_log.py")
    assert at.title[0].value == "审计日志"
    next(w for w in at.text_input if w.label == "操作").input("login.failure")
    next(b for b in at.button if b.label == "查询").click()
    at.run()
    frame = at.dataframe[0].value
    assert list(frame["操作"]) == ["login.failure"]
    assert list(frame["用户"]) == ["ghost"]
    actor = auth.actor_for_token(at.session_state["dd_token"])
    data = audit_service.export_csv(actor, audit_service.AuditFilter(action="login"))
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,时间,用户")
    assert "ghost" in text and "login.success" in text


def test_accounts_page_shows_a_page_of_accounts_and_offers_those_to_maintain(app_env):
    _make("sysadm", ["system_admin"])
    for n in range(auth.USERS_PER_PAGE):
        auth.create_user(SYSTEM_ACTOR, f"zz{n:03d}", f"值班员{n:03d}", GOOD)
    at = _signed_in("sysadm", "pages/accounts.py")
    assert len(at.dataframe[0].value) == auth.USERS_PER_PAGE
    at.selectbox(key="user_page").set_value(2).run()
    assert list(at.dataframe[0].value["用户名"]) == ["zz049"]
    assert at.selectbox(key="pick_user").options == ["zz049（值班员049）"]
    at.text_input(key="user_search").input("zz00").run()
    assert list(at.dataframe[0].value["用户名"]) == [f"zz00{n}" for n in range(10)]


def test_audit_log_is_read_a_page_at_a_time_newest_first(app_env):
    _make("auditor", ["audit_admin"])
    for n in range(101):
        auth.verify_credentials(f"ghost{n:03d}", "x")
    at = _signed_in("auditor", "pages/audit_log.py")
    total = audit_service.search_page(auth.actor_for_token(at.session_state["dd_token"]),
                                      audit_service.AuditFilter()).total
    assert total > 101 and f"共 {total} 条，最新的在前；导出包含全部匹配记录" in [c.value for c in at.caption]
    first = at.dataframe[0].value
    assert len(first) == 100 and list(first["序号"]) == sorted(first["序号"], reverse=True)
    at.selectbox(key="audit_page").set_value(2).run()
    rest = at.dataframe[0].value
    assert len(rest) == total - 100 and rest["序号"].max() < first["序号"].min()
