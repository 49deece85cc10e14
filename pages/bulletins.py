"""通报: the office compiles the checks of a period into a bulletin, downloads the .docx and
publishes it (第十七条); every unit sees the published bulletins that concern it."""
from contextlib import nullcontext
from datetime import timedelta

import streamlit as st

import ui
from services import oversight
from services.oversight.common import today
from services.permissions import can
from ui import forms, tables
from ui.context import flash
from ui.incidents import act, fmt, md

actor = ui.actor()
st.title("通报")
office = can(actor, "bulletin.write")
st.caption("党政办对检查、抽查结果予以通报（第十七条）。" + (
    "" if office else "这里列出涉及本单位的通报。"))
flash()

if office:
    with st.expander("汇编通报", expanded=True):
        k = forms.new_key("bulletin_new")
        with st.form(k):
            left, right = st.columns(2)
            start = left.date_input("通报期间开始", value=today() - timedelta(days=30), key=f"{k}_start")
            end = right.date_input("通报期间结束", value=today(), key=f"{k}_end")
            title = st.text_input("标题（可选）", key=f"{k}_title",
                                  help="不填则为「关于…至…政务值班检查情况的通报」")
            go = st.form_submit_button("汇编通报", type="primary", icon=":material/article:")
        if go:
            act(oversight.compile_bulletin, actor, start, end, title,
                success="通报已汇编为草稿，请核对后发布", reset="bulletin_new")

# Each bulletin's checks are read once its panel is open (the newest of the first page is,
# unless closed); the others show their counts. A panel's state lives only while it is
# drawn (Streamlit drops the state of a widget a run does not draw), so the panels the last
# run drew are looked up by key: scanning the session state for them cost ~1,600 Python
# calls a run, each keyed widget's value presented (streamlit's filtered_state, twice).
panels = {i: v for i in st.session_state.get("bulletin_drawn", ())
          if (v := st.session_state.get(f"bulletin_box_{i}")) is not None}
shown = ui.run_action(oversight.bulletin_page, actor, st.session_state.get("bulletin_page", 1),
                      opened={i for i, v in panels.items() if v},
                      closed={i for i, v in panels.items() if not v})
if shown is None:
    st.stop()
st.session_state["bulletin_drawn"] = tuple(b.id for b in shown.rows)
if not shown.total:
    st.info("暂无通报。")
else:
    forms.pager(shown, "bulletin_page", "通报第 {first}–{last} 份，共 {total} 份（最新的在前）")
def results(rows) -> None:
    problems = ["；".join(r.problems + ([r.findings] if r.findings else [])) for r in rows]
    # Column by column as Arrow (ui.tables.columns): not rows turned into a pandas frame.
    st.dataframe(tables.columns({
        "单位": [r.unit_name for r in rows], "检查时间": [fmt(r.at) for r in rows],
        "方式": [r.method_label for r in rows], "接听情况": [r.answered_text for r in rows],
        "结论": ["合格" if r.passed else "不合格" for r in rows], "发现问题": problems,
        "整改期限": [str(r.rectification_deadline or "") for r in rows],
        "整改情况": [r.rectification_status for r in rows]}), hide_index=True)
    # The failed checks in one alert, a list when several (an element each cost ~160 calls).
    failed = [f"{md(r.unit_name)}检查不合格：" + md(problem)
              + (f"（整改期限 {r.rectification_deadline}，{r.rectification_status}）"
                 if r.rectification_required else "")
              for r, problem in zip(rows, problems) if not r.passed]
    if failed:
        st.warning(failed[0] if len(failed) == 1 else "\n".join(f"- {f}" for f in failed))


docx = st.session_state.setdefault("bulletin_docx", {})    # id → (file name, bytes) made
for i, b in enumerate(shown.rows):
    snap = forms.loaded(f"bulletin_{b.id}", b)
    k = forms.key("bulletin", snap)
    # A bulletin is one panel headed by its number, title, state and counts: closed, it is
    # one element, where a box, a heading, a panel and a button were four (Streamlit's cost
    # is per element). Open (the newest of the first page, unless closed), it tables its
    # checks and offers its file, and a draft's publishing, beside them.
    box = st.expander(f"**{md(snap.number)} {md(snap.title)}** :gray[· {snap.state_label} · "
                      f"检查 {snap.checks} 次，不合格 {snap.failed} 次]",
                      expanded=i == 0 and shown.page == 1, key=f"bulletin_box_{snap.id}",
                      on_change="rerun")
    if not box.open:
        continue
    with box:
        st.caption(f"期间 {snap.period_start}至{snap.period_end}"
                   + (f" · {fmt(snap.published_at, '%Y-%m-%d %H:%M')} 由{md(snap.published_by_name)}发布"
                      if snap.published_at else " · 草稿，核对后发布"))
        # (read with the page once open: the snapshot may predate the opening)
        rows = snap.results if snap.results is not None else b.results
        if rows is None:      # open, its state not set by a panel the last run drew
            again = ui.run_action(oversight.bulletin_page, actor, shown.page, opened={snap.id})
            rows = next((r.results for r in again.rows if r.id == snap.id), None) \
                if again else None
        results(rows or ())
        # The buttons side by side in a row; a published bulletin whose file is not made
        # (not being made: this run's click) has one button, and no row.
        draft = office and snap.state == "draft"
        row = draft or snap.id in docx or st.session_state.get(f"{k}_make")
        with st.container(horizontal=True, gap="small") if row else nullcontext():
            if st.button("生成 .docx", key=f"{k}_make", icon=":material/description:"):
                made = ui.run_action(oversight.bulletin_docx, actor, snap.id)
                if made:
                    docx[snap.id] = made
            made = docx.get(snap.id)
            if made:
                st.download_button("下载通报", made[1], file_name=made[0], key=f"{k}_download",
                                   icon=":material/download:",
                                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            if draft:
                if st.button("发布通报", key=f"{k}_publish", type="primary", icon=":material/campaign:"):
                    docx.pop(snap.id, None)
                    act(oversight.publish_bulletin, actor, snap.id, snap.version,
                        success=f"通报{snap.number}已发布", snapshot=f"bulletin_{b.id}")
