"""The live shift (第十四条) as a `transitions` machine declared as data.

scheduled → on_duty → handed_over.

- check_in: the first incoming duty officer arriving puts the shift on duty (a shift
  leader's arrival is recorded but does not start the shift);
- hand_over: only with both signatures, the outgoing officer's and the incoming
  officer's (交接班双方签字确认, 第十四条).

Like workflows/incident.py, `fire` drives a throwaway machine over a small stand-in,
never the ORM row: no trigger methods are bound onto the row, nothing piles up in a
shared machine, and the row's state is written back only after the step succeeded.
"""
from __future__ import annotations

from transitions import Machine

from workflows.errors import TransitionRefused

STATES = ["scheduled", "on_duty", "handed_over"]
INITIAL_STATE = "scheduled"

TRANSITIONS = [
    {"trigger": "check_in", "source": "scheduled", "dest": "on_duty",
     "conditions": ["by_duty_officer"]},
    {"trigger": "hand_over", "source": "on_duty", "dest": "handed_over",
     "conditions": ["outgoing_signed", "incoming_signed"]},
]

STATE_LABELS = {"scheduled": "待值班", "on_duty": "值班中", "handed_over": "已交班"}
TRIGGER_LABELS = {"check_in": "到岗签到", "hand_over": "交班"}
GUARD_MESSAGES = {
    "by_duty_officer": "须由本班次值班员签到后班次方可开始",
    "outgoing_signed": "交班人员尚未签字确认（第十四条）",
    "incoming_signed": "接班人员尚未签字确认（第十四条）",
}


class _Subject:
    """What the machine moves: the state plus the guard facts of this one call."""

    def __init__(self, state: str, facts: dict[str, bool]):
        self.state = state
        for name in GUARD_MESSAGES:
            setattr(self, name, _fact(facts.get(name, False)))


def _fact(value: bool):
    return lambda: bool(value)


def allowed_triggers(state: str) -> list[str]:
    _check_state(state)
    return [t["trigger"] for t in TRANSITIONS if t["source"] == state]


def fire(model, trigger: str, **facts: bool) -> tuple[str, str]:
    """Move `model.state` by `trigger`; return (from_state, to_state) or raise TransitionRefused."""
    if trigger not in TRIGGER_LABELS:
        raise ValueError(f"未知的操作：{trigger!r}")
    unknown = set(facts) - set(GUARD_MESSAGES)
    if unknown:
        raise ValueError(f"未知的条件：{'、'.join(sorted(unknown))}")
    source = model.state
    _check_state(source)
    if trigger not in allowed_triggers(source):
        raise TransitionRefused(
            f"班次当前状态为「{STATE_LABELS[source]}」，不能执行「{TRIGGER_LABELS[trigger]}」")
    subject = _Subject(source, facts)
    Machine(model=subject, states=STATES, transitions=TRANSITIONS, initial=source,
            auto_transitions=False)
    if not subject.trigger(trigger):
        failed = [GUARD_MESSAGES[g] for g in _guards(trigger) if not getattr(subject, g)()]
        raise TransitionRefused("；".join(failed) or f"不能执行「{TRIGGER_LABELS[trigger]}」")
    model.state = subject.state
    return source, subject.state


def _guards(trigger: str) -> list[str]:
    return [g for t in TRANSITIONS if t["trigger"] == trigger for g in t.get("conditions", [])]


def _check_state(state: str) -> None:
    if state not in STATE_LABELS:
        raise ValueError(f"未知的班次状态：{state!r}")
