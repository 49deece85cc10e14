"""Change one's own password; every session of the account is then signed out."""
import streamlit as st

import ui
from services import auth

actor = ui.actor()
st.title("修改密码")
st.caption("密码至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类。修改后需重新登录。")
with st.form("change_password", clear_on_submit=True):
    old = st.text_input("原密码", type="password")
    new = st.text_input("新密码", type="password")
    confirm = st.text_input("确认新密码", type="password")
    submitted = st.form_submit_button("修改密码", type="primary")
if submitted:
    if new != confirm:
        st.error("确认新密码：两次输入的密码不一致")
    elif ui.run_action(auth.change_password, actor, old, new):
        # The change revoked this session too; app.py sends the user back to the login form.
        st.session_state["_login_notice"] = "密码已修改，请使用新密码重新登录"
        st.rerun()
