"""The incident lifecycle (第十八、十九条) as a `transitions` machine declared as data.

received → verifying → reported → follow_up → closed. Reporting straight from received is
only "report while verifying" (边核实、边报告, 第十八条); closing needs a final report
(终报, 第十九条) and the shift leader's approval (第七条).

The engine is workflows/lifecycle.py; `fire(model, trigger, **facts)` and
`allowed_triggers(state)` are this machine's.
"""
from __future__ import annotations

from workflows.lifecycle import Lifecycle

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


LIFECYCLE = Lifecycle("事件", STATES, TRANSITIONS, STATE_LABELS, TRIGGER_LABELS,
                      GUARD_MESSAGES, _HINTS)
allowed_triggers = LIFECYCLE.allowed_triggers
fire = LIFECYCLE.fire
