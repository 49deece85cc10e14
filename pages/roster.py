"""排班: a unit's month of duty on a calendar grid, planned under the staffing rules.

Every save is checked by the services and the violations are listed beside the roster,
each naming its article; publishing with violations is refused with the list.
"""
import calendar as month_grid
from datetime import date

import streamlit as st

import ui
from services import calendar as duty_calendar
from services import roster_files, rosters
from services.directory import units
from services.permissions import can
from services.roster_common import TEMPLATE_SET_LABELS, today
from ui import forms
from ui.context import flash
from ui.rosters import attempt, bullets, fmt, md, notify, show_notice

WEEKDAYS = "一二三四五六日"
STATUS_COLORS = {"draft": "orange", "published": "green", None: "gray"}
NOTICE = "roster"

actor = ui.actor()
st.title("排班")
st.caption("各单位每天24小时值班，只安排正式在编人员，不得安排临时人员（第二、九条）；"
           "防汛期、重大突发事件后和特殊敏感时期双人专职值班（第九条）；法定节假日和特殊敏感时期"
           "领导带班（第十条）；首次值班前须完成岗前培训（第十六条）。")
flash()

# ---------------------------------------------------------------- unit and month

unit_rows = [u for u in units.list_units(actor) if u.active]
if not unit_rows:
    st.info("暂无单位。请先在“单位与值班电话”中登记单位。")
    st.stop()
unit_names = {u.id: u.name for u in unit_rows}
now_day = today()
months = []
for n in range(-3, 13):
    y, m = divmod(now_day.year * 12 + now_day.month - 1 + n, 12)
    months.append((y, m + 1))
left, right = st.columns([3, 2])
unit_ids = list(unit_names)
unit_id = left.selectbox("单位", unit_ids, format_func=unit_names.get, key="roster_unit",
                         index=unit_ids.index(actor.unit_id) if actor.unit_id in unit_names else 0)
year, month = right.selectbox("月份", months, index=3, format_func=lambda ym: f"{ym[0]}年{ym[1]}月",
                              key="roster_month")

month_key = f"{unit_id}_{year}_{month}"     # widgets of one unit's month keep their own state
view = attempt(rosters.month_view, actor, unit_id, year, month)
if view is None:
    st.stop()
marks = duty_calendar.month_marks(actor, unit_id, year, month)
may_edit = can(actor, "roster.edit", unit_id)
may_publish = can(actor, "roster.publish", unit_id)

color = STATUS_COLORS.get(view.status, "gray")
st.markdown(f"**{md(view.unit_name)} · {view.year}年{view.month}月值班表** "
            f":{color}-badge[{view.status_label}]")
if view.template_set:
    st.caption(f"班次模板：{TEMPLATE_SET_LABELS.get(view.template_set, view.template_set)}"
               + (f"；{fmt(view.published_at, '%Y-%m-%d %H:%M')} 发布" if view.published_at else ""))
for warning in view.warnings:
    st.warning(md(warning))
show_notice(NOTICE)

# ---------------------------------------------------------------- the month's actions

if view.status in (None, "draft") and may_edit:
    with st.container(border=True):
        cols = st.columns([2, 1.3, 2.3, 1.3], vertical_alignment="bottom")
        sets = list(TEMPLATE_SET_LABELS)
        # Outside the form below: the template download (Excel 与日历文件) follows this choice live.
        template_set = cols[0].selectbox(
            "班次模板", sets, format_func=TEMPLATE_SET_LABELS.get, key=f"roster_template_set_{month_key}",
            index=sets.index(view.template_set) if view.template_set in sets else 0)
        if view.roster_id is None:
            if cols[1].button("按模板生成本月", key="roster_create", icon=":material/calendar_month:"):
                if attempt(rosters.create_month, actor, unit_id, year, month, template_set):
                    notify(NOTICE, "success", f"已按模板生成{year}年{month}月的空白班次，请安排人员或自动排班")
                    st.rerun()
        # Enter would press 自动排班, overwriting the draft's assignments.
        with cols[2], forms.typed("roster_auto_form", enter=False):
            seed_col, auto_col = st.columns([1, 1.3], vertical_alignment="bottom")
            seed = seed_col.number_input("随机种子", min_value=0, max_value=9999, value=1, step=1,
                                         key="roster_seed", help="同一种子得到同一排班结果，便于复核")
            auto = auto_col.form_submit_button(
                "自动排班", key="roster_auto", icon=":material/auto_fix_high:",
                help="按“最久未值班者优先、周末节假日均衡”自动安排本月，覆盖草稿中的人员安排；"
                     "请假和不可排班日期不予安排")
        if auto:
            report = attempt(rosters.auto_schedule_month, actor, unit_id, year, month,
                             template_set, int(seed))
            if report:
                forms.forget("shift")
                if report.ok:
                    notify(NOTICE, "success", f"自动排班完成（随机种子{int(seed)}）：{report.shifts}个班次，"
                           "符合值班规定", report.explanations)
                else:
                    notify(NOTICE, "warning", f"自动排班完成（随机种子{int(seed)}）：{report.shifts}个班次，"
                           f"仍有{len(report.violations)}处不符合值班规定，原因如下",
                           report.explanations)
                st.rerun()
        if view.status == "draft" and may_publish:
            if cols[3].button("发布", key="roster_publish", type="primary", icon=":material/publish:"):
                if attempt(rosters.publish, actor, view.roster_id, view.roster_version):
                    forms.forget("shift")
                    notify(NOTICE, "success", f"{year}年{month}月值班表已发布")
                    st.rerun()
