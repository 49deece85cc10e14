"""The actor of the current script run.

app.py validates the server-side session on every run and sets the actor here, in a
thread-local (each Streamlit session runs its script in its own thread), not in
session_state, which widgets could write to.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services.errors import DomainError, ValidationError
from services.permissions import Actor

_run = threading.local()
T = TypeVar("T")


def set_actor(actor: Actor | None) -> None:
    _run.actor = actor


def set_pages(pages: dict[str, object]) -> None:
    """This run's st.Page objects by script path, as app.py registered them."""
    _run.pages = pages


def page(path: str):
    """The run's st.Page for `path`, else the path itself (a fragment's rerun skips app.py).
    Given the Page, st.page_link and st.switch_page skip resolving the path on disk
    (realpath and lstat, ~0.5 ms a link)."""
    return getattr(_run, "pages", {}).get(path, path)


def actor() -> Actor:
    current = getattr(_run, "actor", None)
    if current is None:
        st.error("请先登录")
        st.stop()
    return current


def recheck_session() -> Actor:
    """The actor, for an auto-refreshing fragment: its runs skip app.py, so the session is
    checked here (a revoked, timed-out or deactivated account stops seeing live data), without
    counting as activity. When it has ended, the whole app reruns and app.py says why."""
    from services import auth  # late: services import ui-free modules only; keep it one-way

    ctx = get_script_run_ctx()
    if ctx is None or not ctx.fragment_ids_this_run:  # a full run: app.py has just checked
        return actor()
    try:
        current, _reason = auth.session_for_token(st.session_state.get("dd_token"),
                                                  client_ip(), touch=False)
    except auth.SessionExpired:
        st.rerun(scope="app")
    set_actor(current)
    return current


def client_ip() -> str | None:
    try:
        ip = st.context.ip_address
    except Exception:  # outside a browser session (scripts)
        return None
    return ip if isinstance(ip, str) else None  # AppTest gives a stand-in object


def run_action(fn: Callable[..., T], *args, success: str | None = None, **kwargs) -> T | None:
    """Call a service; show its Chinese DomainError as it is.

    Returns the service's result (True when it returns nothing), or None when refused.
    """
    try:
        result = fn(*args, **kwargs)
    except ValidationError as err:
        st.error("\n".join(f"- {p}" for p in err.problems))
        return None
    except DomainError as err:
        st.error(err.message)
        return None
    if success:
        st.toast(success)
        st.session_state["_flash"] = success
    return True if result is None else result


def flash() -> None:
    """Show the last success message once, after the rerun that followed it."""
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)
