"""统计: incidents by category, level and month; reports on time against their deadlines
(第二十一条); calls per day and instructions fed back on time where recorded. Every table
downloads as .xlsx."""

import streamlit as st

import ui
from services import oversight
from services.oversight.common import today

actor = ui.actor()
st.title("统计")

left, right = st.columns(2)
start = left.date_input("开始日期", value=today().replace(month=1, day=1), key="stat_start")
end = right.date_input("结束日期", value=today(), key="stat_end")
stats = ui.run_action(oversight.statistics, actor, start, end)
if stats is None:
    st.stop()


def bar(rows: list[dict], x: str, y: str, title: str) -> None:
    """A bar chart of the (already counted) rows: a Vega-Lite spec with the rows inline."""
    if rows:
        st.vega_lite_chart(spec={
            "title": title, "mark": "bar", "data": {"values": rows},
            "encoding": {"x": {"field": x, "type": "nominal", "sort": None, "title": x},
                         "y": {"field": y, "type": "quantitative", "title": y}}}, width="stretch")


def table(name: str, rows: list[dict]) -> None:
    st.dataframe(rows, hide_index=True)
    download(name, rows)


def download(name: str, rows: list[dict]) -> None:
    if rows:
        st.download_button(f"导出{name}（.xlsx）", lambda rows=rows, name=name: oversight.to_xlsx(rows, name),
                           file_name=f"{name}.xlsx", icon=":material/download:", key=f"stat_{name}")


st.subheader("突发事件")
left, right = st.columns(2)
with left:
    bar(stats.by_category, "类别", "起数", "按类别")
    table("按类别", stats.by_category)
with right:
    bar(stats.by_level, "等级", "起数", "按等级")
    table("按等级", stats.by_level)
bar(stats.by_month, "月份", "起数", "按月份")
table("按月份", stats.by_month)

st.subheader("报告及时率（第二十一条）")
table("报告及时率", stats.on_time)

if stats.calls_per_day is not None:
    st.subheader("每日来电")
    days = stats.calls_per_day
    bar(days, "日期", "来电数", "每日来电")
    if days:
        # A year is some 300 days: the chart shows them; their table is built only while
        # its panel is open (~3 ms of a first view's ~35 on the 10-year street).
        box = st.expander(f"按日明细（{len(days)}天有来电）", key="stat_calls_box", on_change="rerun",
                          icon=":material/table_rows:")
        if box.open:
            with box:
                st.dataframe(days, hide_index=True)
        download("每日来电", days)
    else:
        st.info("期间内没有来电记录。")
if stats.instructions is not None:
    st.subheader("领导批示反馈")
    table("批示反馈", stats.instructions)