elif view.status == "published" and may_publish:
    if st.button("撤回发布", key="roster_unpublish", icon=":material/undo:",
                 help="撤回后可重新调整；已开始的班次保持不变"):
        if attempt(rosters.unpublish, actor, view.roster_id, view.roster_version):
            notify(NOTICE, "info", f"已撤回{year}年{month}月值班表的发布，可重新调整")
            st.rerun()

# ---------------------------------------------------------------- the grid


def pick_shift(shift_id: int) -> None:
    st.session_state["roster_shift"] = shift_id


def day_cell(day: date, rows, two_templates: bool) -> None:
    """The day's marks and shifts as one block of text, broken only by the buttons that
    pick a shift (a roster being edited): a month is 30–62 shifts, and each element drawn
    costs the script as much as the text in it."""
    mark = marks.get(day)
    badges = [f"**{day.day}**"]
    if day == now_day:
        badges.append(":blue-badge[今天]")
    if mark and mark.holiday:
        badges.append(f":red-badge[{md(mark.holiday)}]")
    if mark and mark.adjusted_working_day:
        badges.append(":gray-badge[调休上班]")
    for period in (mark.periods if mark else ()):
        badges.append(f":violet-badge[{md(period.kind_label)}]")
    blocks = [" ".join(badges)]     # paragraphs of text not yet drawn

    def draw() -> None:
        if blocks:
            st.markdown("\n\n".join(blocks))
            blocks.clear()

    for row in rows:
        lines = []
        if two_templates and view.can_edit:   # the shift's name is the button that picks it
            draw()
            st.button(row.template_label, key=f"roster_pick_{row.id}", type="tertiary",
                      icon=":material/edit:", on_click=pick_shift, args=(row.id,),
                      help=f"调整{row.label}")
        elif two_templates:
            lines.append(f"**{md(row.template_label)}**")
        lines.append("  \n".join(md(o.name) for o in row.officers) or ":red[未排人员]")
        notes = []
        if row.leader:
            notes.append(f":gray[带班 {md(row.leader.name)}]")
        elif row.leader_reason:
            notes.append(":orange[须带班]")
        if row.state != "scheduled":
            notes.append(f":blue[{row.state_label}]")
        if row.violations:
            notes.append(f":red[:material/error: {len(row.violations)}处]")
        if notes:
            lines.append(f":small[{' '.join(notes)}]")
        blocks.append("  \n".join(lines))
        if view.can_edit and not two_templates:
            draw()
            st.button("调整", key=f"roster_pick_{row.id}", type="tertiary", icon=":material/edit:",
                      on_click=pick_shift, args=(row.id,), help=f"调整{row.label}")
    draw()


def legend() -> str:
    """The month's holidays and special periods, spelled out once above the grid."""
    holidays = list(dict.fromkeys(m.holiday for m in marks.values() if m.holiday))
    periods = list(dict.fromkeys(p for m in marks.values() for p in m.periods))
    parts = [md(p) for p in periods]
    if holidays:
        parts.append("法定节假日" + "、".join(md(h) for h in holidays) + "：领导带班（第十条）")
    if any(m.adjusted_working_day for m in marks.values()):
        parts.append("调休上班日按工作日排班")
    return "  \n".join(parts)


grid, side = st.columns([5, 1.5], gap="medium")
by_day: dict[date, list] = {}
for row in view.shifts:
    by_day.setdefault(row.day, []).append(row)
two_templates = view.template_set == "day_night"
with grid:
    if marks:
        st.caption(legend())
    header = st.columns(7, gap="small")
    for col, name in zip(header, WEEKDAYS):
        col.markdown(f"**周{name}**")
    for week in month_grid.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cols = st.columns(7, gap="small", border=True)
        for col, day in zip(cols, week):
            if day.month == month:
                with col:
                    day_cell(day, by_day.get(day, []), two_templates)
    if view.roster_id is None:
        st.info("本月尚未编排。可“按模板生成本月”后逐个安排，或直接“自动排班”。")

