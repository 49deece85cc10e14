"""The live shift (第十四条) as a `transitions` machine declared as data.

scheduled → on_duty → handed_over.

- check_in: the first incoming duty officer arriving puts the shift on duty (a shift
  leader's arrival is recorded but does not start the shift);
- hand_over: only with both signatures, the outgoing officer's and the incoming
  officer's (交接班双方签字确认, 第十四条).

The engine is workflows/lifecycle.py.
"""
from __future__ import annotations

from workflows.lifecycle import Lifecycle

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


LIFECYCLE = Lifecycle("班次", STATES, TRANSITIONS, STATE_LABELS, TRIGGER_LABELS,
                      GUARD_MESSAGES)
allowed_triggers = LIFECYCLE.allowed_triggers
fire = LIFECYCLE.fire
