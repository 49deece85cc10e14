"""The incident lifecycle (第十八、十九条; closure approval 第七条)."""
import itertools
from types import SimpleNamespace

import pytest

from workflows.errors import TransitionRefused
from workflows.incident import (
    STATE_LABELS,
    STATES,
    TRIGGER_LABELS,
    UNVERIFIED_TRIGGERS,
    allowed_triggers,
    fire,
)

GUARDS_MET = {"has_final_report": True, "closure_approved": True}

# (state, trigger) → destination, written out from the regulation, not from the table.
ALLOWED = {
    ("received", "start_verification"): "verifying",        # 第十八条 核实
    ("verifying", "report"): "reported",                     # 第十八条 核实后报告
    ("received", "report_while_verifying"): "reported",     # 第十八条 边核实、边报告
    ("reported", "add_follow_up"): "follow_up",              # 第十九条 续报
    ("follow_up", "add_follow_up"): "follow_up",             # 第十九条 续报二、三…
    ("reported", "close"): "closed",                         # 第十九条 终报 + 第七条 批准
    ("follow_up", "close"): "closed",
}
ALL_PAIRS = list(itertools.product(STATES, TRIGGER_LABELS))
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


def test_states_and_labels():
    """第十八、十九条: 已接报 → 核实中 → 已报告 → 续报中 → 已关闭."""
    assert STATES == ["received", "verifying", "reported", "follow_up", "closed"]
    assert STATE_LABELS == {"received": "已接报", "verifying": "核实中", "reported": "已报告",
                            "follow_up": "续报中", "closed": "已关闭"}
    assert set(TRIGGER_LABELS) == {"start_verification", "report", "report_while_verifying",
                                   "add_follow_up", "close"}
    assert len(FORBIDDEN) == 25 - 7


@pytest.mark.parametrize("state,trigger", list(ALLOWED))
def test_every_allowed_step(state, trigger):
    """第十八、十九条: each allowed step moves to its destination and reports it."""
    model = SimpleNamespace(state=state)
    assert fire(model, trigger, **GUARDS_MET) == (state, ALLOWED[(state, trigger)])
    assert model.state == ALLOWED[(state, trigger)]


@pytest.mark.parametrize("state,trigger", FORBIDDEN)
def test_every_forbidden_step_is_refused_and_changes_nothing(state, trigger):
    """第十八、十九条: a forbidden step gets a clear Chinese message naming the state."""
    model = SimpleNamespace(state=state)
    with pytest.raises(TransitionRefused) as err:
        fire(model, trigger, **GUARDS_MET)
    assert model.state == state
    assert STATE_LABELS[state] in err.value.message
    assert TRIGGER_LABELS[trigger] in err.value.message
    assert str(err.value) == err.value.message


@pytest.mark.parametrize("state", STATES)
def test_allowed_triggers_match_the_table(state):
    """第十八、十九条: the page offers exactly the allowed steps."""
    assert set(allowed_triggers(state)) == {t for (s, t) in ALLOWED if s == state}


def test_reporting_from_received_points_to_report_while_verifying():
    """第十八条: unverified reporting only as 边核实、边报告."""
    model = SimpleNamespace(state="received")
    with pytest.raises(TransitionRefused, match="边核实边报告.*第十八条"):
        fire(model, "report")
    assert model.state == "received"
    assert UNVERIFIED_TRIGGERS == {"report_while_verifying"}


@pytest.mark.parametrize("state", ["reported", "follow_up"])
@pytest.mark.parametrize("final,approved,messages", [
    (False, True, ["关闭事件需先提交终报（第十九条）"]),
    (True, False, ["需带班领导批准关闭（第七条）"]),
    (False, False, ["关闭事件需先提交终报（第十九条）", "需带班领导批准关闭（第七条）"]),
])
def test_failed_guards_refuse_closing_and_leave_state(state, final, approved, messages):
    """第十九条 终报, 第七条 带班领导: closing needs both; the message names what is missing."""
    model = SimpleNamespace(state=state)
    with pytest.raises(TransitionRefused) as err:
        fire(model, "close", has_final_report=final, closure_approved=approved)
    assert model.state == state
    assert err.value.message == "；".join(messages)


def test_guards_default_to_not_met():
    """第七条、第十九条: nothing asserted, nothing closed."""
    model = SimpleNamespace(state="reported")
    with pytest.raises(TransitionRefused):
        fire(model, "close")
    assert model.state == "reported"


def test_a_loaded_model_is_not_reset_to_the_initial_state():
    """第十九条: a row loaded in 续报中 continues from there (no add_model reset)."""
    row = SimpleNamespace(state="follow_up")
    assert fire(row, "add_follow_up") == ("follow_up", "follow_up")
    assert row.state == "follow_up"
    assert fire(row, "close", **GUARDS_MET) == ("follow_up", "closed")
    assert row.state == "closed"


class Row:
    """Stands in for an ORM row: attributes named like triggers must survive."""

    def __init__(self, state):
        self.state = state
        self.report = "the report relationship"
        self.close = "not a trigger"


def test_the_callers_object_gets_no_machine_methods():
    """第十三条: the record is the row; the machine leaves nothing behind on it."""
    row = Row("received")
    before = set(vars(row))
    fire(row, "report_while_verifying")
    assert set(vars(row)) == before
    assert row.report == "the report relationship" and row.close == "not a trigger"
    assert not hasattr(row, "trigger") and not hasattr(row, "is_closed")


def test_a_full_lifecycle():
    """第十八、十九条、第七条: receive, verify, report, follow up twice, close."""
    row = Row("received")
    steps = [("start_verification", {}), ("report", {}), ("add_follow_up", {}),
             ("add_follow_up", {}), ("close", GUARDS_MET)]
    assert [fire(row, t, **f)[1] for t, f in steps] == [
        "verifying", "reported", "follow_up", "follow_up", "closed"]


@pytest.mark.parametrize("state,trigger,facts,fragment", [
    ("received", "escalate", {}, "escalate"),
    ("received", "start_verification", {"leader_ok": True}, "leader_ok"),
    ("archived", "close", {}, "archived"),
    (None, "start_verification", {}, "None"),
])
def test_programming_errors_are_value_errors(state, trigger, facts, fragment):
    """第十八条: unknown triggers, facts or states are bugs, not user refusals."""
    model = SimpleNamespace(state=state)
    with pytest.raises(ValueError, match=fragment):
        fire(model, trigger, **facts)
    assert model.state == state
    with pytest.raises(ValueError):
        allowed_triggers("archived")
