"""DutyDesk entry point: page config, first-run setup, login, role-based navigation."""
from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

import ui
from config import cookie_key, load_settings
from navigation import PAGES, pages_for
from services import auth
from services.permissions import ROLE_LABELS
from ui import heap, session_cookie
from ui.access import left_refused_page, refused_page

st.set_page_config(page_title="政务值班台", page_icon="☎️", layout="wide")
settings = load_settings()

_VERIFIED = "_dd_password_verified"   # the username whose password was just checked
LOGIN_FIELDS = {"Form name": "政务值班台 · 登录", "Username": "用户名", "Password": "密码",
                "Login": "登录"}


def make_authenticator() -> stauth.Authenticate:
    # No accounts up front: _login tells the authenticator about the one user it signs in.
    return stauth.Authenticate(
        {"usernames": {}},
        cookie_name="dutydesk_session",
        cookie_key=cookie_key(settings),
        cookie_expiry_days=settings.absolute_timeout_hours / 24,
        auto_hash=False,
        login_sleep_time=0,
    )


def _forget_login(authenticator: stauth.Authenticate, message: str | None = None) -> None:
    st.session_state.pop("dd_token", None)
    st.session_state.pop(_VERIFIED, None)
    session_cookie.remove_after_sign_out(authenticator)
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    if message:  # a notice set by the page that caused this (e.g. password change) wins
        st.session_state.setdefault("_login_notice", message)


def _login(authenticator: stauth.Authenticate) -> None:
    """Render the login form; on success bind a server-side session and rerun."""
    check: dict = {}
    users = authenticator.authentication_controller.authentication_model.credentials["usernames"]

    def verify(username: str, password: str) -> bool:
        result = auth.verify_credentials(username, password, ui.client_ip())
        check.update(username=username, ok=result.ok, message=result.message)
        if result.ok:  # the authenticator signs in only a user it knows: this one, no hash
            users[username] = {"name": result.name, "email": None}
            # Kept past this run: a rerun (a component reporting) can still cut it short
            # before the session below is opened; the next run finishes the sign-in.
            st.session_state[_VERIFIED] = username
        return result.ok

    # Passwords are checked against the database (lockout, audit), not the cached dict.
    authenticator.authentication_controller.authentication_model.check_credentials = verify
    # The authenticator would render its cookie writer between the password check and the
    # session below (a point where a pending rerun stops the run); session_cookie writes
    # the cookie instead, so here only its expiry is set.
    model = authenticator.cookie_controller.cookie_model
    authenticator.cookie_controller.set_cookie = \
        lambda: setattr(model, "exp_date", model._set_exp_date())
    if not st.session_state.get("authentication_status"):
        # A returning browser: the authenticator re-signs-in the cookie's user if it knows
        # them, so it is told about that one active account (and nobody else).
        cookie = authenticator.cookie_controller.get_cookie()
        if cookie:
            users.update(auth.credentials_for_authenticator([cookie["username"]])["usernames"])
    # Replace the previous user's menu: signed out, nobody sees which pages exist.
    # Every page's address stays in the browser while signed out, so that a returning
    # browser resumed by its cookie lands on the page it asked for.
    st.navigation([st.Page(lambda: None, title="登录", url_path="login")]
                  + [st.Page(lambda: None, title="登录", url_path=Path(spec.path).stem)
                     for spec in PAGES], position="hidden")
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
    verified = st.session_state.get(_VERIFIED)
    if status and (check.get("ok") or verified == st.session_state.get("username")):
        if not check:   # the run that checked the password was cut short
            authenticator.cookie_controller.set_cookie()
        exp = authenticator.cookie_controller.cookie_model.exp_date
        st.session_state["dd_token"] = auth.open_session(st.session_state["username"],
                                                         ui.client_ip(), exp)
        st.session_state.pop(_VERIFIED, None)
        st.session_state["_land_home"] = True  # a fresh sign-in starts on the home page
        session_cookie.write_after_sign_in(authenticator)  # a reload keeps the officer in
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
    # A live server-side session means the system is set up (checked again once it ends).
    if not st.session_state.get("dd_token") and auth.needs_setup():
        st.navigation([st.Page("pages/setup.py", title="系统初始化", icon=":material/build:")]).run()
        return

    # Built only while signed out (and to sign out): it renders the cookie reader, a
    # component that, left on a signed-in page, sends the cookies again at a later run once
    # the sign-in cookie is written, interrupting the run that carries an officer's click.
    authenticator = None if st.session_state.get("dd_token") else make_authenticator()
    if authenticator is not None:
        session_cookie.apply_pending()  # removing it after a sign-out
        _login(authenticator)

    try:
        actor, reason = auth.session_for_token(st.session_state.get("dd_token"), ui.client_ip())
    except auth.SessionExpired as expired:
        _forget_login(authenticator or make_authenticator(), expired.message)
        st.rerun()
    ui.set_actor(actor)

    with st.sidebar:
        st.markdown(f"**{actor.display_name}**")
        st.caption("、".join(ROLE_LABELS.get(r, r) for r in sorted(actor.roles)) or "（未分配角色）")
        if st.button("退出登录", key="dd_logout", icon=":material/logout:"):
            auth.logout(actor.session_token)
            _forget_login(authenticator or make_authenticator(), "已退出登录")
            st.rerun()

    if reason:
        st.warning(reason)
        st.navigation([st.Page("pages/password.py", title="修改密码", icon=":material/key:")]).run()
        return

    sections: dict[str, list] = {}
    allowed = pages_for(actor)
    st.session_state["_nav_titles"] = [spec.title for spec in allowed]  # for tests and help text
    registered = {}
    for spec in allowed:
        registered[spec.path] = st.Page(spec.path, title=spec.title, icon=spec.icon)
        sections.setdefault(spec.section, []).append(registered[spec.path])
    ui.set_pages(registered)
    # Another role's page typed as an address: refused in Chinese and audited, not
    # Streamlit's English "Page not found".
    last_section = sections.setdefault(next(reversed(sections), "我的"), [])
    for spec in PAGES:
        if spec not in allowed:
            last_section.append(st.Page(partial(refused_page, spec.title, spec.action),
                                        title=spec.title, url_path=Path(spec.path).stem,
                                        visibility="hidden"))
    page = st.navigation(sections, expanded=True)  # no English "View more" toggle
    home = next(iter(sections.values()))[0]
    if st.session_state.pop("_land_home", False) and page.url_path != home.url_path:
        st.switch_page(home)
    if page.url_path in {Path(spec.path).stem for spec in allowed} | {""}:
        left_refused_page()
    # Written only once landed: the component's own rerun carries the page the browser shows,
    # and one sent before a switch_page above had reached it would take the officer back.
    session_cookie.apply_pending()
    page.run()
    heap.freeze_once()   # after the first page has imported what the server keeps


main()
