"""Intake (接报): open an incident, link further calls to it, correct its facts.

The receiver becomes the owner (首接负责, 第十二条); the clocks of 第二十一条 are computed
from the facts and stored, and recomputed whenever level, category, sensitivity or the
time of occurrence change (satisfied clocks are kept).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy.orm import Session

from models.incident import Incident, IncidentIntake
from models.org import Unit
from rules.deadlines import ARTICLE, LEVEL_LABELS
from rules.validation import control_problem
from services import audit, clock
from services.forms import past_time
from services.errors import DomainError, ValidationError
from services.incidents.common import (
    SOURCE_KIND_LABELS, add_event, aware, category_problem, check_classification,
    check_version, current_table, level_problem, load_incident, not_closed, sync_deadlines,
    text_of,
)
from services.incidents.rows import IncidentRow
from services.permissions import Actor, require
from services.uow import transaction


@dataclass
class IncidentFacts:
    """The facts of an incident a duty officer records and may correct."""

    title: str
    occurred_at: object                 # datetime; naive = Beijing time
    place: str
    category: str                       # natural_disaster / accident / public_health / social_security
    source_kind: str                    # unit / person / phone
    source_text: str = ""
    level: str | None = None            # "I" … "IV" or None (未定级)
    sensitive_time: bool = False
    sensitive_place: bool = False
    sensitive_nature: bool = False
    description: str = ""
    classification: str = "internal"

    @classmethod
    def from_row(cls, row: IncidentRow) -> IncidentFacts:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


@dataclass
class IntakeInput(IncidentFacts):
    """The intake form (接报登记): the facts plus who called and when it came in."""

    received_at: object = None          # datetime; None = now
    unit_id: int | None = None          # the desk that owns it; None = the actor's unit
    caller: str = ""
    caller_number: str = ""


@dataclass
class IntakeCallInput:
    """A further call or message about an incident already open (同一事件多次报告)."""

    caller: str = ""
    number: str = ""
    summary: str = ""
    received_at: object = None          # datetime; None = now


# ---------------------------------------------------------------- checks

def _facts_problems(f: IncidentFacts, received_at, now) -> tuple[list[str], dict]:
    problems = []
    clean = {
        "title": text_of(f.title), "place": text_of(f.place), "source_text": text_of(f.source_text),
        "description": text_of(f.description), "category": f.category, "level": f.level or None,
        "source_kind": f.source_kind, "classification": f.classification,
        "sensitive_time": bool(f.sensitive_time), "sensitive_place": bool(f.sensitive_place),
        "sensitive_nature": bool(f.sensitive_nature),
    }
    if not clean["title"]:
        problems.append("事件名称：不能为空")
    elif len(clean["title"]) > 200:
        problems.append("事件名称：不超过 200 字")
    if not clean["place"]:
        problems.append("事发地点：不能为空（第十九条）")
    elif len(clean["place"]) > 200:
        problems.append("事发地点：不超过 200 字")
    if len(clean["source_text"]) > 200:
        problems.append("信息来源说明：不超过 200 字")
    problems += [p for p in (control_problem(label, clean[key]) for key, label in (
        ("title", "事件名称"), ("place", "事发地点"), ("source_text", "信息来源说明"),
        ("description", "事件简要情况"))) if p]
    for problem in (category_problem(clean["category"]), level_problem(clean["level"])):
        if problem:
            problems.append(problem)
    if clean["source_kind"] not in SOURCE_KIND_LABELS:
        problems.append(f"信息来源：请选择{'、'.join(SOURCE_KIND_LABELS.values())}（第十九条）")
    try:
        check_classification(clean["classification"])
    except DomainError as exc:
        problems.append(exc.message)
    occurred_at = None
    try:
        occurred_at = aware(f.occurred_at, "事发时间")
    except DomainError as exc:
        problems.append(exc.message)
    if occurred_at is None and not any(p.startswith("事发时间") for p in problems):
        problems.append(f"事发时间：不能为空（报告时限自事发时间起算，{ARTICLE}）")
    if occurred_at is not None and received_at is not None and occurred_at > received_at:
        problems.append(f"事发时间：不能晚于接报时间（{ARTICLE}）")
    clean["occurred_at"] = occurred_at
    return problems, clean


def _unit_for(s: Session, actor: Actor, unit_id: int | None) -> int:
    unit_id = unit_id if unit_id is not None else actor.unit_id
    if unit_id is None:
        raise ValidationError(["所属单位：请选择事件所属的值班单位"])
    if s.get(Unit, unit_id) is None:
        raise ValidationError(["所属单位：不存在"])
    return unit_id


# ---------------------------------------------------------------- use cases

def create_incident(s: Session, actor: Actor, form: IntakeInput) -> Incident:
    """Inside the caller's transaction: the incident, its first intake, clocks, event, audit."""
    now = clock.now()
    require(actor, "incident.create", form.unit_id if form.unit_id is not None else actor.unit_id)
    unit_id = _unit_for(s, actor, form.unit_id)
    problems = []
    received_at, problem = past_time(form.received_at, "接报时间", now)
    problems += [problem] if problem else []
    more, clean = _facts_problems(form, received_at, now)
    problems += more
    if len(text_of(form.caller)) > 100 or len(text_of(form.caller_number)) > 50:
        problems.append("来电人/号码：过长")
    problems += [p for p in (control_problem("来电人", form.caller),
                             control_problem("来电号码", form.caller_number)) if p]
    if problems:
        raise ValidationError(problems)
    inc = Incident(unit_id=unit_id, received_at=received_at, state="received", unverified=False,
                   owner_user_id=actor.user_id, created_by_id=actor.user_id, created_at=now, **clean)
    inc.intakes.append(IncidentIntake(caller=text_of(form.caller), number=text_of(form.caller_number),
                                      received_at=received_at, summary=clean["description"],
                                      taken_by_id=actor.user_id))
    s.add(inc)
    sync_deadlines(s, inc, current_table(s))
    s.flush()
    add_event(s, inc, actor, "received", to_state="received",
              details={"level": inc.level, "category": inc.category,
                       "deadlines": [d.id for d in inc.deadlines]})
    audit.record(s, actor, "incident.receive", "incident", inc.id,
                 details={"title": inc.title, "unit_id": unit_id, "level": inc.level,
                          "category": inc.category, "classification": inc.classification})
    return inc


