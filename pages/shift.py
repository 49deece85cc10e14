"""当班: my current and next shift, check-in (第十四条 提前10分钟到岗), and the signed
face-to-face handover with the equipment check and the open items (第十三、十四、二十三条)."""
import streamlit as st

import ui
from services import clock, shifts
from ui import forms
from ui.context import flash
from ui.rosters import attempt, fmt, md, notify, show_notice

NOTICE = "shift"
ROLE_LABELS = {"officer": "值班员", "leader": "带班领导"}
STATE_COLORS = {"scheduled": "gray", "on_duty": "green", "handed_over": "blue"}
CHECK_CHOICES = {None: "未检查", True: "正常", False: "故障"}

actor = ui.actor()
st.title("当班")
st.caption("值班人员须提前10分钟到岗；交接班当面交接、双方签字。上一班未交接的事项由交班人员负全责；"
           "已交接而接班人员未跟踪办理落实的，由接班人员负全责（第十四条）。")
flash()
show_notice(NOTICE)

if actor.person_id is None:
    st.info("您的账号未关联人员信息，无法签到和交接班。请联系系统管理员在“账号与角色”中关联本人。")
    st.stop()

mine = attempt(shifts.my_shifts, actor)
if mine is None:
    st.stop()
now = clock.now()
current = next((b for b in mine if b.state == "on_duty"), None) or next(
    (b for b in mine if b.state == "scheduled" and b.starts_at <= now < b.ends_at), None)
upcoming = next((b for b in mine if b.state == "scheduled" and b.starts_at > now
                 and (current is None or b.id != current.id)), None)
handed = [b for b in mine if b.state == "handed_over"]
if not mine:
    st.info("未来48小时内没有您的值班或带班安排（仅显示已发布的值班表）。")


# ---------------------------------------------------------------- the shift card

def shift_card(brief, title: str) -> None:
    with st.container(border=True):
        top, right = st.columns([4, 1.3], vertical_alignment="center")
        top.markdown(f"**{title}** · {md(brief.unit_name)} · {md(brief.label)}")
        right.badge(brief.state_label, color=STATE_COLORS.get(brief.state, "gray"))
        officers = "、".join(md(o.name) for o in brief.officers) or "未安排"
        leader = md(brief.leader.name) if brief.leader else "（无）"
        st.markdown(f"我的岗位：**{ROLE_LABELS.get(brief.role, '')}** · 值班员：{officers} · 带班领导：{leader}")
        for c in brief.check_ins:
            text = f"{md(c.name)} {fmt(c.at, '%m-%d %H:%M')} 到岗签到"
            if c.late:
                st.markdown(f":red-badge[迟到] {text}（未在班次开始前10分钟到岗，第十四条）")
            else:
                st.markdown(f":green-badge[按时] {text}")
        checked = any(c.person_id == actor.person_id for c in brief.check_ins)
        if not checked and brief.state != "handed_over":
            st.caption(f"请于 {fmt(brief.starts_at - shifts.LATE_MARGIN, '%m-%d %H:%M')} 前到岗签到（第十四条）")
            if st.button("到岗签到", key=f"check_in_{brief.id}", type="primary",
                         icon=":material/how_to_reg:"):
                result = attempt(shifts.check_in, actor, brief.id)
                if result:
                    notify(NOTICE, "warning" if result.late else "success",
                           f"{result.message}（签到时间 {fmt(result.at, '%H:%M')}）")
                    st.rerun()


# ---------------------------------------------------------------- the handover

def paragraphs(text: str | None) -> str:
    return "  \n".join(md(line) for line in (text or "").splitlines())


def equipment_table(view) -> list[dict]:
    return [{"设备": e.item, "运行情况": CHECK_CHOICES[e.ok], "说明": e.note} for e in view.equipment]


def signed_record(view, incoming_side: bool) -> None:
    st.success(f"交接完成：交班 {view.outgoing_confirmed_by} {fmt(view.outgoing_confirmed_at)} 确认，"
               f"接班 {view.incoming_confirmed_by} {fmt(view.incoming_confirmed_at)} 签字（第十四条）")
    st.markdown("**值班情况**")
    st.markdown(paragraphs(view.summary) or "（无）")
    st.markdown("**设备运行情况**（第十三、二十三条）")
    st.dataframe(equipment_table(view), hide_index=True, placeholder="—")
    st.markdown(f"**未尽事宜与责任认定**（第十四条，共{len(view.items)}项）")
    if not view.items:
        st.caption("交接时无未尽事宜")
    for item in view.items:
        responsibility_row(item, follow_up=incoming_side)