# ---------------------------------------------------------------- beside it: edit in place, the rule check


def shift_editor() -> None:
    """The chosen shift's officers and leader, saved with the version the page loaded."""
    rows_by_id = {r.id: r for r in view.shifts}
    if st.session_state.get("roster_shift") not in rows_by_id:
        st.session_state.pop("roster_shift", None)
    picked = st.selectbox(
        "调整班次", list(rows_by_id), index=None, key="roster_shift",
        placeholder="点日历中的“调整”，或在此选择",
        format_func=lambda i: rows_by_id[i].label)
    if picked is None:
        return
    snap = forms.loaded("shift", rows_by_id[picked])
    k = forms.key("shift", snap)
    people = {p.id: p for p in view.people if p.active}
    for ref in (*snap.officers, *([snap.leader] if snap.leader else [])):
        people.setdefault(ref.id, None)

    def person_label(pid: int) -> str:
        p = people.get(pid)
        if p is None:
            ref = next(r for r in (*snap.officers, snap.leader) if r and r.id == pid)
            return f"{ref.name}（已不在本单位名单）"
        tags = [] if p.employment == "permanent" else [p.employment_label]
        if p.employment == "permanent" and p.problem:
            tags.append("不符合值班条件")
        return p.name + (f"（{'，'.join(tags)}）" if tags else "")

    leaders = [None] + [pid for pid, p in people.items()
                        if (p and p.can_lead_shift) or (snap.leader and pid == snap.leader.id)]
    needs = [f"须{snap.required_officers}名值班员"
             + ("（双人专职，第九条）" if snap.required_officers > 1 else "")]
    if snap.leader_reason:
        needs.append(f"{snap.leader_reason}，须领导带班（第十条）")
    with st.form(k, border=True):
        st.caption("；".join(needs))
        officers = st.multiselect("值班员", list(people), default=[o.id for o in snap.officers],
                                  format_func=person_label, key=f"{k}_officers",
                                  placeholder="选择本单位正式在编人员")
        leader = st.selectbox("带班领导", leaders,
                              index=leaders.index(snap.leader.id) if snap.leader else 0,
                              format_func=lambda i: "（不安排）" if i is None else person_label(i),
                              key=f"{k}_leader")
        save = st.form_submit_button("保存班次", type="primary")
    if snap.violations:
        st.caption("该班次现有问题：\n\n" + bullets(v.message for v in snap.violations))
    if save:
        result = attempt(rosters.set_staffing, actor, snap.id, snap.version, officers, leader,
                         snapshot="shift")
        if result:
            forms.forget("shift")
            if result.violations:
                notify(NOTICE, "warning", f"{snap.label}已保存，仍有{len(result.violations)}处"
                       "不符合值班规定：", [v.message for v in result.violations])
            else:
                notify(NOTICE, "success", f"{snap.label}已保存，符合值班规定")
            st.rerun()


with side:
    if view.can_edit and view.shifts:
        shift_editor()
    elif view.status == "published" and may_edit:
        st.caption("值班表已发布：人员调整请通过“换班/替班”办理，或先撤回发布。")
    st.markdown("**规则检查**")
    if view.roster_id is None:
        st.caption("尚未编排")
    elif view.ok:
        st.success("符合值班规定，0处问题")
    else:
        st.error(f"共{len(view.violations)}处不符合值班规定")
        with st.container(height=560, border=False):
            st.markdown(bullets(v.message for v in view.violations))
    unable = [p for p in view.people if p.active and not p.eligible]
    if unable:
        st.markdown("**不能安排值班的人员**")
        st.caption(bullets(p.problem for p in unable))

# ---------------------------------------------------------------- leave and unavailability