def receive(actor: Actor, form: IntakeInput) -> int:
    """接报登记: a new incident in state received, owned by the receiver (第十二条)."""
    with transaction() as s:
        return create_incident(s, actor, form).id


def link_intake(actor: Actor, incident_id: int, call: IntakeCallInput) -> int:
    """Record another call about the same incident (several intakes → one incident)."""
    with transaction() as s:
        inc = load_incident(s, incident_id)
        require(actor, "incident.update", inc.unit_id)
        now = clock.now()
        received_at = aware(call.received_at, "接报时间") or now
        problems = []
        if received_at > now:
            problems.append("接报时间：不能晚于当前时间")
        if not (text_of(call.caller) or text_of(call.summary)):
            problems.append("来电内容：请至少填写来电人或内容摘要（第十一条）")
        if problems:
            raise ValidationError(problems)
        intake = IncidentIntake(incident_id=inc.id, caller=text_of(call.caller)[:100],
                                number=text_of(call.number)[:50], received_at=received_at,
                                summary=text_of(call.summary), taken_by_id=actor.user_id)
        s.add(intake)
        s.flush()
        add_event(s, inc, actor, "intake_linked", note=intake.summary,
                  details={"intake_id": intake.id, "caller": intake.caller})
        audit.record(s, actor, "incident.link_intake", "incident", inc.id,
                     details={"intake_id": intake.id})
        return intake.id


_LEVEL_RANK = {"I": 4, "II": 3, "III": 2, "IV": 1, None: 0}


def update_facts(actor: Actor, incident_id: int, version: int, facts: IncidentFacts,
                 reason: str = "") -> None:
    """Correct the facts. A change of level, category, sensitivity or occurrence time
    recomputes the clocks (第二十一条); lowering the level or dropping a sensitivity flag
    needs a reason, kept in the timeline. Returns nothing; the page reloads the detail."""
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "incident.update", inc.unit_id)
        check_version(inc, version)
        not_closed(inc, "修改事件信息")
        problems, clean = _facts_problems(facts, inc.received_at, clock.now())
        if problems:
            raise ValidationError(problems)
        lowered = (_LEVEL_RANK[clean["level"]] < _LEVEL_RANK[inc.level]
                   or any(getattr(inc, k) and not clean[k]
                          for k in ("sensitive_time", "sensitive_place", "sensitive_nature")))
        if lowered and not text_of(reason):
            raise ValidationError([f"修改理由：降低事件等级或取消敏感标记须说明理由（{ARTICLE}）"])
        changes = {}
        for name, new in clean.items():
            old = getattr(inc, name)
            if old != new:
                changes[name] = [old, new]
                setattr(inc, name, new)
        if not changes:
            return
        clocks = {}
        if set(changes) & {"level", "category", "occurred_at", "sensitive_time", "sensitive_place",
                           "sensitive_nature"}:
            clocks = sync_deadlines(s, inc, current_table(s))
        s.flush()
        note = text_of(reason)
        if "level" in changes:
            old, new = changes["level"]
            note = f"事件等级：{LEVEL_LABELS[old]} → {LEVEL_LABELS[new]}" + (f"；{note}" if note else "")
        add_event(s, inc, actor, "facts_updated", note=note,
                  details={"changes": changes, "deadlines": clocks})
        audit.record(s, actor, "incident.update", "incident", inc.id,
                     details={"changes": changes, "deadlines": clocks, "reason": text_of(reason)})
