"""The page shown for an address outside the signed-in role's menu (see services.access)."""
from __future__ import annotations

import streamlit as st

import ui
from services import access
from services.errors import PermissionDenied

_REFUSED = "_refused_page"  # the refused page being shown: audited once per visit, not per rerun


def refused_page(title: str, action: str) -> None:
    if st.session_state.get(_REFUSED) != title:
        try:
            access.enter_page(ui.actor(), action)
        except PermissionDenied:
            st.session_state[_REFUSED] = title
        else:  # roles changed since the menu was drawn
            st.info(f"「{title}」已对您开放，请从左侧菜单进入。")
            return
    st.error(f"无权访问「{title}」：您的角色不含此页面的权限，此次访问已记入审计日志。")
    st.caption("请从左侧菜单进入您有权使用的页面。")


def left_refused_page() -> None:
    """Call when a page of the menu runs: the next refused visit is audited again."""
    st.session_state.pop(_REFUSED, None)
