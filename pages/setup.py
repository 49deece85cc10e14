"""First start: create the first system administrator. There is no default password."""
import streamlit as st

import ui
from services import auth

st.title("政务值班台 · 系统初始化")
st.write("系统中还没有任何账号。请创建第一个**系统管理员**账号；"
         "之后由系统管理员创建其他账号，由安全管理员分配角色。")
with st.form("setup"):
    username = st.text_input("用户名", help="3–32 位小写字母、数字或 _ . -，以字母开头")
    display_name = st.text_input("姓名")
    password = st.text_input("密码", type="password",
                             help="至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类")
    confirm = st.text_input("确认密码", type="password")
    submitted = st.form_submit_button("创建系统管理员", type="primary")
if submitted:
    if password != confirm:
        st.error("确认密码：两次输入的密码不一致")
    elif ui.run_action(auth.setup_first_admin, username, display_name, password,
                       ui.client_ip()) is not None:
        st.session_state["_login_notice"] = "系统管理员已创建，请登录"
        st.rerun()
