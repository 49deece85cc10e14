"""合规看板: for each measurable article and each unit, where the regulation was not met in
a period; every figure drills down to the records behind it."""

import streamlit as st

import ui
from services import oversight
from services.oversight import MEASURES
from services.oversight.common import today

actor = ui.actor()
st.title("合规看板")
st.caption("按条款、按单位统计未落实《政务值班工作规范》的情况；选择单元格可查看对应记录。")

left, right = st.columns(2)
start = left.date_input("开始日期", value=today().replace(day=1), key="cmp_start")
end = right.date_input("结束日期", value=today(), key="cmp_end")
# The figures first; a measure's records are read when its panel is opened.
counts = ui.run_action(oversight.compliance_counts, actor, start, end)
if counts is None:
    st.stop()

table = counts.matrix()
st.metric("未落实事项合计", counts.total())
st.dataframe(table, hide_index=True)
st.download_button("导出看板（.xlsx）", lambda rows=table: oversight.to_xlsx(rows, "合规看板"), file_name="合规看板.xlsx",
                   icon=":material/download:", key="cmp_xlsx")

st.subheader("按条款查看")
# A measure's records are tabled only while its panel is open: a month of a busy street
# has hundreds of them, and eleven tables cost more than the whole dashboard.
for measure, (article, label) in MEASURES.items():
    count = counts.total(measure)
    box = st.expander(f"{article} {label}：{count}", key=f"cmp_box_{measure}", on_change="rerun")
    if not box.open:
        continue
    with box:
        if not count:
            st.success("期间内均已落实。")
            continue
        rows = ui.run_action(oversight.compliance, actor, start, end)
        if rows is None:
            continue
        records = oversight.drill_down(rows, measure)
        st.dataframe(records, hide_index=True)
        st.download_button("导出明细（.xlsx）", lambda rows=records, name=label[:30]: oversight.to_xlsx(rows, name),
                           file_name=f"{label}.xlsx", icon=":material/download:", key=f"cmp_{measure}")
