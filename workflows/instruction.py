"""A leader's instruction (领导批示, 第五条、第八条(三)) as a `transitions` machine declared as data.

received → passed_on → in_progress → fed_back → closed.

- pass_on: to at least one receiver (unit or person), each with a feedback due date;
- progress: the first feedback while others are still awaited (督办);
- all_fed_back: every receiver has fed back (事事有回音);
- close: only once the result has been reported back to the leader (件件有落实).

The engine is workflows/lifecycle.py.
"""
from __future__ import annotations

from workflows.lifecycle import Lifecycle

STATES = ["received", "passed_on", "in_progress", "fed_back", "closed"]
INITIAL_STATE = "received"
ARTICLE = "第五条、第八条(三)"

TRANSITIONS = [
    {"trigger": "pass_on", "source": "received", "dest": "passed_on", "conditions": ["has_targets"]},
    {"trigger": "progress", "source": "passed_on", "dest": "in_progress",
     "conditions": ["has_feedback"]},
    {"trigger": "all_fed_back", "source": ["passed_on", "in_progress"], "dest": "fed_back",
     "conditions": ["all_targets_fed_back"]},
    {"trigger": "close", "source": "fed_back", "dest": "closed", "conditions": ["result_reported"]},
]

STATE_LABELS = {
    "received": "已登记",
    "passed_on": "已传达",
    "in_progress": "落实中",
    "fed_back": "已反馈",
    "closed": "已办结",
}
TRIGGER_LABELS = {
    "pass_on": "传达",
    "progress": "登记反馈",
    "all_fed_back": "全部反馈",
    "close": "向领导回复并办结",
}
GUARD_MESSAGES = {
    "has_targets": f"传达批示须至少选择一个承办单位或人员，并写明反馈时限（{ARTICLE}）",
    "has_feedback": "尚无承办方反馈",
    "all_targets_fed_back": f"尚有承办方未反馈，须督促落实后再汇总（{ARTICLE}）",
    "result_reported": f"须先将落实情况回复领导（{ARTICLE}）",
}


LIFECYCLE = Lifecycle("批示", STATES, TRANSITIONS, STATE_LABELS, TRIGGER_LABELS,
                      GUARD_MESSAGES)
allowed_triggers = LIFECYCLE.allowed_triggers
fire = LIFECYCLE.fire