with st.expander("请假与不可排班登记", icon=":material/event_busy:"):
    st.caption("登记后自动排班不再安排该人员；已排在当天的，会在本页提示。")
    leave = rosters.list_unavailability(actor, unit_id, year, month)
    if leave:
        st.dataframe([{"人员": r.person_name, "日期": r.day, "事由": r.reason} for r in leave],
                     hide_index=True, placeholder="—")
    else:
        st.caption("本月暂无登记")
    staff = {p.id: p.name for p in view.people if p.active}
    own = {pid: name for pid, name in staff.items() if may_edit or pid == actor.person_id}
    if own and can(actor, "unavailability.write", unit_id):
        k = forms.new_key(f"leave_new_{month_key}")
        with st.form(k):
            cols = st.columns([2, 2, 2, 3])
            person = cols[0].selectbox("人员", list(own), format_func=own.get, key=f"{k}_person")
            first_day = date(year, month, 1)
            first = cols[1].date_input("开始日期", first_day, key=f"{k}_first", format="YYYY-MM-DD")
            last = cols[2].date_input("结束日期", first_day, key=f"{k}_last", format="YYYY-MM-DD")
            reason = cols[3].text_input("事由", key=f"{k}_reason", placeholder="如：年休假、出差、病假")
            add = st.form_submit_button("登记")
        if add:
            added = attempt(rosters.add_unavailability, actor, person, first, last, reason)
            if added is not None:
                forms.renew(f"leave_new_{month_key}")
                notify(NOTICE, "success", f"已为{own[person]}登记{added}天不可排班")
                st.rerun()
        removable = {r.id: r for r in leave if may_edit or r.person_id == actor.person_id}
        if removable:
            cols = st.columns([4, 1], vertical_alignment="bottom")
            gone = cols[0].selectbox("删除登记", list(removable), index=None,
                                     key=f"leave_delete_pick_{month_key}",
                                     placeholder="选择要删除的登记",
                                     format_func=lambda i: f"{removable[i].person_name} "
                                                           f"{removable[i].day}（{removable[i].reason}）")
            if cols[1].button("删除", key="leave_delete", disabled=gone is None):
                if attempt(rosters.delete_unavailability, actor, gone):
                    notify(NOTICE, "success", "已删除该不可排班登记")
                    st.rerun()

# ---------------------------------------------------------------- files

with st.expander("Excel 与日历文件", icon=":material/download:"):
    cols = st.columns(3)
    if may_edit:
        sets = list(TEMPLATE_SET_LABELS)
        chosen = st.session_state.get(f"roster_template_set_{month_key}", view.template_set or sets[0])
        cols[0].download_button(
            "下载排班模板（Excel）",
            data=lambda: roster_files.roster_template_xlsx(actor, unit_id, year, month, chosen).content,
            file_name=f"{unit_names[unit_id]}{year}年{month}月值班表（模板）.xlsx",
            mime=roster_files.XLSX_MIME, on_click="ignore", key="roster_file_template",
            icon=":material/description:")
    if view.roster_id is not None:
        cols[1].download_button(
            "导出本月值班表（Excel）",
            data=lambda: roster_files.export_roster_xlsx(actor, unit_id, year, month).content,
            file_name=f"{unit_names[unit_id]}{year}年{month}月值班表.xlsx",
            mime=roster_files.XLSX_MIME, on_click="ignore", key="roster_file_export",
            icon=":material/table_view:")
        cols[2].download_button(
            "本单位日历（.ics）",
            data=lambda: roster_files.ics_for_unit(actor, unit_id, year, month).content,
            file_name=f"{unit_names[unit_id]}{year}年{month}月值班表.ics",
            mime=roster_files.ICS_MIME, on_click="ignore", key="roster_file_ics_unit",
            icon=":material/event:")
    staff = {p.id: p.name for p in view.people if p.active and p.employment == "permanent"}
    if staff:
        cols = st.columns([3, 2], vertical_alignment="bottom")
        ids = list(staff)
        who = cols[0].selectbox("个人日历", ids, format_func=staff.get,
                                key=f"roster_ics_person_{unit_id}",
                                index=ids.index(actor.person_id) if actor.person_id in staff else 0,
                                help="该人员在已发布值班表中的值班和带班安排，可导入手机日历")
        cols[1].download_button(
            "下载个人日历（.ics）",
            data=lambda: roster_files.ics_for_person(actor, who, date(year, month, 1)).content,
            file_name=f"{staff[who]}的值班安排.ics", mime=roster_files.ICS_MIME,
            on_click="ignore", key="roster_file_ics_person", icon=":material/person:")
    if view.can_edit:
        st.caption("导入会整体替换本月草稿的人员安排。系统先逐行检查，任何一行有误则整批不导入，"
                   "并按行号列出错误；导入后按值班规定检查。")
        uploaded = st.file_uploader("选择排班文件（.xlsx，不超过 20 MB）", type=["xlsx"],
                                    key="roster_upload", max_upload_size=20)
        if uploaded is not None and st.button("导入排班", key="roster_import", type="primary"):
            result = attempt(roster_files.import_roster_xlsx, actor, unit_id, year, month,
                             uploaded.getvalue())
            if result:
                forms.forget("shift")
                notify(NOTICE, "success" if not result.violations else "warning",
                       f"已导入{result.rows}行、{result.shifts}个班次"
                       + (f"；仍有{len(result.violations)}处不符合值班规定" if result.violations else
                          "，符合值班规定"))
                st.rerun()
