"""What the incident pages share: clock colours and countdowns, tables, the report form,
and running a click's service against the snapshot the page loaded (ui.forms)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

import ui
from services import clock
from services import incidents as incidents_service
from services.errors import ConcurrentEditError
from services.incidents import (
    CLASSIFICATION_LABELS, CONSEQUENCE_FIELDS, ELEMENTS, RECIPIENT_LABELS, URGENCY_LABELS,
)
from ui import forms

# Clock colours (第二十一条 on the desk): normal, amber once half the time is gone, red overdue.
BADGE_COLORS = {"red": "red", "amber": "orange", "normal": "blue", "done": "green"}
TEXT_COLORS = {"red": "red", "amber": "orange", "normal": "blue", "done": "green"}
CELL_STYLES = {
    "red": "background-color: #FBE3E1; color: #9F1C14; font-weight: 600",
    "amber": "background-color: #FFF1D2; color: #7A4A00; font-weight: 600",
    "normal": "",
    "done": "color: #4D6B50",
}
STATE_COLORS = {"received": "blue", "verifying": "orange", "reported": "violet",
                "follow_up": "violet", "closed": "green"}
LEVEL_COLORS = {"I": "red", "II": "red", "III": "orange", "IV": "blue", None: "gray"}
NO_URGENCY = "不标注"
EARLIEST = datetime(2000, 1, 1)
REFRESH_SECONDS = 5            # the desk's live countdown


# ---------------------------------------------------------------- text and time

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def md(text: object) -> str:
    """User text made inert for st.markdown (no links, emphasis or colour directives)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text or ""))


