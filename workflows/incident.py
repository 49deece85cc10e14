"""The incident lifecycle (第十八、十九条) as a `transitions` machine declared as data.

received → verifying → reported → follow_up → closed. Reporting straight from received is
only "report while verifying" (边核实、边报告, 第十八条); closing needs a final report
(终报, 第十九条) and the shift leader's approval (第七条).

`fire` drives a throwaway machine over a small stand-in, never the caller's object: no
trigger methods are bound onto an ORM row, no model piles up in a shared machine, and the
row's state is written back only after the step succeeded — a refused step changes nothing.
"""
from __future__ import annotations

from transitions import Machine

from workflows.errors import TransitionRefused

STATES = ["received", "verifying", "reported", "follow_up", "closed"]
INITIAL_STATE = "received"

TRANSITIONS = [
    {"trigger": "start_verification", "source": "received", "dest": "verifying"},
    {"trigger": "report", "source": "verifying", "dest": "reported"},
    {"trigger": "report_while_verifying", "source": "received", "dest": "reported"},
    {"trigger": "add_follow_up", "source": ["reported", "follow_up"], "dest": "follow_up"},
    {"trigger": "close", "source": ["reported", "follow_up"], "dest": "closed",
     "conditions": ["has_final_report", "closure_approved"]},
]

# Reports sent by these triggers are flagged unverified (第十八条); the service records it.
UNVERIFIED_TRIGGERS = frozenset({"report_while_verifying"})

STATE_LABELS = {
    "received": "已接报",
    "verifying": "核实中",
    "reported": "已报告",
    "follow_up": "续报中",
    "closed": "已关闭",
}
TRIGGER_LABELS = {
    "start_verification": "开始核实",
    "report": "报告",
    "report_while_verifying": "边核实边报告",
    "add_follow_up": "续报",
    "close": "关闭事件",
}
# Guards are facts the caller establishes (from rows); each names what it checks.
GUARD_MESSAGES = {
    "has_final_report": "关闭事件需先提交终报（第十九条）",
    "closure_approved": "需带班领导批准关闭（第七条）",
}
_HINTS = {
    ("received", "report"): "情况紧急时可选择「边核实边报告」（第十八条）",
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
    """Triggers whose source includes `state`, guards not evaluated, in table order."""
    _check_state(state)
    return [t["trigger"] for t in TRANSITIONS if state in _sources(t)]


def fire(model, trigger: str, **facts: bool) -> tuple[str, str]:
    """Move `model.state` by `trigger`; return (from_state, to_state) or raise TransitionRefused.

    `facts` answer the guards, e.g. `has_final_report=True, closure_approved=True`.
    """
    if trigger not in TRIGGER_LABELS:
        raise ValueError(f"未知的操作：{trigger!r}")
    unknown = set(facts) - set(GUARD_MESSAGES)
    if unknown:
        raise ValueError(f"未知的条件：{'、'.join(sorted(unknown))}")
    source = model.state
    _check_state(source)
    if trigger not in allowed_triggers(source):
        allowed = "、".join(TRIGGER_LABELS[t] for t in allowed_triggers(source)) or "无"
        hint = _HINTS.get((source, trigger), f"当前可执行：{allowed}")
        raise TransitionRefused(
            f"事件当前状态为「{STATE_LABELS[source]}」，不能执行「{TRIGGER_LABELS[trigger]}」；{hint}"
        )
    subject = _Subject(source, facts)
    Machine(model=subject, states=STATES, transitions=TRANSITIONS, initial=source,
            auto_transitions=False)
    if not subject.trigger(trigger):  # a failed guard returns False, it does not raise
        failed = [GUARD_MESSAGES[g] for g in _guards(source, trigger) if not getattr(subject, g)()]
        raise TransitionRefused("；".join(failed) or f"不能执行「{TRIGGER_LABELS[trigger]}」")
    model.state = subject.state
    return source, subject.state


def _sources(transition: dict) -> list[str]:
    src = transition["source"]
    return [src] if isinstance(src, str) else list(src)


def _guards(state: str, trigger: str) -> list[str]:
    return [g for t in TRANSITIONS if t["trigger"] == trigger and state in _sources(t)
            for g in t.get("conditions", [])]


def _check_state(state: str) -> None:
    if state not in STATE_LABELS:
        raise ValueError(f"未知的事件状态：{state!r}")
