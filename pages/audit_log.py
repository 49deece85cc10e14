"""审计日志: the audit admin reads and exports the trail (第十五条, 等保 安全审计)."""
from datetime import datetime, time, timedelta

import streamlit as st

import ui
from services import audit, clock
from ui import forms

actor = ui.actor()
st.title("审计日志")
today = clock.local(clock.now()).date()
with st.form("audit_filter"):
    c1, c2, c3 = st.columns(3)
    start_day = c1.date_input("开始日期", today - timedelta(days=7))
    end_day = c2.date_input("结束日期", today)
    username = c3.text_input("用户名")
    c4, c5, c6 = st.columns(3)
    action = c4.text_input("操作", help="前缀匹配，例如 login 或 user.")
    object_type = c5.text_input("对象类型", help="例如 user、unit、person")
    object_id = c6.text_input("对象编号")
    st.form_submit_button("查询", type="primary")

flt = audit.AuditFilter(
    start=datetime.combine(start_day, time.min, clock.SHANGHAI),
    end=datetime.combine(end_day + timedelta(days=1), time.min, clock.SHANGHAI),
    username=username, action=action, object_type=object_type, object_id=object_id)
shown = ui.run_action(audit.search_page, actor, flt, st.session_state.get("audit_page", 1))
if shown is not None:
    st.caption(f"共 {shown.total} 条，最新的在前；导出包含全部匹配记录")
    forms.pager(shown, "audit_page", "第 {first}–{last} 条")
    st.dataframe(shown.rows, hide_index=True, width="stretch")
    if st.button("生成 CSV 导出", icon=":material/download:"):
        data = ui.run_action(audit.export_csv, actor, flt)
        if data is not None:
            st.download_button("下载 CSV", data, file_name=f"audit-{today}.csv", mime="text/csv")