def fmt(dt: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
    return clock.fmt(dt, pattern)


def countdown(seconds: int) -> str:
    """剩余 8分05秒 / 已超时 1小时02分."""
    late, left = seconds < 0, abs(int(seconds))
    hours, rest = divmod(left, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = f"{hours}小时{minutes:02d}分"
    else:
        text = f"{minutes}分{secs:02d}秒"
    return f"已超时 {text}" if late else f"剩余 {text}"


def seconds_until(dt: datetime) -> int:
    return int((dt - clock.now()).total_seconds())


def local_now() -> datetime:
    """Now in Beijing time, naive, to the minute: the default of a form's time field."""
    return clock.local(clock.now()).replace(tzinfo=None, second=0, microsecond=0)


def time_field(label: str, key: str, value: datetime | str | None = "now", *,
               help: str | None = None, container=st) -> datetime | None:
    """A Beijing-time date-and-time field (naive; services read it as Asia/Shanghai).

    `value`: "now" (fixed when the field first appears, so reruns do not move it), an
    aware datetime (shown in Beijing time), or None (blank: the service takes "now").
    """
    if value == "now":
        value = st.session_state.setdefault(f"{key}__now", local_now())
    elif isinstance(value, datetime) and value.tzinfo is not None:
        value = clock.local(value).replace(tzinfo=None)
    return container.datetime_input(label, value=value, min_value=EARLIEST,
                                    max_value=local_now() + timedelta(days=1), step=60,
                                    format="YYYY-MM-DD", key=key, help=help)


# ---------------------------------------------------------------- acting on a snapshot

def act(fn: Callable, *args, success: str | Callable[[object], str],
        snapshot: str | None = None, reset: str | None = None,
        then: Callable[[object], None] | None = None) -> None:
    """Call a service for a click. Refused: its Chinese message is shown. A concurrent edit
    also drops `snapshot`, so the next run shows the record as it is now. Done: the success
    message is kept for ui.context.flash, the snapshot dropped (or the create form `reset`
    emptied), then `then(result)` (e.g. a switch to another page) or a rerun."""

    def call():
        try:
            return fn(*args)
        except ConcurrentEditError:
            if snapshot:
                forms.forget(snapshot)
            raise

    result = ui.run_action(call)
    if result is None:
        return
    message = success(result) if callable(success) else success
    st.session_state["_flash"] = message
    if snapshot:
        forms.forget(snapshot)
    if reset:
        forms.renew(reset)
    if then is not None:
        then(result)
    st.rerun()


@dataclass(frozen=True)
class LoadedIncident:
    """One incident's record as the page first showed it; `version` covers the incident,
    its reports, transfers and verification requests, so any change elsewhere shows."""

    id: int
    version: str
    detail: incidents_service.IncidentDetail

    @classmethod
    def of(cls, detail: incidents_service.IncidentDetail) -> LoadedIncident:
        parts = [str(detail.incident.version)]
        parts += [f"r{r.id}.{r.version}" for r in detail.reports]
        parts += [f"t{t.id}.{t.version}" for t in detail.transfers]
        parts += [f"v{v.id}.{v.version}" for v in detail.verification_requests]
        return cls(detail.incident.id, "_".join(parts), detail)


# ---------------------------------------------------------------- tables

def styled(frame: pd.DataFrame, statuses: list[str], columns: list[str]):
    """Colour the clock columns of each row by its status (red / amber / normal / done)."""
    if frame.empty:
        return frame
    wanted = [c for c in columns if c in frame.columns]
    styles = [CELL_STYLES[s] for s in statuses]

    def paint(col: pd.Series):
        return styles if col.name in wanted else [""] * len(col)

    return frame.style.apply(paint, axis=0)


def deadline_frame(rows, now: datetime | None = None):
    """An incident's clocks (rows of services.incidents.DeadlineRow), coloured."""
    now = now or clock.now()
    data = [{
        "报送对象（方式）": d.label,
        "类型": d.kind_label,
        "起算": fmt(d.starts_at),
        "应于": fmt(d.due_at),
        "最迟": fmt(d.latest_at) if d.latest_at != d.due_at else "",
        "状态": d.status_label,
        "剩余时间": "" if d.status == "done" else countdown(int((d.due_at - now).total_seconds())),
        "完成时间": fmt(d.satisfied_at),
        "迟报原因": d.late_reason,
        "依据": d.article,
    } for d in rows]
    return styled(pd.DataFrame(data), [d.status for d in rows], ["状态", "剩余时间"])


def elements_frame(report) -> pd.DataFrame:
    """A report's eleven elements (第十九条) as a two-column table; gaps marked."""
    labels = dict(CONSEQUENCE_FIELDS)
    rows = []
    for code, label in ELEMENTS:
        text = report.elements.get(code, "")
        if code == "consequences":
            figures = [f"{labels[f]} {getattr(report, f)} 人" for f in ("deaths", "injuries", "missing")
                       if getattr(report, f) is not None]
            if report.losses:
                figures.append(f"{labels['losses']} {report.losses}")
            text = "；".join(figures + ([text] if text else []))
        rows.append({"要素": label, "内容": text or "（缺）"})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the report form (第十九条)

def report_fields(k: str, content, kind: str) -> incidents_service.ReportContent:
    """The fields of a written report inside a st.form; defaults from `content`
    (a ReportContent or a ReportRow). Returns what the form holds."""
    elements = dict(content.elements or {})
    left, middle, right = st.columns(3)
    urgencies = [None, *URGENCY_LABELS]
    urgency = left.selectbox("紧急程度", urgencies, index=urgencies.index(content.urgency),
                             format_func=lambda u: URGENCY_LABELS.get(u, NO_URGENCY),
                             key=f"{k}_urgency",
                             help="首报情况紧急时标注紧急程度，可先行报送，缺少的要素在续报中补齐（第十八、十九条）")
    levels = list(CLASSIFICATION_LABELS)
    classification = middle.selectbox("密级", levels, index=levels.index(content.classification or "internal"),
                                      format_func=CLASSIFICATION_LABELS.get, key=f"{k}_classification",
                                      help="密级高于「公开」的信息不得通过短信报送（第十五条、第二十二条）")
    unverified = right.checkbox("边核实、边报告（尚未核实）", bool(content.unverified),
                                key=f"{k}_unverified", help="第十八条：情况紧急时边核实边报告")
    recipients = st.multiselect("报送对象", list(RECIPIENT_LABELS), default=list(content.recipients or []),
                                format_func=RECIPIENT_LABELS.get, key=f"{k}_recipients")
    changes = ""
    if kind != "initial":
        changes = st.text_area("新进展、新情况（与上次报告相比）", getattr(content, "changes_since_last", ""),
                               key=f"{k}_changes", height=80,
                               help="续报、终报须说明与上次报告相比的新进展（第十九条）")
    values = {}
    top = st.columns(3)
    for col, code in zip(top, ("time", "place", "source")):
        values[code] = col.text_input(dict(ELEMENTS)[code], elements.get(code, ""), key=f"{k}_{code}")
    for code, label in ELEMENTS:
        if code in values:
            continue
        if code == "consequences":
            st.markdown("**已造成的后果**")
            figures = {}
            cols = st.columns(4)
            for col, (field, field_label) in zip(cols[:3], CONSEQUENCE_FIELDS[:3]):
                figures[field] = col.number_input(field_label, min_value=0, step=1,
                                                  value=getattr(content, field), key=f"{k}_{field}",
                                                  placeholder="未查明")
            losses = cols[3].text_input("经济损失", content.losses or "", key=f"{k}_losses")
            values[code] = st.text_area("其他后果", elements.get(code, ""), key=f"{k}_{code}", height=68)
            continue
        values[code] = st.text_area(label, elements.get(code, ""), key=f"{k}_{code}", height=68)
    return incidents_service.ReportContent(
        elements=values, deaths=_int(figures["deaths"]), injuries=_int(figures["injuries"]),
        missing=_int(figures["missing"]), losses=losses, changes_since_last=changes,
        recipients=recipients, classification=classification, urgency=urgency,
        unverified=unverified)


def _int(value) -> int | None:
    return None if value is None else int(value)


def badges(row) -> str:
    """An incident's state, level, flags as coloured badges on one line (markdown: one
    element, where st.badge is one element per badge in a block of its own)."""
    shown = [(row.state_label, STATE_COLORS.get(row.state, "gray")),
             (row.level_label, LEVEL_COLORS.get(row.level, "gray")), (row.category_label, "gray")]
    if row.unverified:
        shown.append(("边核实边报告·待核实", "orange"))
    if row.sensitive:
        flags = [n for n, on in (("敏感时间", row.sensitive_time), ("敏感地点", row.sensitive_place),
                                 ("敏感性质", row.sensitive_nature)) if on]
        shown.append(("、".join(flags), "red"))
    if row.closure_status_label:
        shown.append((row.closure_status_label, "violet"))
    shown.append((row.classification_label, "gray"))
    return " ".join(f":{colour}-badge[{md(label)}]" for label, colour in shown)


def state_badges(row) -> None:
    st.markdown(badges(row))
