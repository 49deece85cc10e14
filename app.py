"""DutyDesk entry point: page config, first-run setup, login, role-based navigation."""
from __future__ import annotations

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

import ui
from config import cookie_key, load_settings
from navigation import pages_for
from services import auth
from services.permissions import ROLE_LABELS

st.set_page_config(page_title="政务值班台", page_icon="☎️", layout="wide")
settings = load_settings()

LOGIN_FIELDS = {"Form name": "政务值班台 · 登录", "Username": "用户名", "Password": "密码",
                "Login": "登录"}


def _forget_login(authenticator: stauth.Authenticate, message: str | None = None) -> None:
    st.session_state.pop("dd_token", None)
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    if message:  # a notice set by the page that caused this (e.g. password change) wins
        st.session_state.setdefault("_login_notice", message)


def _login(authenticator: stauth.Authenticate) -> None:
    """Render the login form; on success bind a server-side session and rerun."""
    check: dict = {}

    def verify(username: str, password: str) -> bool:
        result = auth.verify_credentials(username, password, ui.client_ip())
        check.update(username=username, ok=result.ok, message=result.message)
        return result.ok

    # Passwords are checked against the database (lockout, audit), not the cached dict.
    authenticator.authentication_controller.authentication_model.check_credentials = verify
    # Replace the previous user's menu: signed out, nobody sees which pages exist.
    st.navigation([st.Page(lambda: None, title="登录", url_path="login")], position="hidden")
    # Kept until sign-in: the cookie component's own rerun must not blank it (or shift the form).
    notice = st.session_state.get("_login_notice")
    if notice:
        st.info(notice)
    try:
        authenticator.login(location="main", fields=LOGIN_FIELDS, key="login")
    except LoginError:
        _forget_login(authenticator, "登录已失效，请重新登录")
        st.rerun()
    status = st.session_state.get("authentication_status")
    if status:
        st.session_state.pop("_login_notice", None)
    if status and check.get("ok"):
        exp = authenticator.cookie_controller.cookie_model.exp_date
        st.session_state["dd_token"] = auth.open_session(st.session_state["username"],
                                                         ui.client_ip(), exp)
        st.session_state["_land_home"] = True  # a fresh sign-in starts on the home page
        st.rerun()
    elif status:  # returning browser with a cookie: honoured only while its session is live
        cookie = authenticator.cookie_controller.cookie_model.token or {}
        token = auth.resume_session(st.session_state["username"], cookie.get("exp_date"),
                                    ui.client_ip())
        if token:
            st.session_state["dd_token"] = token
        else:
            _forget_login(authenticator, "登录已失效，请重新登录")
        st.rerun()
    elif status is False and check:
        st.error(check["message"])
    st.stop()


def main() -> None:
    if auth.needs_setup():
        st.navigation([st.Page("pages/setup.py", title="系统初始化", icon=":material/build:")]).run()
        return

    authenticator = stauth.Authenticate(
        auth.credentials_for_authenticator(),
        cookie_name="dutydesk_session",
        cookie_key=cookie_key(settings),
        cookie_expiry_days=settings.absolute_timeout_hours / 24,
        auto_hash=False,
        login_sleep_time=0,
    )
    if not st.session_state.get("dd_token"):
        _login(authenticator)

    try:
        actor = auth.actor_for_token(st.session_state.get("dd_token"), ui.client_ip())
    except auth.SessionExpired as expired:
        _forget_login(authenticator, expired.message)
        st.rerun()
    ui.set_actor(actor)

    with st.sidebar:
        st.markdown(f"**{actor.display_name}**")
        st.caption("、".join(ROLE_LABELS.get(r, r) for r in sorted(actor.roles)) or "（未分配角色）")
        if st.button("退出登录", key="dd_logout", icon=":material/logout:"):
            auth.logout(actor.session_token)
            _forget_login(authenticator, "已退出登录")
            st.rerun()

    reason = auth.password_change_reason(actor)
    if reason:
        st.warning(reason)
        st.navigation([st.Page("pages/password.py", title="修改密码", icon=":material/key:")]).run()
        return

    sections: dict[str, list] = {}
    allowed = pages_for(actor)
    st.session_state["_nav_titles"] = [spec.title for spec in allowed]  # for tests and help text
    for spec in allowed:
        sections.setdefault(spec.section, []).append(
            st.Page(spec.path, title=spec.title, icon=spec.icon))
    page = st.navigation(sections, expanded=True)  # no English "View more" toggle
    home = next(iter(sections.values()))[0]
    if st.session_state.pop("_land_home", False) and page.url_path != home.url_path:
        st.switch_page(home)
    page.run()


main()
