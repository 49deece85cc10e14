"""节假日与特殊时期: the holiday table (第十条) and the special periods that double the staff
(第九条) or put leaders on duty (第十条). Kept by the office (党政办)."""
from datetime import date, timedelta

import streamlit as st

import ui
from services import calendar as duty_calendar
from services import clock
from services.directory import units
from services.permissions import can
from services.roster_common import today
from ui import forms
from ui.context import flash
from ui.rosters import attempt, notify, show_notice

DAY_KINDS = duty_calendar.DAY_KINDS                   # 法定节假日, 调休上班日
PERIOD_KINDS = duty_calendar.PERIOD_KIND_LABELS       # 防汛期, 特殊敏感时期, 重大突发事件期间
PERIOD_DEFAULTS = duty_calendar.PERIOD_DEFAULTS       # what each kind requires by default
NOTICE = "calendar"
WEEKDAYS = "一二三四五六日"
REQUIRE = {None: "按类型默认", True: "要求", False: "不要求"}
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

actor = ui.actor()
st.title("节假日与特殊时期")
st.caption("法定节假日和特殊敏感时期实行领导24小时在岗带班（第十条）；防汛期间、重大及以上突发事件"
           "发生后和特殊敏感时期实行双人专职24小时值班（第九条）。排班按本页数据检查。")
flash()
show_notice(NOTICE)
may_write = can(actor, "calendar.write")
now_day = today()

holidays_tab, periods_tab = st.tabs(["节假日表", "特殊时期"], key="calendar_tab")

# ---------------------------------------------------------------- holidays

with holidays_tab:
    years = list(range(now_day.year - 1, now_day.year + 3))
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    year = left.selectbox("年份", years, index=1, format_func=lambda y: f"{y}年", key="holiday_year")
    for warning in duty_calendar.unpublished_warnings([year]):
        st.warning(warning)
    if may_write and right.button(f"导入{year}年国务院公布的安排", key="holiday_seed",
                                  icon=":material/download:",
                                  help="从 chinese_calendar 导入法定节假日和调休上班日；已有日期保留本表的修改"):
        result = attempt(duty_calendar.seed_holidays, actor, [year])
        if result:
            notify(NOTICE, "warning" if result.warnings else "success",
                   f"{year}年：新增{result.added}天，已有{result.kept}天保持不变", result.warnings)
            st.rerun()
    rows = duty_calendar.list_holidays(actor, year)
    if rows:
        st.dataframe([{"日期": h.day, "星期": f"周{WEEKDAYS[h.day.weekday()]}", "类型": h.kind_label,
                       "名称": h.name, "来源": h.source_label} for h in rows],
                     hide_index=True, placeholder="—")
        st.caption(f"{year}年共 {sum(h.kind == 'statutory_holiday' for h in rows)} 天法定节假日、"
                   f"{sum(h.kind == 'adjusted_working_day' for h in rows)} 天调休上班日")
    else:
        st.caption(f"{year}年节假日表为空")

    if may_write:
        with st.expander("新增节假日", icon=":material/add:"):
            k = forms.new_key("holiday_new")
            with st.form(k):
                cols = st.columns(3)
                day = cols[0].date_input("日期", date(year, 1, 1), min_value=EARLIEST, max_value=LATEST,
                                         format="YYYY-MM-DD", key=f"{k}_day")
                kind = cols[1].selectbox("类型", list(DAY_KINDS), format_func=DAY_KINDS.get, key=f"{k}_kind")
                name = cols[2].text_input("名称", key=f"{k}_name", placeholder="如：国庆节")
                add = st.form_submit_button("新增", type="primary")
            if add and attempt(duty_calendar.add_holiday, actor,
                               duty_calendar.HolidayData(day, kind, name)):
                forms.renew("holiday_new")
                notify(NOTICE, "success", f"已新增{day.isoformat()}（{name.strip()}）")
                st.rerun()

        by_id = {h.id: h for h in rows}
        picked = st.selectbox("修改或删除", list(by_id), index=None, key="holiday_pick",
                              placeholder="选择日期",
                              format_func=lambda i: f"{by_id[i].day} {by_id[i].kind_label} {by_id[i].name}")
        if picked is not None:
            snap = forms.loaded("holiday", by_id[picked])
            k = forms.key("holiday", snap)
            kinds = list(DAY_KINDS)
            with st.form(k):
                cols = st.columns(3)
                day = cols[0].date_input("日期", snap.day, min_value=EARLIEST, max_value=LATEST,
                                         format="YYYY-MM-DD", key=f"{k}_day")
                kind = cols[1].selectbox("类型", kinds, index=kinds.index(snap.kind),
                                         format_func=DAY_KINDS.get, key=f"{k}_kind")
                name = cols[2].text_input("名称", snap.name, key=f"{k}_name")
                save = st.form_submit_button("保存修改", type="primary")
            if save:
                forms.submit(duty_calendar.update_holiday, actor, snap.id, snap.version,
                             duty_calendar.HolidayData(day, kind, name), success="节假日已修改",
                             snapshot="holiday")
            if st.button("删除该日期", key=f"{k}_delete", icon=":material/delete:"):
                forms.submit(duty_calendar.delete_holiday, actor, snap.id, snap.version,
                             success=f"已删除{snap.day.isoformat()}", snapshot="holiday")

