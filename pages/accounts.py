"""账号与角色: the system admin manages accounts, the security admin assigns roles (三员分立)."""
import streamlit as st

import ui
from services import auth
from services.permissions import ROLE_LABELS, can
from ui import forms, tables

actor = ui.actor()
st.title("账号与角色")
ui.context.flash()
manage = can(actor, "user.manage")
assign = can(actor, "role.assign")
st.caption("系统管理员创建和维护账号；安全管理员分配角色。三员账号互相分立，且不能填写值班记录。")

search = st.text_input("搜索账号", placeholder="用户名或姓名", key="user_search",
                       on_change=lambda: st.session_state.pop("user_page", None))
shown = ui.run_action(auth.users_page, actor, search, st.session_state.get("user_page", 1))
users = shown.rows if shown else []
forms.pager(shown, "user_page", "第 {first}–{last} 个账号，共 {total} 个（按用户名排列）")
st.dataframe(tables.columns({    # column by column as Arrow, not rows made a pandas frame
    "用户名": [u.username for u in users], "姓名": [u.display_name for u in users],
    "所属单位": [u.unit_name or "" for u in users],
    "角色": ["、".join(ROLE_LABELS.get(r, r) for r in u.roles) for u in users],
    "状态": ["启用" if u.active else "停用" for u in users],
    "锁定": ["是" if u.locked else "" for u in users],
    "需改密": ["是" if u.must_change_password else "" for u in users],
}), hide_index=True, width="stretch")

# Built only while open: the form's unit list is every unit of the street.
box = st.expander("新建账号", icon=":material/person_add:", key="new_user_box",
                  on_change="rerun") if manage else None
if box is not None and box.open:
    units = auth.unit_options(actor)
    with box:
        with st.form("new_user", clear_on_submit=True):
            c1, c2 = st.columns(2)
            username = c1.text_input("用户名", key="new_username")
            display_name = c2.text_input("姓名", key="new_display_name")
            unit_id = st.selectbox("所属单位", [None, *units], key="new_unit",
                                   format_func=lambda i: "（无）" if i is None else units[i])
            bootstrap = st.multiselect(
                "初始化三员角色（仅当尚无人担任时可选）", ["security_admin", "audit_admin"],
                format_func=ROLE_LABELS.get, key="new_bootstrap")
            if st.form_submit_button("创建账号", type="primary"):
                temp = auth.generate_temp_password()
                if ui.run_action(auth.create_user, actor, username, display_name, temp,
                                 unit_id=unit_id, roles=set(bootstrap)) is not None:
                    st.session_state["_temp_password"] = (username.strip().lower(), temp)
                    st.rerun()

created = st.session_state.pop("_temp_password", None)
if created:
    st.success(f"账号 {created[0]} 已创建。临时密码：**{created[1]}**（仅显示一次，请当面交给本人；首次登录须修改）")

if users and (manage or assign):
    st.subheader("维护账号")
    by_name = {u.username: u for u in users}
    chosen = st.selectbox("选择账号", list(by_name), key="pick_user",
                          help="列出本页的账号；可用上方的搜索缩小范围",
                          format_func=lambda n: f"{n}（{by_name[n].display_name}）")
    user = by_name[chosen]
    if assign:
        with st.form("roles"):
            roles = st.multiselect("角色", list(ROLE_LABELS), default=list(user.roles),
                                   format_func=ROLE_LABELS.get, key=f"roles_{user.id}")
            if st.form_submit_button("保存角色", type="primary"):
                if ui.run_action(auth.assign_roles, actor, user.id, set(roles), user.version,
                                 success="角色已保存") is not None:
                    st.rerun()
    if manage:
        c1, c2, c3 = st.columns(3)
        if c1.button("重置密码", key="reset_pw", icon=":material/lock_reset:"):
            temp = auth.generate_temp_password()
            if ui.run_action(auth.reset_password, actor, user.id, temp) is not None:
                st.session_state["_temp_password"] = (user.username, temp)
                st.rerun()
        if user.locked and c2.button("解除锁定", key="unlock", icon=":material/lock_open:"):
            if ui.run_action(auth.unlock_user, actor, user.id, success="已解除锁定") is not None:
                st.rerun()
        label = "停用账号" if user.active else "启用账号"
        if c3.button(label, key="toggle_active"):
            if ui.run_action(auth.set_user_active, actor, user.id, not user.active, user.version,
                             success=f"已{label[:2]}") is not None:
                st.rerun()
