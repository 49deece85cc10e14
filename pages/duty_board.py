"""在岗情况: who is on duty now in every unit of the street; units without cover are red
(第二、九条: 24-hour duty every day)."""
import pandas as pd
import streamlit as st

import ui
from services import clock, shifts
from ui.rosters import attempt
from ui.tables import painted

REFRESH_SECONDS = 60
RED = "background-color: #FBE3E1; color: #9F1C14; font-weight: 600"
AMBER = "background-color: #FFF1D2; color: #7A4A00"

actor = ui.actor()
st.title("在岗情况")
st.caption("各单位每天24小时值班（第二、九条），值班电话固定、24小时同一号码（第二十三条）。"
           "红色为当前无人值班或未安排值班员的单位。")


@st.fragment(run_every=REFRESH_SECONDS)
def board() -> None:
    data = attempt(shifts.duty_board, ui.recheck_session())
    if data is None:
        return
    rows = data.rows
    total, uncovered = len(rows), len(data.uncovered)
    cols = st.columns(4)
    cols[0].metric("单位", total)
    cols[1].metric("有人值班", total - uncovered)
    cols[2].metric("无人值班", uncovered)
    cols[3].metric("已到岗签到", sum(1 for r in rows if r.checked_in))
    if uncovered:
        st.error(f"{uncovered}个单位当前无人值班：" + "、".join(r.unit_name for r in data.uncovered))
    if not rows:
        st.info("暂无单位")
        return
    spans: dict[tuple, str] = {}     # the units' shifts mostly share their times: each formatted once

    def span(starts_at, ends_at) -> str:
        text = spans.get((starts_at, ends_at))
        if text is None:
            text = spans[starts_at, ends_at] = \
                f"{clock.fmt(starts_at, '%m-%d %H:%M')}–{clock.fmt(ends_at, '%m-%d %H:%M')}"
        return text

    frame = pd.DataFrame({    # column by column: cheaper than a frame from 100 dicts
        "单位": [r.unit_name for r in rows],
        "值班电话": [r.duty_phone or "未登记" for r in rows],
        "当前班次": [span(r.starts_at, r.ends_at) if r.starts_at else "—" for r in rows],
        "状态": [r.state_label for r in rows],
        "值班员": ["、".join(o.name + ("（已签到）" if o.id in r.checked_in else "") for o in r.officers)
                   or "—" for r in rows],
        "带班领导": [r.leader.name if r.leader else "—" for r in rows],
        "提示": ["；".join(r.alerts) for r in rows],
    })
    columns = len(frame.columns)
    # The whole row red without cover; only the alert (the last column) amber when covered.
    styles = [[RED] * columns if not r.covered else [""] * (columns - 1) + [AMBER if r.alerts else ""]
              for r in rows]
    st.dataframe(painted(frame, styles), hide_index=True, width="stretch")
    st.caption(f"截至 {clock.fmt(data.at, '%Y-%m-%d %H:%M')}，每{REFRESH_SECONDS}秒自动刷新")


board()