def responsibility_row(item, follow_up: bool) -> None:
    """One open item: who answers for it now (第十四条), and the incoming officer's follow-up."""
    colour = "red" if item.responsible == "outgoing" else "blue"
    who = item.responsible_label + (f"（{item.responsible_person.name}）" if item.responsible_person else "")
    with st.container(border=True):
        cols = st.columns([5, 1.3], vertical_alignment="center")
        facts = [f"{'已交接' if item.passed_on else '未交接'}", f"登记 {fmt(item.since)}"]
        if item.due_at:
            facts.append(f"时限 {fmt(item.due_at)}")
        if item.acted_on_at:
            facts.append(f"续办 {fmt(item.acted_on_at)}")
        cols[0].markdown(f"**{md(item.kind_label)}「{md(item.title)}」** :{colour}-badge[责任人：{md(who)}]  \n"
                         f"{md(item.message)}")
        cols[0].caption(" · ".join(facts))
        if follow_up and item.passed_on and item.acted_on_at is None and item.finding == "pending":
            if cols[1].button("已跟踪办理", key=f"acted_{item.id}", icon=":material/task_alt:",
                              help="登记本班已跟踪办理该事项（第十四条）"):
                row = attempt(shifts.mark_item_acted_on, actor, item.id)
                if row:
                    notify(NOTICE, "success", f"已登记跟踪办理：{item.title}（{row.message}）")
                    st.rerun()


def sign_form(view, signers, own_login: bool) -> None:
    """The incoming officer signs with their own password (第十四条)."""
    k = f"sign_{view.id}_v{view.version}"
    with st.form(k, clear_on_submit=True):
        st.markdown("**接班签字**：接班值班员输入本人登录密码作为签字")
        if own_login:
            signer = actor.user_id
            st.caption(f"签字人：{md(actor.display_name)}")
        else:
            ids = [s.user_id for s in signers]
            labels = {s.user_id: s.label for s in signers}
            signer = st.selectbox("接班人员", ids, format_func=labels.get, key=f"{k}_signer",
                                  index=0 if ids else None, placeholder="接班班次的值班员")
        password = st.text_input("接班人员密码", type="password", key=f"{k}_password")
        sign = st.form_submit_button("接班签字确认", type="primary")
    if sign:
        if signer is None:
            st.error("请选择接班人员")
            return
        signed = attempt(shifts.confirm_incoming, actor, view.id, view.version, password,
                         None if own_login else signer, snapshot="handover")
        if signed:
            forms.forget("handover")
            notify(NOTICE, "success", "交接完成：双方已签字，各项未尽事宜的责任认定见下方（第十四条）")
            st.rerun()


def outgoing_editor(view) -> None:
    """The outgoing officer writes the handover, confirms it, and the incoming signs here."""
    snap = forms.loaded("handover", view)
    k = forms.key("handover", snap)
    with st.form(k):
        summary = st.text_area("值班情况", snap.summary, key=f"{k}_summary", height=120, max_chars=5000,
                               placeholder="本班接报、处置、报告情况，领导批示及落实情况（第十三条）")
        st.markdown("**设备运行情况**（第十三、二十三条）")
        checks = []
        for n, e in enumerate(snap.equipment):
            cols = st.columns([1.4, 2.2, 3], vertical_alignment="center")
            cols[0].markdown(md(e.item))
            choice = cols[1].radio(e.item, list(CHECK_CHOICES), index=list(CHECK_CHOICES).index(e.ok),
                                   format_func=CHECK_CHOICES.get, horizontal=True,
                                   label_visibility="collapsed", key=f"{k}_eq{n}")
            note = cols[2].text_input(f"{e.item}说明", e.note, key=f"{k}_note{n}",
                                      label_visibility="collapsed", placeholder="故障说明")
            checks.append(shifts.EquipmentCheck(e.item, choice, note))
        st.markdown(f"**未尽事宜**（共{len(snap.items)}项；勾选表示当面交接给接班人员）")
        passed = {}
        if not snap.items:
            st.caption("暂无未尽事宜")
        for item in snap.items:
            due = f"，时限 {fmt(item.due_at)}" if item.due_at else ""
            passed[item.id] = st.checkbox(
                f"交接：{item.kind_label}「{item.title}」（{fmt(item.since)}登记{due}）",
                item.passed_on, key=f"{k}_item{item.id}")
        save = st.form_submit_button("保存交接内容", type="primary")
    if save:
        version = attempt(shifts.save_handover, actor, snap.id, snap.version, summary, checks,
                          passed, snapshot="handover")
        if version:
            forms.forget("handover")
            notify(NOTICE, "success", "交接内容已保存")
            st.rerun()
    cols = st.columns(3)
    if cols[0].button("重新汇集未尽事宜", key=f"{k}_refresh", icon=":material/refresh:",
                      help="从突发事件、核报等处重新汇集本单位未办结的事项"):
        if attempt(shifts.refresh_open_items, actor, snap.id, snap.version, snapshot="handover"):
            forms.forget("handover")
            notify(NOTICE, "info", "已重新汇集未尽事宜，请核对后重新确认")
            st.rerun()
    if snap.outgoing_confirmed_at is None:
        st.caption("保存后点“交班确认”；确认后再修改须重新确认。")
        if cols[1].button("交班确认", key=f"{k}_confirm", type="primary", icon=":material/draw:",
                          help="交班值班员本人确认交接内容（第十四条）"):
            if attempt(shifts.confirm_outgoing, actor, snap.id, snap.version, snapshot="handover"):
                forms.forget("handover")
                notify(NOTICE, "success", "交班人员已确认，请接班人员签字")
                st.rerun()
    else:
        st.info(f"交班人员 {snap.outgoing_confirmed_by} 已于 {fmt(snap.outgoing_confirmed_at)} 确认，"
                "请接班人员签字")
        sign_form(snap, attempt(shifts.incoming_signers, actor, snap.id) or [], own_login=False)


