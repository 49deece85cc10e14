"""值班台: every open clock of my scope, live, most urgent first; my incidents; handovers to accept."""
import pandas as pd
import streamlit as st

import ui
from services import clock
from services import incidents
from ui import forms
from ui.context import flash
from ui.incidents import (
    BADGE_COLORS, REFRESH_SECONDS, TEXT_COLORS, act, badges, countdown, fmt, md, styled,
)

CARDS = 10          # the most urgent clocks get a card with their action; the rest the table

actor = ui.actor()
st.title("值班台")
st.caption("报告时限自事发时间起算（第二十一条）：较大以上事件 1 小时内书面报区政府；"
           "重大、特别重大事件 10 分钟内电话报告，最迟不超过 30 分钟；核报电话反馈 15 分钟内（第二十条）。"
           "过半变黄，超时变红，完成前一直标红。")
flash()


def target(row) -> tuple[str, dict]:
    """Where a clock is satisfied: the page and what it opens there."""
    if row.action == "answer_verification":
        return "pages/verification.py", {"id": row.verification_request_id}
    return "pages/incidents.py", {"id": row.incident_id, "action": row.action}


def go(row) -> None:
    page, params = target(row)
    st.switch_page(page, query_params=params)


def card(row) -> None:
    # One bordered row of two elements, the clock and a link to its action: Streamlit's
    # cost is per element and block, and a link (navigation, no widget state) costs less
    # than a button; it also opens in a new tab on a middle click.
    with st.container(border=True, key=f"desk_card_{row.deadline_id}", horizontal=True,
                      wrap=False, vertical_alignment="center"):
        title = md(row.incident_title) + (f"（{row.level_label}）" if row.level_label else "")
        if row.starts_at is not None and row.due_at <= row.starts_at:   # 立即、及时: no number
            due = f"接报后立即报告（{fmt(row.due_at)} 接报）"
        else:
            due = f"应于 {fmt(row.due_at)} 前"
            if row.latest_at != row.due_at:
                due += f"，最迟 {fmt(row.latest_at, '%H:%M')}"
                if row.past_latest:
                    due += " · 已超过最迟时限"
        st.markdown(f":{BADGE_COLORS[row.status]}-badge[{row.status_label}] "
                    f":{TEXT_COLORS[row.status]}[**{countdown(row.seconds_left)}**] · **{title}**  \n"
                    f":gray[:small[{row.kind_label}：{row.label} · {due} · "
                    f"{md(row.unit_name)} · {row.article}]]", width="stretch")
        page, params = target(row)
        st.page_link(ui.page(page), label=row.action_label, query_params=params, width="content",
                     icon=":material/call:" if row.channel == "phone" else ":material/description:")


def table(rows) -> None:
    frame = pd.DataFrame([{
        "状态": r.status_label, "剩余时间": countdown(r.seconds_left), "事件": r.incident_title,
        "报送对象（方式）": r.label, "应于": fmt(r.due_at), "单位": r.unit_name,
    } for r in rows])
    st.dataframe(styled(frame, [r.status for r in rows], ["状态", "剩余时间"]),
                 hide_index=True, placeholder="—")


@st.fragment(run_every=REFRESH_SECONDS)
def clocks() -> None:
    rows = ui.run_action(incidents.open_deadlines, ui.recheck_session())
    if rows is None:   # refused: the message is shown
        return
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("red", "amber", "normal")}
    red, amber, normal = st.columns(3)
    red.metric("已超时", counts["red"], help="超过时限仍未报送或反馈；完成前一直标红")
    amber.metric("即将到期", counts["amber"], help="时限已过半")
    normal.metric("正常", counts["normal"])
    st.caption(f"更新于 {clock.fmt(clock.now(), '%H:%M:%S')}，每 {REFRESH_SECONDS} 秒自动刷新")
    if not rows:
        st.success("当前没有未完成的报告时限")
        return
    for row in rows[:CARDS]:
        card(row)
    if len(rows) > CARDS:
        st.caption(f"以上为最紧急的 {CARDS} 项；全部 {len(rows)} 项时限见下表。")
        rest = {r.deadline_id: r for r in rows[CARDS:]}
        pick_col, button_col = st.columns([5, 1], vertical_alignment="bottom")
        picked = pick_col.selectbox(
            "其他时限", list(rest), index=None, placeholder="选择一项时限去办理",
            format_func=lambda i: f"{rest[i].incident_title} · {rest[i].label} · "
                                  f"{countdown(rest[i].seconds_left)}", key="desk_pick")
        if button_col.button("去办理", key="desk_pick_go", disabled=picked is None):
            go(rest[picked])
    # The whole list is built only while its panel is open: colouring a thousand rows costs
    # more than everything else on the desk (see bench/incidents.py).
    box = st.expander(f"全部未完成时限（{len(rows)}）", expanded=len(rows) <= CARDS,
                      key="desk_table", on_change="rerun", icon=":material/table_rows:")
    if box.open:
        with box:
            table(rows)


st.subheader("报告时限")
clocks()

# ---------------------------------------------------------------- handovers waiting for me (第十二条)

transfers = ui.run_action(incidents.pending_transfers, actor) or []
if transfers:
    st.subheader(f"待我接受的交接（{len(transfers)}）")
    for t in transfers:
        snap = forms.loaded(f"transfer_{t.id}", t)
        k = forms.key("transfer", snap)
        with st.container(border=True):
            st.markdown(f"**{md(t.incident_title)}**")
            st.caption(f"{t.from_name} 于 {fmt(t.requested_at)} 发起交接，交由您负责（首接负责，第十二条）")
            st.markdown(f"交接说明：{md(t.reason)}")
            # Enter would press 接受交接.
            with forms.typed(f"{k}_form", enter=False):
                reason = st.text_input("拒绝理由", key=f"{k}_decline_reason", placeholder="拒绝时填写")
                accept_col, decline_col, _ = st.columns([1, 1, 4])
                accept = accept_col.form_submit_button("接受交接", key=f"{k}_accept", type="primary")
                decline = decline_col.form_submit_button("拒绝", key=f"{k}_decline")
            if accept:
                act(incidents.accept_transfer, actor, snap.id, snap.version,
                    success=f"已接受「{t.incident_title}」，现由您负责", snapshot=f"transfer_{t.id}")
            if decline:
                act(incidents.decline_transfer, actor, snap.id, snap.version, reason,
                    success="已拒绝交接", snapshot=f"transfer_{t.id}")

# ---------------------------------------------------------------- my incidents (首接负责)

mine = ui.run_action(incidents.my_incidents, actor) or []
st.subheader(f"我负责的事件（{len(mine)}）")
if not mine:
    st.caption("暂无由您负责的未关闭事件。")
for row in mine[:20]:     # as the clocks: one row of two elements, the incident and its link
    with st.container(border=True, key=f"desk_mine_{row.id}", horizontal=True, wrap=False,
                      vertical_alignment="center"):
        due = (f" · 最近时限 {fmt(row.next_due_at)}（未完成 {row.open_deadlines} 项）"
               if row.next_due_at else "")
        st.markdown(f"**{md(row.title)}**  \n{badges(row)}  \n"
                    f":gray[:small[接报 {fmt(row.received_at)} · {md(row.place)}{due}]]", width="stretch")
        st.page_link(ui.page("pages/incidents.py"), label="打开", query_params={"id": row.id},
                     icon=":material/open_in_new:")
if len(mine) > 20:
    st.page_link(ui.page("pages/incidents.py"), label=f"全部 {len(mine)} 起事件见「突发事件」",
                 icon=":material/list:")
