"""A mayor-hotline item (市长热线代办事项, 第八条(六)) as a `transitions` machine declared as data.

received → signed → forwarded → done.

- sign: the duty officer signs for the item in the system, only on a statutory holiday
  (法定节假日期间，值班人员负责在系统内签收市长热线代办事项, 第八条(六));
- forward: to the person in charge of hotline items, with the time of notice;
- finish: done, with its result.

The engine is workflows/lifecycle.py.
"""
from __future__ import annotations

from workflows.lifecycle import Lifecycle

STATES = ["received", "signed", "forwarded", "done"]
INITIAL_STATE = "received"
ARTICLE = "第八条(六)"

TRANSITIONS = [
    {"trigger": "sign", "source": "received", "dest": "signed",
     "conditions": ["on_statutory_holiday"]},
    {"trigger": "forward", "source": "signed", "dest": "forwarded",
     "conditions": ["has_person_in_charge"]},
    {"trigger": "finish", "source": "forwarded", "dest": "done", "conditions": ["has_result"]},
]

STATE_LABELS = {"received": "待签收", "signed": "已签收", "forwarded": "已转办", "done": "已办结"}
TRIGGER_LABELS = {"sign": "签收", "forward": "转发通知", "finish": "办结"}
GUARD_MESSAGES = {
    "on_statutory_holiday": f"只有法定节假日期间由值班人员在系统内签收市长热线代办事项（{ARTICLE}）；"
                            "今天不是法定节假日，请按工作日流程由热线负责同志办理",
    "has_person_in_charge": f"请选择接收转办的市长热线负责同志（{ARTICLE}）",
    "has_result": "办结须填写办理结果",
}


LIFECYCLE = Lifecycle("热线事项", STATES, TRANSITIONS, STATE_LABELS, TRIGGER_LABELS,
                      GUARD_MESSAGES)
allowed_triggers = LIFECYCLE.allowed_triggers
fire = LIFECYCLE.fire