# ---------------------------------------------------------------- special periods


def first_and_last(period) -> tuple[date, date]:
    """A period's span as whole local days (the last one included)."""
    return (clock.local(period.starts_at).date(),
            clock.local(period.ends_at - timedelta(microseconds=1)).date())


def period_fields(k: str, unit_names: dict[int, str], snap=None) -> duty_calendar.PeriodData:
    kinds = list(PERIOD_KINDS)
    kind = st.selectbox("类型", kinds, index=kinds.index(snap.kind) if snap else 0,
                        format_func=PERIOD_KINDS.get, key=f"{k}_kind")
    name = st.text_input("名称", snap.name if snap else "", key=f"{k}_name",
                         placeholder="如：2026年防汛期、全国两会期间")
    first, last = first_and_last(snap) if snap else (now_day, now_day + timedelta(days=30))
    cols = st.columns(2)
    first = cols[0].date_input("开始日期", first, min_value=EARLIEST, max_value=LATEST,
                               format="YYYY-MM-DD", key=f"{k}_first")
    last = cols[1].date_input("结束日期（含当日）", last, min_value=EARLIEST, max_value=LATEST,
                              format="YYYY-MM-DD", key=f"{k}_last")
    scopes = ["all", "some"]
    scope = st.radio("适用单位", scopes, horizontal=True, key=f"{k}_scope",
                     index=1 if snap and not snap.all_units else 0,
                     format_func={"all": "全部单位", "some": "指定单位"}.get)
    picked = st.multiselect("指定单位", list(unit_names), format_func=unit_names.get,
                            default=[u for u in (snap.unit_ids if snap else ()) if u in unit_names],
                            key=f"{k}_units", placeholder="选择“指定单位”时填写")
    cols = st.columns(2)
    choices = list(REQUIRE) if snap is None else [True, False]
    double = cols[0].selectbox("双人专职值班（第九条）", choices, format_func=REQUIRE.get, key=f"{k}_double",
                               index=choices.index(snap.double_staffing) if snap else 0)
    leaders = cols[1].selectbox("领导24小时在岗带班（第十条）", choices, format_func=REQUIRE.get,
                                key=f"{k}_leaders", index=choices.index(snap.leaders_on_duty) if snap else 0)
    if snap is None:
        st.caption("按类型默认：" + "；".join(
            f"{label}" + ("双人值班" if PERIOD_DEFAULTS[code]["double_staffing"] else "")
            + ("、领导带班" if PERIOD_DEFAULTS[code]["leaders_on_duty"] else "")
            for code, label in PERIOD_KINDS.items()))
    notes = st.text_area("说明", (snap.notes or "") if snap else "", key=f"{k}_notes", max_chars=500,
                         placeholder="如：上级通知文号、具体要求")
    if not (isinstance(first, date) and isinstance(last, date)):
        return duty_calendar.PeriodData(kind, name, None, None)
    starts_at, ends_at = duty_calendar.whole_days(first, last)
    return duty_calendar.PeriodData(kind, name, starts_at, ends_at,
                                    None if scope == "all" else tuple(picked), double, leaders, notes)


with periods_tab:
    periods = duty_calendar.list_special_periods(actor)
    if periods:
        st.dataframe([{
            "类型": p.kind_label, "名称": p.name,
            "开始日期": first_and_last(p)[0], "结束日期（含）": first_and_last(p)[1],
            "适用单位": "全部单位" if p.all_units else "、".join(p.unit_names),
            "要求": p.requirements, "说明": p.notes,
        } for p in periods], hide_index=True, placeholder="—")
    else:
        st.caption("暂无特殊时期")

    if may_write:
        unit_names = {u.id: u.name for u in units.list_units(actor) if u.active}
        with st.expander("新增特殊时期", icon=":material/add:"):
            k = forms.new_key("period_new")
            with st.form(k):
                data = period_fields(k, unit_names)
                add = st.form_submit_button("新增特殊时期", type="primary")
            if add and attempt(duty_calendar.create_special_period, actor, data):
                forms.renew("period_new")
                notify(NOTICE, "success", f"已新增{PERIOD_KINDS[data.kind]}「{data.name.strip()}」")
                st.rerun()

        by_id = {p.id: p for p in periods}
        picked = st.selectbox("修改或删除特殊时期", list(by_id), index=None, key="period_pick",
                              placeholder="选择特殊时期",
                              format_func=lambda i: f"{by_id[i].kind_label}：{by_id[i].name}"
                                                    f"（{clock.fmt(by_id[i].starts_at, '%Y-%m-%d')}起）")
        if picked is not None:
            snap = forms.loaded("period", by_id[picked])
            k = forms.key("period", snap)
            with st.form(k):
                data = period_fields(k, unit_names, snap)
                save = st.form_submit_button("保存修改", type="primary")
            if save:
                forms.submit(duty_calendar.update_special_period, actor, snap.id, snap.version, data,
                             success="特殊时期已修改", snapshot="period")
            if st.button("删除该特殊时期", key=f"{k}_delete", icon=":material/delete:"):
                forms.submit(duty_calendar.delete_special_period, actor, snap.id, snap.version,
                             success=f"已删除「{snap.name}」", snapshot="period")
    st.caption("修改后，相关月份的排班按新的要求重新检查；已发布的值班表如不再符合规定，请撤回发布后调整。")