def incoming_preview(view) -> None:
    """What the incoming officer is about to take over, and their signature."""
    st.markdown("**值班情况**")
    st.markdown(paragraphs(view.summary) or "（交班人员尚未填写）")
    st.dataframe(equipment_table(view), hide_index=True, placeholder="—")
    if view.items:
        st.dataframe([{"类型": i.kind_label, "事项": i.title, "登记时间": fmt(i.since),
                       "时限": fmt(i.due_at), "是否交接": "交接" if i.passed_on else "不交接（交班人员负责）"}
                      for i in view.items], hide_index=True, placeholder="—")
    else:
        st.caption("暂无未尽事宜")
    if view.outgoing_confirmed_at is None:
        st.info("交班人员尚未确认交接内容，确认后方可签字接班（第十四条）")
    else:
        sign_form(view, [], own_login=True)


def handover_section(brief, side: str) -> None:
    handover_id = brief.outgoing_handover_id if side == "outgoing" else brief.incoming_handover_id
    title = "交班" if side == "outgoing" else "接班"
    if handover_id is None:
        if side == "outgoing" and brief.state == "on_duty" and brief.role == "officer":
            with st.container(border=True):
                st.markdown(f"**{title}**")
                st.caption("交班前填写值班情况和设备运行情况，系统自动汇集未办结事项（第十三、十四条）。")
                if st.button("开始交班", key=f"start_handover_{brief.id}", icon=":material/sync_alt:"):
                    if attempt(shifts.start_handover, actor, brief.id):
                        notify(NOTICE, "info", "已开始交班：请填写值班情况、检查设备、核对未尽事宜")
                        st.rerun()
        return
    view = attempt(shifts.handover_view, actor, handover_id)
    if view is None:
        return
    other = view.incoming if side == "outgoing" else view.outgoing
    with st.container(border=True):
        st.markdown(f"**{title}** · {'接班' if side == 'outgoing' else '交班'}班次：{md(other.label)}"
                    f"（{'、'.join(md(o.name) for o in other.officers) or '未安排'}）")
        if view.signed:
            signed_record(view, incoming_side=side == "incoming")
        elif side == "outgoing" and brief.role == "officer":
            outgoing_editor(view)
        elif side == "incoming" and brief.role == "officer":
            incoming_preview(view)
        else:
            st.caption("交接由值班员办理")


for brief, title in ((current, "当前班次"), (upcoming, "下一班次")):
    if brief is None:
        continue
    shift_card(brief, title)
    if brief.incoming_handover_id:
        handover_section(brief, "incoming")
    if brief.role == "officer" and (brief.state == "on_duty" or brief.outgoing_handover_id):
        handover_section(brief, "outgoing")

if handed:
    st.subheader("已交班")
    for brief in reversed(handed):
        with st.expander(f"{brief.label}（{brief.state_label}）", expanded=brief is handed[-1]):
            if brief.outgoing_handover_id:
                handover_section(brief, "outgoing")
            else:
                st.caption("无交接记录")
