"""Who answers for an open item after a handover (第十四条). Pure, no I/O.

第十四条: the outgoing officer explains every unfinished matter face to face and both
sign; "上一班人员未交接的，在责任追究中负全责；上一班人员已办理交接事宜，接班人员未跟踪
办理落实的，在责任追究中接班人员负全责".

From the facts of one item:

- not passed on at the handover                → the outgoing officer (not_handed_over);
- passed on, not yet acknowledged (not signed) → still the outgoing officer's (awaiting_handover);
- passed on and acknowledged, acted on during the incoming shift
                                               → the incoming officer, carried on (carried_on);
- passed on and acknowledged, not acted on yet, incoming shift still running
                                               → the incoming officer, to follow up (pending);
- passed on and acknowledged, not acted on when the incoming shift ended
                                               → the incoming officer bears full responsibility
                                                 (not_followed_up).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ARTICLE = "第十四条"
OUTGOING, INCOMING = "outgoing", "incoming"
PARTY_LABELS = {OUTGOING: "交班人员", INCOMING: "接班人员"}

FINDINGS = {
    "not_handed_over": "未交接：交班人员负全责（第十四条）",
    "awaiting_handover": "尚未完成交接签字，仍由交班人员负责（第十四条）",
    "pending": "已交接，待接班人员跟踪办理（第十四条）",
    "carried_on": "已交接，接班人员已跟踪办理（第十四条）",
    "not_followed_up": "已交接但接班人员未跟踪办理落实：接班人员负全责（第十四条）",
}
# Findings that no later fact can change.
FINAL_FINDINGS = frozenset({"not_handed_over", "carried_on", "not_followed_up"})


@dataclass(frozen=True)
class ItemFacts:
    passed_on: bool
    acknowledged_at: datetime | None
    acted_on_at: datetime | None
    incoming_ends_at: datetime  # when the incoming shift ended or is planned to end


@dataclass(frozen=True)
class Responsibility:
    party: str      # outgoing | incoming
    finding: str    # a key of FINDINGS
    message: str

    @property
    def final(self) -> bool:
        return self.finding in FINAL_FINDINGS

    @property
    def party_label(self) -> str:
        return PARTY_LABELS[self.party]


def responsibility(item: ItemFacts, now: datetime) -> Responsibility:
    """Who answers for `item` at `now` (第十四条)."""
    if not item.passed_on:
        return _make(OUTGOING, "not_handed_over")
    if item.acknowledged_at is None:
        return _make(OUTGOING, "awaiting_handover")
    if item.acted_on_at is not None and item.acted_on_at < item.incoming_ends_at:
        return _make(INCOMING, "carried_on")
    if now < item.incoming_ends_at:
        return _make(INCOMING, "pending")
    return _make(INCOMING, "not_followed_up")


def _make(party: str, finding: str) -> Responsibility:
    return Responsibility(party, finding, FINDINGS[finding])
