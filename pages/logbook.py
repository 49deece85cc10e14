"""值班记录本: the shift's book compiled from its records, free-text entries, addenda after
sealing, print (.docx / PDF) and search across books (第十三条)."""
from datetime import timedelta

import pandas as pd
import streamlit as st

import ui
from services import clock
from services.daily import logbook
from ui import forms, tables
from ui.context import flash
from ui.incidents import fmt

actor = ui.actor()
st.title("值班记录本")
st.caption("如实填写值班记录：值班时间、带班领导、值班人员、值班情况、交接班情况；"
           "突发事件按时间顺序记录处置全过程（第十三条）。交接班时封存，封存后只能补记更正。")
flash()


def show_book(book, shift_id: int) -> None:
    st.markdown(f"**值班时间**：{book.duty_time}  \n**带班领导**：{book.shift_leader or '—'}  \n"
                f"**值班人员**：{'、'.join(book.duty_officers) or '—'}")
    if book.sealed:
        st.success(f"已于 {fmt(book.sealed_at, '%Y-%m-%d %H:%M')} 交接班时封存；校验码 {book.seal_hash[:16]}…")
    if book.entries:
        # Handed to st.dataframe as Arrow column by column, not rows it makes a pandas frame of.
        entries = book.entries
        st.dataframe(tables.columns({
            "序号": [e.number for e in entries], "时间": [fmt(e.at) for e in entries],
            "类别": [e.kind_label for e in entries], "内容": [e.text for e in entries],
            "处理情况": [e.handling for e in entries], "记录人": [e.author for e in entries]}),
            hide_index=True)
    else:
        st.info("本班次尚无记录。")
    if book.handover:
        h = book.handover
        st.markdown("**交接班情况**")
        st.caption(f"交接时间：{h.get('handed_over_at') or '未完成'} · 交班人：{h.get('outgoing') or '—'}"
                   f" · 接班人：{h.get('incoming') or '—'}")
        for item in h.get("open_items", []):
            st.caption(f"交办事项：{item}")
    for a in book.addenda:
        st.caption(f"补记（{fmt(a.at)} {a.author}）：{a.text}")
    # The forms stay on the page: once recorded, fresh keys empty them (forms.typed).
    if not book.sealed:
        k = forms.new_key(f"note_{shift_id}")
        with forms.typed(f"note_form_{shift_id}"):
            note = st.text_area("添加记事", key=k)
            add = st.form_submit_button("记入记录本", key=f"note_btn_{shift_id}", type="primary")
        if add:
            if ui.run_action(logbook.add_entry, actor, shift_id, note, success="已记入"):
                forms.renew(f"note_{shift_id}")
                st.rerun()
    else:
        stored = {e.id: e for e in book.entries if e.id is not None}
        k = forms.new_key(f"addendum_{shift_id}")
        with forms.typed(f"add_form_{shift_id}"):
            target = st.selectbox("更正的记录", list(stored), index=None, placeholder="选择序号",
                                  format_func=lambda i: f"{stored[i].number}．{stored[i].text[:30]}",
                                  key=f"{k}_corr")
            text = st.text_area("补记内容", key=f"{k}_text")
            add = st.form_submit_button("添加补记", key=f"add_btn_{shift_id}")
        if add:
            if ui.run_action(logbook.add_addendum, actor, shift_id, target, text, success="已补记"):
                forms.renew(f"addendum_{shift_id}")
                st.rerun()
    if st.button("生成打印文件", key=f"print_{shift_id}", icon=":material/print:"):
        st.session_state[f"docx_{shift_id}"] = ui.run_action(logbook.log_book_docx, actor, shift_id)
    data = st.session_state.get(f"docx_{shift_id}")
    if data:
        st.download_button("下载值班记录本（.docx）", data, file_name=f"值班记录本-{shift_id}.docx",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           key=f"dl_{shift_id}")


def book_tab() -> None:
    # One read for the tab: the units, the chosen unit's recent shifts and the chosen book.
    asked_unit = st.session_state.get("logbook_unit")
    desk = ui.run_action(logbook.desk, actor, asked_unit,
                         st.session_state.get(f"logbook_shift_{asked_unit or actor.unit_id}"))
    if desk is None:
        return
    if len(desk.units) > 1:  # the street-wide roles: one unit's books at a time, their own first
        ids = list(desk.units)
        st.selectbox("单位", ids, format_func=desk.units.get, key="logbook_unit",
                     index=ids.index(desk.unit_id))
    by_id = {c.shift_id: c for c in desk.choices}
    ids = list(by_id)
    shift_id = st.selectbox("班次", ids, format_func=lambda i: by_id[i].label,
                            index=ids.index(desk.shift_id) if ids else None,
                            key=f"logbook_shift_{desk.unit_id}")
    if shift_id is None:
        st.info("没有可查看的班次。")
        return
    book = desk.book if shift_id == desk.shift_id else ui.run_action(logbook.log_book, actor, shift_id)
    if book is not None:
        show_book(book, shift_id)


def search_tab() -> None:
    today = clock.local(clock.now()).date()
    a, b, c, d = st.columns([1, 1, 1.2, 1.3])
    first = a.date_input("起始日期", today - timedelta(days=30), key="lb_first")
    last = b.date_input("截止日期", today, key="lb_last")
    units = ui.run_action(logbook.unit_choices, actor) or {}
    everywhere = {None: "全部单位", **units} if len(units) > 1 else {}
    shown = st.session_state.get("logbook_unit", actor.unit_id)  # the book tab's unit first
    where = (c.selectbox("单位", list(everywhere), format_func=everywhere.get, key="lb_unit",
                         index=list(everywhere).index(shown) if shown in everywhere else 0)
             if everywhere else None)
    words = d.text_input("关键词", key="lb_words")
    found = ui.run_action(logbook.search_page, actor, first, last, where, words,
                          st.session_state.get("lb_page", 1))
    if not (found and found.rows):
        st.info("没有找到记录。")
        return
    forms.pager(found, "lb_page", "第 {first}–{last} 条，共 {total} 条（日期新的在前）")
    st.dataframe(pd.DataFrame([{"日期": h.day.isoformat(), "单位": h.unit_name, "时间": fmt(h.at),
                                "类别": h.kind_label, "内容": h.text, "记录人": h.author}
                               for h in found.rows]), hide_index=True)


# Only the chosen tab runs: the search reads nothing until it is opened, and the other way.
book, search = st.tabs(["本班记录本", "查询"], key="logbook_tab", on_change="rerun")
with book:
    if book.open:
        book_tab()
with search:
    if search.open:
        search_tab()
