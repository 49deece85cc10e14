"""One engine for every lifecycle: a `transitions` machine declared as data.

`Lifecycle.fire` drives a throwaway machine over a small stand-in, never the caller's
object: no trigger methods are bound onto an ORM row, no model piles up in a shared
machine (add_model is O(n) and resets a row without `initial=`), and the row's state is
written back only after the step succeeded — a refused step changes nothing. A failed
guard returns False instead of raising, so the result is checked and the failed guards
are named with their articles.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from transitions import Machine

from workflows.errors import TransitionRefused


@dataclass(frozen=True)
class Lifecycle:
    noun: str                              # what moves, in Chinese: 事件、班次 …
    states: list[str]
    transitions: list[dict]
    state_labels: dict[str, str]
    trigger_labels: dict[str, str]
    guard_messages: dict[str, str] = field(default_factory=dict)
    hints: dict[tuple[str, str], str] = field(default_factory=dict)  # (state, trigger) → advice

    @property
    def initial(self) -> str:
        return self.states[0]

    def allowed_triggers(self, state: str) -> list[str]:
        """Triggers whose source includes `state`, guards not evaluated, in table order."""
        self._check_state(state)
        return [t["trigger"] for t in self.transitions if state in _sources(t)]

    def fire(self, model, trigger: str, **facts: bool) -> tuple[str, str]:
        """Move `model.state` by `trigger`; return (from, to) or raise TransitionRefused.

        `facts` answer the guards by name (unknown names are a programming error).
        """
        if trigger not in self.trigger_labels:
            raise ValueError(f"未知的操作：{trigger!r}")
        unknown = set(facts) - set(self.guard_messages)
        if unknown:
            raise ValueError(f"未知的条件：{'、'.join(sorted(unknown))}")
        source = model.state
        self._check_state(source)
        if trigger not in self.allowed_triggers(source):
            allowed = "、".join(self.trigger_labels[t] for t in self.allowed_triggers(source))
            hint = self.hints.get((source, trigger), f"当前可执行：{allowed or '无'}")
            raise TransitionRefused(f"{self.noun}当前状态为「{self.state_labels[source]}」，"
                                    f"不能执行「{self.trigger_labels[trigger]}」；{hint}")
        subject = _Subject(source, {g: bool(facts.get(g, False)) for g in self.guard_messages})
        Machine(model=subject, states=self.states, transitions=self.transitions, initial=source,
                auto_transitions=False)
        if not subject.trigger(trigger):
            failed = [self.guard_messages[g] for g in self._guards(source, trigger)
                      if not subject.facts[g]]
            raise TransitionRefused("；".join(failed)
                                    or f"不能执行「{self.trigger_labels[trigger]}」")
        model.state = subject.state
        return source, subject.state

    def _guards(self, state: str, trigger: str) -> list[str]:
        return [g for t in self.transitions if t["trigger"] == trigger and state in _sources(t)
                for g in t.get("conditions", [])]

    def _check_state(self, state: str) -> None:
        if state not in self.state_labels:
            raise ValueError(f"未知的{self.noun}状态：{state!r}")


class _Subject:
    """What the machine moves: the state, and the guard facts of this one call."""

    def __init__(self, state: str, facts: dict[str, bool]):
        self.state = state
        self.facts = facts
        for name, value in facts.items():
            setattr(self, name, (lambda v: lambda: v)(value))


def _sources(transition: dict) -> list[str]:
    src = transition["source"]
    return [src] if isinstance(src, str) else list(src)
